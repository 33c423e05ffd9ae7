// Optimizer passes over decoded instructions (see optimizer.h for what they may and may not do).
#include "translator/optimizer.h"

#include <array>
#include <bit>
#include <optional>

namespace vmscope {

namespace {

using isa::Op;

constexpr unsigned kSink = 32;  // rd of an instruction writing x0

Op op_of(const Slot& s) { return kHandlerOp[s.handler]; }
void set_op(Slot& s, Op op) { s.handler = static_cast<uint8_t>(op); }

// Which registers an instruction reads (only those the passes understand; others: none known).
struct Reads {
  bool rs1 = false, rs2 = false;
};
Reads reads(Op op) {
  switch (op) {
    case Op::add: case Op::sub: case Op::xor_: case Op::or_: case Op::and_: case Op::slt: case Op::sltu:
    case Op::sll: case Op::srl: case Op::sra: case Op::mul: case Op::mulh: case Op::mulhsu: case Op::mulhu:
    case Op::div: case Op::divu: case Op::rem: case Op::remu:
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
    case Op::sb: case Op::sh: case Op::sw:
      return {true, true};
    case Op::addi: case Op::xori: case Op::ori: case Op::andi: case Op::slti: case Op::sltiu:
    case Op::slli: case Op::srli: case Op::srai:
    case Op::lb: case Op::lbu: case Op::lh: case Op::lhu: case Op::lw: case Op::jalr:
      return {true, false};
    default:
      return {};
  }
}

// Computes rd from its register operands and immediate alone: no memory, no way out of the block.
bool pure(Op op) {
  switch (op) {
    case Op::lui: case Op::auipc:
    case Op::addi: case Op::xori: case Op::ori: case Op::andi: case Op::slti: case Op::sltiu:
    case Op::slli: case Op::srli: case Op::srai:
    case Op::add: case Op::sub: case Op::xor_: case Op::or_: case Op::and_: case Op::slt: case Op::sltu:
    case Op::sll: case Op::srl: case Op::sra: case Op::mul: case Op::mulh: case Op::mulhsu: case Op::mulhu:
    case Op::div: case Op::divu: case Op::rem: case Op::remu:
      return true;
    default:
      return false;
  }
}

// What a pure instruction computes (auipc: unknown here, the page's virtual address is not).
std::optional<uint32_t> evaluate(Op op, uint32_t a, uint32_t b, int32_t imm) {
  const auto i = static_cast<uint32_t>(imm);
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  switch (op) {
    case Op::lui: return i;
    case Op::addi: return a + i;
    case Op::xori: return a ^ i;
    case Op::ori: return a | i;
    case Op::andi: return a & i;
    case Op::slti: return sa < imm ? 1u : 0u;
    case Op::sltiu: return a < i ? 1u : 0u;
    case Op::slli: return a << (i & 31);
    case Op::srli: return a >> (i & 31);
    case Op::srai: return static_cast<uint32_t>(sa >> (i & 31));
    case Op::add: return a + b;
    case Op::sub: return a - b;
    case Op::xor_: return a ^ b;
    case Op::or_: return a | b;
    case Op::and_: return a & b;
    case Op::slt: return sa < sb ? 1u : 0u;
    case Op::sltu: return a < b ? 1u : 0u;
    case Op::sll: return a << (b & 31);
    case Op::srl: return a >> (b & 31);
    case Op::sra: return static_cast<uint32_t>(sa >> (b & 31));
    case Op::mul: return a * b;
    case Op::mulh: return static_cast<uint32_t>((int64_t{sa} * int64_t{sb}) >> 32);
    case Op::mulhsu: return static_cast<uint32_t>((int64_t{sa} * static_cast<int64_t>(b)) >> 32);
    case Op::mulhu: return static_cast<uint32_t>((uint64_t{a} * uint64_t{b}) >> 32);
    case Op::divu: return b == 0 ? ~0u : a / b;
    case Op::remu: return b == 0 ? a : a % b;
    case Op::div: return b == 0 ? ~0u : (sa == INT32_MIN && sb == -1) ? a : static_cast<uint32_t>(sa / sb);
    case Op::rem: return b == 0 ? a : (sa == INT32_MIN && sb == -1) ? 0u : static_cast<uint32_t>(sa % sb);
    default: return std::nullopt;
  }
}

// The immediate form of a register-register operation whose second operand is the constant c.
std::optional<std::pair<Op, uint32_t>> immediate_form(Op op, uint32_t c) {
  switch (op) {
    case Op::add: return std::pair{Op::addi, c};
    case Op::sub: return std::pair{Op::addi, 0u - c};
    case Op::xor_: return std::pair{Op::xori, c};
    case Op::or_: return std::pair{Op::ori, c};
    case Op::and_: return std::pair{Op::andi, c};
    case Op::slt: return std::pair{Op::slti, c};
    case Op::sltu: return std::pair{Op::sltiu, c};
    case Op::sll: return std::pair{Op::slli, c & 31};
    case Op::srl: return std::pair{Op::srli, c & 31};
    case Op::sra: return std::pair{Op::srai, c & 31};
    default: return std::nullopt;
  }
}
bool commutative(Op op) { return op == Op::add || op == Op::xor_ || op == Op::or_ || op == Op::and_ || op == Op::mul; }

// Register values known at translation time, instruction by instruction (x0 is 0).
class Constants {
 public:
  Constants() { known_[0] = 0; }
  std::optional<uint32_t> operator[](unsigned r) const { return known_[r]; }
  // After `s` ran: its rd holds what it computes, when that is known.
  void after(const Slot& s) {
    const Op op = op_of(s);
    if (s.rd == 0 || s.rd == kSink) return;
    std::optional<uint32_t> v;
    if (pure(op)) {
      const Reads r = reads(op);
      const auto a = r.rs1 ? known_[s.rs1] : std::optional<uint32_t>{0};
      const auto b = r.rs2 ? known_[s.rs2] : std::optional<uint32_t>{0};
      if (a && b) v = evaluate(op, *a, *b, s.imm);
    }
    known_[s.rd] = v;  // (anything else that writes rd: unknown; a store's rd field names none)
  }

 private:
  std::array<std::optional<uint32_t>, 33> known_{};
};

// Writes rd (a store's or a branch's rd field is not a register written).
bool writes_rd(Op op) {
  switch (op) {
    case Op::sb: case Op::sh: case Op::sw:
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
    case Op::fence: case Op::fence_tso: case Op::fence_i:
      return false;
    default:
      return true;
  }
}

void make_constant(Slot& s, uint32_t v) {
  set_op(s, Op::lui);
  s.rs1 = s.rs2 = 0;
  s.imm = static_cast<int32_t>(v);
}
void make_move(Slot& s, unsigned from) {
  set_op(s, Op::addi);
  s.rs1 = static_cast<uint8_t>(from);
  s.rs2 = 0;
  s.imm = 0;
}

// The register a move copies (addi rd, rs, 0; add rd, rs, x0; ...), or -1.
int copied_register(const Slot& s) {
  const Op op = op_of(s);
  switch (op) {
    case Op::addi: case Op::xori: case Op::ori: case Op::slli: case Op::srli: case Op::srai:
      return s.imm == 0 ? s.rs1 : -1;
    case Op::add: case Op::xor_: case Op::or_:
      return s.rs2 == 0 ? s.rs1 : s.rs1 == 0 ? s.rs2 : -1;
    case Op::sub:
      return s.rs2 == 0 ? s.rs1 : -1;
    default:
      return -1;
  }
}

}  // namespace

bool is_dropped(const Slot& s) { return s.rd == kSink && pure(op_of(s)); }

std::string OptimizerStats::describe() const {
  std::string text;
  auto part = [&](unsigned n, const char* one, const char* many) {
    if (!n) return;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
  };
  part(constants, "constant folded", "constants folded");
  part(copies, "copy propagated", "copies propagated");
  part(strength, "multiplication or division made cheaper", "multiplications or divisions made cheaper");
  part(dead, "dead write dropped", "dead writes dropped");
  return text;
}

void propagate_constants(std::vector<Slot>& ops, OptimizerStats& stats) {
  Constants known;
  for (Slot& s : ops) {
    const Op op = op_of(s);
    if (pure(op) && s.rd != kSink && op != Op::lui && op != Op::auipc) {
      const Reads r = reads(op);
      const auto a = known[s.rs1];
      const auto b = r.rs2 ? known[s.rs2] : std::optional<uint32_t>{};
      if (a && (b || !r.rs2)) {  // every operand known: the result is
        if (const auto v = evaluate(op, *a, b.value_or(0), s.imm)) {
          make_constant(s, *v);
          ++stats.constants;
        }
      } else if (r.rs2 && (b || (a && commutative(op)))) {  // one known: the immediate form
        if (!b) std::swap(s.rs1, s.rs2);
        if (const auto form = immediate_form(op, *known[s.rs2])) {
          set_op(s, form->first);
          s.imm = static_cast<int32_t>(form->second);
          s.rs2 = 0;
          ++stats.constants;
        } else if (!b) {
          std::swap(s.rs1, s.rs2);  // (no immediate form: as it was)
        }
      }
    }
    known.after(s);
  }
}

void propagate_copies(std::vector<Slot>& ops, OptimizerStats& stats) {
  std::array<uint8_t, 33> source{};  // source[r]: the register r holds a copy of (itself: none)
  for (unsigned r = 0; r < source.size(); ++r) source[r] = static_cast<uint8_t>(r);
  for (Slot& s : ops) {
    const Op op = op_of(s);
    const Reads r = reads(op);
    if (r.rs1 && source[s.rs1] != s.rs1) s.rs1 = source[s.rs1], ++stats.copies;
    if (r.rs2 && source[s.rs2] != s.rs2) s.rs2 = source[s.rs2], ++stats.copies;
    if (!writes_rd(op) || s.rd == kSink || s.rd == 0) continue;
    for (unsigned x = 1; x < 32; ++x)  // copies of rd's old value are copies no more
      if (source[x] == s.rd) source[x] = static_cast<uint8_t>(x);
    source[s.rd] = s.rd;
    if (pure(op))
      if (const int from = copied_register(s); from > 0 && from != s.rd) source[s.rd] = static_cast<uint8_t>(from);
  }
}

void reduce_strength(std::vector<Slot>& ops, OptimizerStats& stats) {
  Constants known;
  for (Slot& s : ops) {
    const Op op = op_of(s);
    if (s.rd != kSink && (op == Op::mul || op == Op::divu || op == Op::remu)) {
      unsigned other = s.rs1;
      std::optional<uint32_t> c = known[s.rs2];
      if (!c && op == Op::mul) c = known[s.rs1], other = s.rs2;
      if (c) {
        const uint32_t v = *c;
        const bool power = std::has_single_bit(v);
        const auto shift = static_cast<int32_t>(std::countr_zero(v));
        bool done = true;
        if (op == Op::mul && v == 0) make_constant(s, 0);
        else if (op == Op::mul && power) set_op(s, Op::slli), s.rs1 = static_cast<uint8_t>(other), s.rs2 = 0, s.imm = shift;
        else if (op == Op::divu && v == 0) make_constant(s, ~0u);
        else if (op == Op::divu && power) set_op(s, Op::srli), s.rs2 = 0, s.imm = shift;
        else if (op == Op::remu && v == 0) make_move(s, s.rs1);
        else if (op == Op::remu && power) set_op(s, Op::andi), s.rs2 = 0, s.imm = static_cast<int32_t>(v - 1);
        else done = false;
        if (done) ++stats.strength;
      }
    }
    known.after(s);
  }
}

void eliminate_dead_writes(std::vector<Slot>& ops, OptimizerStats& stats) {
  constexpr uint64_t kAll = ~0ull;
  uint64_t live = kAll;  // registers something may still read (at the block's end: all)
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    Slot& s = *it;
    const Op op = op_of(s);
    if (!pure(op)) {  // a way out (a hand-over, a fault, the block's end): everything is seen
      live = kAll;
      continue;
    }
    if (s.rd == kSink) continue;
    if (!(live >> s.rd & 1)) {
      s.rd = kSink;
      ++stats.dead;
      continue;
    }
    live &= ~(1ull << s.rd);
    const Reads r = reads(op);
    if (r.rs1) live |= 1ull << s.rs1;
    if (r.rs2) live |= 1ull << s.rs2;
  }
}

std::vector<Slot> optimize(std::span<const Slot> ops, uint32_t count, OptimizerStats& stats) {
  std::vector<Slot> out(ops.begin(), ops.begin() + count);
  propagate_constants(out, stats);
  reduce_strength(out, stats);
  propagate_copies(out, stats);
  eliminate_dead_writes(out, stats);
  return out;
}

}  // namespace vmscope
