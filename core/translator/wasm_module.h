// A WebAssembly binary writer, for the translator's WebAssembly backend (wasm_backend.cpp): a
// module of functions over one imported memory ("env" "memory"), each function body written
// as bytes and, beside every instruction, as a line of text (the WAT-like listing the Code
// cache window shows). Only what the backend emits: i32/i64 values, structured control flow,
// loads and stores, calls between the module's own functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmscope::wasm {

enum class Type : uint8_t { i32 = 0x7f, i64 = 0x7e };

// A label of structured control flow (block, loop, if), to branch to.
struct Label {
  int id = -1;
};

class FunctionBody {
 public:
  // Parameters are i32, named for the listing.
  explicit FunctionBody(std::vector<std::string> params);

  unsigned local(Type type, std::string name);  // declares a local, returns its index

  // The guest instruction the next lines come from (see HostLine in backend.h): lines are
  // tagged (part, op), part being which block of a region.
  void tag(int part, int op) { part_ = part, op_ = op; }
  void comment(const std::string& text);  // a line of its own, no code

  // ---- instructions
  void i32_const(int32_t v);
  void i64_const(int64_t v);
  void local_get(unsigned i);
  void local_set(unsigned i);
  void local_tee(unsigned i);
  // Opcodes without immediates (arithmetic, comparisons, conversions, drop, return, ...).
  void op(uint8_t code);
  // Loads and stores: memarg (alignment as log2 of bytes, offset).
  void memory(uint8_t code, uint32_t offset);
  void call(uint32_t function);
  Label block();
  Label loop();
  Label if_();  // no result
  void else_();
  void end();
  void br(Label l);
  void br_if(Label l);
  void br_table(const std::vector<Label>& targets, Label otherwise);

  // The body's bytes (locals declaration, code, final end) — after every label is closed.
  std::vector<uint8_t> finish() const;

  struct Line {
    int part, op;
    std::string text;
  };
  const std::vector<Line>& lines() const { return lines_; }

 private:
  void text(const std::string& line);
  Label open(uint8_t code, const char* name);  // block, loop or if (no result)
  unsigned depth_of(Label l) const;
  std::vector<uint8_t> code_;
  std::vector<Type> locals_;
  std::vector<std::string> names_;  // of parameters, then locals
  unsigned params_;
  std::vector<int> labels_;  // open labels, outermost first
  int next_label_ = 0;
  int part_ = -1, op_ = -1;
  std::vector<Line> lines_;
};

// A module: function types (i32 parameters, one i32 result), functions, exports by name.
class Module {
 public:
  uint32_t type(unsigned i32_params);  // the type (i32 × n) -> i32, made once
  uint32_t function(uint32_t type, const FunctionBody& body);  // returns its index
  void export_function(const std::string& name, uint32_t function);
  std::vector<uint8_t> bytes() const;

 private:
  std::vector<unsigned> types_;
  std::vector<uint32_t> function_types_;
  std::vector<std::vector<uint8_t>> bodies_;
  std::vector<std::pair<std::string, uint32_t>> exports_;
};

// Opcodes the backend uses (the WebAssembly core specification's binary format, 5.4).
namespace opcode {
inline constexpr uint8_t unreachable = 0x00, drop = 0x1a, select = 0x1b, return_ = 0x0f;
inline constexpr uint8_t i32_load = 0x28, i64_load = 0x29, i32_load8_s = 0x2c, i32_load8_u = 0x2d,
                         i32_load16_s = 0x2e, i32_load16_u = 0x2f, i32_store = 0x36, i64_store = 0x37,
                         i32_store8 = 0x3a, i32_store16 = 0x3b;
inline constexpr uint8_t i32_eqz = 0x45, i32_eq = 0x46, i32_ne = 0x47, i32_lt_s = 0x48, i32_lt_u = 0x49,
                         i32_gt_s = 0x4a, i32_gt_u = 0x4b, i32_le_s = 0x4c, i32_le_u = 0x4d, i32_ge_s = 0x4e,
                         i32_ge_u = 0x4f, i64_lt_u = 0x54;
inline constexpr uint8_t i32_add = 0x6a, i32_sub = 0x6b, i32_mul = 0x6c, i32_div_s = 0x6d, i32_div_u = 0x6e,
                         i32_rem_s = 0x6f, i32_rem_u = 0x70, i32_and = 0x71, i32_or = 0x72, i32_xor = 0x73,
                         i32_shl = 0x74, i32_shr_s = 0x75, i32_shr_u = 0x76;
inline constexpr uint8_t i64_add = 0x7c, i64_sub = 0x7d, i64_mul = 0x7e, i64_shr_s = 0x87, i64_shr_u = 0x88;
inline constexpr uint8_t i32_wrap_i64 = 0xa7, i64_extend_i32_s = 0xac, i64_extend_i32_u = 0xad;
}  // namespace opcode

// The text form of an opcode without immediates, or of a load/store ("i32.add", "i64.load").
const char* opcode_name(uint8_t code);

}  // namespace vmscope::wasm
