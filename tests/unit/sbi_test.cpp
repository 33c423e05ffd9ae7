// vmscope's SBI firmware: a kernel started in S-mode prints through the legacy and DBCN console
// calls, gets a supervisor timer interrupt from SBI set_timer, and shuts down through SRST.
#include "firmware/sbi.h"

#include "test_machine.h"

using namespace vmscope;
using namespace vmscope::test;
using namespace vmscope::test::reg;

namespace {
class Sbi : public HartTest {
 protected:
  void SetUp() override {
    sbi_ = std::make_unique<SbiFirmware>(hart(), bus(), machine().uart());
    sbi_->on_output = [this](std::string_view b) { output += b; };
    hart().ecall_hook = [this](Hart& h) { return sbi_->handle_ecall(h); };
    sbi_->start(kRam);
  }
  std::unique_ptr<SbiFirmware> sbi_;
  std::string output;
};
VMSCOPE_HART_TEST_SUITE(Sbi);

constexpr uint32_t kTime = 0x54494d45, kDbcn = 0x4442434e, kSrst = 0x53525354;
constexpr uint32_t hi20(uint32_t v) { return (v + 0x800) >> 12; }
constexpr int32_t lo12(uint32_t v) { return static_cast<int32_t>(v << 20) >> 20; }
}  // namespace

TEST_F(Sbi, StartsTheKernelInSupervisorModeWithDelegation) {
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_EQ(pc(), kRam);
  EXPECT_EQ(csr(csr::medeleg) & (1u << 9), 0u);  // ECALL from S reaches the firmware
  EXPECT_NE(csr(csr::medeleg) & (1u << 8), 0u);  // ECALL from U goes to the kernel
  EXPECT_EQ(csr(csr::mideleg), 0x222u);
}

TEST_F(Sbi, ConsoleTimerAndShutdown) {
  const uint32_t message = kRam + 0x3000;
  bus().write_bytes(message, std::span(reinterpret_cast<const uint8_t*>("hi!"), 3));
  const uint32_t handler = kRam + 0x2000;
  // The S-mode trap handler: a timer interrupt lands here; say "T", then shut down (SRST, pass).
  place(handler, {addi(a7, zero, 1), addi(a0, zero, 'T'), ecall(),
                  lui(a7, hi20(kSrst)), addi(a7, a7, lo12(kSrst)), addi(a6, zero, 0), addi(a0, zero, 0),
                  addi(a1, zero, 0), ecall(), jal(zero, 0)});
  load({
      addi(a7, zero, 1), addi(a0, zero, 'A'), ecall(),                        // legacy putchar
      lui(a7, hi20(kDbcn)), addi(a7, a7, lo12(kDbcn)), addi(a6, zero, 0),     // DBCN console_write
      addi(a0, zero, 3), lui(a1, hi20(message)), addi(a1, a1, lo12(message)), addi(a2, zero, 0), ecall(),
      lui(t0, hi20(handler)), addi(t0, t0, lo12(handler)), csrw(0x105, t0),   // stvec
      lui(a7, hi20(kTime)), addi(a7, a7, lo12(kTime)), addi(a6, zero, 0),     // TIME set_timer(500)
      addi(a0, zero, 500), addi(a1, zero, 0), ecall(),
      addi(t0, zero, 0x20), csrrs(zero, 0x104, t0),                           // sie.STIE
      addi(t0, zero, 2), csrrs(zero, 0x100, t0),                              // sstatus.SIE
      wfi(), jal(zero, -4),
  });
  const RunResult r = run(100000);
  EXPECT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(hart().exit_code, 0);
  EXPECT_EQ(output, "Ahi!T");
  EXPECT_EQ(csr(0x142), 0x80000005u);        // scause: supervisor timer interrupt
  EXPECT_EQ(hart().mtime(), 500u);           // at its time, not before
  EXPECT_EQ(hart().interrupt_counts()[5], 1u);
}

TEST_F(Sbi, EcallsFromUserModeStillTrapToTheKernel) {
  load({ecall()});
  hart().set_priv(Priv::U);
  set_csr(0x105, kRam + 0x100);  // stvec
  place(kRam + 0x100, {jal(zero, 0)});
  run(2);
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_EQ(csr(0x142), 8u);  // scause: ECALL from U
  EXPECT_TRUE(output.empty());
}

// Calls made directly (a7, a6, a0, a1): the ends of a run the firmware can cause.
TEST_F(Sbi, HartStopEndsTheRunAsIdleAndRebootWithFailureExitsOne) {
  hart().set_reg(17, 0x48534d);  // HSM
  hart().set_reg(16, 1);         // hart_stop: the only hart
  EXPECT_EQ(sbi_->serve(hart()), EcallAction::stop);
  EXPECT_NE(hart().stop_message.find("hart_stop"), std::string::npos) << hart().stop_message;

  hart().reset(kRam);
  sbi_->start(kRam);
  hart().set_reg(17, kSrst);
  hart().set_reg(16, 0);
  hart().set_reg(10, 1);  // cold reboot
  hart().set_reg(11, 1);  // reason: system failure
  EXPECT_EQ(sbi_->serve(hart()), EcallAction::stop);
  EXPECT_EQ(hart().exit_code, 1);
  EXPECT_EQ(hart().stop_message, "the guest asked for a cold reboot through SBI, reporting a system failure");

  hart().set_reg(17, 0x52464e43);  // RFENCE
  hart().set_reg(16, 5);           // hfence_vvma_asid: a hypervisor's, not offered
  hart().set_reg(10, 1);
  hart().set_reg(11, 0);
  EXPECT_EQ(sbi_->serve(hart()), EcallAction::handled);
  EXPECT_EQ(static_cast<int32_t>(hart().reg(10)), -2);
}
