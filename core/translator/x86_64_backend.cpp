// The native backend: each block becomes x86-64 machine code. Guest registers live in memory
// (rbx points at them), the block's most used ones in host registers while it runs, so every
// guest instruction is a handful of host instructions with no dispatch; loads and stores look
// the hart's micro-TLBs up inline (a miss asks the hart to refill the entry). Anything else — a
// fault, a device, a system instruction — hands the block over to its threaded code at that very
// instruction (which runs the hart's slow paths), so native code never needs a slow path of its
// own and exceptions stay exactly where the interpreter has them. Instructions go through the
// optimizer (optimizer.h) first. Direct exits are patched into jumps straight to the successor's
// code (to another page through a check of the code epoch), a loop on itself runs its turns in
// its own code, returns are predicted (block_cache.h's ReturnStack), and hot paths through
// several blocks become traces (trace.h, compile_trace).
//
// Host registers: rbp = NativeContext (the micro-TLBs and the page's virtual address are read
// from it), rbx = guest registers, r8-r14 = cached guest registers, r15 = the budget
// (ctx.remaining, written back on the way out). rax, rcx, rdx, rsi are scratch; so is rdi, except
// in a loop on itself or a loop trace (its turn count). The stack holds kPageSlots page slots:
// the last page a load or store site reached and its host addend, so that a loop's accesses to
// the same page (or a block's through the same base register) skip the micro-TLB
// (see plan_page_slots).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "isa/isa_table.h"
#include "translator/backend.h"
#include "translator/block_cache.h"
#include "translator/code_arena.h"
#include "translator/native_context.h"
#include "translator/optimizer.h"

namespace vmscope {

#if defined(__x86_64__) && defined(__linux__)
}  // namespace vmscope
#include <capstone/capstone.h>
namespace vmscope {
namespace {

using isa::Op;

enum Reg : uint8_t {
  RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
  R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14
};
// Host registers that cache a block's most used guest registers (r8-r11 are caller-saved: kept
// across the division helpers' calls by push/pop; r12-r14 the helpers keep themselves).
constexpr Reg kCacheRegs[] = {R8, R9, R10, R11, R12, R13, R14};
constexpr unsigned kPageSlots = 16;       // page slots on the stack, 16 bytes each: tag u32, addend u64
constexpr uint32_t kNoPage = 0xffffffff;  // a tag no masked address equals (its low bits are never all set)
enum Cond : uint8_t { kBelow = 0x2, kAboveEq = 0x3, kEq = 0x4, kNotEq = 0x5, kLess = 0xc, kGreaterEq = 0xd };

// NativeContext's fields, addressed as [rbp + disp8].
constexpr uint8_t kCtxX = offsetof(NativeContext, x), kCtxReadTlb = offsetof(NativeContext, read_tlb),
                  kCtxWriteTlb = offsetof(NativeContext, write_tlb), kCtxRemaining = offsetof(NativeContext, remaining),
                  kCtxBlock = offsetof(NativeContext, block), kCtxPageVbase = offsetof(NativeContext, page_vbase),
                  kCtxPc = offsetof(NativeContext, pc), kCtxHart = offsetof(NativeContext, hart),
                  kCtxRefill = offsetof(NativeContext, refill);
static_assert(sizeof(NativeContext) <= 128, "the context's fields are reached with 8-bit displacements");
constexpr uint32_t kTlbEntryShift = 4;  // 16-byte micro-TLB entries
constexpr uint32_t kTlbIndexMask = 0xff << kTlbEntryShift;

// Native code of one block: where it lives, and where its parts are (for links and listings).
struct NativeCode {
  CodeArena* arena = nullptr;
  uint8_t* code = nullptr;
  size_t size = 0;
  std::vector<uint32_t> op_start;  // offset of each guest instruction's code (+ one past the body)
  int32_t link_site[2] = {-1, -1};  // offset of each exit's patchable jmp rel32
  int32_t indirect_site = -1;       // an indirect exit's patchable imm32: the linked target's page offset
  int32_t loop_head = -1;           // a block that jumps to its own start: where its next turn enters,
                                    // its guest registers still in host registers
  bool self_exit[2] = {false, false};  // exits to the block's own start (linked to loop_head)
  // A branch back to the block's own start: its jcc's rel32, which linking points straight at the
  // loop head (one jump less a turn), and the way out it goes to while unlinked.
  int32_t self_jcc = -1, self_stub = -1;
  // A direct exit to another page: linked, its jmp goes to a stub that checks the code epoch,
  // moves the page's virtual address to the other page and jumps on. Offsets of the stub, its epoch imm64 and its jump.
  int32_t cross_stub[2] = {-1, -1}, cross_epoch[2] = {-1, -1}, cross_jump[2] = {-1, -1};
  int32_t cross_delta[2] = {0, 0};  // the other page's virtual address minus this one's
  ReturnSlot return_slot;           // a call's: the block its callee returns to (return prediction)
  std::string summary;              // what the code does beyond one instruction at a time (the views)
  // Where each exit's way out continues once the block's registers are written back: a trace
  // leaving through this block's exit k jumps here (with a jalr's target in eax).
  int32_t exit_entry[2] = {-1, -1};
  ~NativeCode() {
    if (arena) arena->release(code, size);  // (none: never placed)
  }
};

// Native code of a trace, and which of its blocks' instructions each part came from (listings).
struct TraceCode {
  CodeArena* arena = nullptr;
  uint8_t* code = nullptr;
  size_t size = 0;
  struct Mark {
    uint32_t offset;
    int block, op;  // op: -1 a block's entry, its count: its ways out
  };
  std::vector<Mark> marks;  // in code order
  uint32_t cold_start = 0;  // where the side exits and hand-overs begin
  std::string summary;
  ~TraceCode() {
    if (arena) arena->release(code, size);
  }
};

uint32_t guest_div(uint32_t a, uint32_t b) {
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  return b == 0 ? ~0u : (sa == INT32_MIN && sb == -1) ? a : static_cast<uint32_t>(sa / sb);
}
uint32_t guest_divu(uint32_t a, uint32_t b) { return b == 0 ? ~0u : a / b; }
uint32_t guest_rem(uint32_t a, uint32_t b) {
  const auto sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  return b == 0 ? a : (sa == INT32_MIN && sb == -1) ? 0 : static_cast<uint32_t>(sa % sb);
}
uint32_t guest_remu(uint32_t a, uint32_t b) { return b == 0 ? a : a % b; }

// A small x86-64 encoder: just the forms this backend emits.
class Emitter {
 public:
  std::vector<uint8_t> bytes;
  // rel32 fields to resolve once the code has its address: (field offset, absolute target)
  std::vector<std::pair<size_t, const void*>> absolute_fixups;

  size_t size() const { return bytes.size(); }
  void b(std::initializer_list<uint8_t> list) { bytes.insert(bytes.end(), list); }
  void u8(uint8_t v) { bytes.push_back(v); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void patch32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }

  // op r32, [rbx + 4 * guest_reg]  (mov 8B, store 89, add 03, or 0B, and 23, sub 2B, xor 33, cmp 3B)
  void guest(uint8_t opcode, Reg r, unsigned guest_reg) {
    if (r >= 8) u8(0x44);
    u8(opcode);
    u8(static_cast<uint8_t>(0x83 | (r & 7) << 3));
    u32(4 * guest_reg);
  }
  void load_guest(Reg r, unsigned g) { guest(0x8b, r, g); }
  void store_guest(unsigned g, Reg r) { guest(0x89, r, g); }
  // movsxd r64, dword [rbx + 4 * g]
  void load_guest_sx64(Reg r, unsigned g) {
    u8(0x48);
    u8(0x63);
    u8(static_cast<uint8_t>(0x83 | (r & 7) << 3));
    u32(4 * g);
  }
  void mov_imm(Reg r, uint32_t v) {
    u8(static_cast<uint8_t>(0xb8 + r));
    u32(v);
  }
  void mov_imm64_rax(const void* p) {
    b({0x48, 0xb8});
    u64(reinterpret_cast<uint64_t>(p));
  }
  void mov_rr(Reg dst, Reg src) {  // 32-bit
    if (src >= 8 || dst >= 8) u8(static_cast<uint8_t>(0x40 | (src >= 8 ? 4 : 0) | (dst >= 8 ? 1 : 0)));
    u8(0x89);
    u8(static_cast<uint8_t>(0xc0 | (src & 7) << 3 | (dst & 7)));
  }
  // op r32, imm32 (digit: add 0, or 1, and 4, sub 5, xor 6, cmp 7)
  void alu_imm(uint8_t digit, Reg r, uint32_t imm) {
    if (r >= 8) u8(0x41);
    u8(0x81);
    u8(static_cast<uint8_t>(0xc0 | digit << 3 | (r & 7)));
    u32(imm);
  }
  void shift_imm(uint8_t digit, Reg r, uint8_t count) {  // shl 4, shr 5, sar 7
    if (r >= 8) u8(0x41);
    u8(0xc1);
    u8(static_cast<uint8_t>(0xc0 | digit << 3 | (r & 7)));
    u8(count);
  }
  void shift_cl(uint8_t digit, Reg r) {
    u8(0xd3);
    u8(static_cast<uint8_t>(0xc0 | digit << 3 | r));
  }
  // op r32, r/m32 with both registers (mov 8B, add 03, or 0B, and 23, sub 2B, xor 33, cmp 3B)
  void rr(uint8_t opcode, Reg r, Reg rm) {
    if (r >= 8 || rm >= 8) u8(static_cast<uint8_t>(0x40 | (r >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0)));
    u8(opcode);
    u8(static_cast<uint8_t>(0xc0 | (r & 7) << 3 | (rm & 7)));
  }
  void push(Reg r) { if (r >= 8) u8(0x41); u8(static_cast<uint8_t>(0x50 | (r & 7))); }
  void pop(Reg r) { if (r >= 8) u8(0x41); u8(static_cast<uint8_t>(0x58 | (r & 7))); }
  void setcc(Cond c, Reg r8) { b({0x0f, static_cast<uint8_t>(0x90 | c), static_cast<uint8_t>(0xc0 | r8)}); }
  void inc_qword_at_rax() { b({0x48, 0xff, 0x00}); }
  // Jumps: return the offset of the rel32 field.
  size_t jcc(Cond c) {
    b({0x0f, static_cast<uint8_t>(0x80 | c)});
    u32(0);
    return size() - 4;
  }
  size_t jmp() {
    u8(0xe9);
    u32(0);
    return size() - 4;
  }
  void jmp_to(const void* target) { absolute_fixups.emplace_back(jmp(), target); }
  void bind(size_t rel32_at) { patch32(rel32_at, static_cast<uint32_t>(size() - (rel32_at + 4))); }
  // [rbp + disp8] forms on the context.
  void ctx_store32(uint8_t disp, Reg r) { b({0x89, static_cast<uint8_t>(0x45 | r << 3), disp}); }
  void ctx_load32(Reg r, uint8_t disp) { b({0x8b, static_cast<uint8_t>(0x45 | r << 3), disp}); }
  // [rsp + disp32] forms on the page slots (op 8B load, 89 store, 3B cmp; wide: 64-bit).
  void stack(uint8_t opcode, Reg r, uint32_t disp, bool wide = false) {
    if (wide) u8(0x48);
    b({opcode, static_cast<uint8_t>(0x84 | r << 3), 0x24});
    u32(disp);
  }
  void ctx_store64(uint8_t disp, Reg r) { b({0x48, 0x89, static_cast<uint8_t>(0x45 | r << 3), disp}); }
};

// Guest registers as a block's code sees them: the most used ones cached in host registers
// (loaded at the block's entry, written back at every way out: its exits, the hand-overs to
// threaded code, the returns to the executor), the rest in memory behind rbx. x0 is never
// cached (reads are 0, writes go to x[32]).
class GuestRegs {
 public:
  // `loops`: the block runs again and again (a loop on itself), so a register used once a turn
  // is worth a host register too.
  GuestRegs(Emitter& e, const std::vector<Slot>& ops, bool loops) : e_(e) {
    std::array<unsigned, 33> uses{};
    for (const Slot& s : ops)
      if (!is_dropped(s))
        for (const unsigned g : {s.rd, s.rs1, s.rs2})
          if (g > 0 && g < 32) ++uses[g];
    host_.fill(-1);
    for (const Reg r : kCacheRegs) {
      unsigned best = 0;
      for (unsigned g = 1; g < 32; ++g)
        if (host_[g] < 0 && uses[g] > uses[best]) best = g;
      if (!best || uses[best] < (loops ? 1u : 2u)) break;  // (used once in a straight run: nothing to gain)
      host_[best] = r;
      cached_.push_back(best);
    }
  }
  // The entry: every cached register from memory.
  void load_all() {
    for (const unsigned g : cached_) e_.guest(0x8b, host(g), g);
  }
  // Dirty cached registers back to memory (before any way out of native code).
  void write_back(uint32_t dirty) const {
    for (const unsigned g : cached_)
      if (dirty >> g & 1) e_.guest(0x89, host(g), g);
  }
  uint32_t dirty() const { return dirty_; }
  // "a0 in r8, a5 in r9" (empty: none cached).
  std::string describe() const {
    static const char* const kNames[] = {"r8", "r9", "r10", "r11", "r12", "r13", "r14"};
    std::string text;
    for (const unsigned g : cached_)
      text += (text.empty() ? "" : ", ") + std::string(isa::kAbiRegisterNames[g]) + " in " + kNames[host(g) - R8];
    return text;
  }
  // A block that loops on itself comes back with what the last turn wrote still in host
  // registers: every cached register counts as dirty from the start.
  void all_dirty() {
    for (const unsigned g : cached_) dirty_ |= 1u << g;
  }
  // Where to compute a result for guest g: its host register when cached, eax otherwise.
  Reg target(unsigned g) const { return g < 32 && host_[g] >= 0 ? host(g) : RAX; }
  // r = guest g (x0: zero, without a load)
  void load(Reg r, unsigned g) {
    if (g == 0) e_.rr(0x33, r, r);  // xor r, r
    else if (host_[g] < 0) e_.load_guest(r, g);
    else if (host(g) != r) e_.mov_rr(r, host(g));
  }
  // guest g = r
  void store(unsigned g, Reg r) {
    if (g < 32 && host_[g] >= 0) {
      if (host(g) != r) e_.mov_rr(host(g), r);
      dirty_ |= 1u << g;
    } else {
      e_.store_guest(g, r);
    }
  }
  // r = r OP guest g (add 03, or 0B, and 23, sub 2B, xor 33, cmp 3B)
  void op(uint8_t opcode, Reg r, unsigned g) {
    if (g == 0) {  // x0: adding, or-ing, xor-ing, subtracting 0 leave r as it is
      if (opcode == 0x23) e_.rr(0x33, r, r);       // and 0: zero
      else if (opcode == 0x3b) e_.alu_imm(7, r, 0);  // cmp r, 0
      return;
    }
    if (host_[g] >= 0) e_.rr(opcode, r, host(g));
    else e_.guest(opcode, r, g);
  }
  // eax *= guest g
  void imul_eax(unsigned g) {
    if (host_[g] >= 0) {
      e_.b({0x41, 0x0f, 0xaf, static_cast<uint8_t>(0xc0 | (host(g) & 7))});  // imul eax, r32
    } else {
      e_.b({0x0f, 0xaf, 0x83});  // imul eax, [rbx + disp32]
      e_.u32(4 * g);
    }
  }
  // r64 = sign-extended guest g
  void load_sx64(Reg r, unsigned g) {
    if (host_[g] >= 0) e_.b({0x49, 0x63, static_cast<uint8_t>(0xc0 | (r & 7) << 3 | (host(g) & 7))});  // movsxd
    else e_.load_guest_sx64(r, g);
  }
  // Around a call to C: r8-r11 are caller-saved (and so is rdi, a loop's turn count). `pushed`:
  // words the caller pushed first (the stack must be 16-byte aligned at the call).
  void save_for_call(bool rdi, unsigned pushed = 0) const {
    const std::vector<Reg> saved = caller_saved();
    for (const Reg r : saved) e_.push(r);
    if (rdi) e_.push(RDI);
    if ((saved.size() + rdi + pushed) % 2) e_.b({0x48, 0x83, 0xec, 0x08});  // sub rsp, 8
  }
  void restore_after_call(bool rdi, unsigned pushed = 0) const {
    const std::vector<Reg> saved = caller_saved();
    if ((saved.size() + rdi + pushed) % 2) e_.b({0x48, 0x83, 0xc4, 0x08});  // add rsp, 8
    if (rdi) e_.pop(RDI);
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) e_.pop(*it);
  }

 private:
  Reg host(unsigned g) const { return static_cast<Reg>(host_[g]); }
  std::vector<Reg> caller_saved() const {
    std::vector<Reg> out;
    for (const unsigned g : cached_)
      if (host(g) <= R11) out.push_back(host(g));
    return out;
  }
  Emitter& e_;
  std::array<int8_t, 33> host_{};
  std::vector<unsigned> cached_;
  uint32_t dirty_ = 0;
};

// Which load and store sites keep their page in a page slot (merged micro-TLB lookups). In a loop
// on itself every site has its own, checked first and filled from the micro-TLB on a miss (the
// slots start empty at the block's entry: a slot is only trusted within one entry, during which
// nothing can change the micro-TLB without leaving native code). Elsewhere, sites that use the
// same base register (unchanged in between) for the same kind of access share one: the first
// fills it from the micro-TLB, the later ones check it.
struct PageSlotUse {
  int8_t slot = -1;
  bool check = false, fill = false;
};
std::vector<PageSlotUse> plan_page_slots(const std::vector<Slot>& ops, bool loops, unsigned& used) {
  std::vector<PageSlotUse> plan(ops.size());
  used = 0;
  auto access = [](const Slot& s) -> int {  // 0 load, 1 store, -1 neither
    switch (kHandlerOp[s.handler]) {
      case Op::lb: case Op::lbu: case Op::lh: case Op::lhu: case Op::lw: return 0;
      case Op::sb: case Op::sh: case Op::sw: return 1;
      default: return -1;
    }
  };
  if (loops) {
    for (size_t i = 0; i < ops.size() && used < kPageSlots; ++i)
      if (access(ops[i]) >= 0) plan[i] = {static_cast<int8_t>(used++), true, true};
    return plan;
  }
  std::vector<std::vector<size_t>> groups, open(64);  // open[2 * base + kind]: sites so far
  auto close = [&](unsigned key) {
    if (open[key].size() >= 2) groups.push_back(open[key]);
    open[key].clear();
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    const Slot& s = ops[i];
    if (const int kind = access(s); kind >= 0) open[2 * s.rs1 + kind].push_back(i);
    if (s.rd >= 1 && s.rd < 32 && !is_dropped(s)) close(2 * s.rd), close(2 * s.rd + 1);  // its base changes
  }
  for (unsigned key = 0; key < open.size(); ++key) close(key);
  for (const auto& group : groups) {
    if (used == kPageSlots) break;
    for (size_t k = 0; k < group.size(); ++k) plan[group[k]] = {static_cast<int8_t>(used), k > 0, k == 0};
    ++used;
  }
  return plan;
}

class X86_64Backend final : public Backend {
 public:
  X86_64Backend() : arena_(256u << 20) {
    make_trampoline();
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &capstone_) != CS_ERR_OK) capstone_ = 0;  // listings fall back to threaded code
  }
  ~X86_64Backend() override {
    if (capstone_) cs_close(&capstone_);
  }
  X86_64Backend(const X86_64Backend&) = delete;
  X86_64Backend& operator=(const X86_64Backend&) = delete;

  const char* name() const override { return "x86-64 (native)"; }
  NativeEntry native_entry() const override { return entry_; }

  uint32_t emit(Block& block) const override {
    threaded_->emit(block);  // the threaded code stays: native code hands over to it
    uint32_t size = static_cast<uint32_t>(sizeof(Block) + block.ops.size() * sizeof(Slot));
    if (!entry_) return size;
    auto native = std::make_shared<NativeCode>();
    Emitter e;
    compile(block, e, *native);
    uint8_t* code = place(e);
    if (!code) return size;  // no room: this block runs as threaded code
    native->arena = &arena_;
    native->code = code;
    native->size = e.size();
    block.host = native;
    block.host_code = code;
    return size + static_cast<uint32_t>(e.size());
  }

  // Copies emitted code into the arena, its absolute jumps resolved (null: no room).
  uint8_t* place(Emitter& e) const {
    uint8_t* code = arena_.allocate(e.size());
    if (!code) return nullptr;
    for (const auto& [at, target] : e.absolute_fixups)
      e.patch32(at, static_cast<uint32_t>(static_cast<const uint8_t*>(target) - (code + at + 4)));
    std::memcpy(code, e.bytes.data(), e.size());
    return code;
  }

  uint32_t emit_trace(Trace& trace) const override {
    if (!entry_) return 0;
    for (const Block* b : trace.blocks)
      if (!b->host || !b->host_code) return 0;
    auto native = std::make_shared<TraceCode>();
    Emitter e;
    const size_t planned = trace.blocks.size();
    if (!compile_trace(trace, e, *native)) return 0;
    uint8_t* code = place(e);
    if (!code) return 0;
    native->arena = &arena_;
    native->code = code;
    native->size = e.size();
    trace.host = native;
    trace.host_code = code;
    if (trace.blocks.size() < planned) {  // shortened (a block handed over): what is left
      trace.instructions = 0;
      for (const Block* b : trace.blocks) trace.instructions += b->count;
    }
    return static_cast<uint32_t>(sizeof(Trace) + e.size());
  }

  std::string trace_summary(const Trace& trace) const override {
    const auto* native = static_cast<const TraceCode*>(trace.host.get());
    return native ? native->summary : "";
  }

  std::vector<HostLine> trace_listing(const Trace& trace) const override {
    const auto* native = static_cast<const TraceCode*>(trace.host.get());
    std::vector<HostLine> lines;
    if (!native || !capstone_) return lines;
    const auto& marks = native->marks;
    for (size_t i = 0; i < marks.size(); ++i) {
      const size_t to = i + 1 < marks.size() ? marks[i + 1].offset : native->size;
      for (HostLine& l : disassemble(native->code, native->size, marks[i].offset, to, [&](uint64_t a) -> std::string {
             if (a == reinterpret_cast<uint64_t>(&trace.entries)) return "<the trace's entry count>";
             if (a == reinterpret_cast<uint64_t>(trace.head_code)) return "<block 0's own code>";
             for (size_t b = 0; b < trace.blocks.size(); ++b) {
               const std::string which = "block " + std::to_string(b);
               if (b < trace.left.size() && a == reinterpret_cast<uint64_t>(&trace.left[b])) return "<ways out in " + which + ">";
               if (std::string named = name_in_block(*trace.blocks[b], a, which + "'s", which); !named.empty()) return named;
             }
             return "";
           })) {
        l.op = marks[i].op;
        l.block = marks[i].block;
        l.cold = marks[i].offset >= native->cold_start;
        lines.push_back(std::move(l));
      }
    }
    return lines;
  }

  void link(Block& from, unsigned exit, const Block& to) const override {
    auto* native = static_cast<NativeCode*>(from.host.get());
    if (!native || !to.host_code || native->link_site[exit] < 0) return;
    uint8_t* field = native->code + native->link_site[exit];
    // A loop on itself stays in its own code: its next turn keeps the registers in host registers.
    // (Such an exit reaches no other block: a new block at the same place is a new link.)
    if (native->self_exit[exit] && &to != &from) return;
    if (native->cross_stub[exit] >= 0) {  // to another page: the epoch now, and the target
      std::memcpy(native->code + native->cross_epoch[exit], code_epoch, 8);
      uint8_t* jump = native->code + native->cross_jump[exit];
      const auto to_target = static_cast<uint32_t>(static_cast<const uint8_t*>(to.host_code) - (jump + 4));
      std::memcpy(jump, &to_target, 4);
      const auto to_stub = static_cast<uint32_t>(native->code + native->cross_stub[exit] - (field + 4));
      std::memcpy(field, &to_stub, 4);
      return;
    }
    if (to.page() != from.page()) return;  // (a link within a page only, here)
    const uint8_t* target = native->self_exit[exit] ? native->code + native->loop_head : static_cast<const uint8_t*>(to.host_code);
    if (native->self_exit[exit] && native->self_jcc >= 0) field = native->code + native->self_jcc;  // (the branch itself)
    const auto rel = static_cast<uint32_t>(target - (field + 4));
    std::memcpy(field, &rel, 4);
    if (native->indirect_site >= 0 && exit == 0) {
      const uint32_t offset = to.start;
      std::memcpy(native->code + native->indirect_site, &offset, 4);
    }
  }

  void unlink(Block& from, unsigned exit) const override {
    auto* native = static_cast<NativeCode*>(from.host.get());
    if (!native || native->link_site[exit] < 0) return;
    const uint32_t zero = 0;  // jmp +0: on to the exit's return to the executor
    std::memcpy(native->code + native->link_site[exit], &zero, 4);
    if (native->self_exit[exit] && native->self_jcc >= 0) {  // the branch to its way out again
      const auto rel = static_cast<uint32_t>(native->self_stub - (native->self_jcc + 4));
      std::memcpy(native->code + native->self_jcc, &rel, 4);
    }
    if (native->indirect_site >= 0 && exit == 0) {
      const uint32_t none = ~0u;
      std::memcpy(native->code + native->indirect_site, &none, 4);
    }
  }

  // Native code disassembled by capstone (Intel syntax), by guest instruction. Addresses are
  // offsets in the block's code; a jump's target and a 64-bit immediate are named when known (in
  // the block, the return to the executor, the block's counters) instead of a host address.
  std::string summary(const Block& block) const override {
    const auto* native = static_cast<const NativeCode*>(block.host.get());
    return native ? native->summary : "";
  }

  std::vector<HostLine> listing(const Block& block) const override {
    const auto* native = static_cast<const NativeCode*>(block.host.get());
    if (!native || !capstone_) return threaded_->listing(block);
    auto name_of = [&](uint64_t a) -> std::string { return name_in_block(block, a, "its", "this block"); };
    std::vector<HostLine> lines;
    auto section = [&](int op, size_t from, size_t to) {
      for (HostLine& l : disassemble(native->code, native->size, from, to, name_of)) {
        l.op = op;
        lines.push_back(std::move(l));
      }
    };
    section(-1, 0, native->op_start[0]);
    for (size_t i = 0; i + 1 < native->op_start.size(); ++i)
      section(static_cast<int>(i), native->op_start[i], native->op_start[i + 1]);
    section(block.count, native->op_start.back(), native->size);
    return lines;
  }

 private:
  // What a pointer into one block's data or code is, in a listing ("" when not).
  std::string name_in_block(const Block& block, uint64_t a, const std::string& its, const std::string& it) const {
    const auto* native = static_cast<const NativeCode*>(block.host.get());
    if (a == reinterpret_cast<uint64_t>(&block)) return "<" + it + ">";
    if (a == reinterpret_cast<uint64_t>(&block.executions)) return "<" + its + " entry count>";
    if (a == reinterpret_cast<uint64_t>(&block.last_used)) return "<" + its + " last use>";
    if (native && a == reinterpret_cast<uint64_t>(&native->return_slot)) return "<" + its + " return slot>";
    for (unsigned k = 0; k < 2; ++k) {
      if (a == reinterpret_cast<uint64_t>(&block.exits[k].taken))
        return "<" + (its == "its" ? std::string() : its + " ") + "exit " + std::to_string(k) + "'s count>";
      if (native && native->exit_entry[k] >= 0 && a == reinterpret_cast<uint64_t>(native->code + native->exit_entry[k]))
        return "<" + its + " exit " + std::to_string(k) + ", in its own code>";
    }
    return "";
  }

  // Native code from `from` to `to` disassembled by capstone (Intel syntax). Addresses are
  // offsets in the code; a jump's target and a 64-bit immediate are named when known (in the
  // code, the return to the executor, the cache's shared data, whatever `name_of` knows).
  std::vector<HostLine> disassemble(const uint8_t* code, size_t size, size_t from, size_t to,
                                    const std::function<std::string(uint64_t)>& name_of) const {
    auto name = [&](uint64_t a) -> std::string {
      const auto* p = reinterpret_cast<const uint8_t*>(a);
      if (p >= code && p < code + size) {
        char t[16];
        std::snprintf(t, sizeof t, "+0x%03x", static_cast<unsigned>(p - code));
        return t;
      }
      if (p == epilogue_) return "<return to the executor>";
      if (a == reinterpret_cast<uint64_t>(use_clock)) return "<the cache's use clock>";
      if (a == reinterpret_cast<uint64_t>(code_epoch)) return "<the code epoch>";
      if (a == reinterpret_cast<uint64_t>(returns)) return "<the return stack>";
      if (a == reinterpret_cast<uint64_t>(&guest_div) || a == reinterpret_cast<uint64_t>(&guest_divu) ||
          a == reinterpret_cast<uint64_t>(&guest_rem) || a == reinterpret_cast<uint64_t>(&guest_remu))
        return "<division helper>";
      return name_of ? name_of(a) : "";
    };
    std::vector<HostLine> lines;
    cs_insn* insn = nullptr;
    const size_t n = cs_disasm(capstone_, code + from, to - from, reinterpret_cast<uint64_t>(code + from), 0, &insn);
    size_t decoded = 0;
    for (size_t i = 0; i < n; ++i) {
      decoded += insn[i].size;
      std::string operands = insn[i].op_str;
      // An absolute target or pointer (capstone prints them as 0x...): say what it is.
      if (const size_t at = operands.rfind("0x"); at != std::string::npos && at + 2 < operands.size()) {
        const std::string named = name(std::strtoull(operands.c_str() + at, nullptr, 16));
        if (!named.empty()) operands = operands.substr(0, at) + named;
      }
      char text[160];
      std::snprintf(text, sizeof text, "+0x%03x  %-6s %s", static_cast<unsigned>(insn[i].address - reinterpret_cast<uint64_t>(code)),
                    insn[i].mnemonic, operands.c_str());
      lines.push_back({0, text});
    }
    if (insn) cs_free(insn, n);
    if (decoded < to - from) lines.push_back({0, "(" + std::to_string(to - from - decoded) + " bytes capstone does not decode)"});
    return lines;
  }

  void make_trampoline() {
    Emitter e;
    // push rbx, rbp, r12-r15; room for the page slots (and the stack aligned for calls); load the
    // context's registers; jump.
    constexpr uint32_t frame = 8 + 16 * kPageSlots;
    e.b({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, 0x48, 0x81, 0xec});  // ... sub rsp, frame
    e.u32(frame);
    e.b({0x48, 0x89, 0xfd});        // mov rbp, rdi
    e.b({0x48, 0x8b, 0x5d, kCtxX});          // mov rbx, [rbp + x]: the guest registers
    e.b({0x4c, 0x8b, 0x7d, kCtxRemaining});  // mov r15, [rbp + remaining]: the budget stays in a register
    e.b({0xff, 0xe6});                       // jmp rsi
    const size_t epilogue = e.size();
    e.b({0x4c, 0x89, 0x7d, kCtxRemaining});  // mov [rbp + remaining], r15
    e.b({0x48, 0x81, 0xc4});                 // add rsp, frame
    e.u32(frame);
    e.b({0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3});
    uint8_t* code = arena_.allocate(e.size());
    if (!code) return;
    std::memcpy(code, e.bytes.data(), e.size());
    entry_ = reinterpret_cast<NativeEntry>(code);
    epilogue_ = code + epilogue;
  }

  // Leave for the executor with `code`, recording the block.
  void leave(Emitter& e, const Block& block, uint32_t code) const {
    e.mov_imm64_rax(&block);
    e.ctx_store64(kCtxBlock, RAX);
    e.mov_imm(RAX, code);
    e.jmp_to(epilogue_);
  }

  // The whole block retired through exits[k]: charge it, count the edge, then either jump to the
  // linked successor (the patchable jmp) or return with the next pc (eax holds it for indirect).
  // An indirect exit (pc in eax) is an inline cache: the linked block is jumped to when the
  // target is at its offset in this very page (target - page == its offset).
  // `loops`: the block loops on itself (its exit 0 goes to its own start): rdi counts the turns
  // its loop head let in, which every way out adds to the block's counters (settle).
  void exit_stub(Emitter& e, Block& block, NativeCode& native, const GuestRegs& regs, unsigned k, bool pc_in_eax,
                 int64_t target_offset, bool loops, bool is_return = false) const {
    const bool self = !pc_in_eax && target_offset == block.start;
    if (!self) {
      if (loops) settle(e, block, false);
      regs.write_back(regs.dirty());
      native.exit_entry[k] = static_cast<int32_t>(e.size());
    }
    if (pc_in_eax) {
      e.ctx_store32(kCtxPc, RAX);
      e.mov_rr(RCX, RAX);
      e.b({0x2b, 0x4d, kCtxPageVbase});  // sub ecx, [rbp + page_vbase]
    }
    if (self) {  // linked: on to the next turn (the loop head); unlinked: out, as any exit
      native.link_site[k] = static_cast<int32_t>(e.jmp());
      native.self_exit[k] = true;
    }
    e.b({0x49, 0x81, 0xef});  // sub r15, count
    e.u32(block.count);
    if (self) {
      settle(e, block, false);
      regs.write_back(regs.dirty());
    }
    e.mov_imm64_rax(&block.exits[k].taken);
    e.inc_qword_at_rax();
    if (is_return) {
      e.b({0x8b, 0x45, kCtxPc});  // mov eax, [rbp + pc]: the target again
      predict_return(e);
    }
    if (pc_in_eax) {
      e.alu_imm(7, RCX, ~0u);  // cmp ecx, imm32: no block's offset until linked
      native.indirect_site = static_cast<int32_t>(e.size() - 4);
      const size_t miss = e.jcc(kNotEq);
      native.link_site[k] = static_cast<int32_t>(e.jmp());
      e.bind(miss);
    } else {
      if (!self) native.link_site[k] = static_cast<int32_t>(e.jmp());  // jmp +0 until linked
      if (target_offset < 0 || target_offset >= kPageSize) {  // to another page: a stub, in the cold part
        native.cross_stub[k] = 0;
        native.cross_delta[k] = static_cast<int32_t>(target_offset & ~int64_t{kPageSize - 1});
      }
      e.ctx_load32(RAX, kCtxPageVbase);
      e.alu_imm(0, RAX, static_cast<uint32_t>(target_offset));
      e.ctx_store32(kCtxPc, RAX);
    }
    leave(e, block, kNativeExit + k);
  }

  // offsets in ReturnStack, as disp32
  static uint32_t rs_off(size_t offset) { return static_cast<uint32_t>(offset); }

  // A call (jal/jalr writing ra or t0): push its return address and this block's return slot.
  // Uses rax, rcx, rdx, rsi (before the instruction's own code).
  void push_return(Emitter& e, NativeCode& native, uint32_t return_offset) const {
    e.b({0x48, 0xbe});  // movabs rsi, the return stack
    e.u64(reinterpret_cast<uint64_t>(returns));
    e.b({0x48, 0x8b, 0x86});  // mov rax, [rsi + top]
    e.u32(rs_off(offsetof(ReturnStack, top)));
    e.b({0x48, 0x8d, 0x48, 0x01});  // lea rcx, [rax + 1]
    e.b({0x48, 0x89, 0x8e});        // mov [rsi + top], rcx
    e.u32(rs_off(offsetof(ReturnStack, top)));
    e.b({0x83, 0xe0, ReturnStack::kEntries - 1});  // and eax, kEntries - 1
    e.b({0x48, 0x8d, 0x04, 0x40});  // lea rax, [rax + rax*2]
    e.b({0x48, 0x8d, 0x0c, 0xc6});  // lea rcx, [rsi + rax*8]: the entry (24 bytes)
    e.b({0x48, 0xba});              // movabs rdx, the code epoch
    e.u64(reinterpret_cast<uint64_t>(code_epoch));
    e.b({0x48, 0x8b, 0x12});  // mov rdx, [rdx]
    e.b({0x48, 0x89, 0x11});  // mov [rcx], rdx: entry.epoch
    e.b({0x48, 0xba});        // movabs rdx, this block's return slot
    e.u64(reinterpret_cast<uint64_t>(&native.return_slot));
    e.b({0x48, 0x89, 0x51, 0x08});  // mov [rcx + 8], rdx: entry.slot
    e.ctx_load32(RDX, kCtxPageVbase);
    e.alu_imm(0, RDX, return_offset);
    e.b({0x89, 0x51, 0x10});  // mov [rcx + 16], edx: entry.vpc
  }

  // A return (jalr x0 through ra or t0), target pc in eax: pop; when the entry and its slot are
  // of this epoch and the target is the entry's return address, on to the slot's block (with
  // its page the running one). A slot not filled yet is left for the executor to fill. rcx is kept.
  void predict_return(Emitter& e) const {
    e.b({0x48, 0xbe});  // movabs rsi, the return stack
    e.u64(reinterpret_cast<uint64_t>(returns));
    e.b({0x48, 0x8b, 0x96});  // mov rdx, [rsi + top]
    e.u32(rs_off(offsetof(ReturnStack, top)));
    e.b({0x48, 0xff, 0xca});  // dec rdx
    e.b({0x48, 0x89, 0x96});  // mov [rsi + top], rdx
    e.u32(rs_off(offsetof(ReturnStack, top)));
    e.b({0x83, 0xe2, ReturnStack::kEntries - 1});  // and edx, kEntries - 1
    e.b({0x48, 0x8d, 0x14, 0x52});  // lea rdx, [rdx + rdx*2]
    e.b({0x48, 0x8d, 0x14, 0xd6});  // lea rdx, [rsi + rdx*8]: the entry
    e.b({0x48, 0xbf});              // movabs rdi, the code epoch
    e.u64(reinterpret_cast<uint64_t>(code_epoch));
    e.b({0x48, 0x8b, 0x3f});  // mov rdi, [rdi]
    e.b({0x48, 0x39, 0x3a});  // cmp [rdx], rdi: the entry's epoch
    const size_t stale_entry = e.jcc(kNotEq);
    e.b({0x39, 0x42, 0x10});  // cmp [rdx + 16], eax: its return address
    const size_t elsewhere = e.jcc(kNotEq);
    e.b({0x48, 0x8b, 0x52, 0x08});  // mov rdx, [rdx + 8]: the slot
    e.b({0x48, 0x39, 0x3a});        // cmp [rdx], rdi: the slot's epoch
    const size_t unfilled = e.jcc(kNotEq);
    e.b({0x48, 0xff, 0x86});        // inc qword [rsi + predicted]
    e.u32(rs_off(offsetof(ReturnStack, predicted)));
    e.b({0x8b, 0x7a, 0x10});        // mov edi, [rdx + 16]: the return block's page
    e.ctx_store32(kCtxPageVbase, RDI);
    e.b({0xff, 0x62, 0x08});  // jmp [rdx + 8]: the return block
    e.bind(unfilled);
    e.b({0x48, 0x89, 0x96});  // mov [rsi + pending], rdx
    e.u32(rs_off(offsetof(ReturnStack, pending)));
    e.b({0x48, 0x89, 0xbe});  // mov [rsi + pending_epoch], rdi
    e.u32(rs_off(offsetof(ReturnStack, pending_epoch)));
    e.b({0x89, 0x86});  // mov [rsi + pending_vpc], eax
    e.u32(rs_off(offsetof(ReturnStack, pending_vpc)));
    e.bind(stale_entry);
    e.bind(elsewhere);
  }

  // A loop's turns into its counters: each turn the loop head let in was an entry of the block
  // through its exit 0 (plus one more through exit 0 when the head turned the last one away).
  void settle(Emitter& e, Block& block, bool turned_away) const {
    e.mov_imm64_rax(&block.executions);
    e.b({0x48, 0x01, 0x38});  // add [rax], rdi
    e.mov_imm64_rax(&block.exits[0].taken);
    e.b({0x48, 0x01, 0x38});  // add [rax], rdi
    if (turned_away) e.inc_qword_at_rax();
  }

  // The block's entry counting: its entries, and for lru the cache's use clock. `hot`: returns
  // the jcc (to be bound to a kNativeHot exit) taken when this entry is the trace threshold's.
  size_t count_entry(Emitter& e, Block& block, bool hot = false) const {
    e.mov_imm64_rax(&block.executions);
    e.inc_qword_at_rax();
    size_t hot_jcc = 0;
    if (hot) {
      e.b({0x48, 0x81, 0x38});  // cmp qword [rax], imm32
      e.u32(trace_threshold);
      hot_jcc = e.jcc(kEq);
    }
    if (use_clock) {  // lru: block.last_used = ++*use_clock
      e.mov_imm64_rax(use_clock);
      e.inc_qword_at_rax();
      e.b({0x48, 0x8b, 0x08});  // mov rcx, [rax]
      e.mov_imm64_rax(&block.last_used);
      e.b({0x48, 0x89, 0x08});  // mov [rax], rcx
    }
    return hot_jcc;
  }

  // ---- Compiling a path: one block, or a trace's blocks one after another.

  // A hand-over to threaded code, in the cold part: at instruction `op` of `block`, the path's
  // earlier blocks charged (`charged` instructions), `dirty` registers to write back first.
  struct Bail {
    size_t jcc;
    Block* block;
    uint32_t op, dirty, charged;
    uint64_t* left;   // a trace's count of ways out in this block (null: a block's code)
    uint64_t* turns;  // a loop trace's turn count, which rdi holds until a way out adds it here
  };
  // A page slot's check that missed: the micro-TLB looked up in the cold part, then back.
  struct SlowLookup {
    Bail at;
    uint8_t tlb;
    uint32_t mask;
    int slot;  // filled on a hit (-1: not)
    size_t resume;
  };
  // A micro-TLB miss, in the cold part: the hart refills the entry if it can, then the lookup
  // again (a miss now hands over), then back.
  struct Refill {
    size_t jcc;
    Bail at;
    uint8_t tlb;
    uint32_t mask;
    int slot;
    size_t resume;
  };
  struct Path {
    Emitter& e;
    GuestRegs& regs;
    std::vector<PageSlotUse> plan;  // by instruction along the path
    bool rdi_in_use = false;        // a loop on itself counts its turns in rdi (calls keep it)
    std::vector<Bail> bails;
    std::vector<SlowLookup> slow;
    std::vector<Refill> refills;
  };
  // How an instruction ends its block (what the caller emits the way out for).
  enum class End : uint8_t { none, branch, jump, indirect, hand_over };
  struct Ending {
    End kind = End::none;
    Cond cond = kEq;  // a branch: taken when this holds (flags set)
    bool is_return = false;
  };

  // The micro-TLB: the effective address in eax, the host addend into rdx; a tag mismatch
  // (other page, misaligned, code page for stores, watchpoints) asks the hart to refill the
  // entry (`refill`), else hands over to threaded code.
  void lookup(Path& p, uint8_t tlb, uint32_t mask, Bail at, int fill, bool refill = true) const {
    Emitter& e = p.e;
    e.mov_rr(RCX, RAX);
    e.shift_imm(5, RCX, 12 - kTlbEntryShift);
    e.alu_imm(4, RCX, kTlbIndexMask);
    e.b({0x48, 0x03, 0x4d, tlb});  // add rcx, [rbp + tlb]: the entry
    e.mov_rr(RDX, RAX);
    e.alu_imm(4, RDX, mask);
    e.b({0x3b, 0x11});  // cmp edx, [rcx]: the tag
    const size_t miss = e.jcc(kNotEq);
    if (fill >= 0) e.stack(0x89, RDX, 16 * fill);            // mov [rsp + slot], edx
    e.b({0x48, 0x8b, 0x51, 0x08});                           // mov rdx, [rcx + 8]: the host addend
    if (fill >= 0) e.stack(0x89, RDX, 16 * fill + 8, true);  // mov [rsp + slot + 8], rdx
    if (refill) {
      p.refills.push_back({miss, at, tlb, mask, fill, e.size()});
    } else {
      at.jcc = miss;
      p.bails.push_back(at);
    }
  }

  // The hart refills a micro-TLB entry (eax: the address; kept): a call from the cold part, with
  // the caller-saved registers in use kept. ZF set when it could not.
  void call_refill(Path& p, uint32_t size, bool write) const {
    Emitter& e = p.e;
    e.push(RAX);
    p.regs.save_for_call(p.rdi_in_use, 1);
    e.b({0x48, 0x8b, 0x7d, kCtxHart});  // mov rdi, [rbp + hart]
    e.mov_rr(RSI, RAX);
    e.mov_imm(RDX, size);
    e.mov_imm(RCX, write);
    e.b({0xff, 0x55, kCtxRefill});  // call [rbp + refill]
    e.mov_rr(RCX, RAX);
    p.regs.restore_after_call(p.rdi_in_use, 1);
    e.pop(RAX);
    e.b({0x84, 0xc9});  // test cl, cl
  }

  // inc qword [counter], through rcx (rax may hold a jump's target).
  static void count_in_rcx(Emitter& e, uint64_t* counter) {
    e.b({0x48, 0xb9});
    e.u64(reinterpret_cast<uint64_t>(counter));
    e.b({0x48, 0xff, 0x01});
  }
  // add qword [counter], rdi (through rcx).
  static void add_rdi_to(Emitter& e, uint64_t* counter) {
    e.b({0x48, 0xb9});
    e.u64(reinterpret_cast<uint64_t>(counter));
    e.b({0x48, 0x01, 0x39});
  }

  // The cold part both kinds of path share: the slow lookups, then the hand-overs.
  void emit_cold(Path& p, bool settle_loop, const std::function<void(const Bail&)>& mark = {}) const {
    Emitter& e = p.e;
    for (size_t k = 0; k < p.slow.size(); ++k) {
      const SlowLookup miss = p.slow[k];
      if (mark) mark(miss.at);
      e.bind(miss.at.jcc);
      lookup(p, miss.tlb, miss.mask, miss.at, miss.slot);
      const size_t back = e.jmp();
      e.patch32(back, static_cast<uint32_t>(miss.resume - (back + 4)));
    }
    for (const Refill& r : p.refills) {
      if (mark) mark(r.at);
      e.bind(r.jcc);
      call_refill(p, (r.mask & (kPageSize - 1)) + 1, r.tlb == kCtxWriteTlb);
      Bail at = r.at;
      at.jcc = e.jcc(kEq);
      p.bails.push_back(at);
      lookup(p, r.tlb, r.mask, r.at, r.slot, false);
      const size_t back = e.jmp();
      e.patch32(back, static_cast<uint32_t>(r.resume - (back + 4)));
    }
    for (const Bail& bail : p.bails) {
      if (mark) mark(bail);
      e.bind(bail.jcc);
      if (settle_loop) settle(e, *bail.block, false);
      p.regs.write_back(bail.dirty);
      if (bail.charged) {
        e.b({0x49, 0x81, 0xef});  // sub r15, charged
        e.u32(bail.charged);
      }
      if (bail.left) count_in_rcx(e, bail.left);
      if (bail.turns) add_rdi_to(e, bail.turns);
      leave(e, *bail.block, bail.op);
    }
  }

  // Emits instruction `op_index` of `block` (`s`, its optimized form; `site`, its index along
  // the path). Instructions that end the block only get ready: a branch sets the flags, jalr
  // leaves its target in eax, jal and jalr write their link register (and push a call's return);
  // the caller emits the way out.
  Ending instruction(Path& p, Block& block, NativeCode& native, const Slot& s, uint32_t op_index, size_t site,
                     uint32_t charged, uint64_t* left, uint64_t* turns) const {
    Emitter& e = p.e;
    GuestRegs& regs = p.regs;
    const Op op = kHandlerOp[s.handler];
    const uint32_t imm = static_cast<uint32_t>(s.imm);
    const uint32_t next_offset = s.offset + s.length;
    auto bail_here = [&] { return Bail{0, &block, op_index, regs.dirty(), charged, left, turns}; };
    // Two-address forms straight into rd's host register when it has one (eax when rd is
    // also the second operand, which the first move would overwrite).
    auto alu_rr = [&](uint8_t opcode) {
      const Reg d = s.rd == s.rs2 ? RAX : regs.target(s.rd);
      regs.load(d, s.rs1);
      regs.op(opcode, d, s.rs2);
      regs.store(s.rd, d);
    };
    auto alu_ri = [&](uint8_t digit) {
      const Reg d = regs.target(s.rd);
      regs.load(d, s.rs1);
      if (imm || digit == 4) e.alu_imm(digit, d, imm);  // (add, or, xor 0: a move)
      regs.store(s.rd, d);
    };
    auto set_if = [&](Cond c, bool immediate) {
      regs.load(RAX, s.rs1);
      e.b({0x31, 0xc9});  // xor ecx, ecx
      if (immediate) e.alu_imm(7, RAX, imm);
      else regs.op(0x3b, RAX, s.rs2);
      e.setcc(c, RCX);
      regs.store(s.rd, RCX);
    };
    auto shift_r = [&](uint8_t digit) {
      regs.load(RAX, s.rs1);
      regs.load(RCX, s.rs2);
      e.shift_cl(digit, RAX);
      regs.store(s.rd, RAX);
    };
    auto call2 = [&](uint32_t (*fn)(uint32_t, uint32_t)) {
      regs.save_for_call(p.rdi_in_use);  // (before rdi becomes the first argument)
      regs.load(RDI, s.rs1);
      regs.load(RSI, s.rs2);
      e.mov_imm64_rax(reinterpret_cast<const void*>(fn));
      e.b({0xff, 0xd0});  // call rax
      regs.restore_after_call(p.rdi_in_use);
      regs.store(s.rd, RAX);
    };
    // The effective address in eax, the host addend in rdx: from the site's page slot when
    // it has one to check, else from the micro-TLB.
    auto address = [&](uint8_t tlb, uint32_t size) {
      regs.load(RAX, s.rs1);
      if (imm) e.alu_imm(0, RAX, imm);
      const uint32_t mask = ~(kPageSize - 1) | (size - 1);
      const PageSlotUse& use = p.plan[site];
      if (use.check) {
        e.mov_rr(RDX, RAX);
        e.alu_imm(4, RDX, mask);
        e.stack(0x3b, RDX, 16 * use.slot);  // cmp edx, [rsp + slot]: its page
        Bail at = bail_here();
        at.jcc = e.jcc(kNotEq);
        e.stack(0x8b, RDX, 16 * use.slot + 8, true);  // mov rdx, [rsp + slot + 8]: its addend
        p.slow.push_back({at, tlb, mask, use.fill ? use.slot : -1, e.size()});
        return;
      }
      lookup(p, tlb, mask, bail_here(), use.fill ? use.slot : -1);
    };
    auto load = [&](std::initializer_list<uint8_t> mov_eax_from_rdx_rax, uint32_t size) {
      address(kCtxReadTlb, size);
      e.b(mov_eax_from_rdx_rax);
      regs.store(s.rd, RAX);
    };
    auto store = [&](std::initializer_list<uint8_t> mov_to_rdx_rax_from_esi, uint32_t size) {
      address(kCtxWriteTlb, size);
      regs.load(RSI, s.rs2);
      e.b(mov_to_rdx_rax_from_esi);
    };
    auto branch = [&](Cond c) {
      regs.load(RAX, s.rs1);
      regs.op(0x3b, RAX, s.rs2);
      return Ending{End::branch, c};
    };
    switch (op) {
      case Op::lui: e.mov_imm(RAX, imm); regs.store(s.rd, RAX); break;
      case Op::auipc:
        e.ctx_load32(RAX, kCtxPageVbase);
        e.alu_imm(0, RAX, s.offset + imm);
        regs.store(s.rd, RAX);
        break;
      case Op::addi: alu_ri(0); break;
      case Op::xori: alu_ri(6); break;
      case Op::ori: alu_ri(1); break;
      case Op::andi: alu_ri(4); break;
      case Op::slti: set_if(kLess, true); break;
      case Op::sltiu: set_if(kBelow, true); break;
      case Op::slli: case Op::srli: case Op::srai: {
        const Reg d = regs.target(s.rd);
        regs.load(d, s.rs1);
        e.shift_imm(op == Op::slli ? 4 : op == Op::srli ? 5 : 7, d, static_cast<uint8_t>(imm & 31));
        regs.store(s.rd, d);
        break;
      }
      case Op::add: alu_rr(0x03); break;
      case Op::sub: alu_rr(0x2b); break;
      case Op::xor_: alu_rr(0x33); break;
      case Op::or_: alu_rr(0x0b); break;
      case Op::and_: alu_rr(0x23); break;
      case Op::slt: set_if(kLess, false); break;
      case Op::sltu: set_if(kBelow, false); break;
      case Op::sll: shift_r(4); break;
      case Op::srl: shift_r(5); break;
      case Op::sra: shift_r(7); break;
      case Op::mul:
        regs.load(RAX, s.rs1);
        regs.imul_eax(s.rs2);
        regs.store(s.rd, RAX);
        break;
      case Op::mulh: case Op::mulhsu: case Op::mulhu:
        if (op == Op::mulhu) regs.load(RAX, s.rs1);
        else regs.load_sx64(RAX, s.rs1);
        if (op == Op::mulh) regs.load_sx64(RCX, s.rs2);
        else regs.load(RCX, s.rs2);
        e.b({0x48, 0x0f, 0xaf, 0xc1});  // imul rax, rcx
        e.b({0x48, 0xc1, 0xe8, 0x20});  // shr rax, 32
        regs.store(s.rd, RAX);
        break;
      case Op::div: call2(guest_div); break;
      case Op::divu: call2(guest_divu); break;
      case Op::rem: call2(guest_rem); break;
      case Op::remu: call2(guest_remu); break;
      case Op::lb: load({0x0f, 0xbe, 0x04, 0x02}, 1); break;   // movsx eax, byte [rdx + rax]
      case Op::lbu: load({0x0f, 0xb6, 0x04, 0x02}, 1); break;  // movzx eax, byte [rdx + rax]
      case Op::lh: load({0x0f, 0xbf, 0x04, 0x02}, 2); break;   // movsx eax, word [rdx + rax]
      case Op::lhu: load({0x0f, 0xb7, 0x04, 0x02}, 2); break;  // movzx eax, word [rdx + rax]
      case Op::lw: load({0x8b, 0x04, 0x02}, 4); break;         // mov eax, [rdx + rax]
      case Op::sb: store({0x40, 0x88, 0x34, 0x02}, 1); break;  // mov [rdx + rax], sil
      case Op::sh: store({0x66, 0x89, 0x34, 0x02}, 2); break;  // mov [rdx + rax], si
      case Op::sw: store({0x89, 0x34, 0x02}, 4); break;        // mov [rdx + rax], esi
      case Op::fence: case Op::fence_tso: case Op::fence_i: break;  // stores keep code coherent
      case Op::jal:
        if (s.rd == 1 || s.rd == 5) push_return(e, native, next_offset);  // a call
        e.ctx_load32(RAX, kCtxPageVbase);
        e.alu_imm(0, RAX, next_offset);
        regs.store(s.rd, RAX);
        return {End::jump};
      case Op::jalr:
        if (s.rd == 1 || s.rd == 5) push_return(e, native, next_offset);  // a call
        regs.load(RAX, s.rs1);
        e.alu_imm(0, RAX, imm);
        e.alu_imm(4, RAX, ~1u);
        e.ctx_load32(RDX, kCtxPageVbase);
        e.alu_imm(0, RDX, next_offset);
        regs.store(s.rd, RDX);
        return {End::indirect, kEq, s.rd == 32 && (s.rs1 == 1 || s.rs1 == 5)};  // a return?
      case Op::beq: return branch(kEq);
      case Op::bne: return branch(kNotEq);
      case Op::blt: return branch(kLess);
      case Op::bge: return branch(kGreaterEq);
      case Op::bltu: return branch(kBelow);
      case Op::bgeu: return branch(kAboveEq);
      default:  // system instructions, atomics, illegal: the threaded code runs them
        return {End::hand_over};
    }
    return {};
  }

  void compile(Block& block, Emitter& e, NativeCode& native) const {
    e.b({0x49, 0x81, 0xff});  // cmp r15, count
    e.u32(block.count);
    const size_t not_entered = e.jcc(kBelow);
    // Does the block end in a jump or branch to its own start (a loop of one block)?
    const Slot& last = block.ops[block.count - 1];
    const Op last_op = kHandlerOp[last.handler];
    const bool loops = isa::kOpTraits[static_cast<int>(last_op)] & (isa::kTraitJump | isa::kTraitBranch) &&
                       int64_t{last.offset} + last.imm == block.start;
    // A trace may start here (not at a loop on itself, nor where the block ends for good).
    const bool may_head = trace_threshold && !loops && block.kind != BlockEnd::indirect && block.kind != BlockEnd::system;
    const size_t hot = count_entry(e, block, may_head);
    OptimizerStats optimized;
    const std::vector<Slot> ops = optimize(block.ops, block.count, optimized);
    GuestRegs regs(e, ops, loops);
    regs.load_all();
    unsigned page_slots = 0;
    Path p{e, regs, plan_page_slots(ops, loops, page_slots), loops, {}, {}, {}};
    if (loops) {
      regs.all_dirty();
      e.b({0x31, 0xff});  // xor edi, edi: no turns yet
      empty_page_slots(e, page_slots);
    }
    const size_t body = e.size();
    native.summary = describe(regs, loops, page_slots, optimized);
    Ending end;
    uint32_t i = 0;
    for (; i < block.count; ++i) {
      native.op_start.push_back(static_cast<uint32_t>(e.size()));
      if (is_dropped(ops[i])) continue;  // (nothing to do: the optimizer made it a write to x0)
      end = instruction(p, block, native, ops[i], i, i, 0, nullptr, nullptr);
      if (end.kind != End::none) break;
    }
    const Slot* s = i < block.count ? &block.ops[i] : nullptr;
    switch (end.kind) {
      case End::none:  // fell through the last instruction
        native.op_start.push_back(static_cast<uint32_t>(e.size()));
        exit_stub(e, block, native, regs, 1, false, block.end, loops);
        break;
      case End::branch: {
        const size_t taken = e.jcc(end.cond);
        native.op_start.push_back(static_cast<uint32_t>(e.size()));
        exit_stub(e, block, native, regs, 1, false, s->offset + s->length, loops);
        e.bind(taken);
        if (loops) {  // (linked, the branch goes to the loop head itself)
          native.self_jcc = static_cast<int32_t>(taken);
          native.self_stub = static_cast<int32_t>(e.size());
        }
        exit_stub(e, block, native, regs, 0, false, int64_t{s->offset} + s->imm, loops);
        break;
      }
      case End::jump:
        native.op_start.push_back(static_cast<uint32_t>(e.size()));
        exit_stub(e, block, native, regs, 0, false, int64_t{s->offset} + s->imm, loops);
        break;
      case End::indirect:
        native.op_start.push_back(static_cast<uint32_t>(e.size()));
        exit_stub(e, block, native, regs, 0, true, 0, loops, end.is_return);
        break;
      case End::hand_over:
        if (loops) settle(e, block, false);
        regs.write_back(regs.dirty());
        leave(e, block, i);
        break;
    }
    // Cold paths: not entered, the trace threshold, the next turn of a loop on itself, links
    // to other pages, and the hand-overs of loads and stores.
    e.bind(not_entered);
    leave(e, block, kNativeNotEntered);
    if (may_head) {
      e.bind(hot);
      leave(e, block, kNativeHot);
    }
    if (native.self_exit[0]) {  // the loop head: the turn just done charged, the next one's budget
      native.loop_head = static_cast<int32_t>(e.size());  // checked and counted in rdi, then the body
      e.b({0x49, 0x81, 0xef});  // sub r15, count
      e.u32(block.count);
      e.b({0x49, 0x81, 0xff});  // cmp r15, count
      e.u32(block.count);
      const size_t turn_not_covered = e.jcc(kBelow);
      e.b({0x48, 0xff, 0xc7});  // inc rdi
      const size_t to_body = e.jmp();
      e.patch32(to_body, static_cast<uint32_t>(body - (to_body + 4)));
      e.bind(turn_not_covered);
      settle(e, block, true);
      regs.write_back(regs.dirty());
      leave(e, block, kNativeNotEntered);
    }
    for (unsigned k = 0; k < 2; ++k) {
      if (native.cross_stub[k] < 0) continue;
      // The link to another page: followed while the code epoch is the link's, the page moved.
      native.cross_stub[k] = static_cast<int32_t>(e.size());
      e.mov_imm64_rax(code_epoch);
      e.b({0x48, 0xb9});  // movabs rcx, imm64: the epoch the link was made in
      native.cross_epoch[k] = static_cast<int32_t>(e.size());
      e.u64(~0ull);
      e.b({0x48, 0x39, 0x08});  // cmp [rax], rcx
      const size_t stale = e.jcc(kNotEq);
      e.patch32(stale, static_cast<uint32_t>(native.link_site[k] + 4 - (stale + 4)));  // back to the way out
      e.b({0x81, 0x45, kCtxPageVbase});  // add dword [rbp + page_vbase], imm32
      e.u32(static_cast<uint32_t>(native.cross_delta[k]));
      native.cross_jump[k] = static_cast<int32_t>(e.jmp());
    }
    emit_cold(p, loops);
  }

  static void empty_page_slots(Emitter& e, unsigned count) {
    for (unsigned k = 0; k < count; ++k) {  // mov dword [rsp + slot], kNoPage
      e.b({0xc7, 0x84, 0x24});
      e.u32(16 * k);
      e.u32(kNoPage);
    }
  }

  // `loops`: the code runs turn after turn (a block on itself, `in_trace` false, or a trace).
  static std::string describe(const GuestRegs& regs, bool loops, unsigned page_slots, const OptimizerStats& optimized,
                              bool in_trace = false) {
    const std::string cached = regs.describe();
    std::string text = cached.empty() ? "no guest register cached in a host register" : "host registers: " + cached;
    if (loops && !in_trace) text += "; loops on itself: its turns run in its own code, registers kept";
    if (page_slots)
      text += "; " + std::to_string(page_slots) + (page_slots == 1 ? " page slot" : " page slots") +
              (loops ? " (each access remembers its page across turns)" : " (accesses through one base register share a lookup)");
    if (const std::string o = optimized.describe(); !o.empty()) text += "; optimized: " + o;
    return text;
  }

  // A trace: its blocks' instructions one after another, registers in host registers all along,
  // each branch falling through in its hot direction. Every way out goes through the code of
  // the block it leaves, at that exit's entry (after the block's write-back: the trace has
  // written its own registers back), so links, inline caches, return prediction and the exit's
  // count are the block's; the trace charges the budget for its earlier blocks first. Inside,
  // nothing is counted per block: the trace counts its entries, its turns (in rdi, added up at
  // every way out) and where it was left, from which BlockCache::settle_traces works out every
  // block's entries and edges. Returns false when a block's code lacks what the trace needs.
  bool compile_trace(Trace& t, Emitter& e, TraceCode& code) const {
    const size_t n = t.blocks.size();
    t.left.assign(n, 0);  // (its counters' addresses go into the code: never reallocated)
    auto mark = [&](int block, int op) { code.marks.push_back({static_cast<uint32_t>(e.size()), block, op}); };
    Block& head = *t.blocks[0];
    mark(0, -1);
    // The entry: the whole path must fit the budget, else the head runs as a block.
    e.b({0x49, 0x81, 0xff});  // cmp r15, instructions
    e.u32(t.instructions);
    e.absolute_fixups.emplace_back(e.jcc(kBelow), t.head_code);
    e.mov_imm64_rax(&t.entries);
    e.inc_qword_at_rax();
    if (t.loops) e.b({0x31, 0xff});  // xor edi, edi: no turns yet
    uint64_t* const turns = t.loops ? &t.turns : nullptr;
    auto settle_turns = [&] {
      if (turns) add_rdi_to(e, turns);
    };
    std::vector<std::vector<Slot>> ops(n);
    std::vector<Slot> all;
    OptimizerStats optimized;
    for (size_t i = 0; i < n; ++i) {
      ops[i] = optimize(t.blocks[i]->ops, t.blocks[i]->count, optimized);
      all.insert(all.end(), ops[i].begin(), ops[i].end());
    }
    GuestRegs regs(e, all, t.loops);
    regs.load_all();
    unsigned page_slots = 0;
    Path p{e, regs, plan_page_slots(all, t.loops, page_slots), t.loops, {}, {}, {}};
    if (t.loops) {
      regs.all_dirty();
      empty_page_slots(e, page_slots);
    }
    const size_t body = e.size();
    // Ways out: to the exit entry of the block's own code, the trace's earlier blocks charged.
    struct SideExit {
      size_t jcc;
      size_t block;
      unsigned exit;
      uint32_t dirty, charged;
    };
    std::vector<SideExit> side_exits;
    struct TurnedAway {
      size_t jcc;
      uint32_t dirty;
    };
    std::vector<TurnedAway> turned_away;
    auto leave_by = [&](size_t i, unsigned k, uint32_t dirty, uint32_t charged) {
      const auto* native = static_cast<const NativeCode*>(t.blocks[i]->host.get());
      regs.write_back(dirty);
      if (charged) {
        e.b({0x49, 0x81, 0xef});  // sub r15, charged
        e.u32(charged);
      }
      count_in_rcx(e, &t.left[i]);
      settle_turns();
      e.jmp_to(native->code + native->exit_entry[k]);
    };
    uint32_t charged = 0;
    size_t site = 0;
    for (size_t i = 0; i < n; ++i) {
      Block& b = *t.blocks[i];
      auto& native = *static_cast<NativeCode*>(b.host.get());
      if (i > 0) mark(static_cast<int>(i), -1);
      Ending end;
      uint32_t j = 0;
      for (; j < b.count; ++j) {
        mark(static_cast<int>(i), static_cast<int>(j));
        const Slot& s = ops[i][j];
        if (!is_dropped(s)) end = instruction(p, b, native, s, j, site + j, charged, &t.left[i], turns);
        if (end.kind != End::none) break;
      }
      site += b.count;
      mark(static_cast<int>(i), b.count);
      const int hot = i < t.via.size() ? t.via[i] : -1;
      if (end.kind == End::hand_over) {  // threaded code runs it: the trace ends here
        regs.write_back(regs.dirty());
        if (charged) {
          e.b({0x49, 0x81, 0xef});  // sub r15, charged
          e.u32(charged);
        }
        count_in_rcx(e, &t.left[i]);
        settle_turns();
        leave(e, b, j);
        t.blocks.resize(i + 1);
        t.via.resize(i);
        t.loops = false;
        break;
      }
      // The exits this way out needs exist in the block's own code?
      for (unsigned k = 0; k < 2; ++k)
        if (native.exit_entry[k] < 0 && (end.kind == End::branch || (k == 0) == (end.kind != End::none)))
          return false;
      bool goes_on = false;
      switch (end.kind) {
        case End::indirect:
          leave_by(i, 0, regs.dirty(), charged);  // (the target in eax)
          break;
        case End::jump:
          if (hot == 0) goes_on = true;
          else leave_by(i, 0, regs.dirty(), charged);
          break;
        case End::none:
          if (hot == 1) goes_on = true;
          else leave_by(i, 1, regs.dirty(), charged);
          break;
        case End::branch:
          if (hot >= 0) {  // the other direction leaves by a side exit
            const Cond leaves = hot == 0 ? static_cast<Cond>(end.cond ^ 1) : end.cond;
            side_exits.push_back({e.jcc(leaves), i, static_cast<unsigned>(1 - hot), regs.dirty(), charged});
            goes_on = true;
          } else {
            side_exits.push_back({e.jcc(end.cond), i, 0, regs.dirty(), charged});
            leave_by(i, 1, regs.dirty(), charged);
          }
          break;
        case End::hand_over: break;
      }
      if (!goes_on) break;
      charged += b.count;
      if (i + 1 == n) {  // a loop: the next turn if the budget covers it
        e.b({0x49, 0x81, 0xef});  // sub r15, instructions
        e.u32(t.instructions);
        e.b({0x49, 0x81, 0xff});  // cmp r15, instructions
        e.u32(t.instructions);
        turned_away.push_back({e.jcc(kBelow), regs.dirty()});
        e.b({0x48, 0xff, 0xc7});  // inc rdi
        const size_t back = e.jmp();
        e.patch32(back, static_cast<uint32_t>(body - (back + 4)));
      }
    }
    if (t.blocks.size() < 2) return false;
    code.cold_start = static_cast<uint32_t>(e.size());
    for (const SideExit& x : side_exits) {
      mark(static_cast<int>(x.block), t.blocks[x.block]->count);
      e.bind(x.jcc);
      leave_by(x.block, x.exit, x.dirty, x.charged);
    }
    for (const TurnedAway& x : turned_away) {
      mark(0, head.count);
      e.bind(x.jcc);
      regs.write_back(x.dirty);
      count_in_rcx(e, &t.turned_away);
      settle_turns();
      leave(e, head, kNativeNotEntered);
    }
    emit_cold(p, false, [&](const Bail& b) {
      for (size_t i = 0; i < t.blocks.size(); ++i)
        if (t.blocks[i] == b.block) mark(static_cast<int>(i), static_cast<int>(b.op));
    });
    code.summary = "a trace of " + std::to_string(t.blocks.size()) + " blocks, " + std::to_string(t.instructions) +
                   " instructions" + (t.loops ? ", a loop: its turns stay in its code" : "") + "; " +
                   describe(regs, t.loops, page_slots, optimized, true);
    return true;
  }

  mutable CodeArena arena_;
  csh capstone_ = 0;  // the host disassembler (Debian's libcapstone)
  std::unique_ptr<Backend> threaded_ = make_threaded_backend();
  NativeEntry entry_ = nullptr;
  const uint8_t* epilogue_ = nullptr;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend() { return std::make_unique<X86_64Backend>(); }
bool native_backend_exists() { return true; }
const char* native_backend_label() { return "x86-64 code"; }
#elif !defined(__EMSCRIPTEN__)  // (WebAssembly builds have theirs in wasm_backend.cpp)
std::unique_ptr<Backend> make_native_backend() { return nullptr; }
bool native_backend_exists() { return false; }
const char* native_backend_label() { return "no native code"; }
#endif

}  // namespace vmscope
