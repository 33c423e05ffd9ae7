// A translated block: guest code from one entry point to its first control transfer (or system
// instruction, or the end of its page), in one physical page, in a backend's host form.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mem/code_cache.h"

namespace vmscope {

struct Block;
struct Trace;

// One way out of a block. `to` is the chained successor: a direct jump's target in the same
// page, or the last target of an indirect jump (an inline cache, checked before it is used).
struct BlockExit {
  Block* owner = nullptr;  // the block this exit leaves
  uint8_t index = 0;       // which of its exits
  Block* to = nullptr;
  int32_t target = -1;  // a direct exit's target as a byte offset in the page; -1: elsewhere or indirect
  uint64_t taken = 0;   // edge profile
  uint32_t misses = 0;  // an indirect exit: times its target was not the linked block
  bool in_host = false;  // the link is patched into native code (not just followed by the executor)
};
// An indirect jump's link that missed this often is left alone (a return to many callers).
inline constexpr uint32_t kMaxInlineCacheMisses = 16;

// How a block ends (what its last instruction is).
enum class BlockEnd : uint8_t {
  branch,        // conditional branch: exits[0] taken, exits[1] not taken
  jump,          // jal: exits[0]
  indirect,      // jalr: exits[0] is an inline cache
  fall_through,  // page end, length limit, or before an instruction it leaves to the interpreter: exits[1]
  system,        // CSR access, xRET, WFI, SFENCE.VMA, ECALL, EBREAK, illegal: the hart is re-examined
};
const char* to_string(BlockEnd e);

struct Block {
  uint32_t paddr = 0;           // physical address of the first instruction
  uint16_t start = 0, end = 0;  // byte offsets in the page: [start, end)
  uint16_t count = 0;           // guest instructions
  BlockEnd kind = BlockEnd::fall_through;
  bool dead = false;            // invalidated or evicted: unreachable, freed at the next safe point
  uint64_t serial = 0;          // translation order
  uint64_t executions = 0;      // times entered (profile)
  uint64_t last_used = 0;       // the cache's use clock at its latest entry (lru)
  uint64_t tier_up_at = ~0ull;  // a tiered backend: the entry count at which it asks for host code
  BlockExit exits[2];           // [0] taken / jump target, [1] fall-through
  // The portable backend's threaded code: one op per guest instruction (operands resolved),
  // then an exit op for the fall-through. A native backend keeps its code in `host`.
  std::vector<Slot> ops;
  std::shared_ptr<void> host;      // the backend's own data (native code)
  const void* host_code = nullptr;  // native code to run, if the backend made any
  uint32_t host_bytes = 0;          // size of the host form (what the cache's bound counts)
  std::vector<BlockExit*> incoming;  // other blocks' exits chained to this one
  std::vector<Trace*> traces;        // traces made through this block (they go when it goes)
  Trace* heads = nullptr;            // the trace starting here, whose code host_code now is

  Block() {
    for (uint8_t i = 0; i < 2; ++i) exits[i].owner = this, exits[i].index = i;
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  uint32_t page() const { return paddr & ~(kPageSize - 1); }
};

}  // namespace vmscope
