// Debug triggers (hart/triggers.h) where vmscope makes its own documented choices, which the
// differential program (assets/devices/triggers.c, against QEMU) cannot show: mtval holds the
// matched address, accesses match on any byte they touch, M-mode triggers need tcontrol.MTE
// (cleared by a trap into M, restored by MRET), the state survives a snapshot, and a trigger
// stops both engines at the same instruction.
#include <gtest/gtest.h>

#include "hart/triggers.h"
#include "state/archive.h"
#include "test_machine.h"

namespace vmscope::test {
namespace {

using namespace reg;

constexpr uint32_t kHandler = kRam + 0x4000;
constexpr uint32_t kCode = kRam + 0x1000;
constexpr uint32_t kData = kRam + 0x8000;
constexpr uint32_t kType6 = Triggers::kTypeMcontrol6 << Triggers::kTypeShift;

class TriggerTest : public HartTest {
 protected:
  TriggerTest() {
    place(kHandler, {jal(zero, 0)});  // a trap shows as pc == kHandler
    set_csr(csr::mtvec, kHandler);
  }
  void set_trigger(uint32_t index, uint32_t tdata1, uint32_t address) {
    set_csr(csr::tselect, index);
    set_csr(csr::tdata2, address);
    set_csr(csr::tdata1, tdata1);
  }
};
VMSCOPE_HART_TEST_SUITE(TriggerTest);

TEST_F(TriggerTest, AnExecuteTriggerStopsTheInstructionBeforeItRunsWithItsAddressInMtval) {
  set_trigger(0, kType6 | Triggers::kExecute | Triggers::kU, kCode + 8);
  place(kCode, {addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1)});
  enter(Priv::U, kCode);
  const uint64_t before = hart().steps();
  run(10);
  EXPECT_EQ(x(a0), 2u) << "the first two ran, the third did not";
  EXPECT_EQ(csr(csr::mcause), 3u);
  EXPECT_EQ(csr(csr::mepc), kCode + 8);
  EXPECT_EQ(csr(csr::mtval), kCode + 8);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(hart().steps() - before, 10u) << "two instructions, the breakpoint (a step, as any trap), seven spins";
}

TEST_F(TriggerTest, LoadsAndStoresMatchOnAnyByteTheyTouchWithTheAccessAddressInMtval) {
  set_trigger(1, kType6 | Triggers::kLoad | Triggers::kU, kData + 3);
  set_x(t0, kData);
  place(kCode, {lb(a0, t0, 2), lw(a1, t0, 0)});
  enter(Priv::U, kCode);
  run(2);
  EXPECT_EQ(pc(), kHandler) << "the word load touches kData + 3";
  EXPECT_EQ(csr(csr::mepc), kCode + 4);
  EXPECT_EQ(csr(csr::mtval), kData);
}

TEST_F(TriggerTest, AnAmoFiresLoadTriggersAndAStoreConditionalDoesNot) {
  set_trigger(0, kType6 | Triggers::kLoad | Triggers::kU, kData);
  set_x(t0, kData);
  set_x(t1, 1);
  place(kCode, {sc_w(a0, t0, t1), amoadd_w(a1, t0, t1)});
  enter(Priv::U, kCode);
  run(2);
  EXPECT_EQ(x(a0), 1u) << "the SC ran (and failed: no reservation)";
  EXPECT_EQ(csr(csr::mepc), kCode + 4) << "the AMO reads: the load trigger fires";
  EXPECT_EQ(read32(kData), 0u);
}

TEST_F(TriggerTest, MachineModeTriggersFireOnlyWithMteWhichATrapClearsAndMretRestores) {
  set_trigger(0, kType6 | Triggers::kExecute | Triggers::kM, kCode + 4);
  place(kCode, {addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1)});
  hart().set_pc(kCode);
  run(3);
  EXPECT_EQ(x(a0), 3u) << "tcontrol.MTE is 0 at reset: no M-mode trigger fires";
  set_csr(csr::tcontrol, Triggers::kMte);
  set_x(a0, 0);
  hart().set_pc(kCode);
  run(2);
  EXPECT_EQ(pc(), kHandler);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(csr(csr::tcontrol), Triggers::kMpte) << "the trap into M saved MTE in MPTE and cleared it";
  place(kHandler, {mret()});
  set_csr(csr::mepc, kCode + 8);
  set_csr(csr::mstatus, csr(csr::mstatus) | kMstatusMpp);  // back to M
  hart().set_pc(kHandler);
  run(1);
  EXPECT_EQ(csr(csr::tcontrol), Triggers::kMte | Triggers::kMpte) << "MRET restores MTE";
}

TEST_F(TriggerTest, FieldsItDoesNotHaveReadZeroAndOtherTypesAreIgnored) {
  set_csr(csr::tdata1, kType6 | 0x0fffffffu);
  EXPECT_EQ(csr(csr::tdata1), kType6 | 0x5fu) << "dmode, hit, select, size, action, chain, match: 0; vs/vu without H";
  set_csr(csr::tdata1, 3u << Triggers::kTypeShift);
  EXPECT_EQ(csr(csr::tdata1), kType6 | 0x5fu);
  EXPECT_EQ(csr(csr::tinfo), Triggers::kTinfo);
  set_csr(csr::tselect, 2);
  EXPECT_EQ(csr(csr::tselect), 0u);
}

TEST(TriggerModule, GuestModesNeedTheVsAndVuBitsWithTheHypervisorExtension) {
  Triggers t(true);
  ASSERT_TRUE(t.write(csr::tdata2, 0x1000));
  ASSERT_TRUE(t.write(csr::tdata1, kType6 | Triggers::kExecute | Triggers::kS));
  EXPECT_TRUE(t.fires(AccessType::fetch, 0x1000, 2, Priv::S, false));
  EXPECT_FALSE(t.fires(AccessType::fetch, 0x1000, 2, Priv::S, true)) << "VS is not S";
  ASSERT_TRUE(t.write(csr::tdata1, kType6 | Triggers::kExecute | Triggers::kVs));
  EXPECT_TRUE(t.fires(AccessType::fetch, 0x1000, 2, Priv::S, true));
  EXPECT_FALSE(t.fires(AccessType::fetch, 0x1002, 2, Priv::S, true));
}

TEST(TriggerModule, ItsStateSurvivesASnapshot) {
  Triggers t;
  ASSERT_TRUE(t.write(csr::tselect, 1));
  ASSERT_TRUE(t.write(csr::tdata2, 0x80001234));
  ASSERT_TRUE(t.write(csr::tdata1, kType6 | Triggers::kStore | Triggers::kU));
  ASSERT_TRUE(t.write(csr::tcontrol, Triggers::kMte));
  StateWriter out;
  t.transfer_state(out);
  Triggers back;
  StateReader in(out.bytes());
  back.transfer_state(in);
  EXPECT_EQ(back.selected(), 1u);
  EXPECT_EQ(back.tdata1(1), kType6 | Triggers::kStore | Triggers::kU);
  EXPECT_EQ(back.tdata2(1), 0x80001234u);
  EXPECT_EQ(back.tcontrol(), Triggers::kMte);
  EXPECT_TRUE(back.armed(AccessType::store)) << "what is armed is derived again";
  EXPECT_TRUE(back.fires(AccessType::store, 0x80001234, 4, Priv::U, false));
}

}  // namespace
}  // namespace vmscope::test

namespace vmscope::test {
namespace {

using namespace reg;

TEST_F(TriggerTest, TheDebuggersHardwareBreakpointsAndWatchpointsAreTriggersTheGuestCanSeeButNotChange) {
  set_trigger(0, kType6 | Triggers::kExecute | Triggers::kU, kCode + 0x40);  // the guest's
  const std::vector<Hart::HardwareStop> stops = {{true, kCode + 8, 1, false, false},
                                                 {false, kData, 8, false, true},
                                                 {true, kCode + 12, 1, false, false}};
  EXPECT_EQ(hart().set_hardware_stops(stops), 1u) << "two triggers, the guest holds one";
  EXPECT_TRUE(hart().triggers().owned_by_debugger(1));
  EXPECT_EQ(hart().hardware_stops(), std::vector<Hart::HardwareStop>{stops[0]}) << "read back from the trigger";
  set_csr(csr::tselect, 1);
  EXPECT_EQ(csr(csr::tdata1) & Triggers::kDmode, Triggers::kDmode) << "the guest reads it";
  set_csr(csr::tdata1, kType6);
  set_csr(csr::tdata2, 0);
  EXPECT_EQ(csr(csr::tdata2), kCode + 8) << "but cannot change it";
  place(kCode, {addi(a0, a0, 1), addi(a0, a0, 1), addi(a0, a0, 1)});
  hart().set_pc(kCode);
  const RunResult r = run(10);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kCode + 8) << "before the instruction";
  EXPECT_EQ(x(a0), 2u);
  EXPECT_EQ(hart().stop_message, "hardware breakpoint (trigger 1) at 0x80001008");
  run(1);
  EXPECT_EQ(x(a0), 3u) << "a run goes on from it";

  set_csr(csr::tselect, 0);
  set_csr(csr::tdata1, kType6);  // the guest gives its trigger up
  EXPECT_EQ(hart().set_hardware_stops({stops[1]}), 1u);
  EXPECT_EQ(hart().hardware_stops(), std::vector<Hart::HardwareStop>{stops[1]}) << "the NAPOT range read back";
  set_x(t0, kData);
  set_x(t1, 0x77);
  place(kCode, {sw(t1, t0, 0), addi(a0, zero, 9), lui(a1, 0), sw(t1, t0, 4), addi(a2, zero, 1)});
  hart().set_pc(kCode);
  EXPECT_EQ(run(10).reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kCode + 4) << "after the store";
  EXPECT_EQ(read32(kData), 0x77u);
  EXPECT_EQ(hart().last_watch_hit().vaddr, kData);
  EXPECT_EQ(run(10).reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kCode + 16) << "the second store, 4 bytes into the 8-byte range";
  EXPECT_EQ(hart().set_hardware_stops({}), 0u);
  EXPECT_FALSE(hart().triggers().owned_by_debugger(0));
  EXPECT_TRUE(hart().hardware_stops().empty());
}

}  // namespace
}  // namespace vmscope::test
