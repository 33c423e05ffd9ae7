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

void Hart::run_chunk(const uint64_t chunk) {
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
  bool one_instruction = false;
  skipped_steps_ = 0;

// Steps taken so far in this chunk; the budget given up early (a watchpoint, a timer deadline
// moved closer) lives in a member so that `chunk` stays a constant in the hot loop.
#define SYNC() (steps_ = base + (chunk - remaining) - skipped_steps_)
#define PC_AT(slot) (page_vbase + static_cast<uint32_t>((slot) - slots) * 2)
#define PC PC_AT(d)
#define RD x[d->rd]
#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define IMM d->imm

#if VMSCOPE_THREADED
#define LABEL_ADDRESS(name) &&op_##name,
#define COMPRESSED_LABEL_ADDRESS(name) &&op2_##name,
  static void* const kDispatch[kHandlerCount] = {
      VMSCOPE_FOR_EACH_OP(LABEL_ADDRESS) &&h_undecoded, &&h_page_end, &&h_cross_page,
      VMSCOPE_FOR_EACH_COMPRESSED_OP(COMPRESSED_LABEL_ADDRESS) &&h_page_end /* block exits: never here */};
#undef LABEL_ADDRESS
#undef COMPRESSED_LABEL_ADDRESS
#define DISPATCH() goto* kDispatch[d->handler]
#define HANDLER(name) op_##name:
#define HANDLER2(name) op2_##name:
#define INTERNAL(name) h_##name:
#else
#define DISPATCH() goto dispatch
#define HANDLER(name) case static_cast<uint8_t>(Op::name):
#define HANDLER2(name) case kCompressedHandler[static_cast<int>(Op::name)]:
#define INTERNAL(name) case k_##name:
  constexpr uint8_t k_undecoded = kHandlerUndecoded, k_page_end = kHandlerPageEnd,
                    k_cross_page = kHandlerCrossPage;
#endif
  // An operation only 32-bit instructions use, and one compressed forms use too: the body is
  // written once and instantiated per length (LEN), a compile-time constant in it.
#define OP4(name, ...)                           \
  HANDLER(name) {                                \
    [[maybe_unused]] constexpr uint32_t LEN = 4; \
    __VA_ARGS__                                  \
  }
#define OP24(name, ...)                          \
  HANDLER(name) {                                \
    [[maybe_unused]] constexpr uint32_t LEN = 4; \
    __VA_ARGS__                                  \
  }                                              \
  HANDLER2(name) {                               \
    [[maybe_unused]] constexpr uint32_t LEN = 2; \
    __VA_ARGS__                                  \
  }

  // Retire the current instruction and go on with the next one.
#define NEXT()                    \
  do {                            \
    d += LEN / 2;                 \
    if (--remaining == 0) {       \
      pc = PC;                    \
      goto out;                   \
    }                             \
    DISPATCH();                   \
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
    pc = PC + LEN;                  \
    if (--remaining == 0) goto out; \
    goto reload;                    \
  } while (0)
  // Retire the current instruction (an xRET) and continue at target, re-examining the hart.
#define JUMP_RELOAD(target)         \
  do {                              \
    pc = (target);                  \
    if (--remaining == 0) goto out; \
    goto reload;                    \
  } while (0)
  // Retire an instruction that called a slow path which may have written over its own line.
#define NEXT_UNLESS_CODE_CHANGED()         \
  do {                                     \
    if (d->handler == kHandlerUndecoded) { \
      pc += LEN;                           \
      if (--remaining == 0) goto out;      \
      goto refetch;                        \
    }                                      \
    NEXT();                                \
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
      const MemResult r_ = load_slow<T>(a_, var);                                  \
      if (r_ == MemResult::fault) goto exception;                                  \
      if (r_ == MemResult::ok_reload) { /* a watchpoint: end the chunk after this */ \
        skipped_steps_ += remaining - 1;                                           \
        remaining = 1;                                                             \
      }                                                                            \
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
      const MemResult r_ = store_slow<T>(a_, v_);                                  \
      if (r_ == MemResult::fault) goto exception;                                  \
      /* A device may want attention, or the store hit this very slot's line. */   \
      if (r_ == MemResult::ok_reload || d->handler == kHandlerUndecoded) {         \
        pc += LEN;                                                                 \
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
  // An execute trigger was armed: run() looks for it before each instruction from now on.
  if (triggers_.armed(AccessType::fetch) && remaining != chunk) goto out;
  // A CLINT write may have brought the timer deadline before the end of this chunk: end the
  // chunk there, so that run() sees the deadline (steps_until_timer() >= 1 when it is not ~0).
  if (const uint64_t until_timer = steps_until_timer(); until_timer < remaining) {
    skipped_steps_ += remaining - until_timer;
    remaining = until_timer;
  }
refetch:
  page = code_page_for(pc, page_vbase, one_instruction);
  if (!page) goto exception;
  if (one_instruction && remaining > 1) {  // (a page PMP lets execute only in part)
    skipped_steps_ += remaining - 1;
    remaining = 1;
  }
  slots = page->slots;
  d = slots + ((pc & (kPageSize - 1)) >> 1);

#if VMSCOPE_THREADED
  DISPATCH();
#else
dispatch:
  switch (d->handler) {
#endif

#include "hart/instructions.inc"

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
#undef HANDLER2
#undef OP4
#undef OP24
#undef NEXT
#undef NEXT_RELOAD
#undef JUMP_RELOAD
#undef NEXT_UNLESS_CODE_CHANGED
#undef LOAD
#undef STORE
}

}  // namespace vmscope
