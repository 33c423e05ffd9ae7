// Every RV32I, M, A and C instruction executed by the hart on hand-encoded words, with the edge
// cases the specification singles out (x0, sign extension, shift masking, division by zero and
// overflow, reservations), plus pages boundaries and self-modifying code.
#include <gtest/gtest.h>

#include <climits>

#include "isa/decoder.h"
#include "isa/isa_table.h"
#include "test_machine.h"

namespace vmscope::test {
namespace {

using namespace reg;

class Instructions : public HartTest {};
VMSCOPE_HART_TEST_SUITE(Instructions);

constexpr uint32_t kData = kRam + 0x8000;  // a data page away from the code

// ---- the encoders themselves --------------------------------------------------------------------

// The test encoders produce the instruction they are named after (checked once against GNU as
// when they were written; this keeps them honest against the decoder's table).
TEST(Encoders, ProduceTheNamedInstruction) {
  const struct {
    Insn insn;
    const char* mnemonic;
  } cases[] = {
      {lui(1, 1), "lui"}, {auipc(1, 1), "auipc"}, {jal(1, 8), "jal"}, {jalr(1, 2, 0), "jalr"},
      {beq(1, 2, 8), "beq"}, {bne(1, 2, 8), "bne"}, {blt(1, 2, 8), "blt"}, {bge(1, 2, 8), "bge"},
      {bltu(1, 2, 8), "bltu"}, {bgeu(1, 2, 8), "bgeu"}, {lb(1, 2, 0), "lb"}, {lh(1, 2, 0), "lh"},
      {lw(1, 2, 0), "lw"}, {lbu(1, 2, 0), "lbu"}, {lhu(1, 2, 0), "lhu"}, {sb(1, 2, 0), "sb"},
      {sh(1, 2, 0), "sh"}, {sw(1, 2, 0), "sw"}, {addi(1, 2, 3), "addi"}, {slti(1, 2, 3), "slti"},
      {sltiu(1, 2, 3), "sltiu"}, {xori(1, 2, 3), "xori"}, {ori(1, 2, 3), "ori"}, {andi(1, 2, 3), "andi"},
      {slli(1, 2, 3), "slli"}, {srli(1, 2, 3), "srli"}, {srai(1, 2, 3), "srai"}, {add(1, 2, 3), "add"},
      {sub(1, 2, 3), "sub"}, {sll(1, 2, 3), "sll"}, {slt(1, 2, 3), "slt"}, {sltu(1, 2, 3), "sltu"},
      {xor_(1, 2, 3), "xor"}, {srl(1, 2, 3), "srl"}, {sra(1, 2, 3), "sra"}, {or_(1, 2, 3), "or"},
      {and_(1, 2, 3), "and"}, {fence(), "fence"}, {fence_tso(), "fence.tso"}, {fence_i(), "fence.i"},
      {ecall(), "ecall"}, {ebreak(), "ebreak"}, {csrrw(1, 0x340, 2), "csrrw"}, {csrrs(1, 0x340, 2), "csrrs"},
      {csrrc(1, 0x340, 2), "csrrc"}, {csrrwi(1, 0x340, 2), "csrrwi"}, {csrrsi(1, 0x340, 2), "csrrsi"},
      {csrrci(1, 0x340, 2), "csrrci"}, {mret(), "mret"}, {sret(), "sret"}, {wfi(), "wfi"},
      {sfence_vma(1, 2), "sfence.vma"}, {mul(1, 2, 3), "mul"}, {mulh(1, 2, 3), "mulh"},
      {mulhsu(1, 2, 3), "mulhsu"}, {mulhu(1, 2, 3), "mulhu"}, {div(1, 2, 3), "div"}, {divu(1, 2, 3), "divu"},
      {rem(1, 2, 3), "rem"}, {remu(1, 2, 3), "remu"}, {lr_w(1, 2), "lr.w"}, {sc_w(1, 2, 3), "sc.w"},
      {amoswap_w(1, 2, 3), "amoswap.w"}, {amoadd_w(1, 2, 3), "amoadd.w"}, {amoxor_w(1, 2, 3), "amoxor.w"},
      {amoand_w(1, 2, 3), "amoand.w"}, {amoor_w(1, 2, 3), "amoor.w"}, {amomin_w(1, 2, 3), "amomin.w"},
      {amomax_w(1, 2, 3), "amomax.w"}, {amominu_w(1, 2, 3), "amominu.w"}, {amomaxu_w(1, 2, 3), "amomaxu.w"},
      {c_addi4spn(8, 4), "c.addi4spn"}, {c_lw(8, 9, 4), "c.lw"}, {c_sw(8, 9, 4), "c.sw"},
      {c_addi(5, 1), "c.addi"}, {c_jal(8), "c.jal"}, {c_li(5, 1), "c.li"}, {c_addi16sp(16), "c.addi16sp"},
      {c_lui(5, 1), "c.lui"}, {c_srli(8, 1), "c.srli"}, {c_srai(8, 1), "c.srai"}, {c_andi(8, 1), "c.andi"},
      {c_sub(8, 9), "c.sub"}, {c_xor(8, 9), "c.xor"}, {c_or(8, 9), "c.or"}, {c_and(8, 9), "c.and"},
      {c_j(8), "c.j"}, {c_beqz(8, 8), "c.beqz"}, {c_bnez(8, 8), "c.bnez"}, {c_slli(5, 1), "c.slli"},
      {c_lwsp(5, 4), "c.lwsp"}, {c_jr(5), "c.jr"}, {c_mv(5, 6), "c.mv"}, {c_ebreak(), "c.ebreak"},
      {c_jalr(5), "c.jalr"}, {c_add(5, 6), "c.add"}, {c_swsp(5, 4), "c.swsp"},
  };
  for (const auto& c : cases) {
    const isa::EncodingSpec* e = isa::find_encoding(c.insn.bits);
    ASSERT_NE(e, nullptr) << c.mnemonic;
    EXPECT_STREQ(e->mnemonic, c.mnemonic);
    EXPECT_EQ(e->length, c.insn.length) << c.mnemonic;
  }
}

// ---- RV32I: integer computation -----------------------------------------------------------------

TEST_F(Instructions, AddiAndWritesToX0AreIgnored) {
  load({addi(a0, a1, -5), addi(zero, a1, 7), add(zero, a1, a1), lui(zero, 0x12345), addi(a2, zero, 0)});
  set_x(a1, 100);
  run(5);
  EXPECT_EQ(x(a0), 95u);
  EXPECT_EQ(x(zero), 0u);
  EXPECT_EQ(x(a2), 0u);  // reading x0 after the writes still gives 0
  EXPECT_EQ(pc(), kRam + 20);
}

TEST_F(Instructions, LuiAndAuipc) {
  load({lui(a0, 0x12345), lui(a1, 0xfffff), nop(), auipc(a2, 0x1), auipc(a3, 0xfffff)});
  run(5);
  EXPECT_EQ(x(a0), 0x12345000u);
  EXPECT_EQ(x(a1), 0xfffff000u);
  EXPECT_EQ(x(a2), kRam + 12 + 0x1000);
  EXPECT_EQ(x(a3), kRam + 16 - 0x1000);
}

TEST_F(Instructions, ImmediateArithmeticAndLogic) {
  load({slti(a0, a1, 1), slti(a2, a1, -2), sltiu(a3, a1, -1), sltiu(a4, a1, 1), xori(a5, a1, -1),
        ori(a6, a1, 0x7f0), andi(a7, a1, -8), sltiu(s2, zero, 1)});
  set_x(a1, static_cast<uint32_t>(-1));  // 0xffffffff
  run(8);
  EXPECT_EQ(x(a0), 1u);  // -1 < 1 signed
  EXPECT_EQ(x(a2), 0u);  // -1 < -2 is false
  EXPECT_EQ(x(a3), 0u);  // 0xffffffff < 0xffffffff (imm sign-extended, compared unsigned) is false
  EXPECT_EQ(x(a4), 0u);  // 0xffffffff < 1 unsigned is false
  EXPECT_EQ(x(a5), 0u);  // xori -1 is NOT
  EXPECT_EQ(x(a6), 0xffffffffu);
  EXPECT_EQ(x(a7), 0xfffffff8u);
  EXPECT_EQ(x(s2), 1u);  // seqz
}

TEST_F(Instructions, RegisterArithmeticAndLogic) {
  load({add(a0, a1, a2), sub(a3, a1, a2), sub(a4, a2, a1), xor_(a5, a1, a2), or_(a6, a1, a2), and_(a7, a1, a2),
        add(s2, a1, a1)});
  set_x(a1, 0x80000001);
  set_x(a2, 0xffff0003);
  run(7);
  EXPECT_EQ(x(a0), 0x7fff0004u);  // wraps
  EXPECT_EQ(x(a3), 0x8000fffeu);
  EXPECT_EQ(x(a4), 0x7fff0002u);
  EXPECT_EQ(x(a5), 0x7fff0002u);
  EXPECT_EQ(x(a6), 0xffff0003u);
  EXPECT_EQ(x(a7), 0x80000001u);
  EXPECT_EQ(x(s2), 2u);
}

TEST_F(Instructions, SltAndSltuWithNegativeValues) {
  load({slt(a0, a1, a2), sltu(a3, a1, a2), slt(a4, a2, a1), sltu(a5, a2, a1), slt(a6, a1, a1), sltu(a7, a1, a1)});
  set_x(a1, static_cast<uint32_t>(-1));
  set_x(a2, 1);
  run(6);
  EXPECT_EQ(x(a0), 1u);  // -1 < 1
  EXPECT_EQ(x(a3), 0u);  // 0xffffffff < 1 unsigned: no
  EXPECT_EQ(x(a4), 0u);
  EXPECT_EQ(x(a5), 1u);
  EXPECT_EQ(x(a6), 0u);
  EXPECT_EQ(x(a7), 0u);
}

TEST_F(Instructions, ShiftsByImmediateZeroAndThirtyOne) {
  load({slli(a0, a1, 0), slli(a2, a1, 31), srli(a3, a1, 0), srli(a4, a1, 31), srai(a5, a1, 0), srai(a6, a1, 31),
        srli(a7, a1, 4), srai(s2, a1, 4)});
  set_x(a1, 0x80000003);
  run(8);
  EXPECT_EQ(x(a0), 0x80000003u);
  EXPECT_EQ(x(a2), 0x80000000u);
  EXPECT_EQ(x(a3), 0x80000003u);
  EXPECT_EQ(x(a4), 1u);
  EXPECT_EQ(x(a5), 0x80000003u);
  EXPECT_EQ(x(a6), 0xffffffffu);
  EXPECT_EQ(x(a7), 0x08000000u);
  EXPECT_EQ(x(s2), 0xf8000000u);
}

TEST_F(Instructions, ShiftsByRegisterUseOnlyTheLowFiveBits) {
  load({sll(a0, a1, a2), srl(a3, a1, a2), sra(a4, a1, a2), sll(a5, a1, a6), srl(a7, a1, a6), sra(s2, a1, a6),
        sll(s3, a1, s4), sra(s5, a1, s4)});
  set_x(a1, 0x80000010);
  set_x(a2, 33);          // shifts by 1
  set_x(a6, 32);          // shifts by 0
  set_x(s4, 0xffffffff);  // shifts by 31
  run(8);
  EXPECT_EQ(x(a0), 0x00000020u);
  EXPECT_EQ(x(a3), 0x40000008u);
  EXPECT_EQ(x(a4), 0xc0000008u);
  EXPECT_EQ(x(a5), 0x80000010u);
  EXPECT_EQ(x(a7), 0x80000010u);
  EXPECT_EQ(x(s2), 0x80000010u);
  EXPECT_EQ(x(s3), 0u);
  EXPECT_EQ(x(s5), 0xffffffffu);
}

// ---- loads and stores ---------------------------------------------------------------------------

TEST_F(Instructions, LoadsSignAndZeroExtend) {
  write32(kData, 0x8081f2f3);
  write32(kData + 4, 0x7f017ffe);
  load({lb(a0, a1, 0), lbu(a2, a1, 0), lh(a3, a1, 0), lhu(a4, a1, 0), lw(a5, a1, 0), lb(a6, a1, 3), lh(a7, a1, 2),
        lb(s2, a1, 7), lh(s3, a1, 4), lbu(s4, a1, 5)});
  set_x(a1, kData);
  run(10);
  EXPECT_EQ(x(a0), 0xfffffff3u);
  EXPECT_EQ(x(a2), 0x000000f3u);
  EXPECT_EQ(x(a3), 0xfffff2f3u);
  EXPECT_EQ(x(a4), 0x0000f2f3u);
  EXPECT_EQ(x(a5), 0x8081f2f3u);
  EXPECT_EQ(x(a6), 0xffffff80u);
  EXPECT_EQ(x(a7), 0xffff8081u);
  EXPECT_EQ(x(s2), 0x0000007fu);  // positive bytes and halves stay positive
  EXPECT_EQ(x(s3), 0x00007ffeu);
  EXPECT_EQ(x(s4), 0x0000007fu);
}

TEST_F(Instructions, StoresWriteOnlyTheirBytesAndAcceptNegativeOffsets) {
  write32(kData, 0x11111111);
  write32(kData + 4, 0x22222222);
  write32(kData + 8, 0x33333333);
  load({sb(a2, a1, 1), sh(a2, a1, 6), sw(a2, a1, 8), sw(a2, a3, -4), lw(a4, a1, 0)});
  set_x(a1, kData);
  set_x(a2, 0xa5b6c7d8);
  set_x(a3, kData + 0x10);
  run(5);
  EXPECT_EQ(read32(kData), 0x1111d811u);
  EXPECT_EQ(read32(kData + 4), 0xc7d82222u);
  EXPECT_EQ(read32(kData + 8), 0xa5b6c7d8u);
  EXPECT_EQ(read32(kData + 12), 0xa5b6c7d8u);
  EXPECT_EQ(x(a4), 0x1111d811u);  // a load sees the store just made
}

// ---- control transfer ---------------------------------------------------------------------------

struct BranchCase {
  const char* name;
  Insn (*make)(unsigned, unsigned, int32_t);
  int32_t a, b;
  bool taken;
};

class Branches : public HartTest, public ::testing::WithParamInterface<BranchCase> {};
VMSCOPE_HART_TEST_SUITE(Branches);

TEST_P(Branches, TakenOrNot) {
  const BranchCase& c = GetParam();
  for (const int32_t offset : {12, -8}) {
    hart().reset(kRam + 0x100);
    place(kRam + 0x100, {c.make(a1, a2, offset)});
    set_x(a1, static_cast<uint32_t>(c.a));
    set_x(a2, static_cast<uint32_t>(c.b));
    run(1);
    EXPECT_EQ(pc(), c.taken ? kRam + 0x100 + offset : kRam + 0x104) << c.name << " offset " << offset;
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllConditions, Branches,
    ::testing::Values(BranchCase{"beq_equal", beq, 5, 5, true}, BranchCase{"beq_differ", beq, 5, 6, false},
                      BranchCase{"bne_differ", bne, 5, 6, true}, BranchCase{"bne_equal", bne, -3, -3, false},
                      BranchCase{"blt_neg_lt_pos", blt, -1, 1, true}, BranchCase{"blt_pos_vs_neg", blt, 1, -1, false},
                      BranchCase{"blt_equal", blt, 4, 4, false}, BranchCase{"bge_equal", bge, -7, -7, true},
                      BranchCase{"bge_pos_vs_neg", bge, 1, -1, true}, BranchCase{"bge_neg_vs_pos", bge, -2, 1, false},
                      BranchCase{"bltu_small_vs_big", bltu, 1, -1, true},
                      BranchCase{"bltu_big_vs_small", bltu, -1, 1, false},
                      BranchCase{"bgeu_big_vs_small", bgeu, -1, 1, true}, BranchCase{"bgeu_equal", bgeu, 9, 9, true},
                      BranchCase{"bgeu_small_vs_big", bgeu, 1, -1, false}),
    [](const ::testing::TestParamInfo<BranchCase>& i) { return std::string(i.param.name); });

TEST_F(Instructions, JalLinksAndJumpsBothWays) {
  load({jal(ra, 12), nop(), nop(), jal(a0, -8), nop()});
  run(1);
  EXPECT_EQ(pc(), kRam + 12);
  EXPECT_EQ(x(ra), kRam + 4);
  run(1);
  EXPECT_EQ(pc(), kRam + 4);
  EXPECT_EQ(x(a0), kRam + 16);
  load({jal(zero, 8)});
  run(1);
  EXPECT_EQ(pc(), kRam + 8);
  EXPECT_EQ(x(zero), 0u);
}

TEST_F(Instructions, JalrClearsBitZeroAndLinks) {
  load({jalr(ra, a1, 5), nop(), nop(), nop()});
  set_x(a1, kRam + 0x200);  // target kRam + 0x205 -> 0x204
  run(1);
  EXPECT_EQ(pc(), kRam + 0x204);
  EXPECT_EQ(x(ra), kRam + 4);

  // rd == rs1: the target uses the old value of the register.
  load({jalr(a1, a1, -0x10)});
  set_x(a1, kRam + 0x310);
  run(1);
  EXPECT_EQ(pc(), kRam + 0x300);
  EXPECT_EQ(x(a1), kRam + 4);
}

// ---- M ------------------------------------------------------------------------------------------

TEST_F(Instructions, MultiplyWithMixedSigns) {
  load({mul(a0, a1, a2), mulh(a3, a1, a2), mulhsu(a4, a1, a2), mulhu(a5, a1, a2),  // -3 x 7
        mulh(a6, s2, s2), mulhsu(a7, s3, s4), mulhsu(s5, s6, s4), mulhu(s7, s4, s4), mul(s8, s4, s4)});
  set_x(a1, static_cast<uint32_t>(-3));
  set_x(a2, 7);
  set_x(s2, 0x80000000);  // INT_MIN
  set_x(s3, static_cast<uint32_t>(-1));
  set_x(s4, 0xffffffff);
  set_x(s6, 2);
  run(9);
  EXPECT_EQ(x(a0), static_cast<uint32_t>(-21));
  EXPECT_EQ(x(a3), 0xffffffffu);  // high word of -21
  EXPECT_EQ(x(a4), 0xffffffffu);  // -3 (signed) x 7 (unsigned)
  EXPECT_EQ(x(a5), 6u);           // 0xfffffffd x 7 = 0x6_ffffffeb
  EXPECT_EQ(x(a6), 0x40000000u);  // INT_MIN^2 = 2^62
  EXPECT_EQ(x(a7), 0xffffffffu);  // -1 x (2^32-1) = -(2^32-1): high word -1
  EXPECT_EQ(x(s5), 1u);           // 2 x (2^32-1) = 0x1_fffffffe
  EXPECT_EQ(x(s7), 0xfffffffeu);  // (2^32-1)^2 = 0xfffffffe_00000001
  EXPECT_EQ(x(s8), 1u);
}

TEST_F(Instructions, DivideAndRemainder) {
  load({div(a0, a1, a2), rem(a3, a1, a2), div(a4, a2, a1), rem(a5, a2, a1), divu(a6, a1, a2), remu(a7, a1, a2)});
  set_x(a1, static_cast<uint32_t>(-7));
  set_x(a2, 2);
  run(6);
  EXPECT_EQ(x(a0), static_cast<uint32_t>(-3));  // rounds toward zero
  EXPECT_EQ(x(a3), static_cast<uint32_t>(-1));  // sign of the dividend
  EXPECT_EQ(x(a4), 0u);
  EXPECT_EQ(x(a5), 2u);
  EXPECT_EQ(x(a6), 0xfffffff9u / 2);
  EXPECT_EQ(x(a7), 0xfffffff9u % 2);
}

TEST_F(Instructions, DivideByZeroAndOverflow) {
  load({div(a0, a1, zero), divu(a2, a1, zero), rem(a3, a1, zero), remu(a4, a1, zero),  //
        div(a5, s2, s3), rem(a6, s2, s3), divu(a7, s2, s3), remu(s4, s2, s3)});
  set_x(a1, 12345);
  set_x(s2, 0x80000000);
  set_x(s3, static_cast<uint32_t>(-1));
  run(8);
  EXPECT_EQ(x(a0), 0xffffffffu);
  EXPECT_EQ(x(a2), 0xffffffffu);
  EXPECT_EQ(x(a3), 12345u);
  EXPECT_EQ(x(a4), 12345u);
  EXPECT_EQ(x(a5), 0x80000000u);  // INT_MIN / -1 = INT_MIN
  EXPECT_EQ(x(a6), 0u);
  EXPECT_EQ(x(a7), 0u);  // 0x80000000 / 0xffffffff unsigned
  EXPECT_EQ(x(s4), 0x80000000u);
}

// ---- A ------------------------------------------------------------------------------------------

struct AmoCase {
  const char* name;
  Insn (*make)(unsigned, unsigned, unsigned);
  uint32_t memory_after;
};

class Amos : public HartTest, public ::testing::WithParamInterface<AmoCase> {};
VMSCOPE_HART_TEST_SUITE(Amos);

TEST_P(Amos, ReturnOldValueAndStoreResult) {
  constexpr uint32_t kOld = 0xfffffff0;  // -16 signed, huge unsigned
  constexpr uint32_t kSrc = 0x00000005;
  const AmoCase& c = GetParam();
  write32(kData, kOld);
  write32(kData + 4, 0x5a5a5a5a);
  load({c.make(a0, a1, a2)});
  set_x(a1, kData);
  set_x(a2, kSrc);
  run(1);
  EXPECT_EQ(x(a0), kOld);
  EXPECT_EQ(read32(kData), c.memory_after);
  EXPECT_EQ(read32(kData + 4), 0x5a5a5a5au);
  EXPECT_EQ(x(a2), kSrc);
  EXPECT_EQ(pc(), kRam + 4);
}

INSTANTIATE_TEST_SUITE_P(
    EveryAmo, Amos,
    ::testing::Values(AmoCase{"swap", amoswap_w, 0x5}, AmoCase{"add", amoadd_w, 0xfffffff5},
                      AmoCase{"xor", amoxor_w, 0xfffffff5}, AmoCase{"and", amoand_w, 0x0},
                      AmoCase{"or", amoor_w, 0xfffffff5}, AmoCase{"min", amomin_w, 0xfffffff0},
                      AmoCase{"max", amomax_w, 0x5}, AmoCase{"minu", amominu_w, 0x5},
                      AmoCase{"maxu", amomaxu_w, 0xfffffff0}),
    [](const ::testing::TestParamInfo<AmoCase>& i) { return std::string(i.param.name); });

TEST_F(Instructions, AmoWithRdEqualToRs2) {
  write32(kData, 10);
  load({amoadd_w(a2, a1, a2)});
  set_x(a1, kData);
  set_x(a2, 3);
  run(1);
  EXPECT_EQ(x(a2), 10u);
  EXPECT_EQ(read32(kData), 13u);
}

TEST_F(Instructions, LoadReservedStoreConditionalSucceeds) {
  write32(kData, 41);
  load({lr_w(a0, a1), addi(a0, a0, 1), sc_w(a2, a1, a0), lw(a3, a1, 0)});
  set_x(a1, kData);
  set_x(a2, 0xdead);
  run(4);
  EXPECT_EQ(x(a2), 0u);  // success
  EXPECT_EQ(read32(kData), 42u);
  EXPECT_EQ(x(a3), 42u);
}

TEST_F(Instructions, StoreConditionalFailsWithoutReservation) {
  write32(kData, 7);
  load({sc_w(a2, a1, a3)});
  set_x(a1, kData);
  set_x(a3, 99);
  run(1);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(read32(kData), 7u);
}

TEST_F(Instructions, StoreConditionalFailsAfterAnotherStoreConditional) {
  write32(kData, 7);
  load({lr_w(a0, a1), sc_w(a2, a1, a3), sc_w(a4, a1, a5)});
  set_x(a1, kData);
  set_x(a3, 100);
  set_x(a5, 200);
  run(3);
  EXPECT_EQ(x(a2), 0u);
  EXPECT_EQ(x(a4), 1u);
  EXPECT_EQ(read32(kData), 100u);
}

TEST_F(Instructions, StoreConditionalFailsOnAnotherAddress) {
  write32(kData, 7);
  write32(kData + 8, 8);
  load({lr_w(a0, a1), sc_w(a2, a6, a3)});
  set_x(a1, kData);
  set_x(a6, kData + 8);
  set_x(a3, 100);
  run(2);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(read32(kData + 8), 8u);
}

TEST_F(Instructions, AtomicsWithAcquireAndReleaseBitsBehaveTheSame) {
  constexpr uint32_t kAqRl = 3u << 25;
  write32(kData, 5);
  load({word(amoadd_w(a0, a1, a2).bits | kAqRl), word(lr_w(a3, a1).bits | (1u << 26)),
        word(sc_w(a4, a1, a5).bits | (1u << 25))});
  set_x(a1, kData);
  set_x(a2, 10);
  set_x(a5, 77);
  set_x(a4, 0xdead);
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 5u);
  EXPECT_EQ(x(a3), 15u);
  EXPECT_EQ(x(a4), 0u);
  EXPECT_EQ(read32(kData), 77u);
}

// ---- Zicsr --------------------------------------------------------------------------------------

TEST_F(Instructions, CsrReadModifyWrite) {
  load({csrrw(a0, csr::mscratch, a1),    // swap in 0xf0f0
        csrrs(a2, csr::mscratch, a3),    // set 0x000f
        csrrc(a4, csr::mscratch, a5),    // clear 0x00f0
        csrrwi(a6, csr::mscratch, 0x15),  //
        csrrsi(a7, csr::mscratch, 0x0a),  //
        csrrci(s2, csr::mscratch, 0x11),  //
        csrr(s3, csr::mscratch),          //
        csrrw(zero, csr::mscratch, a1),   // rd = x0: no read, still a write
        csrr(zero, csr::mscratch)});      // rd = x0 read: x0 stays 0
  set_csr(csr::mscratch, 0x1234);
  set_x(a1, 0xf0f0);
  set_x(a3, 0x000f);
  set_x(a5, 0x00f0);
  run(9);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x1234u);
  EXPECT_EQ(x(a2), 0xf0f0u);
  EXPECT_EQ(x(a4), 0xf0ffu);
  EXPECT_EQ(x(a6), 0xf00fu);
  EXPECT_EQ(x(a7), 0x15u);
  EXPECT_EQ(x(s2), 0x1fu);
  EXPECT_EQ(x(s3), 0x0eu);
  EXPECT_EQ(csr(csr::mscratch), 0xf0f0u);
  EXPECT_EQ(x(zero), 0u);
  EXPECT_EQ(pc(), kRam + 36);
}

TEST_F(Instructions, LoadIntoX0IsDiscarded) {
  write32(kData, 0x12345678);
  load({lw(zero, a1, 0), add(a2, zero, zero), lbu(zero, a1, 1), addi(a3, zero, 0)});
  set_x(a1, kData);
  run(4);
  EXPECT_EQ(x(a2), 0u);
  EXPECT_EQ(x(a3), 0u);
}

// ---- fences -------------------------------------------------------------------------------------

TEST_F(Instructions, FencesAdvanceThePc) {
  load({fence(), fence_tso(), fence_i(), addi(a0, zero, 1)});
  run(4);
  EXPECT_EQ(pc(), kRam + 16);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_TRUE(traps().empty());
}

// ---- C ------------------------------------------------------------------------------------------

TEST_F(Instructions, CompressedStackPointerForms) {
  write32(kData + 0x40, 0xcafef00d);
  load({c_addi4spn(s1, 0x3fc), c_addi16sp(-64), c_lwsp(a0, 0x40 + 64), c_swsp(a0, 0x80), c_addi16sp(0x1f0)});
  set_x(sp, kData);
  run(1);
  EXPECT_EQ(x(s1), kData + 0x3fc);
  EXPECT_EQ(pc(), kRam + 2);
  run(1);
  EXPECT_EQ(x(sp), kData - 64);
  EXPECT_EQ(pc(), kRam + 4);
  run(1);
  EXPECT_EQ(x(a0), 0xcafef00du);
  EXPECT_EQ(pc(), kRam + 6);
  run(1);
  EXPECT_EQ(read32(kData - 64 + 0x80), 0xcafef00du);
  EXPECT_EQ(pc(), kRam + 8);
  run(1);
  EXPECT_EQ(x(sp), kData - 64 + 0x1f0);
  EXPECT_EQ(pc(), kRam + 10);
}

TEST_F(Instructions, CompressedLoadAndStoreWord) {
  write32(kData + 0x7c, 0x01234567);
  load({c_lw(a0, a1, 0x7c), c_sw(a0, a2, 0x40)});
  set_x(a1, kData);
  set_x(a2, kData + 0x100);
  run(1);
  EXPECT_EQ(x(a0), 0x01234567u);
  EXPECT_EQ(pc(), kRam + 2);
  run(1);
  EXPECT_EQ(read32(kData + 0x140), 0x01234567u);
  EXPECT_EQ(pc(), kRam + 4);
}

TEST_F(Instructions, CompressedImmediateForms) {
  load({c_addi(t0, -32), c_li(t1, -1), c_li(t2, 31), c_lui(a0, 1), c_lui(a1, 0x3f), c_slli(a2, 31), c_nop()});
  set_x(t0, 100);
  set_x(a2, 3);
  for (unsigned i = 1; i <= 7; ++i) {
    run(1);
    EXPECT_EQ(pc(), kRam + 2 * i);
  }
  EXPECT_EQ(x(t0), 68u);
  EXPECT_EQ(x(t1), 0xffffffffu);
  EXPECT_EQ(x(t2), 31u);
  EXPECT_EQ(x(a0), 0x1000u);
  EXPECT_EQ(x(a1), 0xfffff000u);  // the 6-bit immediate is sign-extended
  EXPECT_EQ(x(a2), 0x80000000u);
}

TEST_F(Instructions, CompressedShiftsAndLogic) {
  load({c_srli(s0, 4), c_srai(s1, 4), c_andi(a0, -16), c_sub(a1, a2), c_xor(a3, a4), c_or(a5, a4), c_and(a2, a4)});
  set_x(s0, 0x80000000);
  set_x(s1, 0x80000000);
  set_x(a0, 0x12345678);
  set_x(a1, 10);
  set_x(a2, 0xf0f0f0f0);
  set_x(a3, 0xff00ff00);
  set_x(a4, 0x0ff00ff0);
  set_x(a5, 0x00000001);
  for (unsigned i = 1; i <= 7; ++i) {
    run(1);
    EXPECT_EQ(pc(), kRam + 2 * i);
  }
  EXPECT_EQ(x(s0), 0x08000000u);
  EXPECT_EQ(x(s1), 0xf8000000u);
  EXPECT_EQ(x(a0), 0x12345670u);
  EXPECT_EQ(x(a1), 10u - 0xf0f0f0f0u);
  EXPECT_EQ(x(a3), 0xf0f0f0f0u);
  EXPECT_EQ(x(a5), 0x0ff00ff1u);
  EXPECT_EQ(x(a2), 0x00f000f0u);
}

TEST_F(Instructions, CompressedMoveAndAdd) {
  load({c_mv(a0, a1), c_add(a0, a2), c_mv(zero, a1)});
  set_x(a1, 40);
  set_x(a2, 2);
  run(3);
  EXPECT_EQ(x(a0), 42u);
  EXPECT_EQ(x(a1), 40u);
  EXPECT_EQ(x(zero), 0u);
  EXPECT_EQ(pc(), kRam + 6);
}

TEST_F(Instructions, CompressedJumps) {
  // c.j forward over a 32-bit word, c.jal back, c.jr and c.jalr through registers.
  load({c_j(6), nop(), c_jal(-2), c_nop()});
  run(1);
  EXPECT_EQ(pc(), kRam + 6);
  run(1);
  EXPECT_EQ(pc(), kRam + 4);
  EXPECT_EQ(x(ra), kRam + 8);  // c.jal links pc + 2

  load({c_jr(a1)});
  set_x(a1, kRam + 0x40);
  run(1);
  EXPECT_EQ(pc(), kRam + 0x40);

  load({c_jalr(a1)});
  set_x(a1, kRam + 0x80);
  run(1);
  EXPECT_EQ(pc(), kRam + 0x80);
  EXPECT_EQ(x(ra), kRam + 2);

  // c.jalr ra: the target is the old ra.
  load({c_jalr(ra)});
  set_x(ra, kRam + 0x90);
  run(1);
  EXPECT_EQ(pc(), kRam + 0x90);
  EXPECT_EQ(x(ra), kRam + 2);
}

TEST_F(Instructions, CompressedBranches) {
  const struct {
    Insn insn;
    uint32_t value;
    bool taken;
  } cases[] = {{c_beqz(s0, 0x20), 0, true},  {c_beqz(s0, 0x20), 1, false}, {c_bnez(s0, -0x20), 5, true},
               {c_bnez(s0, -0x20), 0, false}, {c_beqz(s0, -0x100), 0, true}, {c_bnez(s0, 0xfe), 1, true}};
  for (const auto& c : cases) {
    hart().reset(kRam + 0x200);
    place(kRam + 0x200, {c.insn});
    set_x(s0, c.value);
    run(1);
    const int32_t off = isa::decode(c.insn.bits).imm;
    EXPECT_EQ(pc(), c.taken ? kRam + 0x200 + off : kRam + 0x202) << std::hex << c.insn.bits;
  }
}

TEST_F(Instructions, CompressedEbreakTrapsWithItsPc) {
  set_csr(csr::mtvec, kRam + 0x400);
  load({c_nop(), c_ebreak()});
  run(2);
  EXPECT_EQ(csr(csr::mcause), 3u);
  EXPECT_EQ(csr(csr::mepc), kRam + 2);
  EXPECT_EQ(csr(csr::mtval), kRam + 2);
  EXPECT_EQ(pc(), kRam + 0x400);
}

TEST_F(Instructions, MixedLengthsAdvanceThePcByTheirLength) {
  load({c_li(a0, 1), addi(a0, a0, 2), c_addi(a0, 4), c_addi(a0, 8), lui(a1, 1), c_mv(a2, a0)});
  const uint32_t expected_pc[] = {2, 6, 8, 10, 14, 16};
  for (uint32_t e : expected_pc) {
    run(1);
    EXPECT_EQ(pc(), kRam + e);
  }
  EXPECT_EQ(x(a2), 15u);
}

// ---- page boundaries and self-modifying code ---------------------------------------------------

TEST_F(Instructions, WordStraddlingAPageBoundaryExecutes) {
  // A loop whose 32-bit body instruction sits at 0x...ffe, half on each page.
  constexpr uint32_t kStart = kRam + 0xffc;
  place(kStart, {c_addi(a0, 1), lui(a1, 0x12345), addi(a2, a2, 3), bne(a0, a3, -10)});
  hart().set_pc(kStart);
  set_x(a3, 3);
  run(12);  // three iterations of four instructions
  EXPECT_EQ(x(a0), 3u);
  EXPECT_EQ(x(a1), 0x12345000u);
  EXPECT_EQ(x(a2), 9u);
  EXPECT_EQ(pc(), kRam + 0x100a);
  EXPECT_TRUE(traps().empty());
}

TEST_F(Instructions, BranchStraddlingAPageBoundaryJumps) {
  place(kRam + 0xffe, {beq(zero, zero, -0xffe)});
  hart().set_pc(kRam + 0xffe);
  run(1);
  EXPECT_EQ(pc(), kRam);
  place(kRam + 0xffe, {jal(ra, 0x102)});
  hart().set_pc(kRam + 0xffe);
  run(1);
  EXPECT_EQ(pc(), kRam + 0x1100);
  EXPECT_EQ(x(ra), kRam + 0x1002);
}

TEST_F(Instructions, SelfModifyingCodeRunsTheNewInstruction) {
  // loop: addi a0, a0, 1 (replaced by addi a0, a0, 100 on the first pass); sw; countdown; bne.
  load({addi(a0, a0, 1), sw(t1, t0, 0), addi(t2, t2, -1), bne(t2, zero, -12)});
  set_x(t0, kRam);
  set_x(t1, addi(a0, a0, 100).bits);
  set_x(t2, 2);
  run(8);
  EXPECT_EQ(x(a0), 101u);
  EXPECT_EQ(pc(), kRam + 16);
}

TEST_F(Instructions, SelfModifyingCodeReplacesTheNextDecodedInstruction) {
  // Each pass stores over the instruction two slots ahead, which ran (and was decoded) on the
  // pass before; the first pass stores the same bits.
  load({sw(t1, t0, 8), addi(t2, t2, -1), addi(a0, a0, 1), add(t1, t3, zero), bne(t2, zero, -16)});
  set_x(t0, kRam);
  set_x(t1, addi(a0, a0, 1).bits);
  set_x(t3, addi(a0, a0, 100).bits);
  set_x(t2, 2);
  run(10);
  EXPECT_EQ(x(a0), 101u);
  EXPECT_EQ(pc(), kRam + 20);
}

TEST_F(Instructions, StoreThroughAWriteFastPathBeforeCodeAppearsStaysCoherent) {
  // The data store fills the fast write path for page 2 while it holds no code; then code on
  // page 2 runs, is overwritten through that path, and runs again.
  constexpr uint32_t kFunc = kRam + 0x2000;
  place(kFunc, {addi(a0, a0, 1), jalr(zero, ra, 0)});
  load({sw(zero, t0, 0x100), jalr(ra, t0, 0), sw(t1, t0, 0), jalr(ra, t0, 0)});
  set_x(t0, kFunc);
  set_x(t1, addi(a0, a0, 100).bits);
  run(8);
  EXPECT_EQ(x(a0), 101u);
  EXPECT_EQ(pc(), kRam + 16);
}

TEST_F(Instructions, AmoOverAnExecutedInstructionRunsTheNewOne) {
  load({addi(a0, a0, 1), amoswap_w(zero, t0, t1), addi(t2, t2, -1), bne(t2, zero, -12), addi(a1, zero, 0)});
  set_x(t0, kRam);
  set_x(t1, addi(a0, a0, 100).bits);
  set_x(t2, 2);
  run(9);
  EXPECT_EQ(x(a0), 101u);
  EXPECT_EQ(pc(), kRam + 20);
  EXPECT_EQ(x(a1), 0u);  // x0 still reads as zero
}

// An AMO or SC that writes into its own 64-byte line of code must still write its destination
// register and the source value, not those of the invalidated slot.
TEST_F(Instructions, AmoWritingIntoItsOwnLineKeepsItsOperands) {
  constexpr uint32_t kWord = kRam + 0x20;  // same line as the code, not code itself
  write32(kWord, 0x11111111);
  load({amoadd_w(a0, t0, t1), addi(a2, zero, 0), add(a3, zero, zero), lw(a4, t0, 0)});
  set_x(t0, kWord);
  set_x(t1, 0x22222222);
  run(4);
  EXPECT_EQ(x(a0), 0x11111111u);
  EXPECT_EQ(read32(kWord), 0x33333333u);
  EXPECT_EQ(x(a2), 0u);  // x0 reads as zero
  EXPECT_EQ(x(a3), 0u);
  EXPECT_EQ(x(a4), 0x33333333u);
  EXPECT_EQ(pc(), kRam + 16);
}

TEST_F(Instructions, AmoWithRdX0WritingIntoItsOwnLineLeavesX0Zero) {
  constexpr uint32_t kWord = kRam + 0x20;
  write32(kWord, 0xabcdef01);
  load({amoswap_w(zero, t0, t1), addi(a2, zero, 0), lw(a4, t0, 0)});
  set_x(t0, kWord);
  set_x(t1, 0x5);
  run(3);
  EXPECT_EQ(x(a2), 0u);  // the old memory value must not land in x0
  EXPECT_EQ(x(a4), 0x5u);
  EXPECT_EQ(pc(), kRam + 12);
}

TEST_F(Instructions, StoreConditionalIntoItsOwnLineStoresTheSourceRegister) {
  constexpr uint32_t kWord = kRam + 0x20;
  write32(kWord, 7);
  load({lr_w(a0, t0), sc_w(a1, t0, t1), lw(a2, t0, 0), addi(a3, zero, 0)});
  set_x(t0, kWord);
  set_x(t1, 0x12345678);
  set_x(a1, 0xdead);
  run(4);
  EXPECT_EQ(x(a1), 0u);  // success
  EXPECT_EQ(read32(kWord), 0x12345678u);
  EXPECT_EQ(x(a2), 0x12345678u);
  EXPECT_EQ(x(a3), 0u);
  EXPECT_EQ(pc(), kRam + 16);
}

TEST_F(Instructions, RewritingTheSecondHalfOfAStraddlingWord) {
  // The loop's first instruction straddles 0x...ffe/0x...1000; the store then rewrites its upper
  // half (on the second page): addi a0, a0, 1 becomes addi a0, a0, 0x101 (same low half).
  ASSERT_EQ(addi(a0, a0, 1).bits & 0xffff, addi(a0, a0, 0x101).bits & 0xffff);
  constexpr uint32_t kStart = kRam + 0xffe;
  place(kStart, {addi(a0, a0, 1), sh(t1, t0, 0), addi(t2, t2, -1), bne(t2, zero, -12)});
  set_x(t0, kRam + 0x1000);
  set_x(t1, addi(a0, a0, 0x101).bits >> 16);
  set_x(t2, 2);
  hart().set_pc(kStart);
  run(8);
  EXPECT_EQ(x(a0), 0x102u);
  EXPECT_EQ(pc(), kRam + 0x100e);
}

TEST_F(Instructions, HostWriteOverExecutedCodeIsSeen) {
  load({addi(a0, a0, 1), jal(zero, -4)});
  run(4);
  EXPECT_EQ(x(a0), 2u);
  place(kRam, {addi(a0, a0, 10)});
  run(2);
  EXPECT_EQ(x(a0), 12u);
}

TEST_F(Instructions, RewritingAStraddlingWordAsTwoCompressedInstructions) {
  // A 32-bit instruction at 0x...ffe, called on its own (nothing else decoded in its 64-byte
  // line), is replaced by two 16-bit ones, one on each page; the next call must run those.
  constexpr uint32_t kFunc = kRam + 0xffe;
  place(kFunc, {addi(a0, a0, 1), jalr(zero, ra, 0)});
  load({jalr(ra, t0, 0), sh(t1, t0, 0), sh(t2, t0, 2), jalr(ra, t0, 0), c_nop()});
  set_x(t0, kFunc);
  set_x(t1, c_addi(a0, 8).bits);
  set_x(t2, c_addi(a0, 16).bits);
  // In one run: call (jalr, addi, ret), two halfword stores, call (jalr, c.addi, c.addi, ret).
  run(9);
  EXPECT_EQ(x(a0), 25u);
  EXPECT_EQ(pc(), kRam + 16);
}

// ---- misaligned accesses where the configuration allows them (as the process VM does) ---------

class MisalignedAllowed : public HartTest {
 protected:
  MisalignedAllowed() {
    HartConfig config;
    config.misaligned_access_traps = false;
    use_own_hart(config);
  }
};
VMSCOPE_HART_TEST_SUITE(MisalignedAllowed);

TEST_F(MisalignedAllowed, LoadsAndStoresSpanningWordsAndPages) {
  constexpr uint32_t kEdge = kRam + 0x3000;  // a page boundary
  write32(kEdge - 4, 0x44332211);
  write32(kEdge, 0x88776655);
  load({lw(a0, a1, -2), lh(a2, a1, -1), lhu(a3, a1, -1), sw(a4, a1, -1), lw(a5, a1, -1)});
  set_x(a1, kEdge);
  set_x(a4, 0xa1b2c3d4);
  run(5);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x66554433u);
  EXPECT_EQ(x(a2), 0x00005544u);
  EXPECT_EQ(x(a3), 0x00005544u);
  EXPECT_EQ(read32(kEdge - 4), 0xd4332211u);
  EXPECT_EQ(read32(kEdge), 0x88a1b2c3u);
  EXPECT_EQ(x(a5), 0xa1b2c3d4u);
}

TEST_F(MisalignedAllowed, AtomicsMustStillBeAligned) {
  load({amoadd_w(a0, a1, a2)});
  set_csr(csr::mtvec, kRam + 0x400);
  set_x(a1, kData + 2);
  run(1);
  EXPECT_EQ(csr(csr::mcause), 6u);
  EXPECT_EQ(csr(csr::mtval), kData + 2);
}

}  // namespace
}  // namespace vmscope::test
