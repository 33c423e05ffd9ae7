// The WebAssembly binary writer of the translator's WebAssembly backend (wasm_module.*): its bytes
// against modules assembled by hand from the core specification's binary format (chapter 5), its
// text beside them. (The modules it makes run under node: the wasm.jit.* tests.)
#include <gtest/gtest.h>

#include <vector>

#include "translator/wasm_module.h"

namespace vmscope::wasm {
namespace {

namespace op = opcode;

TEST(WasmModule, AddFunctionAsTheSpecEncodesIt) {
  FunctionBody f({"a", "b"});
  f.local_get(0);
  f.local_get(1);
  f.op(op::i32_add);
  Module m;
  const uint32_t add = m.function(m.type(2), f);
  m.export_function("add", add);
  const std::vector<uint8_t> expected = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                    // "\0asm", version 1
      0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,              // types: (i32 i32) -> i32
      0x02, 0x0f, 0x01, 0x03, 'e', 'n', 'v', 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 0x00,  // env.memory, min 0
      0x03, 0x02, 0x01, 0x00,                                            // functions: one of type 0
      0x07, 0x07, 0x01, 0x03, 'a', 'd', 'd', 0x00, 0x00,                 // export "add" = function 0
      0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,  // code: no locals, get get add end
  };
  EXPECT_EQ(m.bytes(), expected);
  ASSERT_EQ(f.lines().size(), 3u);
  EXPECT_EQ(f.lines()[0].text, "local.get $a");
  EXPECT_EQ(f.lines()[2].text, "i32.add");
}

TEST(WasmModule, ConstantsAreSignedLeb128) {
  FunctionBody f({});
  f.i32_const(-1);
  f.i32_const(63);
  f.i32_const(64);
  f.i32_const(-65);
  f.i64_const(0x80000000);
  f.i32_const(INT32_MIN);
  const std::vector<uint8_t> expected = {0x00,  // no locals
                                         0x41, 0x7f, 0x41, 0x3f, 0x41, 0xc0, 0x00, 0x41, 0xbf, 0x7f,
                                         0x42, 0x80, 0x80, 0x80, 0x80, 0x08, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78,
                                         0x0b};
  EXPECT_EQ(f.finish(), expected);
}

TEST(WasmModule, LocalsInRunsAndMemoryOperands) {
  FunctionBody f({"ctx"});
  const unsigned x = f.local(Type::i32, "x"), y = f.local(Type::i32, "y"), n = f.local(Type::i64, "n");
  EXPECT_EQ(x, 1u);
  EXPECT_EQ(n, 3u);
  f.local_get(0);
  f.memory(op::i64_load, 16);   // natural alignment 3
  f.local_set(n);
  f.local_get(0);
  f.memory(op::i32_load8_u, 300);  // alignment 0, offset as unsigned LEB128
  f.local_tee(y);
  const std::vector<uint8_t> expected = {0x02, 0x02, 0x7f, 0x01, 0x7e,  // two i32, then one i64
                                         0x20, 0x00, 0x29, 0x03, 0x10, 0x21, 0x03,
                                         0x20, 0x00, 0x2d, 0x00, 0xac, 0x02, 0x22, 0x02, 0x0b};
  EXPECT_EQ(f.finish(), expected);
  EXPECT_EQ(f.lines()[1].text, "i64.load offset=16");
  EXPECT_EQ(f.lines()[5].text, "local.tee $y");
}

TEST(WasmModule, BranchesCountTheLabelsBetween) {
  FunctionBody f({});
  const Label out = f.block();
  const Label again = f.loop();
  const Label a = f.block();
  f.i32_const(1);
  f.br_table({a, again}, out);  // depths 0, 1, otherwise 2
  f.end();
  f.i32_const(0);
  f.if_();
  f.br(out);  // from inside the if: if, loop, then out
  f.else_();
  f.br(again);
  f.end();
  f.end();
  f.end();
  const std::vector<uint8_t> expected = {0x00,
                                         0x02, 0x40, 0x03, 0x40, 0x02, 0x40,  // block loop block
                                         0x41, 0x01, 0x0e, 0x02, 0x00, 0x01, 0x02,  // br_table 0 1 2
                                         0x0b,                                // end (a)
                                         0x41, 0x00, 0x04, 0x40, 0x0c, 0x02,  // if, br out (2)
                                         0x05, 0x0c, 0x01,                    // else, br again (1)
                                         0x0b, 0x0b, 0x0b, 0x0b};             // end if, loop, block; function
  EXPECT_EQ(f.finish(), expected);
  // The text is indented by nesting, labels named.
  EXPECT_EQ(f.lines()[0].text, "block $L0");
  EXPECT_EQ(f.lines()[4].text, "      br_table $L2 $L1 $L0");
  EXPECT_EQ(f.lines()[8].text, "      br $L0");
  EXPECT_EQ(f.lines()[9].text, "    else");
}

TEST(WasmModule, LinesCarryTheGuestInstructionTheyCameFrom) {
  FunctionBody f({});
  f.tag(2, 5);
  f.comment("block 2");
  f.op(op::drop);
  ASSERT_EQ(f.lines().size(), 2u);
  EXPECT_EQ(f.lines()[1].part, 2);
  EXPECT_EQ(f.lines()[1].op, 5);
  EXPECT_EQ(f.lines()[0].text, ";; block 2");
}

}  // namespace
}  // namespace vmscope::wasm
