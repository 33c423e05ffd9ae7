// What native block code shares with the block executor: the hart state it reaches, and how it
// says where it stopped. The x86-64 backend addresses these fields by their offsets.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmscope {

struct Block;

struct NativeContext {
  uint32_t* x;            // the guest registers (x[32] absorbs writes to x0)
  const void* read_tlb;   // the hart's micro-TLBs for the current data mode (256 entries of 16 bytes:
  const void* write_tlb;  //   tag u32 at 0, host addend at 8)
  uint64_t remaining;     // the chunk's budget: a block is entered only if it fits, charged at its end
  Block* block;           // out: the block the code stopped in
  uint32_t page_vbase;    // virtual address of the running page (the same for chained blocks)
  uint32_t pc;            // out, with an exit: where execution goes next
  uint32_t one_block;     // set: return at the block's exit (a hook sees every block, links are off);
                          //   the WebAssembly backend's regions look at it (native code follows links)
  // A micro-TLB miss: fills the entry when nothing else is needed (Hart::refill_micro_tlb), so
  // native code can look again rather than hand over. Null: always hand over.
  void* hart;
  bool (*refill)(void* hart, uint32_t vaddr, uint32_t size, uint32_t write);
};
// (The x86-64 backend takes the fields' offsets from offsetof, in x86_64_backend.cpp.)

// What native code returns: below kNativeExit, "continue this block's threaded code at op N"
// (op N has not run: a slow path, or an instruction the backend leaves to threaded code);
// kNativeNotEntered: the budget does not cover the block (nothing of it ran);
// kNativeExit + k: the whole block retired and left through exits[k], to ctx.pc.
inline constexpr uint32_t kNativeNotEntered = 0xffff;
// kNativeHot: the block was just entered for the trace threshold's time (the entry is counted,
// nothing ran): a trace may start here; the executor runs this entry as threaded code.
inline constexpr uint32_t kNativeHot = 0xfffe;
inline constexpr uint32_t kNativeExit = 0x10000;

// Runs native block code (the x86-64 backend's entry trampoline).
using NativeEntry = uint32_t (*)(NativeContext* ctx, const void* code);

}  // namespace vmscope
