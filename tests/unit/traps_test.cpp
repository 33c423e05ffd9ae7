// Exceptions, interrupts and the privileged architecture around them: causes, epc and tval
// values, delegation to S-mode, xRET, vectored trap entry, the CLINT, WFI, the trap-virtualization
// bits (TW, TSR, TVM), counters and the WARL behaviour of the machine CSRs.
#include <gtest/gtest.h>

#include <string>

#include "test_machine.h"

namespace vmscope::test {
namespace {

using namespace reg;

constexpr uint32_t kHandler = kRam + 0x4000;   // mtvec
constexpr uint32_t kSHandler = kRam + 0x5000;  // stvec
constexpr uint32_t kUserCode = kRam + 0x1000;
constexpr uint32_t kInterrupt = 1u << 31;
constexpr uint32_t kClintMsip = board::kClintBase + 0x0;
constexpr uint32_t kClintMtimecmp = board::kClintBase + 0x4000;
constexpr uint32_t kClintMtime = board::kClintBase + 0xbff8;

class Traps : public HartTest {
 protected:
  Traps() {
    // Handlers that do nothing but spin: a trap is visible as pc == handler afterwards.
    place(kHandler, {jal(zero, 0)});
    place(kSHandler, {jal(zero, 0)});
    set_csr(csr::mtvec, kHandler);
    set_csr(csr::stvec, kSHandler);
  }
  // A fresh hart in M-mode at the start of RAM, with the trap vectors set again.
  void restart() {
    hart().reset(kRam);
    set_csr(csr::mtvec, kHandler);
    set_csr(csr::stvec, kSHandler);
  }
  uint32_t mstatus() const { return csr(csr::mstatus); }
  uint32_t mpp() const { return (mstatus() & kMstatusMpp) >> kMstatusMppShift; }
  // Runs `code` at kUserCode in `mode` for `steps` instructions.
  void run_in(Priv mode, std::initializer_list<Insn> code, uint64_t steps) {
    place(kUserCode, code);
    enter(mode, kUserCode);
    run(steps);
  }
};
VMSCOPE_HART_TEST_SUITE(Traps);

// ---- synchronous exceptions ---------------------------------------------------------------------

TEST_F(Traps, IllegalInstruction32BitHasTheWordInMtval) {
  load({nop(), word(0x00002007)});  // flw: no F extension here
  run(2);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mepc), kRam + 4);
  EXPECT_EQ(csr(csr::mtval), 0x00002007u);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(hart().exception_counts()[2], 1u);
}

TEST_F(Traps, IllegalInstructionAllOnesWord) {
  load({word(0xffffffff)});
  run(1);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), 0xffffffffu);
}

TEST_F(Traps, IllegalInstruction16BitHasOnlyItsParcelInMtval) {
  load({c_nop(), half(0x2000), lui(a0, 0xfffff)});  // c.fld: no D extension; non-zero bytes follow
  run(2);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mepc), kRam + 2);
  EXPECT_EQ(csr(csr::mtval), 0x2000u);
}

TEST_F(Traps, AllZeroParcelIsIllegal) {
  load({nop(), half(0x0000), c_nop()});
  run(2);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mepc), kRam + 4);
  EXPECT_EQ(csr(csr::mtval), 0u);
}

TEST_F(Traps, UnknownCsrAndWritesToReadOnlyCsrsAreIllegal) {
  const Insn cases[] = {csrr(a0, 0x7c0), csrw(csr::mhartid, a1), csrw(csr::cycle, a1), csrrsi(a0, csr::mhartid, 1)};
  for (const Insn& insn : cases) {
    restart();
    load({insn});
    run(1);
    EXPECT_EQ(csr(csr::mcause), 2u) << std::hex << insn.bits;
    EXPECT_EQ(csr(csr::mtval), insn.bits);
    EXPECT_EQ(csr(csr::mepc), kRam);
  }
  // Reading a read-only CSR is fine, and so is csrrs with x0 (no write).
  restart();
  load({csrr(a0, csr::mhartid), csrrs(a1, csr::cycle, zero), csrr(a2, csr::misa)});
  run(3);
  EXPECT_EQ(pc(), kRam + 12);
  EXPECT_TRUE(traps().empty());
}

TEST_F(Traps, MachineCsrsAreIllegalFromSupervisorMode) {
  const uint32_t bits = csrr(a0, csr::mstatus).bits;
  run_in(Priv::S, {csrr(a0, csr::mstatus)}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), bits);
  EXPECT_EQ(mpp(), 1u);
}

TEST_F(Traps, SupervisorCsrsAreIllegalFromUserMode) {
  run_in(Priv::U, {csrr(a0, csr::sstatus)}, 1);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(mpp(), 0u);
}

TEST_F(Traps, EcallCauseDependsOnTheMode) {
  load({nop(), ecall()});
  run(2);
  EXPECT_EQ(csr(csr::mcause), 11u);
  EXPECT_EQ(csr(csr::mepc), kRam + 4);
  EXPECT_EQ(csr(csr::mtval), 0u);

  run_in(Priv::S, {ecall()}, 1);
  EXPECT_EQ(csr(csr::mcause), 9u);
  EXPECT_EQ(csr(csr::mepc), kUserCode);
  EXPECT_EQ(mpp(), 1u);

  run_in(Priv::U, {ecall()}, 1);
  EXPECT_EQ(csr(csr::mcause), 8u);
  EXPECT_EQ(csr(csr::mepc), kUserCode);
  EXPECT_EQ(mpp(), 0u);
  EXPECT_EQ(priv(), Priv::M);
}

TEST_F(Traps, EbreakHasItsPcInMtval) {
  load({nop(), nop(), ebreak()});
  run(3);
  EXPECT_EQ(csr(csr::mcause), 3u);
  EXPECT_EQ(csr(csr::mepc), kRam + 8);
  EXPECT_EQ(csr(csr::mtval), kRam + 8);
}

TEST_F(Traps, MisalignedLoadsAndStoresHaveTheAddressInMtval) {
  constexpr uint32_t kData = kRam + 0x8000;
  const struct {
    Insn insn;
    uint32_t cause, address;
  } cases[] = {{lw(a0, a1, 2), 4, kData + 2},      {lw(a0, a1, 1), 4, kData + 1}, {lh(a0, a1, 1), 4, kData + 1},
               {lhu(a0, a1, 3), 4, kData + 3},     {sw(a0, a1, 2), 6, kData + 2}, {sh(a0, a1, 1), 6, kData + 1},
               {amoadd_w(a0, a2, a0), 6, kData + 6}, {lr_w(a0, a2), 4, kData + 6},
               {sc_w(a0, a2, a0), 6, kData + 6}};
  for (const auto& c : cases) {
    restart();
    write32(kData, 0x11223344);
    load({c.insn});
    set_x(a0, 0x55);
    set_x(a1, kData);
    set_x(a2, kData + 6);
    run(1);
    EXPECT_EQ(csr(csr::mcause), c.cause) << std::hex << c.insn.bits;
    EXPECT_EQ(csr(csr::mtval), c.address) << std::hex << c.insn.bits;
    EXPECT_EQ(csr(csr::mepc), kRam);
    EXPECT_EQ(read32(kData), 0x11223344u);  // nothing was written
  }
  // Bytes are never misaligned.
  hart().reset(kRam);
  load({lb(a0, a1, 3), sb(a0, a1, 1)});
  set_x(a1, kData);
  run(2);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(read32(kData), 0x11221144u);
}

TEST_F(Traps, AccessFaultsOutsideRamAndDevices) {
  const uint32_t kNowhere = 0x40000000;
  const uint32_t kPastRam = kRam + kTestRamSize;
  const uint32_t kPastUart = board::kUartBase + board::kUartSize;
  const struct {
    Insn insn;
    uint32_t address, cause;
  } cases[] = {{lw(a0, a1, 0), kNowhere, 5}, {sw(a0, a1, 0), kNowhere, 7}, {lb(a0, a1, 0), kPastRam, 5},
               {sh(a0, a1, 0), kPastRam, 7}, {lw(a0, a1, 0), kPastUart, 5}, {sb(a0, a1, 0), kPastUart, 7},
               {amoswap_w(a0, a1, a0), kNowhere, 7}, {lr_w(a0, a1), kPastRam, 5}};
  for (const auto& c : cases) {
    restart();
    load({c.insn});
    set_x(a1, c.address);
    run(1);
    EXPECT_EQ(csr(csr::mcause), c.cause) << std::hex << c.insn.bits << " @ " << c.address;
    EXPECT_EQ(csr(csr::mtval), c.address);
    EXPECT_EQ(csr(csr::mepc), kRam);
    EXPECT_EQ(pc(), kHandler);
  }
}

TEST_F(Traps, FetchAccessFaultOutsideRamAndFromDevices) {
  for (const uint32_t target : {0x40000000u, 0u, board::kClintBase, kRam + kTestRamSize}) {
    restart();
    load({jalr(zero, a1, 0)});
    set_x(a1, target);
    run(1);  // the jump retires
    EXPECT_EQ(pc(), target);
    EXPECT_TRUE(traps().empty());
    run(1);  // the fetch faults
    EXPECT_EQ(csr(csr::mcause), 1u) << std::hex << target;
    EXPECT_EQ(csr(csr::mepc), target);
    EXPECT_EQ(csr(csr::mtval), target);
    EXPECT_EQ(pc(), kHandler);
  }
}

TEST_F(Traps, StraddlingTheEndOfRamFaultsOnTheSecondHalf) {
  constexpr uint32_t kLast = kRam + kTestRamSize - 2;
  write16(kLast, static_cast<uint16_t>(addi(a0, a0, 1).bits));  // the low half of a 32-bit word
  hart().set_pc(kLast);
  run(1);
  EXPECT_EQ(csr(csr::mcause), 1u);
  EXPECT_EQ(csr(csr::mepc), kLast);
  EXPECT_EQ(csr(csr::mtval), kRam + kTestRamSize);  // the part that faulted
}

TEST_F(Traps, FaultingLoadStraddlingAPageBoundaryReportsItsStart) {
  constexpr uint32_t kAt = kRam + 0xffe;
  place(kAt, {lw(a0, a1, 0)});
  hart().set_pc(kAt);
  set_x(a1, 0x40000000);
  run(1);
  EXPECT_EQ(csr(csr::mcause), 5u);
  EXPECT_EQ(csr(csr::mepc), kAt);
  EXPECT_EQ(csr(csr::mtval), 0x40000000u);
  // And a straddling AUIPC sees its own address.
  hart().reset(kAt);
  place(kAt, {auipc(a0, 1)});
  run(1);
  EXPECT_EQ(x(a0), kAt + 0x1000);
  EXPECT_EQ(pc(), kAt + 4);
}

TEST_F(Traps, DevicesAnswerLoadsAndStores) {
  hart().set_mtime(1234);
  load({lw(a0, a1, 0), sb(a2, a3, 1), lbu(a4, a3, 1)});
  set_x(a1, kClintMtime);
  set_x(a3, board::kUartBase);  // IER: writable
  set_x(a2, 0x5);
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 1234u);
  EXPECT_EQ(x(a4), 0x5u);
}

// ---- delegation ---------------------------------------------------------------------------------

TEST_F(Traps, DelegatedExceptionFromUserGoesToSupervisor) {
  set_csr(csr::medeleg, 1u << 2);
  set_bits(csr::mstatus, kMstatusSie);  // SIE set before the trap: SPIE must take it
  run_in(Priv::U, {nop(), word(0x00002007)}, 2);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(pc(), kSHandler);
  EXPECT_EQ(csr(csr::scause), 2u);
  EXPECT_EQ(csr(csr::sepc), kUserCode + 4);
  EXPECT_EQ(csr(csr::stval), 0x00002007u);
  EXPECT_EQ(mstatus() & kMstatusSpp, 0u);  // came from U
  EXPECT_NE(mstatus() & kMstatusSpie, 0u);
  EXPECT_EQ(mstatus() & kMstatusSie, 0u);
  EXPECT_EQ(csr(csr::mcause), 0u);  // M saw nothing
  EXPECT_EQ(traps().back().to, Priv::S);
}

TEST_F(Traps, DelegatedExceptionFromSupervisorSetsSpp) {
  set_csr(csr::medeleg, 1u << 3);
  clear_bits(csr::mstatus, kMstatusSie);
  run_in(Priv::S, {ebreak()}, 1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), 3u);
  EXPECT_EQ(csr(csr::sepc), kUserCode);
  EXPECT_EQ(csr(csr::stval), kUserCode);
  EXPECT_NE(mstatus() & kMstatusSpp, 0u);
  EXPECT_EQ(mstatus() & kMstatusSpie, 0u);  // SIE was clear
  EXPECT_EQ(mpp(), 0u);                     // M's fields untouched (MRET left MPP = U)
}

TEST_F(Traps, DelegatedEcallsFromUserAndSupervisor) {
  set_csr(csr::medeleg, (1u << 8) | (1u << 9));
  run_in(Priv::U, {ecall()}, 1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), 8u);
  restart();
  set_csr(csr::medeleg, (1u << 8) | (1u << 9));
  run_in(Priv::S, {ecall()}, 1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), 9u);
}

TEST_F(Traps, MachineModeExceptionsAreNeverDelegated) {
  set_csr(csr::medeleg, 0xffffffff);
  load({word(0x00002007)});
  run(1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::scause), 0u);
  load({ecall()});
  run(1);
  EXPECT_EQ(csr(csr::mcause), 11u);
  EXPECT_EQ(priv(), Priv::M);
}

TEST_F(Traps, UndelegatedExceptionFromUserGoesToMachine) {
  set_csr(csr::medeleg, 1u << 2);  // illegal only
  run_in(Priv::U, {ebreak()}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 3u);
  EXPECT_EQ(csr(csr::scause), 0u);
}

// ---- xRET ---------------------------------------------------------------------------------------

TEST_F(Traps, MretRestoresModeAndInterruptEnable) {
  // MPP = S, MPIE = 1, MIE = 0.
  set_csr(csr::mstatus, (1u << kMstatusMppShift) | kMstatusMpie);
  set_csr(csr::mepc, kUserCode);
  place(kUserCode, {nop()});
  load({mret()});
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(pc(), kUserCode);
  EXPECT_NE(mstatus() & kMstatusMie, 0u);
  EXPECT_NE(mstatus() & kMstatusMpie, 0u);
  EXPECT_EQ(mpp(), 0u);  // U, the least-privileged mode

  // MPP = U, MPIE = 0, MIE = 1.
  hart().reset(kRam);
  set_csr(csr::mstatus, kMstatusMie);
  set_csr(csr::mepc, kUserCode);
  load({mret()});
  run(1);
  EXPECT_EQ(priv(), Priv::U);
  EXPECT_EQ(mstatus() & kMstatusMie, 0u);
  EXPECT_NE(mstatus() & kMstatusMpie, 0u);
}

TEST_F(Traps, MretClearsMprvOnlyWhenLeavingMachineMode) {
  set_csr(csr::mstatus, kMstatusMprv | (3u << kMstatusMppShift));
  set_csr(csr::mepc, kUserCode);
  place(kUserCode, {nop()});
  load({mret()});
  run(1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_NE(mstatus() & kMstatusMprv, 0u);

  hart().reset(kRam);
  set_csr(csr::mstatus, kMstatusMprv | (1u << kMstatusMppShift));
  set_csr(csr::mepc, kUserCode);
  load({mret()});
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(mstatus() & kMstatusMprv, 0u);
}

TEST_F(Traps, SretRestoresModeAndInterruptEnable) {
  // From S with SPP = U, SPIE = 1, SIE = 0.
  place(kUserCode, {sret()});
  enter(Priv::S, kUserCode);
  set_csr(csr::mstatus, (mstatus() & ~(kMstatusSpp | kMstatusSie)) | kMstatusSpie);
  set_csr(csr::sepc, kUserCode + 0x100);
  run(1);
  EXPECT_EQ(priv(), Priv::U);
  EXPECT_EQ(pc(), kUserCode + 0x100);
  EXPECT_NE(mstatus() & kMstatusSie, 0u);
  EXPECT_NE(mstatus() & kMstatusSpie, 0u);
  EXPECT_EQ(mstatus() & kMstatusSpp, 0u);

  // From S with SPP = S, SPIE = 0: stays in S with SIE clear.
  restart();
  place(kUserCode, {sret()});
  enter(Priv::S, kUserCode);
  set_csr(csr::mstatus, (mstatus() & ~kMstatusSpie) | kMstatusSpp | kMstatusSie);
  set_csr(csr::sepc, kUserCode + 0x200);
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(pc(), kUserCode + 0x200);
  EXPECT_EQ(mstatus() & kMstatusSie, 0u);
  EXPECT_EQ(mstatus() & kMstatusSpp, 0u);  // SPP becomes U
}

TEST_F(Traps, SretFromMachineModeClearsMprv) {
  set_csr(csr::mstatus, kMstatusMprv | kMstatusSpp | (3u << kMstatusMppShift));
  set_csr(csr::sepc, kUserCode);
  load({sret()});
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(pc(), kUserCode);
  EXPECT_EQ(mstatus() & kMstatusMprv, 0u);
}

TEST_F(Traps, MretBelowMachineModeAndSretInUserModeAreIllegal) {
  run_in(Priv::S, {mret()}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), mret().bits);
  EXPECT_EQ(csr(csr::mepc), kUserCode);

  run_in(Priv::U, {sret()}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), sret().bits);

  run_in(Priv::U, {mret()}, 1);
  EXPECT_EQ(csr(csr::mcause), 2u);
}

TEST_F(Traps, TrapEntrySavesMieInMpieAndTheModeInMpp) {
  set_csr(csr::mstatus, kMstatusMie);
  load({ecall()});
  run(1);
  EXPECT_EQ(mstatus() & kMstatusMie, 0u);
  EXPECT_NE(mstatus() & kMstatusMpie, 0u);
  EXPECT_EQ(mpp(), 3u);
}

TEST_F(Traps, TrapAndMretRoundTrip) {
  // The handler skips the faulting instruction: mepc += 4; mret.
  place(kHandler, {csrr(t0, csr::mepc), addi(t0, t0, 4), csrw(csr::mepc, t0), mret()});
  run_in(Priv::U, {ecall(), addi(a0, zero, 7)}, 6);
  EXPECT_EQ(priv(), Priv::U);
  EXPECT_EQ(x(a0), 7u);
  EXPECT_EQ(pc(), kUserCode + 8);
}

// ---- interrupts ---------------------------------------------------------------------------------

TEST_F(Traps, VectoredMtvecSendsInterruptsToBasePlusFourTimesCause) {
  place(kHandler + 4 * 3, {jal(zero, 0)});
  place(kHandler + 4 * 7, {jal(zero, 0)});
  set_csr(csr::mtvec, kHandler | 1);
  EXPECT_EQ(csr(csr::mtvec), kHandler | 1);
  set_csr(csr::mie, kMipMsip);
  set_csr(csr::mstatus, kMstatusMie);
  load({jal(zero, 0)});
  hart().set_msip(true);
  run(1);  // the interrupt is taken before the step; the step runs the vector's loop
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 3);
  EXPECT_EQ(csr(csr::mepc), kRam);
  EXPECT_EQ(pc(), kHandler + 12);

  // Exceptions still go to the base.
  hart().set_msip(false);
  load({ecall()});
  run(1);
  EXPECT_EQ(csr(csr::mcause), 11u);
  EXPECT_EQ(pc(), kHandler);
}

TEST_F(Traps, VectoredStvecForADelegatedInterrupt) {
  place(kSHandler + 4 * 1, {jal(zero, 0)});
  set_csr(csr::stvec, kSHandler | 1);
  set_csr(csr::mideleg, kMipSsip);
  set_csr(csr::mie, kMipSsip);
  place(kUserCode, {jal(zero, 0)});
  enter(Priv::U, kUserCode);
  set_csr(csr::mip, kMipSsip);
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), kInterrupt | 1);
  EXPECT_EQ(csr(csr::sepc), kUserCode);
  EXPECT_EQ(pc(), kSHandler + 4);
}

TEST_F(Traps, ClintTimerSetFromTheHost) {
  // mtime advances once every steps_per_tick steps; the deadline is 5 ticks away.
  const unsigned tick = hart().config().steps_per_tick;
  ASSERT_TRUE(bus().write(kClintMtimecmp, 8, 5));
  EXPECT_EQ(hart().mtimecmp(), 5u);
  set_csr(csr::mie, kMipMtip);
  set_csr(csr::mstatus, kMstatusMie);
  load({jal(zero, 0)});
  run(5 * tick - 2);
  EXPECT_TRUE(traps().empty()) << "taken early";
  EXPECT_EQ(csr(csr::mip) & kMipMtip, 0u);
  run(4);
  ASSERT_EQ(traps().size(), 1u);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 7);
  EXPECT_EQ(csr(csr::mepc), kRam);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(hart().mtime(), 5u);
  EXPECT_NE(csr(csr::mip) & kMipMtip, 0u);
  EXPECT_EQ(hart().interrupt_counts()[7], 1u);
}

TEST_F(Traps, ClintTimerProgrammedByTheGuestFiresWhileItSpins) {
  // The guest writes mtimecmp (low word, then high word) through the CLINT, enables the timer
  // and spins; the interrupt must come within the same run, soon after the deadline.
  place(kHandler, {addi(a0, zero, 1), jal(zero, 0)});
  load({lui(t0, kClintMtimecmp >> 12), addi(t1, zero, 20), sw(t1, t0, 0), sw(zero, t0, 4),  //
        addi(t2, zero, static_cast<int32_t>(kMipMtip)), csrw(csr::mie, t2), csrrsi(zero, csr::mstatus, kMstatusMie),
        jal(zero, 0)});
  const unsigned tick = hart().config().steps_per_tick;
  run(20 * tick + 50);
  EXPECT_EQ(hart().mtimecmp(), 20u);
  ASSERT_EQ(traps().size(), 1u);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 7);
  EXPECT_EQ(csr(csr::mepc), kRam + 28);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(traps().back().step, 20u * tick);
}

TEST_F(Traps, ClintMtimeReadsAndWritesThroughTheBus) {
  ASSERT_TRUE(bus().write(kClintMtime, 8, 1000));
  EXPECT_EQ(hart().mtime(), 1000u);
  uint64_t v = 0;
  ASSERT_TRUE(bus().read(kClintMtime, 4, v));
  EXPECT_EQ(v, 1000u);
  // The 32-bit halves of mtimecmp are separately writable.
  ASSERT_TRUE(bus().write(kClintMtimecmp + 4, 4, 0x12));
  ASSERT_TRUE(bus().write(kClintMtimecmp, 4, 0x34));
  EXPECT_EQ(hart().mtimecmp(), 0x0000001200000034ull);
}

TEST_F(Traps, SoftwareInterruptRaisedByTheGuestThroughTheClint) {
  set_csr(csr::mie, kMipMsip);
  set_csr(csr::mstatus, kMstatusMie);
  load({lui(t0, kClintMsip >> 12), addi(t1, zero, 1), sw(t1, t0, 0), addi(a0, zero, 5), jal(zero, 0)});
  run(4);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 3);
  EXPECT_EQ(csr(csr::mepc), kRam + 12);  // taken right after the store that raised it
  EXPECT_EQ(x(a0), 0u);
  EXPECT_TRUE(hart().msip());
  EXPECT_NE(csr(csr::mip) & kMipMsip, 0u);
  // Writing 0 clears it.
  ASSERT_TRUE(bus().write(kClintMsip, 4, 0));
  EXPECT_FALSE(hart().msip());
  EXPECT_EQ(csr(csr::mip) & kMipMsip, 0u);
}

TEST_F(Traps, InterruptPriorityOrder) {
  // All six pending and enabled at once, none delegated: MEI > MSI > MTI > SEI > SSI > STI.
  set_csr(csr::mie, kAllInterrupts);
  hart().set_external_interrupt(true);
  hart().set_msip(true);
  hart().set_mtimecmp(0);
  set_csr(csr::mip, kMipSeip | kMipSsip | kMipStip);
  const uint32_t expected[] = {11, 3, 7, 9, 1, 5};
  for (const uint32_t cause : expected) {
    load({jal(zero, 0)});
    set_bits(csr::mstatus, kMstatusMie);
    run(1);
    EXPECT_EQ(csr(csr::mcause), kInterrupt | cause);
    EXPECT_EQ(pc(), kHandler);
    switch (cause) {  // the handler's job: silence the source
      case 11: hart().set_external_interrupt(false); break;
      case 3: hart().set_msip(false); break;
      case 7: hart().set_mtimecmp(~uint64_t{0}); break;
      default: clear_bits(csr::mip, 1u << cause); break;
    }
  }
  load({jal(zero, 0)});
  set_bits(csr::mstatus, kMstatusMie);
  run(3);
  EXPECT_EQ(pc(), kRam);
  EXPECT_EQ(traps().size(), 6u);
}

TEST_F(Traps, MachineInterruptsOutrankDelegatedOnes) {
  set_csr(csr::mideleg, kMipSsip);
  set_csr(csr::mie, kMipSsip | kMipMtip);
  hart().set_mtimecmp(0);
  set_csr(csr::mip, kMipSsip);
  place(kUserCode, {jal(zero, 0)});
  enter(Priv::U, kUserCode);
  run(1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 7);
}

TEST_F(Traps, MieMasksInterruptsInMachineModeOnly) {
  set_csr(csr::mie, kMipMsip);
  hart().set_msip(true);
  load({addi(a0, a0, 1), jal(zero, -4)});
  run(20);
  EXPECT_TRUE(traps().empty());  // MIE = 0 in M
  EXPECT_EQ(x(a0), 10u);

  // In U (and S) the same interrupt is taken whatever MIE says.
  place(kUserCode, {jal(zero, 0)});
  enter(Priv::U, kUserCode);
  EXPECT_EQ(mstatus() & kMstatusMie, 0u);
  run(1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 3);
  EXPECT_EQ(csr(csr::mepc), kUserCode);
  EXPECT_EQ(mpp(), 0u);

  restart();
  set_csr(csr::mie, kMipMsip);
  hart().set_msip(true);
  enter(Priv::S, kUserCode);
  run(1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 3);
  EXPECT_EQ(mpp(), 1u);
}

TEST_F(Traps, InterruptEnabledByCsrWriteIsTakenRightAfterIt) {
  set_csr(csr::mie, kMipMsip);
  hart().set_msip(true);
  load({nop(), csrrsi(zero, csr::mstatus, kMstatusMie), addi(a0, zero, 1)});
  run(3);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 3);
  EXPECT_EQ(csr(csr::mepc), kRam + 8);
  EXPECT_EQ(x(a0), 0u);
}

TEST_F(Traps, DelegatedSupervisorTimerInterrupt) {
  set_csr(csr::mideleg, kMipStip);
  set_csr(csr::mie, kMipStip);
  set_csr(csr::mip, kMipStip);  // M-mode software raises STIP
  EXPECT_EQ(csr(csr::sip) & kMipStip, kMipStip);

  // Never taken in M, even with MIE and SIE set.
  set_csr(csr::mstatus, kMstatusMie | kMstatusSie);
  load({jal(zero, 0)});
  run(5);
  EXPECT_TRUE(traps().empty());

  // In S with SIE clear: not taken.
  set_csr(csr::mstatus, 0);
  place(kUserCode, {jal(zero, 0)});
  enter(Priv::S, kUserCode);
  run(5);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(pc(), kUserCode);

  // In S with SIE set: taken, to S.
  set_bits(csr::mstatus, kMstatusSie);
  run(1);
  ASSERT_EQ(traps().size(), 1u);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), kInterrupt | 5);
  EXPECT_EQ(csr(csr::sepc), kUserCode);
  EXPECT_EQ(pc(), kSHandler);
  EXPECT_NE(mstatus() & kMstatusSpp, 0u);
  EXPECT_EQ(csr(csr::mcause), 0u);

  // From U: taken whatever SIE says.
  restart();
  set_csr(csr::mideleg, kMipStip);
  set_csr(csr::mie, kMipStip);
  set_csr(csr::mip, kMipStip);
  enter(Priv::U, kUserCode);
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), kInterrupt | 5);
  EXPECT_EQ(csr(csr::sepc), kUserCode);
  EXPECT_EQ(mstatus() & kMstatusSpp, 0u);
}

TEST_F(Traps, SupervisorSoftwareInterruptRaisedThroughSip) {
  set_csr(csr::mideleg, kMipSsip);
  place(kUserCode, {addi(t0, zero, static_cast<int32_t>(kMipSsip)), csrw(csr::sie, t0),
                    csrrsi(zero, csr::sstatus, kMstatusSie), csrrs(zero, csr::sip, t0), addi(a0, zero, 1)});
  enter(Priv::S, kUserCode);
  run(5);
  EXPECT_EQ(csr(csr::scause), kInterrupt | 1);
  EXPECT_EQ(csr(csr::sepc), kUserCode + 16);
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(csr(csr::mie), kMipSsip);  // sie is a view of mie
}

TEST_F(Traps, WfiContinuesWhenAnEnabledInterruptIsPendingButMasked) {
  set_csr(csr::mie, kMipMsip);
  hart().set_msip(true);
  load({wfi(), addi(a0, zero, 1)});
  const RunResult r = run(2);
  EXPECT_EQ(r.reason, StopReason::budget);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(pc(), kRam + 8);
  EXPECT_TRUE(traps().empty());
}

TEST_F(Traps, WfiWakesOnTheTimer) {
  const unsigned tick = hart().config().steps_per_tick;
  hart().set_mtimecmp(1000);
  set_csr(csr::mie, kMipMtip);
  set_csr(csr::mstatus, kMstatusMie);
  load({wfi(), addi(a0, zero, 1), jal(zero, 0)});
  const RunResult r = run(1000 * tick + 10);
  EXPECT_EQ(r.reason, StopReason::budget);
  ASSERT_EQ(traps().size(), 1u);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 7);
  EXPECT_EQ(csr(csr::mepc), kRam + 4);  // after the WFI
  EXPECT_EQ(x(a0), 0u);
  EXPECT_EQ(hart().mtime(), 1001u);  // the tick after the deadline's, where the handler runs
  EXPECT_EQ(pc(), kHandler);
}

TEST_F(Traps, WfiWakesWhenTheExternalLineRises) {
  set_csr(csr::mie, kMipMeip);
  set_csr(csr::mstatus, kMstatusMie);
  load({wfi(), addi(a0, zero, 1)});
  run(1);
  EXPECT_EQ(pc(), kRam + 4);
  // Nothing can wake it: the run stops as idle and takes no further steps.
  RunResult r = run(100);
  EXPECT_EQ(r.reason, StopReason::idle);
  EXPECT_TRUE(traps().empty());
  hart().set_external_interrupt(true);
  r = run(1);
  EXPECT_EQ(csr(csr::mcause), kInterrupt | 11);
  EXPECT_EQ(csr(csr::mepc), kRam + 4);
  EXPECT_EQ(x(a0), 0u);
}

TEST_F(Traps, WfiWithNothingToWaitForStopsAsIdle) {
  load({wfi(), nop()});
  const RunResult r = run(1000);
  EXPECT_EQ(r.reason, StopReason::idle);
  EXPECT_FALSE(hart().stop_message.empty());
  EXPECT_EQ(r.steps, 1u);  // the WFI itself
}

// ---- trap virtualization ------------------------------------------------------------------------

TEST_F(Traps, TimeoutWaitMakesWfiIllegalInSupervisorMode) {
  set_csr(csr::mstatus, kMstatusTw);
  run_in(Priv::S, {wfi()}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), wfi().bits);
  EXPECT_EQ(csr(csr::mepc), kUserCode);

  // Without TW, WFI in S just waits (nothing will wake it here).
  restart();
  place(kUserCode, {wfi()});
  enter(Priv::S, kUserCode);
  EXPECT_EQ(run(10).reason, StopReason::idle);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(pc(), kUserCode + 4);
}

TEST_F(Traps, WfiIsIllegalInUserMode) {
  run_in(Priv::U, {wfi()}, 1);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), wfi().bits);
}

TEST_F(Traps, TrapSretMakesSretIllegalInSupervisorMode) {
  set_csr(csr::mstatus, kMstatusTsr);
  run_in(Priv::S, {sret()}, 1);
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(csr(csr::mcause), 2u);
  EXPECT_EQ(csr(csr::mtval), sret().bits);

  // M-mode may still use SRET.
  set_csr(csr::mstatus, kMstatusTsr | kMstatusSpp);
  set_csr(csr::sepc, kUserCode + 0x40);
  load({sret()});
  run(1);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(pc(), kUserCode + 0x40);
}

TEST_F(Traps, TrapVirtualMemoryMakesSatpAndSfenceIllegalInSupervisorMode) {
  for (const Insn insn : {csrr(a0, csr::satp), csrw(csr::satp, zero), sfence_vma(zero, zero), sfence_vma(a1, a2)}) {
    restart();
    set_csr(csr::mstatus, kMstatusTvm);
    run_in(Priv::S, {insn}, 1);
    EXPECT_EQ(priv(), Priv::M) << std::hex << insn.bits;
    EXPECT_EQ(csr(csr::mcause), 2u);
    EXPECT_EQ(csr(csr::mtval), insn.bits);
  }
  // Without TVM they are fine in S.
  restart();
  run_in(Priv::S, {csrr(a0, csr::satp), sfence_vma(zero, zero), addi(a1, zero, 1)}, 3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a1), 1u);
  // And M ignores TVM.
  restart();
  set_csr(csr::mstatus, kMstatusTvm);
  load({csrr(a0, csr::satp), sfence_vma(zero, zero), addi(a2, zero, 1)});
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a2), 1u);
}

TEST_F(Traps, SfenceVmaIsIllegalInUserMode) {
  run_in(Priv::U, {sfence_vma(zero, zero)}, 1);
  EXPECT_EQ(csr(csr::mcause), 2u);
}

// ---- counters -----------------------------------------------------------------------------------

TEST_F(Traps, CycleAndInstretCount) {
  load({csrr(a0, csr::mcycle), csrr(a1, csr::minstret), nop(), nop(), csrr(a2, csr::mcycle),
        csrr(a3, csr::minstret)});
  run(6);
  EXPECT_EQ(x(a2) - x(a0), 4u);
  EXPECT_EQ(x(a3) - x(a1), 4u);
}

TEST_F(Traps, EcallDoesNotRetire) {
  place(kHandler, {csrr(a1, csr::minstret), csrr(a3, csr::mcycle)});
  load({csrr(a0, csr::minstret), csrr(a2, csr::mcycle), ecall()});
  run(5);
  EXPECT_EQ(x(a1) - x(a0), 2u);  // the two CSR reads, not the ECALL
  EXPECT_EQ(x(a3) - x(a2), 3u);  // cycles: the read, the ECALL, the handler's first read
}

TEST_F(Traps, CountersAreWritable) {
  load({csrw(csr::mcycle, t0), csrr(a0, csr::mcycle), csrw(csr::minstret, t1), csrr(a1, csr::minstret),
        csrw(csr::mcycleh, t2), csrr(a2, csr::mcycleh), csrr(a3, csr::cycleh)});
  set_x(t0, 1000);
  set_x(t1, 5000);
  set_x(t2, 7);
  run(7);
  EXPECT_EQ(x(a0), 1001u);  // written 1000, one cycle later
  // Zicsr: "a value written to instret by one instruction will be the value read by the
  // following instruction" (the write is done instead of the writing instruction's increment).
  EXPECT_EQ(x(a1), 5000u);
  EXPECT_EQ(x(a2), 7u);
  EXPECT_EQ(x(a3), 7u);
  // minstreth is writable too, keeping the low half.
  set_csr(csr::minstreth, 3);
  EXPECT_EQ(csr(csr::minstreth), 3u);
  EXPECT_EQ(csr(csr::minstret), 5004u);  // 5000 written, then the four instructions after it
}

TEST_F(Traps, InstretWriteReplacesTheWritersIncrementAndCountingGoesOn) {
  load({csrw(csr::minstret, t1), nop(), nop(), csrr(a0, csr::minstret), csrw(csr::minstreth, t2),
        csrr(a1, csr::minstreth), csrr(a2, csr::minstret)});
  set_x(t1, 0xfffffffe);
  set_x(t2, 9);
  run(7);
  EXPECT_EQ(x(a0), 0x00000000u);  // 0xfffffffe, then two NOPs: the low word wraps
  EXPECT_EQ(x(a1), 9u);           // the high word as written, not bumped by the carry
  EXPECT_EQ(x(a2), 2u);           // csrr a0, csrw minstreth (replaced), csrr a1
  // The debugger's writes are not instructions: read back exactly.
  set_csr(csr::minstret, 77);
  EXPECT_EQ(csr(csr::minstret), 77u);
}

TEST_F(Traps, UserCountersNeedMcounterenAndScounteren) {
  struct Case {
    uint16_t counter;
    unsigned bit;
  };
  for (const Case c : {Case{csr::cycle, 0}, Case{csr::time, 1}, Case{csr::instret, 2}, Case{csr::cycleh, 0}}) {
    SCOPED_TRACE(c.counter);
    const Insn read = csrr(a0, c.counter);
    // U: needs both.
    for (const uint32_t m : {0u, 1u}) {
      for (const uint32_t s : {0u, 1u}) {
        restart();
        set_csr(csr::mcounteren, m << c.bit);
        set_csr(csr::scounteren, s << c.bit);
        run_in(Priv::U, {read, addi(a1, zero, 1)}, 2);
        if (m && s) {
          EXPECT_TRUE(traps().empty());
          EXPECT_EQ(x(a1), 1u);
        } else {
          EXPECT_EQ(csr(csr::mcause), 2u) << "mcounteren " << m << " scounteren " << s;
          EXPECT_EQ(csr(csr::mtval), read.bits);
        }
      }
      // S: needs only mcounteren.
      restart();
      set_csr(csr::mcounteren, m << c.bit);
      run_in(Priv::S, {read, addi(a1, zero, 1)}, 2);
      if (m) {
        EXPECT_TRUE(traps().empty());
      } else {
        EXPECT_EQ(csr(csr::mcause), 2u);
      }
    }
  }
}

TEST_F(Traps, UserTimeReadsMtime) {
  set_csr(csr::mcounteren, 2);
  set_csr(csr::scounteren, 2);
  hart().set_mtime(0x12345);
  run_in(Priv::U, {csrr(a0, csr::time)}, 1);
  EXPECT_EQ(x(a0), 0x12345u);
}

// ---- CSR values and WARL fields -----------------------------------------------------------------

TEST_F(Traps, MisaSaysRv32ImacWithSupervisorAndUser) {
  const uint32_t expected = (1u << 30) | (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) |
                            (1u << ('C' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A'));
  load({csrr(a0, csr::misa), csrw(csr::misa, zero), csrr(a1, csr::misa), csrr(a2, csr::mhartid)});
  run(4);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), expected);
  EXPECT_EQ(x(a1), expected);  // writes are ignored
  EXPECT_EQ(x(a2), 0u);
}

TEST_F(Traps, DelegationRegistersKeepOnlyLegalBits) {
  load({addi(t0, zero, -1), csrw(csr::medeleg, t0), csrr(a0, csr::medeleg), csrw(csr::mideleg, t0),
        csrr(a1, csr::mideleg)});
  run(5);
  EXPECT_EQ(x(a0) & (1u << 11), 0u);  // ECALL from M can never be delegated
  EXPECT_NE(x(a0) & (1u << 8), 0u);
  EXPECT_NE(x(a0) & (1u << 2), 0u);
  EXPECT_NE(x(a0) & (1u << 15), 0u);
  EXPECT_EQ(x(a0), kDelegableExceptions);
  EXPECT_EQ(x(a1), kMipSsip | kMipStip | kMipSeip);  // only supervisor interrupts
}

TEST_F(Traps, MtvecModesTwoAndThreeAreLegalized) {
  load({csrw(csr::mtvec, t0), csrr(a0, csr::mtvec), csrw(csr::mtvec, t1), csrr(a1, csr::mtvec), csrw(csr::mtvec, t2),
        csrr(a2, csr::mtvec)});
  set_x(t0, kHandler | 2);
  set_x(t1, kHandler | 3);
  set_x(t2, kHandler | 1);
  run(6);
  EXPECT_EQ(x(a0) & 3, 0u);  // the reserved modes 2 and 3 are not kept: direct
  EXPECT_EQ(x(a1) & 3, 0u);
  EXPECT_EQ(x(a0) & ~3u, kHandler);
  EXPECT_EQ(x(a1) & ~3u, kHandler);
  EXPECT_EQ(x(a2), kHandler | 1);
}

TEST_F(Traps, EpcBitZeroIsAlwaysClear) {
  load({csrw(csr::mepc, t0), csrr(a0, csr::mepc), csrw(csr::sepc, t0), csrr(a1, csr::sepc), csrw(csr::mepc, t1),
        csrr(a2, csr::mepc)});
  set_x(t0, kRam + 0x103);
  set_x(t1, kRam + 0x102);
  run(6);
  EXPECT_EQ(x(a0), kRam + 0x102);
  EXPECT_EQ(x(a1), kRam + 0x102);
  EXPECT_EQ(x(a2), kRam + 0x102);  // bit 1 stays: compressed instructions
}

TEST_F(Traps, MppWriteOfTheReservedValueKeepsTheOldValue) {
  for (const uint32_t old : {0u, 1u, 3u}) {
    hart().reset(kRam);
    set_csr(csr::mstatus, old << kMstatusMppShift);
    load({csrw(csr::mstatus, t0), csrr(a0, csr::mstatus)});
    set_x(t0, (2u << kMstatusMppShift) | kMstatusSum);
    run(2);
    EXPECT_EQ((x(a0) & kMstatusMpp) >> kMstatusMppShift, old);
    EXPECT_NE(x(a0) & kMstatusSum, 0u);  // the rest of the write happened
  }
}

TEST_F(Traps, MstatusKeepsOnlyImplementedFieldsAndSstatusIsAView) {
  load({addi(t0, zero, -1), csrw(csr::mstatus, t0), csrr(a0, csr::mstatus), csrr(a1, csr::sstatus),
        csrw(csr::sstatus, zero), csrr(a2, csr::mstatus)});
  run(6);
  EXPECT_EQ(x(a0), kMstatusWritable);
  EXPECT_EQ(x(a1), kMstatusWritable & kSstatusMask);
  EXPECT_EQ(x(a2), kMstatusWritable & ~kSstatusMask);  // sstatus writes leave M fields alone
}

TEST_F(Traps, MipSoftwareWritableBitsOnly) {
  load({addi(t0, zero, -1), csrw(csr::mip, t0), csrr(a0, csr::mip)});
  run(3);
  EXPECT_EQ(x(a0), kMipSsip | kMipStip | kMipSeip);  // MSIP/MTIP/MEIP come from the CLINT and the line
}

// ---- runaway guests -----------------------------------------------------------------------------

TEST_F(Traps, TrapLoopStopsTheRun) {
  place(kHandler, {word(0x00002007)});  // the handler itself is illegal
  load({word(0x00002007)});
  const RunResult r = run(1'000'000);
  EXPECT_EQ(r.reason, StopReason::trap_loop);
  EXPECT_EQ(r.steps, 65u);  // Hart::kTrapLoopLimit (64) exceptions in a row, and the one that ends it
  EXPECT_NE(hart().stop_message.find("trap loop"), std::string::npos) << hart().stop_message;
  EXPECT_EQ(csr(csr::mcause), 2u);
}

TEST_F(Traps, FaultingMtvecStopsTheRunAsATrapLoop) {
  set_csr(csr::mtvec, 0x40000000);
  load({ecall()});
  const RunResult r = run(1'000'000);
  EXPECT_EQ(r.reason, StopReason::trap_loop);
  EXPECT_EQ(csr(csr::mcause), 1u);
}

TEST_F(Traps, ManyTrapsWithProgressAreNotATrapLoop) {
  place(kHandler, {csrr(t0, csr::mepc), addi(t0, t0, 4), csrw(csr::mepc, t0), mret()});
  load({ecall(), jal(zero, -4)});
  const RunResult r = run(10'000);
  EXPECT_EQ(r.reason, StopReason::budget);
  EXPECT_EQ(hart().exceptions(), 1667u);  // one per loop of six instructions (ecall, jal, four in the handler)
}

// ---- the environment-call hook ------------------------------------------------------------------

TEST_F(Traps, HandledEcallContinuesAfterIt) {
  hart().ecall_hook = [](Hart& h) {
    h.set_reg(a0, h.reg(a0) + 1);
    return EcallAction::handled;
  };
  load({ecall(), ecall(), addi(a1, zero, 1)});
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 2u);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(pc(), kRam + 12);
}

TEST_F(Traps, HandledEcallThatWritesMemoryNextToItContinuesAfterIt) {
  // Like a read() system call filling a buffer in the same 64-byte line as the ECALL.
  hart().ecall_hook = [this](Hart&) {
    write32(kRam + 0x30, 0xdeadbeef);
    return EcallAction::handled;
  };
  load({ecall(), addi(a1, zero, 1), addi(a2, zero, 2)});
  run(3);
  EXPECT_EQ(x(a1), 1u);
  EXPECT_EQ(x(a2), 2u);
  EXPECT_EQ(pc(), kRam + 12);
  EXPECT_EQ(read32(kRam + 0x30), 0xdeadbeefu);
}

TEST_F(Traps, EcallHookMayDeclineAndLetTheTrapHappen) {
  hart().ecall_hook = [](Hart&) { return EcallAction::trap; };
  load({ecall()});
  run(1);
  EXPECT_EQ(csr(csr::mcause), 11u);
  EXPECT_EQ(pc(), kHandler);
}

// mip.SEIP as read is the software-written bit ORed with the interrupt controller's line; a
// CSRRS/CSRRC of mip modifies only the written bit (priv spec 3.1.9). Setting SSIP while a device
// interrupts must not latch SEIP once the device is served (found by an OS whose M-mode timer
// handler sets SSIP with csrs mip).
TEST_F(Traps, SettingSsipWhileTheLineIsHighDoesNotLatchSeip) {
  hart().set_supervisor_external_interrupt(true);
  load({csrrsi(t0, csr::mip, 2), csrr(t1, csr::mip)});
  run(2);
  EXPECT_EQ(x(t0) & kMipSeip, kMipSeip) << "a read sees the line";
  EXPECT_EQ(x(t1) & (kMipSeip | kMipSsip), kMipSeip | kMipSsip);
  hart().set_supervisor_external_interrupt(false);
  EXPECT_EQ(csr(csr::mip) & kMipSeip, 0u) << "the line fell: SEIP reads 0 (nothing latched it)";
  EXPECT_EQ(csr(csr::mip) & kMipSsip, kMipSsip);
}

}  // namespace
}  // namespace vmscope::test
