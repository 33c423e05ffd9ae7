// The disassembler on hand-encoded words: operand forms, the .aq/.rl suffixes, compressed
// mnemonics, unknown words, and objdump's "# address <symbol>" memory of lui/auipc values.
#include <gtest/gtest.h>

#include "isa/disassembler.h"

using vmscope::isa::Disassembler;

namespace {
std::string named(uint32_t address) {
  if (address >= 0x80000000 && address < 0x80000100) {
    const uint32_t off = address - 0x80000000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "+0x%x", off);
    return std::string("_start") + (off ? buf : "");
  }
  return "";
}
}  // namespace

TEST(Disassembler, OperandFormsAsObjdumpPrintsThem) {
  Disassembler dis(named);
  EXPECT_EQ(dis.disassemble(0x80000000, 0x12345537), "lui\ta0,0x12345");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0075a513), "slti\ta0,a1,7");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x41f5d513), "srai\ta0,a1,0x1f");
  EXPECT_EQ(dis.disassemble(0x80000000, 0xff412503), "lw\ta0,-12(sp)");
  EXPECT_EQ(dis.disassemble(0x80000000, 0xfea10fa3), "sb\ta0,-1(sp)");
  EXPECT_EQ(dis.disassemble(0x8000003c, 0xfcb502e3), "beq\ta0,a1,80000000 <_start>");
  EXPECT_EQ(dis.disassemble(0x80000044, 0xfbdff0ef), "jal\tra,80000000 <_start>");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0210000f), "fence\tr,w");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x8330000f), "fence.tso");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x12000073), "sfence.vma\tzero,zero");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x30059573), "csrrw\ta0,mstatus,a1");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x7c002573), "csrrs\ta0,0x7c0,zero");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x180ff573), "csrrci\ta0,satp,31");
  EXPECT_EQ(dis.disassemble(0x80000000, 0xc0001073), "unimp");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x1405a52f), "lr.w.aq\ta0,(a1)");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x1ac5a52f), "sc.w.rl\ta0,a2,(a1)");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0ec5a52f), "amoswap.w.aqrl\ta0,a2,(a1)");
}

TEST(Disassembler, CompressedForms) {
  Disassembler dis(named);
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0808), "c.addi4spn\ta0,sp,16");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0001), "c.addi\tzero,0");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x713d), "c.addi16sp\tsp,-32");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x757d), "c.lui\ta0,0xfffff");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x810d), "c.srli\ta0,0x3");
  EXPECT_EQ(dis.disassemble(0x800000da, 0xb71d), "c.j\t80000000 <_start>");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x4532), "c.lwsp\ta0,12(sp)");
  EXPECT_EQ(dis.disassemble(0x80000000, 0xc62a), "c.swsp\ta0,12(sp)");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x8082), "c.jr\tra");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x9002), "c.ebreak");
  EXPECT_EQ(dis.disassemble(0x80000000, 0x0000), "c.unimp");
}

TEST(Disassembler, UnknownWords) {
  Disassembler dis;
  EXPECT_EQ(dis.disassemble(0, 0x00c5850b), ".4byte\t0xc5850b");
  EXPECT_EQ(dis.disassemble(0, 0x8002), ".2byte\t0x8002");  // c.jr with rs1 = 0 is reserved
}

// objdump remembers what lui/auipc put in a register until an instruction uses it as a base.
TEST(Disassembler, RemembersLuiAndAuipcForTheNextUse) {
  Disassembler dis(named, 0x80000800);
  EXPECT_EQ(dis.disassemble(0x80000000, 0x00000597), "auipc\ta1,0x0");
  EXPECT_EQ(dis.disassemble(0x80000004, 0x01058513), "addi\ta0,a1,16 # 80000010 <_start+0x10>");
  // The value is used up: the same addi again gets no comment.
  EXPECT_EQ(dis.disassemble(0x80000008, 0x01058513), "addi\ta0,a1,16");
  EXPECT_EQ(dis.disassemble(0x8000000c, 0x12345537), "lui\ta0,0x12345");
  EXPECT_EQ(dis.disassemble(0x80000010, 0x00050067), "jalr\tzero,0(a0) # 12345000");
  // gp-relative accesses use __global_pointer$ when the program has one.
  EXPECT_EQ(dis.disassemble(0x80000014, 0x8001a503), "lw\ta0,-2048(gp) # 80000000 <_start>");
  // A load through zero shows the absolute address.
  EXPECT_EQ(dis.disassemble(0x80000018, 0x01002503), "lw\ta0,16(zero) # 10");
}
