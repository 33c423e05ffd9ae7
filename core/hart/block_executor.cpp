// The block translator's engine: runs translated blocks (core/translator/) — their native code
// when the backend made some, else (and from any instruction native code hands over at) their
// threaded code, with the same instruction semantics as the interpreter (instructions.inc) — and
// follows chain links from block to block, looking blocks up (and translating them) otherwise.
//
// Counting: a block is entered only when the chunk's budget covers all of it, and the budget
// is charged when the block is left (`LEAVE_BLOCK`), with `d - first` = instructions of the block
// already retired; so steps, exceptions and the timer are exact at every instruction, as in the
// interpreter. What the engine will not run (the last instructions of a budget, an instruction
// straddling two pages) it leaves to the interpreter (`interpret_next_`).
//
// Interrupts are looked at where the interpreter looks (reload, chunk ends); chunks end exactly
// when the timer fires, so a chained loop cannot delay one.
#include <algorithm>
#include <cstring>

#include "hart/hart.h"
#include "translator/block_cache.h"
#include "translator/native_context.h"

namespace vmscope {

using isa::Op;

void Hart::run_blocks(const uint64_t chunk) {
  uint32_t* const x = x_.data();
  uint32_t pc = pc_;
  uint64_t remaining = chunk;
  const uint64_t base = steps_;
  BlockCache& cache = *blocks_;
  cache.collect_garbage();  // nothing runs yet
  // Links are made only without breakpoints and watchpoints, which are looked for between blocks.
  const bool chaining = cache.options().chaining && breakpoints_.empty() && watchpoints_.empty();
  uint32_t page_vbase = 0;
  Block* block = nullptr;       // the block running (or just left)
  const Slot* d = nullptr;      // its current op
  const Slot* first = nullptr;  // its first op: d - first of its instructions have retired
  BlockExit* exit = nullptr;    // the exit just taken, to be chained to the next block
  // Native code, when the backend makes it: entered at a block's start, it runs (and chains)
  // whole blocks and hands back at an exit, or at the op where threaded code must take over.
  const NativeEntry native = cache.backend().native_entry();
  const bool lru = cache.options().eviction == Eviction::lru;  // (only lru needs entries stamped)
  NativeContext ctx{};
  ctx.x = x;
  ctx.hart = this;
  ctx.refill = &Hart::refill_micro_tlb;
  ctx.one_block = !chaining || block_boundary_hook;
  // Without links (breakpoints, watchpoints, a hook that must see every block) nothing made
  // earlier is followed: links to other pages and return predictions hold an older epoch.
  if (!chaining || block_boundary_hook) ++cache.code_epoch;
  skipped_steps_ = 0;

#define LEAVE_BLOCK(retired) (remaining -= static_cast<uint64_t>(d - first) + (retired), first = d)
#define SYNC() (steps_ = base + (chunk - remaining) + static_cast<uint64_t>(d - first) - skipped_steps_)
#define PC (page_vbase + d->offset)
#define RETIRE_TO_RELOAD() \
  do {                     \
    LEAVE_BLOCK(1);        \
    goto reload;           \
  } while (0)
  // The block was invalidated under the instruction (it wrote over its own code): it retires,
  // and execution goes on from a fresh translation.
#define RETIRE_TO_FETCH() \
  do {                    \
    LEAVE_BLOCK(1);       \
    goto lookup;          \
  } while (0)
#define CODE_CHANGED() (block->dead)
  // A watchpoint's hit is seen between blocks: while watchpoints are set, every memory access
  // ends its block.
#define LOAD_WATCH_HIT() (void)0
#include "hart/engine_scaffold.inc"

#if VMSCOPE_THREADED
#define LABEL_ADDRESS(name) &&op_##name,
#define COMPRESSED_LABEL_ADDRESS(name) &&op2_##name,
  // The interpreter's internal handlers never appear in a block.
  static void* const kDispatch[kHandlerCount] = {
      VMSCOPE_FOR_EACH_OP(LABEL_ADDRESS) &&h_block_exit, &&h_block_exit, &&h_block_exit,
      VMSCOPE_FOR_EACH_COMPRESSED_OP(COMPRESSED_LABEL_ADDRESS) &&h_block_exit};
#undef LABEL_ADDRESS
#undef COMPRESSED_LABEL_ADDRESS
#endif

  // Within a block the budget is already known to suffice: no count, no check.
#define NEXT() \
  do {         \
    ++d;       \
    DISPATCH(); \
  } while (0)
  // Control transfers end their block: leave it through the exit, to a link or the table.
#define JUMP_RELATIVE(offset)                  \
  do {                                         \
    pc = PC + static_cast<uint32_t>(offset);   \
    LEAVE_BLOCK(1);                            \
    exit = &block->exits[0];                   \
    goto chain;                                \
  } while (0)
#define JUMP_ABSOLUTE(target) \
  do {                        \
    pc = (target);            \
    LEAVE_BLOCK(1);           \
    exit = &block->exits[0];  \
    goto chain;               \
  } while (0)

  // Lockstep checking: the state right after a block (before interrupts are looked at, as where
  // the interpreter's run ends after the same number of steps) goes to the hook.
#define BLOCK_BOUNDARY()                          \
  do {                                            \
    if (block_boundary_hook && !block_boundary_hook()) { \
      stop_request_ = StopReason::check_failed;   \
      goto out;                                   \
    }                                             \
  } while (0)

reload:
  exit = nullptr;
  pc_ = pc;
  SYNC();
  BLOCK_BOUNDARY();
  if (stop_request_ != StopReason::budget) goto out;
  // The interpreter looks at interrupts only when its budget is not spent: the same here (the
  // next run looks first thing), so that both engines stop in the same state.
  if (remaining == 0) goto out;
  check_interrupts();
  pc = pc_;
  refresh_modes();
  // Another mode fetches with other permissions: links between code pages are checked again.
  if (const uint8_t mode = static_cast<uint8_t>(static_cast<unsigned>(priv_) | (virt_ ? 4u : 0u)); mode != epoch_mode_) {
    epoch_mode_ = mode;
    ++cache.code_epoch;
  }
  if (waiting_) goto out;
  // An execute trigger was armed: run() looks for it before each instruction from now on.
  if (triggers_.armed(AccessType::fetch) && remaining != chunk) goto out;
  if (const uint64_t until_timer = steps_until_timer(); until_timer < remaining) {
    skipped_steps_ += remaining - until_timer;
    remaining = until_timer;
  }

lookup:
  // Between blocks: d == first. Stop if the budget is spent or something asked to.
  if (remaining == 0 || stop_request_ != StopReason::budget) goto out;
  {
    const uint32_t from_vbase = page_vbase;
    bool one_instruction;
    DecodedPage* page = code_page_for(pc, page_vbase, one_instruction);
    if (!page) {
      exit = nullptr;
      goto exception;
    }
    if (one_instruction) {  // a page PMP lets execute only in part: the interpreter checks each
      interpret_next_ = 1;
      goto out;
    }
    if (!breakpoints_.empty() && std::binary_search(breakpoints_.begin(), breakpoints_.end(), pc)) {
      SYNC();
      if (steps_ != run_start_) goto out;  // run() stops here; a run may start on one
    }
    ++cache.stats.lookups;
    Block* next = cache.find(page->paddr + (pc & (kPageSize - 1)));
    if (!next) {
      pc_ = pc;
      SYNC();
      next = translate_block(*page, page_vbase, pc);
      if (!next) {  // an instruction straddling two pages
        interpret_next_ = 1;
        goto out;
      }
    }
    // A return that found its prediction's slot empty: the slot now names this block (if
    // nothing was removed meanwhile, and links may be made at all).
    if (ReturnStack& r = cache.returns; r.pending) {
      if (r.pending_epoch == cache.code_epoch && r.pending_vpc == pc && next->host_code && chaining &&
          !block_boundary_hook)
        *r.pending = ReturnSlot{cache.code_epoch, next->host_code, page_vbase};
      r.pending = nullptr;
    }
    // Chain the exit just taken to this block, its block still alive (the translation may have
    // evicted it): within a page, or a direct exit to another page (native code checks the code
    // epoch before following such a link; threaded code follows only links within a page).
    // An indirect jump's inline cache is re-pointed only while it keeps hitting more than missing.
    // Native code follows links without coming back here: not while a hook must see every block.
    const bool same_page = from_vbase == page_vbase && block && block->page() == next->page();
    const bool to_other_page = from_vbase != page_vbase && exit && (exit->index == 1 || block->kind != BlockEnd::indirect) &&
                               native && !block_boundary_hook;
    if (exit && chaining && !block->dead && (same_page || to_other_page) &&
        (!exit->to || exit->misses < kMaxInlineCacheMisses))
      cache.link(*exit, *next, !block_boundary_hook);
    exit = nullptr;
    if (next->count > remaining) {  // the budget ends inside it: the interpreter is exact there
      interpret_next_ = remaining;
      goto out;
    }
    block = next;
  }

enter:
  if (native && block->host_code) {
    ctx.read_tlb = read_tlb_;
    ctx.write_tlb = write_tlb_;
    ctx.remaining = remaining;
    ctx.page_vbase = page_vbase;
    const uint32_t stopped = native(&ctx, block->host_code);
    remaining = ctx.remaining;  // charged for every block it finished
    page_vbase = ctx.page_vbase;  // (links to other pages move it)
    block = ctx.block;
    d = first = block->ops.data();
    if (stopped >= kNativeExit) {
      pc = ctx.pc;
      exit = &block->exits[stopped - kNativeExit];
      goto chain_taken;
    }
    if (stopped == kNativeHot) {  // entered for the trace threshold's time (counted): a trace may start here
      if (chaining) cache.form_trace(*block);
      DISPATCH();  // this entry runs as threaded code
    }
    if (stopped == kNativeNotEntered) {  // a linked successor the budget does not cover
      pc = page_vbase + block->start;
      interpret_next_ = remaining;
      goto out;
    }
    d = first + stopped;  // threaded code takes over at this op, which has not run
    DISPATCH();
  }
  // A tiered backend compiles a block entered often enough as threaded code (in the background,
  // or at once: then its next entry runs the compiled code).
  if (++block->executions == block->tier_up_at) cache.tier_up(*block);
  if (lru) block->last_used = ++cache.use_clock;
  d = first = block->ops.data();
#if VMSCOPE_THREADED
  DISPATCH();
#else
dispatch:
  switch (d->handler) {
#endif

#include "hart/instructions.inc"

#if VMSCOPE_THREADED
  h_block_exit:
#else
  default:  // kHandlerBlockExit
#endif
  {
    pc = PC;  // the exit op stands at the block's end
    LEAVE_BLOCK(0);
    exit = &block->exits[1];
    goto chain;
  }

#if !VMSCOPE_THREADED
  }
#endif

chain:
  // The whole block retired; pc is where it went, through `exit`.
  ++exit->taken;
chain_taken:
  if (block_boundary_hook) {
    pc_ = pc;
    SYNC();
    BLOCK_BOUNDARY();
  }
  // Links within the page are followed here too; one to another page only by native code,
  // which checks the code epoch (the lookup translates the pc, and refreshes the link).
  if (Block* next = exit->to) {
    if (pc - page_vbase == next->start) {
      if (next->count <= remaining) {
        block = next;
        goto enter;
      }
    } else if (exit->index == 0 && block->kind == BlockEnd::indirect) {
      ++exit->misses;  // an indirect jump elsewhere than last time
    }
  }
  goto lookup;

exception:
  LEAVE_BLOCK(1);  // an instruction that traps still took a step
  SYNC();
  if (!take_pending_exception(pc)) {
    pc = pc_;
    goto out;
  }
  pc = pc_;
  if (remaining == 0) goto out;
  goto reload;

out:
  LEAVE_BLOCK(0);  // an instruction stopped before (ECALL waiting for input) has not retired
  pc_ = pc;
  SYNC();
  cache.settle_traces();  // (traces count per trace: the blocks' profile, up to date)

#undef LEAVE_BLOCK
#undef BLOCK_BOUNDARY
#include "hart/engine_scaffold_end.inc"
}

}  // namespace vmscope
