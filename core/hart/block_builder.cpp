// Block formation for the translator: from an entry point, the decoded instructions of one
// physical page up to the first control transfer or system instruction (or the page's end),
// handed to the code cache, which has its backend give them a host form.
#include <algorithm>

#include "hart/hart.h"
#include "translator/block_cache.h"

namespace vmscope {

namespace {

using isa::Op;

// What ending a block with `op` makes it, if anything (the spec's traits: system instructions
// leave for the hart's slow paths and re-examine it, or trap, so nothing after them in the
// block would run straight on).
bool ends_block(Op op, BlockEnd& kind) {
  const uint8_t t = isa::kOpTraits[static_cast<int>(op)];
  if (t & isa::kTraitBranch) kind = BlockEnd::branch;
  else if (t & isa::kTraitJump) kind = BlockEnd::jump;
  else if (t & isa::kTraitIndirect) kind = BlockEnd::indirect;
  else if (t & isa::kTraitSystem) kind = BlockEnd::system;
  else return false;
  return true;
}

bool accesses_memory(Op op) {
  return isa::kOpTraits[static_cast<int>(op)] & (isa::kTraitLoad | isa::kTraitStore | isa::kTraitAtomic);
}

}  // namespace

Block* Hart::translate_block(DecodedPage& page, uint32_t page_vbase, uint32_t pc) {
  auto block = std::make_unique<Block>();
  const uint32_t start = pc & (kPageSize - 1);
  block->paddr = page.paddr + start;
  block->start = static_cast<uint16_t>(start);
  uint32_t offset = start;
  while (offset < kPageSize && block->ops.size() < kMaxBlockInstructions) {
    // A breakpoint starts a block of its own, where the executor looks for it.
    if (offset != start && !breakpoints_.empty() &&
        std::binary_search(breakpoints_.begin(), breakpoints_.end(), page_vbase + offset))
      break;
    Slot& slot = page.slots[offset / 2];
    if (slot.handler == kHandlerUndecoded) decode_slot(page, slot, page_vbase + offset);
    if (slot.handler == kHandlerCrossPage) break;  // left to the interpreter
    Slot op = slot;
    op.offset = static_cast<uint16_t>(offset);
    block->ops.push_back(op);
    const Op operation = kHandlerOp[op.handler];
    if (operation == Op::beq || operation == Op::bne || operation == Op::blt || operation == Op::bge ||
        operation == Op::bltu || operation == Op::bgeu || operation == Op::jal) {
      const int64_t target = int64_t{offset} + op.imm;
      if (target >= 0 && target < kPageSize) block->exits[0].target = static_cast<int32_t>(target);
    }
    offset += op.length;
    BlockEnd kind;
    if (ends_block(operation, kind)) {
      block->kind = kind;
      break;
    }
    // A watchpoint stops the run right after the access: the executor looks between blocks.
    if (!watchpoints_.empty() && accesses_memory(operation)) break;
  }
  if (block->ops.empty()) return nullptr;
  block->end = static_cast<uint16_t>(offset);
  block->count = static_cast<uint16_t>(block->ops.size());
  if (block->kind == BlockEnd::branch || block->kind == BlockEnd::fall_through)
    block->exits[1].target = offset < kPageSize ? static_cast<int32_t>(offset) : -1;
  return blocks_->insert(std::move(block));
}

}  // namespace vmscope
