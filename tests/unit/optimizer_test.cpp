// The native backend's optimizer passes on hand-written blocks: what each rewrites, and what it
// must leave alone. (That optimized blocks compute what the interpreter does is asserted by
// Translator.OptimizedBlockComputesWhatTheInterpreterDoes and by the differential fuzzer.)
#include <gtest/gtest.h>

#include <vector>

#include "translator/optimizer.h"

namespace vmscope {
namespace {

using isa::Op;

constexpr uint8_t kX0Sink = 32;  // rd of a write to x0
enum : uint8_t { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, a0 = 10, a1 = 11, a2 = 12, a3 = 13 };

// A decoded instruction as the block builder makes it (rd x0 is the sink).
Slot insn(Op op, uint8_t rd, uint8_t rs1, uint8_t rs2, int32_t imm = 0) {
  Slot s;
  s.handler = static_cast<uint8_t>(op);
  s.rd = rd == 0 ? kX0Sink : rd;
  s.rs1 = rs1;
  s.rs2 = rs2;
  s.imm = imm;
  s.length = 4;
  return s;
}
Slot ri(Op op, uint8_t rd, uint8_t rs1, int32_t imm) { return insn(op, rd, rs1, 0, imm); }
Slot store(Op op, uint8_t base, uint8_t data, int32_t imm) {
  Slot s = insn(op, 0, base, data, imm);
  s.rd = 0;  // (a store names no rd)
  return s;
}

Op op_of(const Slot& s) { return kHandlerOp[s.handler]; }

void expect_insn(const Slot& s, Op op, uint8_t rd, uint8_t rs1, int32_t imm, const char* what) {
  EXPECT_EQ(op_of(s), op) << what;
  EXPECT_EQ(s.rd, rd) << what;
  EXPECT_EQ(s.rs1, rs1) << what;
  EXPECT_EQ(s.imm, imm) << what;
}

TEST(Optimizer, ConstantsFoldAndRegisterOperandsBecomeImmediates) {
  std::vector<Slot> ops = {
      ri(Op::addi, t0, zero, 12),        // li t0, 12
      ri(Op::slli, t1, t0, 4),           // t1 = 192: folded
      insn(Op::add, a0, a1, t1),         // a0 = a1 + 192: addi
      insn(Op::sub, a2, a2, t0),         // a2 -= 12: addi -12
      insn(Op::and_, a3, t0, a1),        // a3 = 12 & a1: commutative, andi
      insn(Op::add, t2, zero, a1),       // mv t2, a1 (x0 is the constant 0): addi t2, a1, 0
      insn(Op::sltu, ra, a1, a2),        // nothing known: as it was
      insn(Op::sll, sp, a1, t0),         // shift by a known amount: slli 12
  };
  OptimizerStats stats;
  propagate_constants(ops, stats);
  expect_insn(ops[0], Op::lui, t0, 0, 12, "li is a constant load");
  expect_insn(ops[1], Op::lui, t1, 0, 192, "12 << 4");
  expect_insn(ops[2], Op::addi, a0, a1, 192, "register operand known");
  expect_insn(ops[3], Op::addi, a2, a2, -12, "subtracting a constant");
  expect_insn(ops[4], Op::andi, a3, a1, 12, "commutative: operands swapped");
  expect_insn(ops[5], Op::addi, t2, a1, 0, "x0 operand");
  expect_insn(ops[6], Op::sltu, ra, a1, 0, "unknown operands");
  EXPECT_EQ(ops[6].rs2, a2);
  expect_insn(ops[7], Op::slli, sp, a1, 12, "shift amount known");
  EXPECT_EQ(stats.constants, 7u);
}

TEST(Optimizer, ALoadOrAnUnknownWriteForgetsTheConstant) {
  std::vector<Slot> ops = {
      ri(Op::addi, t0, zero, 5),
      ri(Op::lw, t0, a0, 0),  // t0 now comes from memory
      insn(Op::add, a1, a1, t0),
      ri(Op::auipc, t1, 0, 0x1000),  // the page's virtual address is not known at translation time
      insn(Op::add, a2, a2, t1),
  };
  OptimizerStats stats;
  propagate_constants(ops, stats);
  EXPECT_EQ(op_of(ops[2]), Op::add);
  EXPECT_EQ(ops[2].rs2, t0);
  EXPECT_EQ(op_of(ops[4]), Op::add);
  EXPECT_EQ(stats.constants, 1u);  // only the li
}

TEST(Optimizer, CopiesAreReadFromTheirSourceUntilEitherChanges) {
  std::vector<Slot> ops = {
      ri(Op::addi, t0, a0, 0),         // mv t0, a0
      insn(Op::add, a1, t0, t0),       // reads a0 twice
      ri(Op::lw, a2, t0, 8),           // the load's base: a0
      store(Op::sw, t0, t0, 4),        // base and data: a0
      ri(Op::addi, a0, a0, 1),         // a0 changes: t0 is no copy of it any more
      insn(Op::add, a3, t0, a3),       // reads t0 itself
  };
  OptimizerStats stats;
  propagate_copies(ops, stats);
  EXPECT_EQ(ops[1].rs1, a0);
  EXPECT_EQ(ops[1].rs2, a0);
  EXPECT_EQ(ops[2].rs1, a0);
  EXPECT_EQ(ops[3].rs1, a0);
  EXPECT_EQ(ops[3].rs2, a0);
  EXPECT_EQ(ops[5].rs1, t0);
  EXPECT_EQ(stats.copies, 5u);
}

TEST(Optimizer, MultiplicationsAndDivisionsByPowersOfTwoBecomeShiftsAndMasks) {
  std::vector<Slot> ops = {
      ri(Op::addi, t0, zero, 8),
      insn(Op::mul, a0, a1, t0),    // a1 * 8: slli 3
      insn(Op::mul, a1, t0, a2),    // 8 * a2: slli 3 (either operand)
      insn(Op::divu, a2, a3, t0),   // a3 / 8: srli 3
      insn(Op::remu, a3, a3, t0),   // a3 % 8: andi 7
      insn(Op::divu, t1, a0, zero), // by zero: all ones, as RISC-V defines it
      insn(Op::remu, t2, a0, zero), // by zero: the dividend
      insn(Op::div, sp, a0, t0),    // signed: left alone (rounding toward zero is not a shift)
      ri(Op::addi, t0, zero, 7),
      insn(Op::mul, ra, a0, t0),    // not a power of two: left alone
  };
  OptimizerStats stats;
  reduce_strength(ops, stats);
  expect_insn(ops[1], Op::slli, a0, a1, 3, "mul by 8");
  expect_insn(ops[2], Op::slli, a1, a2, 3, "8 times");
  expect_insn(ops[3], Op::srli, a2, a3, 3, "divu by 8");
  expect_insn(ops[4], Op::andi, a3, a3, 7, "remu by 8");
  expect_insn(ops[5], Op::lui, t1, 0, -1, "divu by 0");
  expect_insn(ops[6], Op::addi, t2, a0, 0, "remu by 0");
  EXPECT_EQ(op_of(ops[7]), Op::div);
  EXPECT_EQ(op_of(ops[9]), Op::mul);
  EXPECT_EQ(stats.strength, 6u);
}

TEST(Optimizer, AWriteOverwrittenBeforeAnythingCanSeeItIsDropped) {
  std::vector<Slot> ops = {
      ri(Op::slli, t0, a0, 2),     // dead: t0 is overwritten below with nothing reading it
      ri(Op::addi, t0, a1, 1),
      insn(Op::add, a2, a2, t0),
      ri(Op::addi, t1, a0, 3),     // overwritten after a load: the load may hand over, so it stays
      ri(Op::lw, a3, a2, 0),
      ri(Op::addi, t1, a3, 0),
      insn(Op::beq, 0, t1, a2),    // the block's end: everything is seen
  };
  ops[6].rd = 0;
  OptimizerStats stats;
  eliminate_dead_writes(ops, stats);
  EXPECT_TRUE(is_dropped(ops[0]));
  EXPECT_FALSE(is_dropped(ops[1]));
  EXPECT_FALSE(is_dropped(ops[3])) << "a hand-over at the load must see t1";
  EXPECT_FALSE(is_dropped(ops[5]));
  EXPECT_EQ(stats.dead, 1u);
  EXPECT_EQ(stats.describe(), "1 dead write dropped");
}

TEST(Optimizer, AllPassesTogether) {
  // li t0, 4; mv t1, a0; mul t2, t1, t0; add a0, t2, a1; li t2, 1; li t1, 9; ret
  const std::vector<Slot> block = {
      ri(Op::addi, t0, zero, 4), ri(Op::addi, t1, a0, 0), insn(Op::mul, t2, t1, t0), insn(Op::add, a0, t2, a1),
      ri(Op::addi, t2, zero, 1), ri(Op::addi, t1, zero, 9), insn(Op::jalr, 0, ra, 0),
  };
  OptimizerStats stats;
  const std::vector<Slot> ops = optimize(block, static_cast<uint32_t>(block.size()), stats);
  ASSERT_EQ(ops.size(), block.size());  // one per instruction: hand-overs name the same index
  expect_insn(ops[0], Op::lui, t0, 0, 4, "li");
  EXPECT_TRUE(is_dropped(ops[1])) << "the move is read by nobody once the multiplication reads a0";
  expect_insn(ops[2], Op::slli, t2, a0, 2, "t1 * 4: a shift of a0");
  expect_insn(ops[3], Op::add, a0, t2, 0, "reads the product");
  expect_insn(ops[5], Op::lui, t1, 0, 9, "li");
  EXPECT_EQ(op_of(ops[6]), Op::jalr);
  EXPECT_EQ(stats.constants, 3u);
  EXPECT_EQ(stats.strength, 1u);
  EXPECT_EQ(stats.copies, 1u);
  EXPECT_EQ(stats.dead, 1u);
  EXPECT_EQ(stats.describe(), "3 constants folded, 1 copy propagated, 1 multiplication or division made cheaper, 1 dead write dropped");
}

}  // namespace
}  // namespace vmscope
