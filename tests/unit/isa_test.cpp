// The ISA tables: no two encodings overlap (except a declared special case listed first), and
// the decoder turns hand-encoded words into the right operations and operands.
#include <gtest/gtest.h>

#include <random>

#include "isa/decoder.h"
#include "isa/isa_table.h"

using namespace vmscope::isa;

namespace {
int index_of(const EncodingSpec* e) { return static_cast<int>(e - kEncodings); }
bool is_subset_mask(uint32_t specific, uint32_t general) { return (specific & general) == general && specific != general; }
}  // namespace

// Every 16-bit word: at most one compressed encoding matches it.
TEST(Encodings, CompressedWordsMatchAtMostOneEncoding) {
  for (uint32_t w = 0; w < 0x10000; ++w) {
    if ((w & 3) == 3) continue;
    int matches = 0;
    for (const EncodingSpec& e : kEncodings)
      if (e.length == 2 && encoding_matches(e, w)) ++matches;
    ASSERT_LE(matches, 1) << std::hex << "word 0x" << w;
  }
}

// 32-bit encodings: when two can match the same word, the earlier one must be a strict special
// case of the later one (a superset of its fixed bits), so that table order decides.
TEST(Encodings, WideEncodingsOverlapOnlyAsDeclaredSpecialCases) {
  std::mt19937 rng(1234);
  for (const EncodingSpec& a : kEncodings) {
    for (const EncodingSpec& b : kEncodings) {
      if (&a >= &b || a.length != 4 || b.length != 4) continue;
      if ((a.match ^ b.match) & a.mask & b.mask) continue;  // some fixed bit differs
      // Same fixed bits where both fix them: look for a word both accept.
      const uint32_t fixed = a.mask | b.mask, base = a.match | b.match;
      bool both = false;
      for (int i = 0; i < 4096 && !both; ++i) {
        const uint32_t w = base | (static_cast<uint32_t>(rng()) & ~fixed);
        both = encoding_matches(a, w) && encoding_matches(b, w);
      }
      if (!both) continue;
      EXPECT_TRUE(is_subset_mask(a.mask, b.mask) && index_of(&a) < index_of(&b))
          << a.mnemonic << " and " << b.mnemonic << " overlap";
    }
  }
}

TEST(Encodings, FindEncodingAgreesWithALinearScan) {
  std::mt19937 rng(99);
  for (int i = 0; i < 200000; ++i) {
    uint32_t w = static_cast<uint32_t>(rng());
    if (i % 2) w = (w & ~0x7fu) | (0x03u + (rng() % 32) * 4);  // favour 32-bit major opcodes
    const EncodingSpec* expected = nullptr;
    for (const EncodingSpec& e : kEncodings) {
      if (e.length == instruction_length(w) && encoding_matches(e, w)) {
        expected = &e;
        break;
      }
    }
    ASSERT_EQ(find_encoding(w), expected) << std::hex << w;
  }
}

TEST(Decoder, BaseInstructions) {
  DecodedInsn d = decode(0xffb58513);  // addi a0,a1,-5
  EXPECT_EQ(d.op, Op::addi);
  EXPECT_EQ(d.rd, 10);
  EXPECT_EQ(d.rs1, 11);
  EXPECT_EQ(d.imm, -5);
  EXPECT_EQ(d.length, 4);

  d = decode(0xfffff537);  // lui a0,0xfffff
  EXPECT_EQ(d.op, Op::lui);
  EXPECT_EQ(static_cast<uint32_t>(d.imm), 0xfffff000u);

  d = decode(0xfcb502e3);  // beq a0,a1,-60
  EXPECT_EQ(d.op, Op::beq);
  EXPECT_EQ(d.imm, -60);

  d = decode(0xfbdff0ef);  // jal ra,-68
  EXPECT_EQ(d.op, Op::jal);
  EXPECT_EQ(d.rd, 1);
  EXPECT_EQ(d.imm, -68);

  d = decode(0xfea10fa3);  // sb a0,-1(sp)
  EXPECT_EQ(d.op, Op::sb);
  EXPECT_EQ(d.rs1, 2);
  EXPECT_EQ(d.rs2, 10);
  EXPECT_EQ(d.imm, -1);

  d = decode(0x41f5d513);  // srai a0,a1,31
  EXPECT_EQ(d.op, Op::srai);
  EXPECT_EQ(d.imm, 31);

  d = decode(0x30059573);  // csrrw a0,mstatus,a1
  EXPECT_EQ(d.op, Op::csrrw);
  EXPECT_EQ(d.imm, 0x300);
  EXPECT_EQ(d.rs1, 11);

  d = decode(0x0ec5a52f);  // amoswap.w.aqrl a0,a2,(a1)
  EXPECT_EQ(d.op, Op::amoswap_w);
  EXPECT_EQ(d.rs1, 11);
  EXPECT_EQ(d.rs2, 12);

  EXPECT_EQ(decode(0x12b50073).op, Op::sfence_vma);
  EXPECT_EQ(decode(0x8330000f).op, Op::fence_tso);
  EXPECT_EQ(decode(0x0ff0000f).op, Op::fence);
  EXPECT_EQ(decode(0xffffffff).op, Op::illegal);
  EXPECT_EQ(decode(0x00000000).op, Op::illegal);  // c.unimp
}

TEST(Decoder, CompressedInstructionsExpandToBaseOperations) {
  struct Case {
    uint16_t word;
    Op op;
    int rd, rs1, rs2;
    int32_t imm;
  };
  const Case cases[] = {
      {0x0808, Op::addi, 10, 2, 0, 16},    // c.addi4spn a0,sp,16
      {0x41c8, Op::lw, 10, 11, 0, 4},      // c.lw a0,4(a1)
      {0xc588, Op::sw, 0, 11, 10, 8},      // c.sw a0,8(a1)
      {0x1575, Op::addi, 10, 10, 0, -3},   // c.addi a0,-3
      {0x556d, Op::addi, 10, 0, 0, -5},    // c.li a0,-5
      {0x713d, Op::addi, 2, 2, 0, -32},    // c.addi16sp sp,-32
      {0x757d, Op::lui, 10, 0, 0, -4096},  // c.lui a0,0xfffff
      {0x810d, Op::srli, 10, 10, 0, 3},    // c.srli a0,3
      {0x997d, Op::andi, 10, 10, 0, -1},   // c.andi a0,-1
      {0x8d0d, Op::sub, 10, 10, 11, 0},    // c.sub a0,a1
      {0x0512, Op::slli, 10, 10, 0, 4},    // c.slli a0,4
      {0x4532, Op::lw, 10, 2, 0, 12},      // c.lwsp a0,12(sp)
      {0x8082, Op::jalr, 0, 1, 0, 0},      // c.jr ra
      {0x852e, Op::add, 10, 0, 11, 0},     // c.mv a0,a1
      {0x9502, Op::jalr, 1, 10, 0, 0},     // c.jalr a0
      {0x952e, Op::add, 10, 10, 11, 0},    // c.add a0,a1
      {0xc62a, Op::sw, 0, 2, 10, 12},      // c.swsp a0,12(sp)
  };
  for (const Case& c : cases) {
    const DecodedInsn d = decode(c.word);
    EXPECT_EQ(d.op, c.op) << std::hex << c.word;
    EXPECT_EQ(d.length, 2);
    EXPECT_EQ(d.rd, c.rd) << std::hex << c.word;
    EXPECT_EQ(d.rs1, c.rs1) << std::hex << c.word;
    EXPECT_EQ(d.rs2, c.rs2) << std::hex << c.word;
    EXPECT_EQ(d.imm, c.imm) << std::hex << c.word;
  }
  EXPECT_EQ(decode(0x9002).op, Op::ebreak);       // c.ebreak
  EXPECT_EQ(decode(0x0000).op, Op::illegal);      // c.unimp
  EXPECT_EQ(decode(0x6001).op, Op::illegal);      // c.lui with nzimm = 0 is reserved
  EXPECT_EQ(decode(0x4002).op, Op::illegal);      // c.lwsp with rd = 0 is reserved
  EXPECT_EQ(decode(0x8002).op, Op::illegal);      // c.jr with rs1 = 0 is reserved
}

TEST(CsrNames, BothWays) {
  EXPECT_STREQ(csr_name(0x300), "mstatus");
  EXPECT_STREQ(csr_name(0x3b5), "pmpaddr5");
  EXPECT_STREQ(csr_name(0xc83), "hpmcounter3h");
  EXPECT_EQ(csr_name(0x7c0), nullptr);
  EXPECT_EQ(csr_number("satp"), 0x180);
  EXPECT_FALSE(csr_number("nonsense").has_value());
}

// The spec's `trait` lines: what block formation and the views ask of an operation.
TEST(Traits, EachOperationHasTheTraitsTheSpecGivesIt) {
  using namespace vmscope::isa;
  const auto traits = [](Op op) { return kOpTraits[static_cast<int>(op)]; };
  EXPECT_EQ(traits(Op::beq), kTraitBranch);
  EXPECT_EQ(traits(Op::jal), kTraitJump);
  EXPECT_EQ(traits(Op::jalr), kTraitIndirect);
  EXPECT_EQ(traits(Op::csrrw), kTraitSystem);
  EXPECT_EQ(traits(Op::illegal), kTraitSystem);
  EXPECT_EQ(traits(Op::lw), kTraitLoad);
  EXPECT_EQ(traits(Op::sh), kTraitStore);
  EXPECT_EQ(traits(Op::amomaxu_w), kTraitAtomic);
  EXPECT_EQ(traits(Op::mul), 0) << "arithmetic: none";
  EXPECT_EQ(traits(Op::add), 0);
  // A compressed instruction has its base's traits: c.beqz is a beq.
  EXPECT_EQ(traits(decode(0xc001).op), kTraitBranch);
  unsigned system = 0;
  for (int op = 0; op < kOpCount; ++op) system += (kOpTraits[op] & kTraitSystem) != 0;
  EXPECT_EQ(system, 25u) << "illegal, ecall, ebreak, 6 CSR ops, mret, sret, wfi, sfence.vma, 2 hfences, 10 hypervisor loads/stores";
}
