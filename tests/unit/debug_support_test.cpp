// Debugger support in the hart: breakpoints stop before an instruction (and a run can resume
// from one), watchpoints stop right after the access, and neither changes what the guest does.
#include "test_machine.h"

using namespace vmscope;
using namespace vmscope::test;
using namespace vmscope::test::reg;

namespace {
class DebugSupport : public HartTest {};
VMSCOPE_HART_TEST_SUITE(DebugSupport);
}  // namespace

TEST_F(DebugSupport, BreakpointStopsBeforeTheInstructionAndResumes) {
  // A loop: a0 += 1 forever.
  load({addi(a0, a0, 1), jal(zero, -4)});
  hart().set_breakpoints({kRam + 4});
  RunResult r = run(1000);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kRam + 4);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(r.steps, 1u);
  EXPECT_NE(hart().stop_message.find("breakpoint at 0x80000004"), std::string::npos);
  // Resuming executes the instruction under the breakpoint, then stops there again next loop.
  r = run(1000);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kRam + 4);
  EXPECT_EQ(x(a0), 2u);
  EXPECT_EQ(r.steps, 2u);
  // Without breakpoints the loop runs its whole budget.
  hart().set_breakpoints({});
  r = run(1000);
  EXPECT_EQ(r.reason, StopReason::budget);
  EXPECT_EQ(x(a0), 2u + 500);
}

TEST_F(DebugSupport, WatchpointsStopAfterTheAccessAndOnlyForTheirKind) {
  const uint32_t data = kRam + 0x2000;
  write32(data, 7);
  set_x(s0, data);
  load({addi(a0, a0, 1), lw(a1, s0, 0), addi(a2, a2, 1), sw(a0, s0, 4), addi(a3, a3, 1), jal(zero, -20)});
  hart().set_watchpoints({{data + 4, data + 8, false, true}});  // writes to the second word
  RunResult r = run(1000);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kRam + 16);  // right after the store
  EXPECT_EQ(read32(data + 4), 1u);  // the store happened
  EXPECT_EQ(x(a3), 0u);             // the next instruction did not
  EXPECT_NE(hart().stop_message.find("write of 4 bytes at 0x80002004"), std::string::npos) << hart().stop_message;

  hart().set_watchpoints({{data, data + 1, true, false}});  // reads touching the first byte
  r = run(1000);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kRam + 8);  // right after the load
  EXPECT_EQ(x(a1), 7u);
  EXPECT_EQ(r.steps, 4u);  // addi, jal, addi, lw
  EXPECT_NE(hart().stop_message.find("read of 4 bytes at 0x80002000"), std::string::npos) << hart().stop_message;

  // Removing them restores full speed paths and the guest goes on unchanged.
  hart().set_watchpoints({});
  r = run(60);
  EXPECT_EQ(r.reason, StopReason::budget);
  EXPECT_EQ(x(a0), 2u + 10);
}
