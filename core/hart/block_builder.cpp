// Block formation for the translator: from an entry point, the decoded instructions of one
// physical page up to the first control transfer or system instruction (or the page's end),
// handed to the code cache, which has its backend give them a host form.
#include <algorithm>

#include "hart/hart.h"
#include "translator/block_cache.h"

namespace vmscope {

namespace {

using isa::Op;

// What ending a block with `op` makes it, if anything.
bool ends_block(Op op, BlockEnd& kind) {
  switch (op) {
    case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
      kind = BlockEnd::branch;
      return true;
    case Op::jal:
      kind = BlockEnd::jump;
      return true;
    case Op::jalr:
      kind = BlockEnd::indirect;
      return true;
    // These leave for the hart's slow paths and re-examine it (or trap), so nothing after them
    // in the block would run straight on.
    case Op::ecall: case Op::ebreak: case Op::illegal: case Op::csrrw: case Op::csrrs:
    case Op::csrrc: case Op::csrrwi: case Op::csrrsi: case Op::csrrci: case Op::mret:
    case Op::sret: case Op::wfi: case Op::sfence_vma: case Op::hfence_vvma: case Op::hfence_gvma:
    case Op::hlv_b: case Op::hlv_bu: case Op::hlv_h: case Op::hlv_hu: case Op::hlvx_hu: case Op::hlv_w:
    case Op::hlvx_wu: case Op::hsv_b: case Op::hsv_h: case Op::hsv_w:
      kind = BlockEnd::system;
      return true;
    default:
      return false;
  }
}

bool accesses_memory(Op op) {
  switch (op) {
    case Op::lb: case Op::lh: case Op::lw: case Op::lbu: case Op::lhu: case Op::sb: case Op::sh:
    case Op::sw:
      return true;
    default:
      return op >= Op::lr_w;  // the atomics
  }
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
