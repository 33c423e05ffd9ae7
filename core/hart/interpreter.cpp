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
  // Retire the current instruction, then re-examine the hart's state before going on.
#define RETIRE_TO_RELOAD()          \
  do {                              \
    if (--remaining == 0) goto out; \
    goto reload;                    \
  } while (0)
  // Retire an instruction whose slow path wrote over its own line (its slot is undecoded now).
#define RETIRE_TO_FETCH()           \
  do {                              \
    if (--remaining == 0) goto out; \
    goto refetch;                   \
  } while (0)
#define CODE_CHANGED() (d->handler == kHandlerUndecoded)
  // A load hit a watchpoint: end the chunk after this instruction.
#define LOAD_WATCH_HIT()               \
  do {                                 \
    skipped_steps_ += remaining - 1;   \
    remaining = 1;                     \
  } while (0)
#include "hart/engine_scaffold.inc"

#if VMSCOPE_THREADED
#define LABEL_ADDRESS(name) &&op_##name,
#define COMPRESSED_LABEL_ADDRESS(name) &&op2_##name,
  static void* const kDispatch[kHandlerCount] = {
      VMSCOPE_FOR_EACH_OP(LABEL_ADDRESS) &&h_undecoded, &&h_page_end, &&h_cross_page,
      VMSCOPE_FOR_EACH_COMPRESSED_OP(COMPRESSED_LABEL_ADDRESS) &&h_page_end /* block exits: never here */};
#undef LABEL_ADDRESS
#undef COMPRESSED_LABEL_ADDRESS
#define INTERNAL(name) h_##name:
#else
#define INTERNAL(name) case k_##name:
  constexpr uint8_t k_undecoded = kHandlerUndecoded, k_page_end = kHandlerPageEnd,
                    k_cross_page = kHandlerCrossPage;
#endif

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

#undef PC_AT
#undef INTERNAL
#include "hart/engine_scaffold_end.inc"
}

}  // namespace vmscope
