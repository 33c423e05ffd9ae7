// The teaching quirks: each makes one sensitive instruction unprivileged in U-mode only, the way
// real machines could not be virtualized (x86 PUSHF/SMSW and POPF, PDP-10 JRST 1), and the hart
// counts every instruction a quirk let through. Without quirks the same code traps.
#include <gtest/gtest.h>

#include "test_machine.h"

namespace vmscope::test {
namespace {

using namespace reg;

constexpr uint32_t kHandler = kRam + 0x4000;
constexpr uint32_t kUserCode = kRam + 0x1000;
constexpr uint32_t kTarget = kRam + 0x2000;

class QuirksTest : public HartTest {
 protected:
  QuirksTest() {
    place(kHandler, {jal(zero, 0)});
    place(kTarget, {jal(zero, 0)});
    set_csr(csr::mtvec, kHandler);
  }
  void run_in(Priv mode, std::initializer_list<Insn> code, uint64_t steps) {
    if (priv() != Priv::M) {  // a fresh hart for the next piece of code (quirks stay set)
      hart().reset(kRam);
      set_csr(csr::mtvec, kHandler);
    }
    place(kUserCode, code);
    enter(mode, kUserCode);
    run(steps);
  }
};
VMSCOPE_HART_TEST_SUITE(QuirksTest);

TEST_F(QuirksTest, StatusReadInUserModeTrapsWithoutTheQuirk) {
  run_in(Priv::U, {csrr(a0, csr::sstatus)}, 1);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(csr(csr::mcause), 2u);
}

TEST_F(QuirksTest, StatusReadQuirkReturnsTheRealValueInUserMode) {
  hart().set_quirks({.status_read = true});
  set_csr(csr::mstatus, kMstatusSum | kMstatusSpie);
  run_in(Priv::U, {csrr(a0, csr::sstatus), nop()}, 2);
  EXPECT_EQ(pc(), kUserCode + 8) << "no trap";
  EXPECT_EQ(x(a0) & (kMstatusSum | kMstatusSpie), kMstatusSum | kMstatusSpie);
  EXPECT_EQ(hart().quirk_count(Quirk::status_read), 1u);
  EXPECT_EQ(hart().quirk_last_pc(Quirk::status_read), kUserCode);
  // A write to sstatus still traps: only reads were made unprivileged.
  run_in(Priv::U, {csrw(csr::sstatus, a0)}, 1);
  EXPECT_EQ(pc(), kHandler);
}

TEST_F(QuirksTest, StatusWriteQuirkIgnoresWritesInUserMode) {
  hart().set_quirks({.status_write = true});
  set_x(t0, kMstatusSum);
  run_in(Priv::U, {csrrs(zero, csr::sstatus, t0), nop()}, 2);
  EXPECT_EQ(pc(), kUserCode + 8) << "no trap";
  EXPECT_EQ(csr(csr::mstatus) & kMstatusSum, 0u) << "the write was dropped";
  EXPECT_EQ(hart().quirk_count(Quirk::status_write), 1u);
  run_in(Priv::U, {csrr(a0, csr::sstatus)}, 1);
  EXPECT_EQ(pc(), kHandler) << "reads still trap";
}

TEST_F(QuirksTest, SretJumpQuirkJumpsWithoutChangingModeInUserMode) {
  hart().set_quirks({.sret_jump = true});
  set_csr(csr::sepc, kTarget);
  set_csr(csr::mstatus, kMstatusSpp);  // would return to S-mode if it were a real SRET
  run_in(Priv::U, {sret()}, 1);
  EXPECT_EQ(pc(), kTarget);
  EXPECT_EQ(priv(), Priv::U) << "still in U-mode";
  EXPECT_EQ(csr(csr::mstatus) & kMstatusSpp, kMstatusSpp) << "sstatus untouched";
  EXPECT_EQ(hart().quirk_count(Quirk::sret_jump), 1u);
}

TEST_F(QuirksTest, QuirksLeaveSupervisorModeAlone) {
  hart().set_quirks({.status_read = true, .status_write = true, .sret_jump = true});
  set_csr(csr::sepc, kTarget);
  set_x(t0, kMstatusSum);
  run_in(Priv::S, {csrrs(zero, csr::sstatus, t0), csrr(a0, csr::sstatus), sret()}, 3);
  EXPECT_EQ(x(a0) & kMstatusSum, kMstatusSum) << "S-mode writes take effect";
  EXPECT_EQ(pc(), kTarget);
  EXPECT_EQ(priv(), Priv::U) << "a real SRET (SPP was U)";
  for (unsigned q = 0; q < kQuirkCount; ++q) EXPECT_EQ(hart().quirk_count(static_cast<Quirk>(q)), 0u);
}

}  // namespace
}  // namespace vmscope::test
