// The program generator for the translator's differential fuzzing (see translator_program.h).
//
// Memory (64 KiB of RAM at the board's base):
//   page 0..5  prologue, two near functions, the main code (it runs into the next pages)
//   page 6     four far functions, 512 bytes apart (an indirect call picks one by the loop counter)
//   page 7     the trap handler
//   page 8     data: x8 points to its middle (every 12-bit offset stays inside), sp near its start
//   page 9     functions the program writes at run time, then calls (and rewrites, and calls)
//   beyond     zeroed RAM, and past 0x80010000 nothing (access faults)
// Registers: x1 (ra) only for calls, x2 (sp) and x8 fixed, x9 the loop counter, x30/x31 the
// handler's; everything else is fair game, which is what keeps loops finite and calls returning.
#include "fuzz/translator_program.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "isa/disassembler.h"

namespace vmscope::fuzz {

namespace {

constexpr uint32_t kBase = board::kRamBase;
constexpr uint32_t kMainEnd = kBase + 0x6000;
constexpr uint32_t kMainMargin = 0xa00;  // more than the largest item (a loop of composite items)
constexpr uint32_t kFar = kBase + 0x6000, kFarStride = 0x200, kFarShift = 9, kFarCount = 4;
constexpr uint32_t kHandler = kBase + 0x7000;
constexpr uint32_t kData = kBase + 0x8000;
constexpr uint32_t kImageSize = 0x9000;
constexpr uint32_t kWritten = kBase + 0x9000, kWrittenSlots = 8, kWrittenStride = 32;
constexpr uint32_t kElfHeaderBytes = 52 + 32;  // ELF header and one program header
constexpr uint32_t kMtimecmp = board::kClintBase + 0x4000, kMtime = board::kClintBase + 0xbff8;

enum : unsigned { ra = 1, sp = 2, base = 8, counter = 9, h0 = 30, h1 = 31 };
constexpr unsigned kWritable[] = {3,  4,  5,  6,  7,  10, 11, 12, 13, 14, 15, 16, 17,
                                  18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
constexpr uint16_t kCsrMscratch = 0x340, kCsrMepc = 0x341, kCsrMcause = 0x342, kCsrMtval = 0x343;
constexpr uint16_t kCsrMstatus = 0x300, kCsrMie = 0x304, kCsrMtvec = 0x305;

// ---- encoders (the unprivileged spec's formats)
uint32_t r_type(uint32_t f7, unsigned rs2, unsigned rs1, uint32_t f3, unsigned rd, uint32_t opcode) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}
uint32_t i_type(int32_t imm, unsigned rs1, uint32_t f3, unsigned rd, uint32_t opcode) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}
uint32_t s_type(int32_t imm, unsigned rs2, unsigned rs1, uint32_t f3) {
  const auto u = static_cast<uint32_t>(imm);
  return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | 0x23;
}
uint32_t b_type(int32_t off, unsigned rs1, unsigned rs2, uint32_t f3) {
  const auto u = static_cast<uint32_t>(off);
  return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
}
uint32_t j_type(int32_t off, unsigned rd) {
  const auto u = static_cast<uint32_t>(off);
  return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 | (u >> 12 & 0xff) << 12 |
         rd << 7 | 0x6f;
}
uint32_t lui(unsigned rd, uint32_t value) { return (value & 0xfffff000u) | rd << 7 | 0x37; }
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return i_type(imm, rs1, 0, rd, 0x13); }
uint32_t jalr(unsigned rd, unsigned rs1, int32_t imm) { return i_type(imm, rs1, 0, rd, 0x67); }
uint32_t load(uint32_t f3, unsigned rd, unsigned rs1, int32_t imm) { return i_type(imm, rs1, f3, rd, 0x03); }
uint32_t csr(uint32_t f3, unsigned rd, uint16_t number, unsigned rs1) {
  return uint32_t{number} << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73;
}
uint32_t amo(uint32_t funct5, unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(funct5 << 2, rs2, rs1, 2, rd, 0x2f);
}
constexpr uint32_t kMret = 0x30200073, kWfi = 0x10500073, kFenceI = 0x0000100f;
constexpr uint32_t kEcall = 0x73, kEbreak = 0x00100073;
constexpr uint32_t kIllegal = 0xfe000033;  // OP with funct7 0x7f: no such instruction
constexpr uint16_t kNoSuchCsr = 0x7ff;

// RVC: rd'/rs1'/rs2' are x8..x15.
uint32_t bit(uint32_t v, unsigned from, unsigned to) { return (v >> from & 1) << to; }
uint32_t ci(uint32_t f3, unsigned rd, int32_t imm6, uint32_t op) {
  const auto u = static_cast<uint32_t>(imm6);
  return f3 << 13 | bit(u, 5, 12) | rd << 7 | (u & 31) << 2 | op;
}
uint32_t cj(int32_t off) {
  const auto u = static_cast<uint32_t>(off);
  return bit(u, 11, 12) | bit(u, 4, 11) | bit(u, 9, 10) | bit(u, 8, 9) | bit(u, 10, 8) | bit(u, 6, 7) |
         bit(u, 7, 6) | bit(u, 3, 5) | bit(u, 2, 4) | bit(u, 1, 3) | bit(u, 5, 2);
}
uint32_t cb(int32_t off) {
  const auto u = static_cast<uint32_t>(off);
  return bit(u, 8, 12) | bit(u, 4, 11) | bit(u, 3, 10) | bit(u, 7, 6) | bit(u, 6, 5) | bit(u, 2, 4) |
         bit(u, 1, 3) | bit(u, 5, 2);
}
uint32_t c_j(int32_t off) { return 5u << 13 | cj(off) | 1; }
uint32_t c_jal(int32_t off) { return 1u << 13 | cj(off) | 1; }
uint32_t c_branch(bool bnez, unsigned rs1, int32_t off) {
  return (bnez ? 7u : 6u) << 13 | (rs1 - 8) << 7 | cb(off) | 1;
}
uint32_t c_lw(bool store, unsigned r, unsigned rs1, uint32_t off) {
  return (store ? 6u : 2u) << 13 | (off >> 3 & 7) << 10 | (rs1 - 8) << 7 | bit(off, 2, 6) | bit(off, 6, 5) |
         (r - 8) << 2;
}
uint32_t c_jr(bool link, unsigned rs1) { return (link ? 0x9u : 0x8u) << 12 | rs1 << 7 | 2; }
constexpr uint32_t kCNop = 0x0001, kCEbreak = 0x9002;

bool fits(int32_t v, int32_t lo, int32_t hi) { return v >= lo && v <= hi; }

// The input: one byte per choice, zeros once it runs out (the generator then winds down).
class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  uint8_t byte() { return p_ == end_ ? 0 : *p_++; }
  unsigned below(unsigned n) { return (n <= 256 ? byte() : (byte() | byte() << 8)) % n; }
  bool one_in(unsigned n) { return below(n) == 0; }
  uint32_t word() {
    uint32_t w = 0;
    for (int i = 0; i < 4; ++i) w = w << 8 | byte();
    return w;
  }

 private:
  const uint8_t *p_, *end_;
};

// The image of pages 0..8, with labels for addresses known only later (a patch site that comes
// after the store patching it, the main code after the near functions).
class Assembler {
 public:
  std::vector<uint8_t> image = std::vector<uint8_t>(kImageSize);

  uint32_t here() const { return pc_; }
  void org(uint32_t address) { pc_ = address; }
  void put(uint32_t address, uint32_t value, unsigned bytes) {
    if (address < kBase || address + bytes > kBase + kImageSize)
      throw std::logic_error("generator: code overflow");
    for (unsigned i = 0; i < bytes; ++i) image[address - kBase + i] = static_cast<uint8_t>(value >> 8 * i);
  }
  void emit16(uint32_t h) { put(pc_, h, 2), pc_ += 2; }
  void emit32(uint32_t w) { put(pc_, w, 4), pc_ += 4; }
  void align4() {
    if (pc_ & 2) emit16(kCNop);
  }
  int label() {
    labels_.push_back(0);
    return static_cast<int>(labels_.size() - 1);
  }
  void bind(int label) { labels_[label] = pc_; }
  int label_at(uint32_t address) {
    labels_.push_back(address);
    return static_cast<int>(labels_.size() - 1);
  }
  uint32_t address(int label) const { return labels_[label]; }
  // `first` (lui or auipc) and `second` (an I-type: addi, jalr) get the label's address, absolute
  // or relative to `first`, split into the upper 20 and the sign-extended lower 12 bits.
  void hi_lo(uint32_t first, uint32_t second, int label) {
    fixups_.push_back({pc_, label});
    emit32(first);
    emit32(second);
  }
  void resolve() {
    for (const Fixup& f : fixups_) {
      if (!labels_[f.label]) throw std::logic_error("generator: unbound label");
      const bool relative = (image[f.at - kBase] & 0x7f) == 0x17;  // auipc
      const uint32_t v = labels_[f.label] - (relative ? f.at : 0);
      const uint32_t hi = (v + 0x800) & 0xfffff000u;
      put(f.at, get(f.at) | hi, 4);
      put(f.at + 4, get(f.at + 4) | (v - hi) << 20, 4);
    }
  }

 private:
  struct Fixup {
    uint32_t at;
    int label;
  };
  uint32_t get(uint32_t a) const {
    const uint8_t* p = &image[a - kBase];
    return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
  }
  uint32_t pc_ = kBase;
  std::vector<uint32_t> labels_;
  std::vector<Fixup> fixups_;
};

// Where an item may go: loops only at the top level (one counter), calls not from functions.
struct Context {
  bool can_loop, can_call;
};

class Generator {
 public:
  Generator(const uint8_t* data, size_t size) : in_(data, size) {}
  TranslatorProgram make();

 private:
  // A place in the code holding a harmless instruction (or two compressed ones) that stores
  // replace with other harmless ones.
  struct Site {
    int label;
    unsigned size;  // 2 or 4
    bool aligned;   // 4-byte aligned (a sw can patch it)
  };

  unsigned dst() { return kWritable[in_.below(std::size(kWritable))]; }
  unsigned dst_except(unsigned r) {  // a second temporary
    const unsigned d = dst();
    return d != r ? d : d == 3 ? 4 : 3;
  }
  unsigned cdst() { return 10 + in_.below(6); }  // writable and compressible
  unsigned src() { return in_.below(32); }
  unsigned csrc() { return 8 + in_.below(8); }
  uint32_t value();
  int32_t data_offset(unsigned align) {
    return (static_cast<int32_t>(in_.below(4096)) - 2048) & -static_cast<int32_t>(align);
  }
  void li(unsigned rd, uint32_t v);
  uint32_t alu32();
  uint32_t harmless32();
  uint32_t harmless16();
  uint32_t compressed_data_access() {  // c.lw or c.sw at x8 + 0..124
    const uint32_t off = in_.below(32) * 4;
    return in_.one_in(2) ? c_lw(false, cdst(), base, off) : c_lw(true, csrc(), base, off);
  }
  uint32_t far_function() { return kFar + in_.below(kFarCount) * kFarStride; }

  void item(Context c, int depth);
  void division();
  void constant_arithmetic();
  void load_store();
  void atomic();
  void csr_access();
  void trap();
  void arm_timer();
  void software_interrupt();
  void forward_branch(Context c, int depth);
  void loop();
  void straddling_loop();
  void call();
  void recursion();
  void new_site(Site s);
  void self_modify(Context c, int depth);
  void mret_jump();
  void write_and_call();
  void function(Context c);
  void handler();

  Input in_;
  Assembler a_;
  std::vector<Site> sites_;
  std::vector<uint32_t> near_;
  uint32_t mtvec_ = 0, handler_end_ = 0;
};

uint32_t Generator::value() {
  switch (in_.below(8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return ~0u;
    case 3: return 0x80000000u;
    case 4: return 0x7fffffffu;
    case 5: return in_.byte();
    case 6: return static_cast<uint32_t>(static_cast<int8_t>(in_.byte()));
    default: return in_.word();
  }
}

void Generator::li(unsigned rd, uint32_t v) {
  const auto s = static_cast<int32_t>(v);
  if (fits(s, -32, 31) && in_.one_in(2)) return a_.emit16(ci(2, rd, s, 1));  // c.li
  if (fits(s, -2048, 2047)) return a_.emit32(addi(rd, 0, s));
  const uint32_t hi = (v + 0x800) & 0xfffff000u;
  a_.emit32(lui(rd, hi));
  if (v != hi) a_.emit32(addi(rd, rd, static_cast<int32_t>(v - hi)));
}

uint32_t Generator::alu32() {
  const unsigned rd = dst(), rs1 = src(), rs2 = src();
  switch (in_.below(5)) {
    case 0: {  // OP: add/sub, srl/sra have a second form
      const uint32_t f3 = in_.below(8);
      return r_type((f3 == 0 || f3 == 5) && in_.one_in(2) ? 0x20 : 0, rs2, rs1, f3, rd, 0x33);
    }
    case 1: return r_type(1, rs2, rs1, in_.below(8), rd, 0x33);  // M
    case 2: {
      const uint32_t f3 = in_.below(8);
      if (f3 == 1 || f3 == 5)  // shifts by an immediate
        return r_type(f3 == 5 && in_.one_in(2) ? 0x20 : 0, in_.below(32), rs1, f3, rd, 0x13);
      return i_type(static_cast<int32_t>(in_.below(4096)) - 2048, rs1, f3, rd, 0x13);
    }
    case 3: return (in_.word() & 0xfffff000u) | rd << 7 | (in_.one_in(2) ? 0x37 : 0x17);  // lui, auipc
    default: return i_type(static_cast<int32_t>(in_.below(64)) - 32, rs1, in_.below(8) & 6, rd, 0x13);
  }
}

// Four bytes that never change control flow beyond the next instruction (or trap, which the
// handler skips): what patch sites hold.
uint32_t Generator::harmless32() {
  switch (in_.below(12)) {
    case 0: case 1: case 2: return alu32();
    case 3: return harmless16() | harmless16() << 16;
    case 4: return j_type(4, 0);  // to the next instruction: the block ends here now
    case 5: return b_type(4, src(), src(), "\0\1\4\5\6\7"[in_.below(6)]);
    case 6: return c_j(4) | kCEbreak << 16;  // over its second half, which never runs
    case 7: return load("\0\1\2\4\5"[in_.below(5)], dst(), base, data_offset(4));
    case 8: return s_type(data_offset(4), src(), base, in_.below(3));
    case 9: return in_.one_in(2) ? kFenceI : addi(0, 0, 0);
    case 10: return in_.one_in(2) ? kEcall : kEbreak;
    default: return in_.one_in(2) ? kIllegal : csr(2, dst(), kNoSuchCsr, 0);
  }
}

uint32_t Generator::harmless16() {
  const auto imm6 = static_cast<int32_t>(in_.below(64)) - 32;
  switch (in_.below(14)) {
    case 0: return ci(0, dst(), imm6, 1);                                // c.addi
    case 1: return ci(2, dst(), imm6, 1);                                // c.li
    case 2: return ci(3, dst(), imm6 ? imm6 : 1, 1);                     // c.lui
    case 3:  // c.add, c.mv
      return (in_.one_in(2) ? 0x9u : 0x8u) << 12 | dst() << 7 | (1 + in_.below(31)) << 2 | 2;
    case 4: return ci(0, dst(), static_cast<int32_t>(in_.below(32)), 2);  // c.slli
    case 5: return 4u << 13 | in_.below(2) << 10 | (cdst() - 8) << 7 | in_.below(32) << 2 | 1;  // c.srli/srai
    case 6: return 4u << 13 | bit(static_cast<uint32_t>(imm6), 5, 12) | 2u << 10 | (cdst() - 8) << 7 |
                   (static_cast<uint32_t>(imm6) & 31) << 2 | 1;          // c.andi
    case 7: return 0x23u << 10 | (cdst() - 8) << 7 | in_.below(4) << 5 | (csrc() - 8) << 2 | 1;  // c.sub..and
    case 8: return in_.one_in(2) ? kCNop : c_j(2);
    case 9: return compressed_data_access();
    case 10: {  // c.lwsp, c.swsp (sp points into the data page)
      const uint32_t off = in_.below(64) * 4;
      if (in_.one_in(2))
        return 2u << 13 | bit(off, 5, 12) | dst() << 7 | (off >> 2 & 7) << 4 | (off >> 6 & 3) << 2 | 2;
      return 6u << 13 | (off >> 2 & 15) << 9 | (off >> 6 & 3) << 7 | src() << 2 | 2;
    }
    case 11: {  // c.addi4spn
      const uint32_t u = (1 + in_.below(255)) * 4;
      return bit(u, 5, 12) | bit(u, 4, 11) | (u >> 6 & 15) << 7 | bit(u, 2, 6) | bit(u, 3, 5) |
             (cdst() - 8) << 2;
    }
    case 12: return kCEbreak;
    default: return 0x0000;  // illegal (c.unimp)
  }
}

void Generator::item(Context c, int depth) {
  switch (in_.below(30)) {
    case 0: case 1: case 2: case 3: return a_.emit32(alu32());
    case 4: case 5: return a_.emit16(harmless16());
    case 6: return li(dst(), value());
    case 7: return division();
    case 8: case 9: return load_store();
    case 10: return atomic();
    case 11: case 12: return csr_access();
    case 13: return trap();
    case 14: return arm_timer();
    case 15: return software_interrupt();
    case 16: case 17:
      if (depth < 2) return forward_branch(c, depth);
      return a_.emit32(alu32());
    case 18: case 19:
      if (c.can_loop) return loop();
      return a_.emit16(harmless16());
    case 20: case 21:
      if (c.can_call) return call();
      return a_.emit32(harmless32());
    case 22: return new_site({-1, in_.one_in(2) ? 4u : 2u, false});
    case 23: case 24: return self_modify(c, depth);
    case 25:
      if (c.can_call) return write_and_call();
      return a_.emit32(harmless32());
    case 26:
      if (c.can_call) return recursion();
      return a_.emit32(harmless32());
    case 27:
      if (c.can_loop) return straddling_loop();
      return a_.emit32(harmless32());
    case 28: return constant_arithmetic();
    default: return mret_jump();
  }
}

// Division by zero and the one overflowing division, with the operands set up just before.
void Generator::division() {
  const unsigned a = dst(), b = dst();
  li(a, in_.one_in(2) ? 0x80000000u : value());
  li(b, in_.one_in(2) ? ~0u : 0);
  a_.emit32(r_type(1, b, a, 4 + in_.below(4), dst(), 0x33));
}

// What the native backend's optimizer rewrites: arithmetic on a constant just loaded
// (multiplication, division and remainder by powers of two, by zero and one, either operand),
// a move whose copy is read next, and a write overwritten before anything reads it.
void Generator::constant_arithmetic() {
  static const uint32_t kConstants[] = {0, 1, 2, 8, 4096, 0x80000000u, 3, ~0u};
  const unsigned c = dst(), m = dst_except(c);
  li(c, kConstants[in_.below(8)]);
  a_.emit32(addi(m, src(), 0));  // mv m, x
  const uint32_t f3 = "\0\0\5\7\4\6\1\3"[in_.below(8)];  // mul, mul, divu, remu, div, rem, mulh, mulhu
  a_.emit32(in_.one_in(2) ? r_type(1, c, m, f3, dst(), 0x33) : r_type(1, m, c, f3, dst(), 0x33));
  const unsigned d = dst();
  a_.emit32(r_type(0, c, src(), in_.below(8), d, 0x33));  // maybe dead:
  if (in_.one_in(2)) a_.emit32(addi(d, m, static_cast<int32_t>(in_.below(64))));  // overwritten at once
}

void Generator::load_store() {
  static const uint32_t kLoads[] = {0, 1, 2, 4, 5}, kBytes[] = {1, 2, 4, 0, 1, 2};
  const unsigned kind = in_.below(10), t = dst();
  const uint32_t f3 = kLoads[in_.below(5)];
  switch (kind) {
    case 0: case 1: case 2: return a_.emit32(load(f3, dst(), base, data_offset(kBytes[f3])));
    case 3: case 4: {
      const uint32_t s = in_.below(3);
      return a_.emit32(s_type(data_offset(1u << s), src(), base, s));
    }
    case 5: return a_.emit16(compressed_data_access());
    case 6: return a_.emit16(harmless16());
    case 7:  // through a computed address (base + register offset)
      li(t, kData + (in_.below(4096) & ~3u));
      return a_.emit32(in_.one_in(2) ? load(f3, dst(), t, 0) : s_type(0, src(), t, in_.below(3)));
    case 8:  // the CLINT's mtime or mtimecmp, either half
      li(t, in_.one_in(2) ? kMtime : kMtimecmp);
      return a_.emit32(load(2, dst(), t, in_.one_in(2) ? 4 : 0));
    default:  // code, possibly patched since
      li(t, kBase + (in_.below(0x6000) & ~1u));
      return a_.emit32(load(in_.one_in(2) ? 5 : 1, dst(), t, 0));
  }
}

void Generator::atomic() {
  static const uint32_t kAmos[] = {0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c};
  const unsigned t = dst();
  a_.emit32(addi(t, base, data_offset(4)));
  switch (in_.below(3)) {
    case 0:  // a reservation, maybe lost to a store in between
      a_.emit32(amo(0x02, dst(), t, 0));
      if (in_.one_in(2)) a_.emit32(s_type(data_offset(4), src(), base, 2));
      return a_.emit32(amo(0x03, dst(), t, src()));
    case 1: return a_.emit32(amo(0x03, dst(), t, src()));  // sc.w without a reservation
    default: return a_.emit32(amo(kAmos[in_.below(9)], dst(), t, src()));
  }
}

void Generator::csr_access() {
  static const uint16_t kReadable[] = {0x340, 0x341, 0x342, 0x343, 0x300, 0x304, 0x344, 0xc00, 0xc01, 0xc02,
                                       0xc80, 0xc81, 0xc82, 0xb00, 0xb02, 0xb80, 0xb82, 0x301, 0xf14, 0x305};
  static const uint16_t kScratch[] = {kCsrMscratch, kCsrMepc, kCsrMcause, kCsrMtval};
  static const uint16_t kCounters[] = {0xb00, 0xb02, 0xb80, 0xb82};  // mcycle, minstret, upper halves
  switch (in_.below(8)) {
    case 0: case 1: return a_.emit32(csr(2, dst(), kReadable[in_.below(std::size(kReadable))], 0));
    case 2: return a_.emit32(csr(1 + in_.below(3), dst(), kScratch[in_.below(4)], src()));
    case 3: return a_.emit32(csr(5 + in_.below(3), dst(), kScratch[in_.below(4)], in_.below(32)));
    case 4: return a_.emit32(csr(6 + in_.below(2), in_.one_in(2) ? 0 : dst(), kCsrMstatus, 8));  // MIE on/off
    case 5: case 6: {  // MTIE/MSIE in mie, MPIE in mstatus
      const unsigned t = dst();
      li(t, in_.one_in(2) ? 0x80 : 0x88);
      const uint16_t number = in_.one_in(3) ? kCsrMstatus : kCsrMie;
      return a_.emit32(csr(2 + in_.below(2), in_.one_in(2) ? 0 : dst(), number, t));
    }
    default: return a_.emit32(csr(1, dst(), kCounters[in_.below(4)], src()));
  }
}

void Generator::trap() {
  const unsigned t = dst();
  switch (in_.below(8)) {
    case 0: return a_.emit32(kEcall);
    case 1: return a_.emit32(kEbreak);
    case 2: return a_.emit16(in_.one_in(2) ? kCEbreak : 0x0000);
    case 3: return a_.emit32(in_.one_in(2) ? kIllegal : csr(2, dst(), kNoSuchCsr, 0));
    case 4: return a_.emit32(csr(1, dst(), 0xc00 + in_.below(3), src()));  // a write to a read-only counter
    case 5: {  // misaligned
      const auto off = static_cast<int32_t>(in_.below(256)) * 4 + 1 + in_.below(3);
      if (in_.one_in(3)) return a_.emit32(in_.one_in(2) ? load(in_.one_in(2) ? 2 : 5, dst(), base, off)
                                                        : s_type(off, src(), base, 1 + in_.below(2)));
      a_.emit32(addi(t, base, off));
      return a_.emit32(amo(in_.one_in(2) ? 0x02 : 0x01, dst(), t, src()));
    }
    default: {  // nothing there: an access fault
      static const uint32_t kNowhere[] = {0, 0x1000, kBase + kProgramRamSize, 0x90000000u, 0xfffff000u};
      li(t, kNowhere[in_.below(5)] + in_.below(64) * 4);
      return a_.emit32(in_.one_in(2) ? load(2, dst(), t, 0) : s_type(0, src(), t, 2));
    }
  }
}

// mtimecmp = mtime + a few ticks (a tick is 10 steps), maybe with the interrupt enabled and WFI.
void Generator::arm_timer() {
  const unsigned t = dst(), v = dst_except(t);
  li(t, kMtime);
  a_.emit32(load(2, v, t, 0));
  a_.emit32(addi(v, v, 1 + static_cast<int32_t>(in_.below(64))));
  li(t, kMtimecmp);
  a_.emit32(s_type(0, v, t, 2));
  a_.emit32(s_type(4, 0, t, 2));
  if (in_.one_in(2)) return;
  li(t, 0x80);
  a_.emit32(csr(2, 0, kCsrMie, t));
  if (!in_.one_in(3)) a_.emit32(csr(6, 0, kCsrMstatus, 8));
  if (in_.one_in(3)) a_.emit32(kWfi);  // with MTIE set, the timer wakes it
}

void Generator::software_interrupt() {
  const unsigned t = dst(), v = dst_except(t);
  if (in_.one_in(4)) {  // or a byte to the UART, which both must print alike
    li(t, board::kUartBase);
    li(v, 'a' + in_.below(26));
    return a_.emit32(s_type(0, v, t, 0));
  }
  li(t, board::kClintBase);
  li(v, 1);
  a_.emit32(s_type(0, v, t, 2));  // msip
  if (in_.one_in(2)) a_.emit32(csr(6, 0, kCsrMie, 8));
  if (in_.one_in(2)) a_.emit32(csr(6, 0, kCsrMstatus, 8));
}

// A conditional (or unconditional) branch over a few items: its 4 bytes are kept, then filled in
// once the target is known, compressed (with a c.nop) when it fits.
void Generator::forward_branch(Context c, int depth) {
  const uint32_t at = a_.here();
  a_.emit32(0);
  const unsigned kind = in_.below(4), rs1 = src(), rs2 = src(), crs = csrc();
  const uint32_t f3 = "\0\1\4\5\6\7"[in_.below(6)];
  const bool nop_first = in_.one_in(2);
  for (unsigned n = 1 + in_.below(3); n; --n) item({false, c.can_call}, depth + 1);
  const auto off = static_cast<int32_t>(a_.here() - at);
  if (!fits(off, -4096, 4094)) throw std::logic_error("generator: branch out of range");
  const uint32_t from = at + (nop_first ? 2 : 0), nop_at = at + (nop_first ? 0 : 2);
  if (kind == 0 && fits(off, -250, 250)) {
    a_.put(from, c_branch(in_.one_in(2), crs, static_cast<int32_t>(a_.here() - from)), 2);
    a_.put(nop_at, kCNop, 2);
  } else if (kind == 1 && fits(off, -2040, 2040)) {
    a_.put(from, c_j(static_cast<int32_t>(a_.here() - from)), 2);
    a_.put(nop_at, kCNop, 2);
  } else if (kind == 2) {
    a_.put(at, j_type(off, 0), 4);
  } else {
    a_.put(at, b_type(off, rs1, rs2, f3), 4);
  }
}

// x9 counts down from a few to zero: nothing else writes it, so the loop ends.
void Generator::loop() {
  li(counter, 1 + in_.below(40));
  const uint32_t top = a_.here();
  for (unsigned n = 1 + in_.below(6); n; --n) item({false, true}, 1);
  if (in_.one_in(2)) a_.emit16(ci(0, counter, -1, 1));
  else a_.emit32(addi(counter, counter, -1));
  const auto off = static_cast<int32_t>(top - a_.here());
  if (off >= -256 && in_.one_in(2)) return a_.emit16(c_branch(true, counter, off));
  if (!fits(off, -4096, 4094)) throw std::logic_error("generator: loop out of range");
  a_.emit32(in_.one_in(2) ? b_type(off, counter, 0, 1) : b_type(off, 0, counter, 4));  // bnez, bgtz
}

// A loop across the end of a page (its blocks in two pages, chained from one to the other):
// harmless instructions up to a few bytes before the next page boundary, then the loop. Only
// where the boundary is near (the padding stays short).
void Generator::straddling_loop() {
  const uint32_t to_boundary = kPageSize - (a_.here() & (kPageSize - 1));
  if (to_boundary > 0x180 || a_.here() + to_boundary + kMainMargin > kMainEnd) return loop();
  const uint32_t stop = 4 + 2 * in_.below(12);  // 4..26 bytes before it
  while (kPageSize - (a_.here() & (kPageSize - 1)) > stop && (a_.here() & (kPageSize - 1)) != 0)
    a_.emit16(harmless16());
  loop();
}

void Generator::call() {
  const unsigned t = dst(), u = dst_except(t);
  switch (in_.below(4)) {
    case 0: {  // near, backwards in the same page
      const auto off = static_cast<int32_t>(near_[in_.below(2)] - a_.here());
      if (off >= -2048 && in_.one_in(2)) return a_.emit16(c_jal(off));
      return a_.emit32(j_type(off, ra));
    }
    case 1: return a_.emit32(j_type(static_cast<int32_t>(far_function() - a_.here()), ra));
    case 2:  // one of the far functions by the loop counter: an indirect call that changes target
      li(t, kFar);
      a_.emit32(i_type(3, counter, 7, u, 0x13));       // andi
      a_.emit32(r_type(0, kFarShift, u, 1, u, 0x13));  // slli
      a_.emit32(r_type(0, u, t, 0, t, 0x33));          // add
      if (in_.one_in(2)) return a_.emit16(c_jr(true, t));
      return a_.emit32(jalr(ra, t, in_.one_in(4) ? 1 : 0));  // bit 0 of the target is dropped
    default: {  // auipc + jalr (or lui + jalr) to any function
      const int l = a_.label_at(in_.one_in(2) ? near_[in_.below(2)] : far_function());
      return a_.hi_lo(in_.one_in(2) ? lui(t, 0) : t << 7 | 0x17, jalr(ra, t, 0), l);
    }
  }
}

// A function calling itself up to 40 deep (deeper than the translator's 16-entry return stack,
// which wraps), each level saving ra on the stack (sp, in the data page) and returning through
// every level: jumped over, then called.
void Generator::recursion() {
  const unsigned t = dst();
  const uint32_t jump_over = a_.here();
  a_.emit32(0);
  const uint32_t function = a_.here();
  a_.emit32(addi(sp, sp, -4));
  a_.emit32(s_type(0, ra, sp, 2));  // sw ra, 0(sp)
  a_.emit32(addi(t, t, -1));
  a_.emit32(b_type(8, t, 0, 0));    // beqz t, over the call
  a_.emit32(j_type(static_cast<int32_t>(function - a_.here()), ra));
  a_.emit32(load(2, ra, sp, 0));    // lw ra, 0(sp)
  a_.emit32(addi(sp, sp, 4));
  a_.emit32(jalr(0, ra, 0));        // ret
  a_.put(jump_over, j_type(static_cast<int32_t>(a_.here() - jump_over), 0), 4);
  li(t, 1 + in_.below(40));
  a_.emit32(j_type(static_cast<int32_t>(function - a_.here()), ra));
}

// A patch site: its label is bound here (or was made earlier by the store that patches it).
void Generator::new_site(Site s) {
  if (s.label < 0) s.label = a_.label();
  if (s.aligned) a_.align4();
  s.aligned = (a_.here() & 3) == 0;
  a_.bind(s.label);
  if (s.size == 4) a_.emit32(harmless32());
  else a_.emit16(harmless16());
  sites_.push_back(s);
}

// New instructions stored over a patch site: one that already ran (or runs again in a loop or
// a function, maybe in another page), or one a few items on, or right after the store, in the
// same block. Then, sometimes, FENCE.I (vmscope's stores keep decoded code coherent without it).
void Generator::self_modify(Context c, int depth) {
  const bool earlier = !sites_.empty() && in_.one_in(2);
  Site s = earlier ? sites_[in_.below(static_cast<unsigned>(std::min<size_t>(sites_.size(), 65536)))]
                   : Site{a_.label(), in_.one_in(2) ? 4u : 2u, in_.one_in(2)};
  const uint32_t content = s.size == 4 ? harmless32() : harmless16();
  const unsigned how = in_.below(4);
  const bool compressed = s.size == 4 && s.aligned && how == 0;
  const unsigned t = compressed ? cdst() : dst();
  unsigned v = compressed ? cdst() : dst_except(t);
  if (v == t) v = t == 10 ? 11 : 10;
  if (in_.one_in(2)) a_.hi_lo(lui(t, 0), addi(t, t, 0), s.label);
  else a_.hi_lo(t << 7 | 0x17, addi(t, t, 0), s.label);  // auipc
  li(v, content);
  if (s.size == 4 && s.aligned && how < 3) {
    if (how == 0) a_.emit16(c_lw(true, v, t, 0));
    else if (how == 1) a_.emit32(s_type(0, v, t, 2));
    else a_.emit32(amo(0x01, in_.one_in(2) ? 0 : dst(), t, v));  // amoswap.w
  } else {
    const unsigned step = how == 3 ? 1 : 2;  // bytes or halves; what is in between never runs
    for (unsigned off = 0; off < s.size; off += step) {
      if (off) a_.emit32(r_type(0, 8 * step, v, 5, v, 0x13));  // srli
      a_.emit32(s_type(static_cast<int32_t>(off), v, t, step == 1 ? 0 : 1));
    }
  }
  if (in_.one_in(2)) a_.emit32(kFenceI);
  if (earlier) return;
  if (depth < 2)
    for (unsigned n = in_.below(4); n; --n) item({false, c.can_call}, depth + 1);
  new_site(s);
}

// A jump through MRET to the next instruction, with interrupts off while mepc is set up.
void Generator::mret_jump() {
  const unsigned t = dst();
  const int l = a_.label();
  a_.emit32(csr(7, 0, kCsrMstatus, 8));
  li(t, 0x1800 | (in_.one_in(2) ? 0x80 : 0));  // MPP = M, maybe MPIE
  a_.emit32(csr(2, 0, kCsrMstatus, t));
  a_.hi_lo(lui(t, 0), addi(t, t, 0), l);
  a_.emit32(csr(1, 0, kCsrMepc, t));
  a_.emit32(kMret);
  a_.bind(l);
}

// Code made at run time in page 9: a few harmless words and a return, stored (through the write
// fast path while the page has never run, through the slow path after), then called.
void Generator::write_and_call() {
  const unsigned t = dst(), v = dst_except(t);
  li(t, kWritten + in_.below(kWrittenSlots) * kWrittenStride);
  const unsigned n = in_.below(kWrittenStride / 4);
  for (unsigned i = 0; i <= n; ++i) {
    li(v, i < n ? harmless32() : jalr(0, ra, 0));
    a_.emit32(s_type(static_cast<int32_t>(4 * i), v, t, 2));
  }
  if (in_.one_in(2)) a_.emit32(kFenceI);
  if (in_.one_in(2)) a_.emit16(c_jr(true, t));
  else a_.emit32(jalr(ra, t, 0));
}

// A leaf: no loops (x9 belongs to the caller's), no calls (ra is the return address).
void Generator::function(Context c) {
  const uint32_t start = a_.here();
  while (!in_.empty() && a_.here() - start < 96) item(c, 1);  // then at most 220 bytes more
  if (in_.one_in(2)) a_.emit16(c_jr(false, ra));
  else a_.emit32(jalr(0, ra, 0));
}

// Exceptions: skip the instruction (its low bits give its length). Interrupts: clear msip, or
// for the timer either turn MTIE off or move mtimecmp a few ticks on (interrupts keep coming).
// Vectored or direct, as the input says. Uses x30/x31 only.
void Generator::handler() {
  const bool vectored = in_.one_in(2), push_timer = in_.one_in(2);
  const auto delta = static_cast<int32_t>(3 + in_.below(40));
  a_.org(kHandler);
  const uint32_t table = a_.here();
  if (vectored) a_.org(table + 32);
  const uint32_t exception = a_.here();
  a_.emit32(csr(2, h1, kCsrMcause, 0));
  const uint32_t to_interrupt = a_.here();
  a_.emit32(0);  // blt x31, x0, interrupt
  a_.emit32(csr(2, h0, kCsrMepc, 0));
  a_.emit32(load(5, h1, h0, 0));  // lhu
  a_.emit32(i_type(3, h1, 7, h1, 0x13));
  a_.emit32(addi(h0, h0, 2));
  a_.emit32(addi(h1, h1, -3));
  a_.emit32(b_type(8, h1, 0, 1));  // bne: a compressed instruction, 2 bytes
  a_.emit32(addi(h0, h0, 2));
  a_.emit32(csr(1, 0, kCsrMepc, h0));
  a_.emit32(kMret);
  const uint32_t interrupt = a_.here();
  a_.put(to_interrupt, b_type(static_cast<int32_t>(interrupt - to_interrupt), h1, 0, 4), 4);
  a_.emit32(r_type(0, 1, h1, 1, h1, 0x13));  // slli 1: drop the interrupt bit
  a_.emit32(addi(h1, h1, -14));               // machine timer: 7
  const uint32_t to_timer = a_.here();
  a_.emit32(0);
  const uint32_t software = a_.here();
  a_.emit32(lui(h0, board::kClintBase));
  a_.emit32(s_type(0, 0, h0, 2));
  a_.emit32(kMret);
  const uint32_t timer = a_.here();
  a_.put(to_timer, b_type(static_cast<int32_t>(timer - to_timer), h1, 0, 0), 4);
  if (push_timer) {
    li(h0, kMtime);
    a_.emit32(load(2, h1, h0, 0));
    a_.emit32(addi(h1, h1, delta));
    li(h0, kMtimecmp);
    a_.emit32(s_type(0, h1, h0, 2));
  } else {
    li(h0, 0x80);
    a_.emit32(csr(3, 0, kCsrMie, h0));
  }
  a_.emit32(kMret);
  if (vectored) {
    for (uint32_t at = table; at < exception; at += 4) a_.put(at, addi(0, 0, 0), 4);
    a_.put(table, j_type(static_cast<int32_t>(exception - table), 0), 4);
    a_.put(table + 3 * 4, j_type(static_cast<int32_t>(software - table - 12), 0), 4);
    a_.put(table + 7 * 4, j_type(static_cast<int32_t>(timer - table - 28), 0), 4);
  }
  handler_end_ = a_.here();
  mtvec_ = table | (vectored ? 1 : 0);
}

TranslatorProgram Generator::make() {
  TranslatorProgram p;
  const uint8_t options = in_.byte();
  p.translator.chaining = !(options & 1);
  if (options & 2) {  // the smallest cache: blocks are evicted (or everything flushed) all the time
    p.translator.capacity_kib = kMinCacheKib;
    p.translator.eviction = options & 4 ? Eviction::flush : Eviction::fifo;
  }
  if ((options & 0x18) == 0x18) {  // runs that end anywhere: inside blocks, at interrupts, in WFI
    static const uint32_t kSlices[] = {1, 2, 3, 5, 8, 13, 64, 1000};
    p.slice = kSlices[options >> 5];
  }
  // Half the programs are compared every so many steps rather than after every block: native
  // code then follows its links (loops on themselves, links to other pages, predicted returns)
  // as in a normal run.
  if (const uint8_t every = in_.byte(); every & 1) p.compare_every = 97 + (every >> 1) * 13u;
  // Most programs make traces after a block's first few entries (hot paths, side exits, stores
  // into traces, interrupts inside them); the rest keep the default threshold.
  if (const uint8_t traces = in_.byte(); traces % 4) p.translator.trace_threshold = 1 + traces % 8;
  handler();
  std::vector<std::pair<uint32_t, uint32_t>> far;
  for (uint32_t k = 0; k < kFarCount; ++k) {
    a_.org(kFar + k * kFarStride);
    function({false, false});
    far.push_back({kFar + k * kFarStride, a_.here()});
  }

  a_.org(kBase);
  li(h0, mtvec_);
  a_.emit32(csr(1, 0, kCsrMtvec, h0));
  li(base, kData + 0x800);
  li(sp, kData + 0x100);
  for (unsigned r : kWritable)
    if (in_.one_in(2)) li(r, value());
  if (in_.one_in(4)) arm_timer();
  const uint32_t to_main = a_.here();
  a_.emit32(0);
  for (int k = 0; k < 2; ++k) {
    near_.push_back(a_.here());
    function({false, false});
  }
  a_.put(to_main, j_type(static_cast<int32_t>(a_.here() - to_main), 0), 4);
  while (!in_.empty() && a_.here() < kMainEnd - kMainMargin) item({true, true}, 0);
  li(5, board::kTestDeviceBase);  // the end, exit code 0 (not with x30/x31: interrupts change them)
  li(6, 0x5555);
  a_.emit32(s_type(0, 6, 5, 2));
  a_.emit32(j_type(0, 0));
  if (a_.here() > kMainEnd) throw std::logic_error("generator: main code too long");
  a_.resolve();
  p.code = {{kBase, a_.here()}};
  p.code.insert(p.code.end(), far.begin(), far.end());
  p.code.push_back({kHandler, handler_end_});

  // Data: a pattern the loads can tell apart.
  for (uint32_t i = 0; i < 4096; ++i)
    a_.image[kData - kBase + i] = static_cast<uint8_t>((i * 0x9e3779b1u) >> 24);

  // ELF32: the header, one RWX PT_LOAD segment for the whole image at the RAM base.
  std::vector<uint8_t>& e = p.elf;
  e.assign(kElfHeaderBytes, 0);
  auto put = [&e](size_t at, uint32_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) e[at + i] = static_cast<uint8_t>(v >> 8 * i);
  };
  put(0, 0x464c457f, 4);  // \x7fELF
  put(4, 0x010101, 3);     // ELFCLASS32, little-endian, version 1
  put(16, 2, 2);           // ET_EXEC
  put(18, 243, 2);         // EM_RISCV
  put(20, 1, 4);
  put(24, kBase, 4);       // entry
  put(28, 52, 4);          // program headers
  put(36, 1, 4);           // EF_RISCV_RVC
  put(40, 52, 2);
  put(42, 32, 2);
  put(44, 1, 2);
  put(52, 1, 4);           // PT_LOAD
  put(56, kElfHeaderBytes, 4);
  put(60, kBase, 4);
  put(64, kBase, 4);
  put(68, kImageSize, 4);
  put(72, kImageSize, 4);
  put(76, 7, 4);           // RWX
  put(80, 4096, 4);
  e.insert(e.end(), a_.image.begin(), a_.image.end());
  return p;
}

}  // namespace

TranslatorProgram make_program(const uint8_t* data, size_t size) { return Generator(data, size).make(); }

LockstepResult run_in_lockstep(const TranslatorProgram& program, uint64_t max_steps, TranslatorPaths* seen) {
  MachineOptions o;
  o.kind = MachineKind::system;
  o.ram_size = kProgramRamSize;
  o.firmware = Firmware::none;
  o.translator = program.translator;
  Lockstep lockstep(o, program.compare_every);
  const ElfResult loaded = lockstep.load(program.elf, "generated.elf");
  if (!loaded.ok()) {
    LockstepResult r;
    r.difference = "the generated program does not load: " + loaded.message;
    return r;
  }
  auto note_paths = [&] {
    if (!seen) return;
    const BlockCache& c = lockstep.translated().block_cache();
    seen->returns_predicted += c.returns.predicted;
    seen->chained_entries += c.chained_entries();
    seen->evicted += c.stats.evicted;
    seen->invalidated += c.stats.invalidated;
    seen->traces_made += c.stats.traces;
    seen->traces_dropped += c.stats.traces_dropped;
    if (const TierStats* t = c.backend().tiers()) {
      seen->modules_made += t->modules_made;
      seen->modules_evicted += t->modules_evicted;
      seen->modules_dropped += t->modules_dropped;
    }
  };
  uint64_t done = 0;
  for (unsigned i = 0; program.slice && i < kMaxSlices && done < max_steps; ++i) {
    const LockstepResult r = lockstep.run(std::min<uint64_t>(program.slice, max_steps - done));
    done += r.run.steps;
    if (!r.ok() || r.run.reason != StopReason::budget) {
      note_paths();
      return r;
    }
  }
  const LockstepResult r = lockstep.run(max_steps - done);
  note_paths();
  return r;
}

std::string listing(const TranslatorProgram& program) {
  char options[200];
  std::snprintf(options, sizeof options,
                "chaining %s, cache %u KiB, eviction %s, traces after %u entries, runs of %u steps first, compared every %u "
                "steps (0: block)\n",
                program.translator.chaining ? "on" : "off", program.translator.capacity_kib,
                to_string(program.translator.eviction), program.translator.trace_threshold, program.slice,
                program.compare_every);
  std::string text = options;
  isa::Disassembler disassembler;
  auto byte = [&](uint32_t address) { return uint32_t{program.elf[kElfHeaderBytes + address - kBase]}; };
  for (const auto& [begin, end] : program.code) {
    disassembler.reset();
    for (uint32_t pc = begin; pc < end;) {
      uint32_t word = byte(pc) | byte(pc + 1) << 8;
      const unsigned length = (word & 3) == 3 ? 4 : 2;
      if (length == 4) word |= byte(pc + 2) << 16 | byte(pc + 3) << 24;
      char line[48];
      std::snprintf(line, sizeof line, length == 4 ? "%08x: %08x  " : "%08x: %04x      ", pc, word);
      text += line + disassembler.disassemble(pc, word) + "\n";
      pc += length;
    }
    text += "\n";
  }
  return text;
}

}  // namespace vmscope::fuzz
