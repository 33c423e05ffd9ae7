// The interpreter: runs predecoded slots with threaded dispatch (computed goto where the compiler
// has it, a switch elsewhere: WebAssembly's br_table is faster than indirect calls there).
// One instruction = one handler; traps are values returned by the memory and CSR paths.
//
// Locals held in registers: d (current slot), remaining (steps left in this chunk); the pc is
// implied by d and only materialized where needed.
// Anything that may change privilege, translation or interrupt state leaves through `reload`.
#include <cstring>

#include "hart/hart.h"
#include "isa/decoder.h"

#if defined(__GNUC__) && !defined(__EMSCRIPTEN__)
#define VMSCOPE_THREADED 1
#else
#define VMSCOPE_THREADED 0
#endif

namespace vmscope {

using isa::Op;

void Hart::run_chunk(uint64_t chunk) {
  uint32_t* const x = x_.data();
  // `pc` is only kept up to date at reload/refetch/exception/out; while handlers run, the pc is
  // implied by the slot: page_vbase + 2 * (d - slots).
  uint32_t pc = pc_;
  uint64_t remaining = chunk;
  const uint64_t base = steps_;
  DecodedPage* page = nullptr;
  Slot* slots = nullptr;
  Slot* d = nullptr;
  uint32_t page_vbase = 0;

#define SYNC() (steps_ = base + (chunk - remaining))
#define PC_AT(slot) (page_vbase + static_cast<uint32_t>((slot) - slots) * 2)
#define PC PC_AT(d)
#define RD x[d->rd]
#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define IMM d->imm

#if VMSCOPE_THREADED
#define LABEL_ADDRESS(name) &&op_##name,
  static void* const kDispatch[kHandlerCount] = {VMSCOPE_FOR_EACH_OP(LABEL_ADDRESS) &&h_undecoded,
                                                 &&h_page_end, &&h_cross_page};
#undef LABEL_ADDRESS
#define DISPATCH() goto* kDispatch[d->handler]
#define HANDLER(name) op_##name:
#define INTERNAL(name) h_##name:
#else
#define DISPATCH() goto dispatch
#define HANDLER(name) case static_cast<uint8_t>(Op::name):
#define INTERNAL(name) case k_##name:
  constexpr uint8_t k_undecoded = kHandlerUndecoded, k_page_end = kHandlerPageEnd,
                    k_cross_page = kHandlerCrossPage;
#endif

  // Retire the current instruction and go on with the next one.
#define NEXT()                                                          \
  do {                                                                  \
    d = reinterpret_cast<Slot*>(reinterpret_cast<char*>(d) + d->step);  \
    if (--remaining == 0) {                                             \
      pc = PC;                                                          \
      goto out;                                                         \
    }                                                                   \
    DISPATCH();                                                         \
  } while (0)
  // Retire the current instruction and continue at pc + offset (branches, jal).
#define JUMP_RELATIVE(offset)                                                    \
  do {                                                                           \
    const int32_t index_ = static_cast<int32_t>(d - slots) + ((offset) >> 1);   \
    if (--remaining == 0 || static_cast<uint32_t>(index_) >= kSlotsPerPage) {    \
      pc = page_vbase + static_cast<uint32_t>(index_) * 2;                       \
      if (remaining == 0) goto out;                                              \
      goto refetch;                                                              \
    }                                                                            \
    d = slots + index_;                                                          \
    DISPATCH();                                                                  \
  } while (0)
  // Retire the current instruction and continue at an absolute address (jalr).
#define JUMP_ABSOLUTE(target)                    \
  do {                                           \
    pc = (target);                               \
    if (--remaining == 0) goto out;              \
    if ((pc & ~(kPageSize - 1)) == page_vbase) { \
      d = slots + ((pc & (kPageSize - 1)) >> 1); \
      DISPATCH();                                \
    }                                            \
    goto refetch;                                \
  } while (0)
  // Retire the current instruction, then re-examine the hart's state before going on.
#define NEXT_RELOAD()               \
  do {                              \
    pc = PC + d->length;            \
    if (--remaining == 0) goto out; \
    goto reload;                    \
  } while (0)
  // Enter a slow path: the hart's pc and step count must be exact there.
#define SLOW_PATH() \
  do {              \
    pc = PC;        \
    pc_ = pc;       \
    SYNC();         \
  } while (0)
#define LOAD(T, var, address)                                                      \
  T var;                                                                           \
  do {                                                                             \
    const uint32_t a_ = (address);                                                 \
    const MicroTlbEntry& e_ = read_tlb_[(a_ >> 12) % kMicroTlbSize];               \
    if (e_.tag == (a_ & (~(kPageSize - 1) | (sizeof(T) - 1)))) {                   \
      std::memcpy(&var, reinterpret_cast<const void*>(e_.addend + a_), sizeof(T)); \
    } else {                                                                       \
      SLOW_PATH();                                                                 \
      if (load_slow<T>(a_, var) == MemResult::fault) goto exception;               \
    }                                                                              \
  } while (0)
#define STORE(T, address, value)                                                   \
  do {                                                                             \
    const uint32_t a_ = (address);                                                 \
    const T v_ = static_cast<T>(value);                                            \
    const MicroTlbEntry& e_ = write_tlb_[(a_ >> 12) % kMicroTlbSize];              \
    if (e_.tag == (a_ & (~(kPageSize - 1) | (sizeof(T) - 1)))) {                   \
      std::memcpy(reinterpret_cast<void*>(e_.addend + a_), &v_, sizeof(T));        \
    } else {                                                                       \
      SLOW_PATH();                                                                 \
      const uint32_t length_ = d->length;                                          \
      const MemResult r_ = store_slow<T>(a_, v_);                                  \
      if (r_ == MemResult::fault) goto exception;                                  \
      /* A device may want attention, or the store hit this very slot's line. */   \
      if (r_ == MemResult::ok_reload || d->handler == kHandlerUndecoded) {         \
        pc += length_;                                                             \
        if (--remaining == 0) goto out;                                            \
        goto reload;                                                               \
      }                                                                            \
    }                                                                              \
  } while (0)

reload:
  pc_ = pc;
  SYNC();
  if (stop_request_ != StopReason::budget) goto out;
  check_interrupts();
  pc = pc_;
  refresh_modes();
  if (waiting_) goto out;
  // A CLINT write may have brought the timer deadline before the end of this chunk: end the
  // chunk there, so that run() sees the deadline (steps_until_timer() >= 1 when it is not ~0).
  if (const uint64_t until_timer = steps_until_timer(); until_timer < remaining) {
    chunk -= remaining - until_timer;
    remaining = until_timer;
  }
refetch:
  page = code_page_for(pc, page_vbase);
  if (!page) goto exception;
  slots = page->slots;
  d = slots + ((pc & (kPageSize - 1)) >> 1);

#if VMSCOPE_THREADED
  DISPATCH();
#else
dispatch:
  switch (d->handler) {
#endif

  // ---- RV32I
  HANDLER(lui) { RD = static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(auipc) { RD = PC + static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(jal) {
    RD = PC + d->length;
    JUMP_RELATIVE(IMM);
  }
  HANDLER(jalr) {
    const uint32_t target = (RS1 + static_cast<uint32_t>(IMM)) & ~1u;
    RD = PC + d->length;
    JUMP_ABSOLUTE(target);
  }
  HANDLER(beq) { if (RS1 == RS2) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(bne) { if (RS1 != RS2) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(blt) { if (static_cast<int32_t>(RS1) < static_cast<int32_t>(RS2)) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(bge) { if (static_cast<int32_t>(RS1) >= static_cast<int32_t>(RS2)) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(bltu) { if (RS1 < RS2) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(bgeu) { if (RS1 >= RS2) JUMP_RELATIVE(IMM); NEXT(); }
  HANDLER(lb) { LOAD(int8_t, v, RS1 + IMM); RD = static_cast<uint32_t>(static_cast<int32_t>(v)); NEXT(); }
  HANDLER(lh) { LOAD(int16_t, v, RS1 + IMM); RD = static_cast<uint32_t>(static_cast<int32_t>(v)); NEXT(); }
  HANDLER(lw) { LOAD(uint32_t, v, RS1 + IMM); RD = v; NEXT(); }
  HANDLER(lbu) { LOAD(uint8_t, v, RS1 + IMM); RD = v; NEXT(); }
  HANDLER(lhu) { LOAD(uint16_t, v, RS1 + IMM); RD = v; NEXT(); }
  HANDLER(sb) { STORE(uint8_t, RS1 + IMM, RS2); NEXT(); }
  HANDLER(sh) { STORE(uint16_t, RS1 + IMM, RS2); NEXT(); }
  HANDLER(sw) { STORE(uint32_t, RS1 + IMM, RS2); NEXT(); }
  HANDLER(addi) { RD = RS1 + static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(slti) { RD = static_cast<int32_t>(RS1) < IMM; NEXT(); }
  HANDLER(sltiu) { RD = RS1 < static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(xori) { RD = RS1 ^ static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(ori) { RD = RS1 | static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(andi) { RD = RS1 & static_cast<uint32_t>(IMM); NEXT(); }
  HANDLER(slli) { RD = RS1 << (IMM & 31); NEXT(); }
  HANDLER(srli) { RD = RS1 >> (IMM & 31); NEXT(); }
  HANDLER(srai) { RD = static_cast<uint32_t>(static_cast<int32_t>(RS1) >> (IMM & 31)); NEXT(); }
  HANDLER(add) { RD = RS1 + RS2; NEXT(); }
  HANDLER(sub) { RD = RS1 - RS2; NEXT(); }
  HANDLER(sll) { RD = RS1 << (RS2 & 31); NEXT(); }
  HANDLER(slt) { RD = static_cast<int32_t>(RS1) < static_cast<int32_t>(RS2); NEXT(); }
  HANDLER(sltu) { RD = RS1 < RS2; NEXT(); }
  HANDLER(xor_) { RD = RS1 ^ RS2; NEXT(); }
  HANDLER(srl) { RD = RS1 >> (RS2 & 31); NEXT(); }
  HANDLER(sra) { RD = static_cast<uint32_t>(static_cast<int32_t>(RS1) >> (RS2 & 31)); NEXT(); }
  HANDLER(or_) { RD = RS1 | RS2; NEXT(); }
  HANDLER(and_) { RD = RS1 & RS2; NEXT(); }
  // A single hart sees its own memory operations in order, and stores keep decoded code
  // coherent, so the fences have nothing left to do.
  HANDLER(fence_tso) { NEXT(); }
  HANDLER(fence) { NEXT(); }
  HANDLER(fence_i) { NEXT(); }
  HANDLER(ecall) {
    SLOW_PATH();
    if (ecall_hook) {
      const uint32_t length = d->length;  // the hook may write over this very slot's line
      const EcallAction action = ecall_hook(*this);
      if (action != EcallAction::trap) {
        pc += length;
        if (--remaining == 0) goto out;
        goto reload;
      }
    }
    raise(priv_ == Priv::U   ? ExceptionCause::ecall_u
          : priv_ == Priv::S ? ExceptionCause::ecall_s
                             : ExceptionCause::ecall_m,
          0);
    goto exception;
  }
  HANDLER(ebreak) {
    pc = PC;
    raise(ExceptionCause::breakpoint, pc);
    goto exception;
  }

  // ---- Zicsr and the privileged instructions: all leave through reload
  HANDLER(csrrw) HANDLER(csrrs) HANDLER(csrrc) HANDLER(csrrwi) HANDLER(csrrsi) HANDLER(csrrci) {
    SLOW_PATH();
    if (!csr_op(*d)) goto exception;
    NEXT_RELOAD();
  }
  HANDLER(mret) HANDLER(sret) {
    SLOW_PATH();
    uint32_t target;
    if (!(d->handler == static_cast<uint8_t>(Op::mret) ? do_mret(target) : do_sret(target))) goto exception;
    pc = target;
    if (--remaining == 0) goto out;
    goto reload;
  }
  HANDLER(wfi) {
    SLOW_PATH();
    if (!do_wfi()) goto exception;
    NEXT_RELOAD();
  }
  HANDLER(sfence_vma) {
    SLOW_PATH();
    if (!do_sfence_vma(RS1, RS2, d->rs1 != 0, d->rs2 != 0)) goto exception;
    NEXT_RELOAD();
  }

  // ---- M
  HANDLER(mul) { RD = RS1 * RS2; NEXT(); }
  HANDLER(mulh) {
    RD = static_cast<uint32_t>((static_cast<int64_t>(static_cast<int32_t>(RS1)) *
                                static_cast<int64_t>(static_cast<int32_t>(RS2))) >> 32);
    NEXT();
  }
  HANDLER(mulhsu) {
    RD = static_cast<uint32_t>((static_cast<int64_t>(static_cast<int32_t>(RS1)) * static_cast<int64_t>(RS2)) >> 32);
    NEXT();
  }
  HANDLER(mulhu) { RD = static_cast<uint32_t>((static_cast<uint64_t>(RS1) * RS2) >> 32); NEXT(); }
  HANDLER(div) {
    const auto a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
    RD = b == 0 ? ~0u : (a == INT32_MIN && b == -1) ? RS1 : static_cast<uint32_t>(a / b);
    NEXT();
  }
  HANDLER(divu) { RD = RS2 == 0 ? ~0u : RS1 / RS2; NEXT(); }
  HANDLER(rem) {
    const auto a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
    RD = b == 0 ? RS1 : (a == INT32_MIN && b == -1) ? 0 : static_cast<uint32_t>(a % b);
    NEXT();
  }
  HANDLER(remu) { RD = RS2 == 0 ? RS1 : RS1 % RS2; NEXT(); }

  // ---- A: rare enough to take the general path every time
  HANDLER(lr_w) HANDLER(sc_w) HANDLER(amoswap_w) HANDLER(amoadd_w) HANDLER(amoxor_w) HANDLER(amoand_w)
  HANDLER(amoor_w) HANDLER(amomin_w) HANDLER(amomax_w) HANDLER(amominu_w) HANDLER(amomaxu_w) {
    SLOW_PATH();
    const uint32_t length = d->length;
    if (!execute_atomic(*d)) goto exception;
    if (d->handler == kHandlerUndecoded) {  // it wrote over its own decoded line
      pc += length;
      if (--remaining == 0) goto out;
      goto refetch;
    }
    NEXT();
  }

  HANDLER(illegal) {
    pc = PC;
    raise(ExceptionCause::illegal_instruction, static_cast<uint32_t>(IMM));
    goto exception;
  }

  // ---- internal handlers
  INTERNAL(undecoded) {
    decode_slot(*page, *d, PC);
    DISPATCH();
  }
  INTERNAL(page_end) {
    pc = PC;  // the slots past the end stand for the next page's first bytes
    goto refetch;
  }
  INTERNAL(cross_page) {
    SLOW_PATH();
    uint32_t word;
    if (!fetch_slow(pc, word)) goto exception;
    // Run it from the straddle page, in the same slot: pc arithmetic stays right, and every
    // other slot there is a page end that sends execution back to a real page.
    slots = straddle_page_->slots;
    d = slots + (kSlotsPerPage - 1);
    fill_slot(*d, word);
    DISPATCH();
  }

#if !VMSCOPE_THREADED
  }
#endif

exception:
  --remaining;  // an instruction that traps still took a step
  SYNC();
  if (!take_pending_exception(pc)) {
    pc = pc_;
    goto out;
  }
  pc = pc_;
  if (remaining == 0) goto out;
  goto reload;

out:
  pc_ = pc;
  SYNC();

#undef SYNC
#undef PC_AT
#undef PC
#undef SLOW_PATH
#undef JUMP_RELATIVE
#undef JUMP_ABSOLUTE
#undef RD
#undef RS1
#undef RS2
#undef IMM
#undef DISPATCH
#undef HANDLER
#undef INTERNAL
#undef NEXT
#undef NEXT_RELOAD
#undef LOAD
#undef STORE
}

}  // namespace vmscope
