// The WebAssembly binary format, as far as the backend needs it (core specification, chapter 5).
#include "translator/wasm_module.h"

#include <cstdio>
#include <cstdlib>

namespace vmscope::wasm {

namespace {

void uleb(std::vector<uint8_t>& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

void sleb(std::vector<uint8_t>& out, int64_t v) {
  for (;;) {
    const uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
      out.push_back(b);
      return;
    }
    out.push_back(b | 0x80);
  }
}

void name(std::vector<uint8_t>& out, const std::string& s) {
  uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& content) {
  out.push_back(id);
  uleb(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
}

// log2 of the natural alignment of a load or store.
uint32_t natural_alignment(uint8_t code) {
  switch (code) {
    case opcode::i64_load: case opcode::i64_store: return 3;
    case opcode::i32_load8_s: case opcode::i32_load8_u: case opcode::i32_store8: return 0;
    case opcode::i32_load16_s: case opcode::i32_load16_u: case opcode::i32_store16: return 1;
    default: return 2;
  }
}

}  // namespace

const char* opcode_name(uint8_t code) {
  switch (code) {
    case opcode::unreachable: return "unreachable";
    case opcode::drop: return "drop";
    case opcode::select: return "select";
    case opcode::return_: return "return";
    case opcode::i32_load: return "i32.load";
    case opcode::i64_load: return "i64.load";
    case opcode::i32_load8_s: return "i32.load8_s";
    case opcode::i32_load8_u: return "i32.load8_u";
    case opcode::i32_load16_s: return "i32.load16_s";
    case opcode::i32_load16_u: return "i32.load16_u";
    case opcode::i32_store: return "i32.store";
    case opcode::i64_store: return "i64.store";
    case opcode::i32_store8: return "i32.store8";
    case opcode::i32_store16: return "i32.store16";
    case opcode::i32_eqz: return "i32.eqz";
    case opcode::i32_eq: return "i32.eq";
    case opcode::i32_ne: return "i32.ne";
    case opcode::i32_lt_s: return "i32.lt_s";
    case opcode::i32_lt_u: return "i32.lt_u";
    case opcode::i32_gt_s: return "i32.gt_s";
    case opcode::i32_gt_u: return "i32.gt_u";
    case opcode::i32_le_s: return "i32.le_s";
    case opcode::i32_le_u: return "i32.le_u";
    case opcode::i32_ge_s: return "i32.ge_s";
    case opcode::i32_ge_u: return "i32.ge_u";
    case opcode::i64_lt_u: return "i64.lt_u";
    case opcode::i32_add: return "i32.add";
    case opcode::i32_sub: return "i32.sub";
    case opcode::i32_mul: return "i32.mul";
    case opcode::i32_div_s: return "i32.div_s";
    case opcode::i32_div_u: return "i32.div_u";
    case opcode::i32_rem_s: return "i32.rem_s";
    case opcode::i32_rem_u: return "i32.rem_u";
    case opcode::i32_and: return "i32.and";
    case opcode::i32_or: return "i32.or";
    case opcode::i32_xor: return "i32.xor";
    case opcode::i32_shl: return "i32.shl";
    case opcode::i32_shr_s: return "i32.shr_s";
    case opcode::i32_shr_u: return "i32.shr_u";
    case opcode::i64_add: return "i64.add";
    case opcode::i64_sub: return "i64.sub";
    case opcode::i64_mul: return "i64.mul";
    case opcode::i64_shr_s: return "i64.shr_s";
    case opcode::i64_shr_u: return "i64.shr_u";
    case opcode::i32_wrap_i64: return "i32.wrap_i64";
    case opcode::i64_extend_i32_s: return "i64.extend_i32_s";
    case opcode::i64_extend_i32_u: return "i64.extend_i32_u";
  }
  return "?";
}

FunctionBody::FunctionBody(std::vector<std::string> params)
    : names_(std::move(params)), params_(static_cast<unsigned>(names_.size())) {}

unsigned FunctionBody::local(Type type, std::string local_name) {
  locals_.push_back(type);
  names_.push_back(std::move(local_name));
  return static_cast<unsigned>(names_.size() - 1);
}

void FunctionBody::text(const std::string& line) {
  lines_.push_back({part_, op_, std::string(2 * labels_.size(), ' ') + line});
}

void FunctionBody::comment(const std::string& line) { text(";; " + line); }

void FunctionBody::i32_const(int32_t v) {
  code_.push_back(0x41);
  sleb(code_, v);
  text("i32.const " + std::to_string(v));
}

void FunctionBody::i64_const(int64_t v) {
  code_.push_back(0x42);
  sleb(code_, v);
  text("i64.const " + std::to_string(v));
}

void FunctionBody::local_get(unsigned i) {
  code_.push_back(0x20);
  uleb(code_, i);
  text("local.get $" + names_[i]);
}

void FunctionBody::local_set(unsigned i) {
  code_.push_back(0x21);
  uleb(code_, i);
  text("local.set $" + names_[i]);
}

void FunctionBody::local_tee(unsigned i) {
  code_.push_back(0x22);
  uleb(code_, i);
  text("local.tee $" + names_[i]);
}

void FunctionBody::op(uint8_t code) {
  code_.push_back(code);
  text(opcode_name(code));
}

void FunctionBody::memory(uint8_t code, uint32_t offset) {
  code_.push_back(code);
  uleb(code_, natural_alignment(code));
  uleb(code_, offset);
  text(std::string(opcode_name(code)) + (offset ? " offset=" + std::to_string(offset) : ""));
}

void FunctionBody::call(uint32_t function) {
  code_.push_back(0x10);
  uleb(code_, function);
  text("call " + std::to_string(function));
}

Label FunctionBody::open(uint8_t code, const char* name) {
  text(std::string(name) + (code == 0x04 ? "" : " $L" + std::to_string(next_label_)));
  code_.push_back(code);
  code_.push_back(0x40);  // no result
  labels_.push_back(next_label_);
  return Label{next_label_++};
}

Label FunctionBody::block() { return open(0x02, "block"); }
Label FunctionBody::loop() { return open(0x03, "loop"); }
Label FunctionBody::if_() { return open(0x04, "if"); }

void FunctionBody::else_() {
  const int id = labels_.back();  // the if's (every label opened inside it is closed)
  labels_.pop_back();              // (the text one level out)
  text("else");
  labels_.push_back(id);
  code_.push_back(0x05);
}

void FunctionBody::end() {
  labels_.pop_back();
  text("end");
  code_.push_back(0x0b);
}

unsigned FunctionBody::depth_of(Label l) const {
  for (size_t i = labels_.size(); i-- > 0;)
    if (labels_[i] == l.id) return static_cast<unsigned>(labels_.size() - 1 - i);
  std::fprintf(stderr, "vmscope: wasm writer: branch to a label not open\n");
  std::abort();
}

void FunctionBody::br(Label l) {
  code_.push_back(0x0c);
  uleb(code_, depth_of(l));
  text("br $L" + std::to_string(l.id));
}

void FunctionBody::br_if(Label l) {
  code_.push_back(0x0d);
  uleb(code_, depth_of(l));
  text("br_if $L" + std::to_string(l.id));
}

void FunctionBody::br_table(const std::vector<Label>& targets, Label otherwise) {
  code_.push_back(0x0e);
  uleb(code_, targets.size());
  std::string line = "br_table";
  for (const Label l : targets) {
    uleb(code_, depth_of(l));
    line += " $L" + std::to_string(l.id);
  }
  uleb(code_, depth_of(otherwise));
  text(line + " $L" + std::to_string(otherwise.id));
}

std::vector<uint8_t> FunctionBody::finish() const {
  std::vector<uint8_t> out;
  // Locals in runs of one type.
  std::vector<std::pair<uint32_t, Type>> runs;
  for (const Type t : locals_) {
    if (!runs.empty() && runs.back().second == t) ++runs.back().first;
    else runs.emplace_back(1, t);
  }
  uleb(out, runs.size());
  for (const auto& [count, type] : runs) {
    uleb(out, count);
    out.push_back(static_cast<uint8_t>(type));
  }
  out.insert(out.end(), code_.begin(), code_.end());
  out.push_back(0x0b);
  return out;
}

uint32_t Module::type(unsigned i32_params) {
  for (size_t i = 0; i < types_.size(); ++i)
    if (types_[i] == i32_params) return static_cast<uint32_t>(i);
  types_.push_back(i32_params);
  return static_cast<uint32_t>(types_.size() - 1);
}

uint32_t Module::function(uint32_t type, const FunctionBody& body) {
  function_types_.push_back(type);
  bodies_.push_back(body.finish());
  return static_cast<uint32_t>(bodies_.size() - 1);
}

void Module::export_function(const std::string& export_name, uint32_t function) {
  exports_.emplace_back(export_name, function);
}

std::vector<uint8_t> Module::bytes() const {
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};  // "\0asm", version 1
  std::vector<uint8_t> s;
  uleb(s, types_.size());
  for (const unsigned params : types_) {
    s.push_back(0x60);
    uleb(s, params);
    for (unsigned i = 0; i < params; ++i) s.push_back(static_cast<uint8_t>(Type::i32));
    s.push_back(1);
    s.push_back(static_cast<uint8_t>(Type::i32));
  }
  section(out, 1, s);
  s.clear();
  uleb(s, 1);  // one import: the memory, any size
  name(s, "env");
  name(s, "memory");
  s.push_back(0x02);  // memory
  s.push_back(0x00);  // limits: a minimum only
  uleb(s, 0);
  section(out, 2, s);
  s.clear();
  uleb(s, function_types_.size());
  for (const uint32_t t : function_types_) uleb(s, t);
  section(out, 3, s);
  s.clear();
  uleb(s, exports_.size());
  for (const auto& [export_name, function] : exports_) {
    name(s, export_name);
    s.push_back(0x00);  // a function
    uleb(s, function);
  }
  section(out, 7, s);
  s.clear();
  uleb(s, bodies_.size());
  for (const auto& body : bodies_) {
    uleb(s, body.size());
    s.insert(s.end(), body.begin(), body.end());
  }
  section(out, 10, s);
  return out;
}

}  // namespace vmscope::wasm
