// A trace (superblock): a hot path through blocks of one page, made into one stretch of native
// code with a single entry (its first block's) and side exits. The cache forms one when a block
// has been entered `trace_threshold` times, following each block's more taken exit (when it was
// taken at least half the time) to a block of the same page, until the path comes back to its
// start (a loop), reaches a block already on it, an indirect jump or a system instruction, or 16
// blocks. The backend compiles the path as one piece: guest registers stay in host registers
// across its blocks, branches fall through in the hot direction and leave by side exits
// otherwise, and the optimizer's passes and page slots work across the whole path. A trace goes
// as soon as any of its blocks goes (invalidated, evicted, flushed); its blocks stay blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "translator/block.h"

namespace vmscope {

inline constexpr unsigned kMaxTraceBlocks = 16;
inline constexpr unsigned kMaxTraceInstructions = 512;

struct Trace {
  std::vector<Block*> blocks;  // the path, its head first
  std::vector<uint8_t> via;    // via[i]: the exit of blocks[i] to blocks[i + 1] (a loop's last one: to the head)
  bool loops = false;          // the last block's hot exit goes back to the head
  uint32_t instructions = 0;   // guest instructions along the whole path
  // Counted by its code (BlockCache::settle_traces turns them into its blocks' counts):
  uint64_t entries = 0;        // times its code was entered (a loop's further turns are not entries)
  uint64_t turns = 0;          // a loop: turns after the first of an entry
  uint64_t turned_away = 0;    // a loop: times the budget did not cover another turn
  std::vector<uint64_t> left;  // left[i]: times execution left the trace in blocks[i] (side exits, the
                               // end, hand-overs to threaded code)
  // What settle_traces has already added to the blocks.
  struct {
    uint64_t entries = 0, turns = 0;
    std::vector<uint64_t> left;
  } settled;
  // The backend's host form (native code), and the head's own code it replaced as host_code.
  std::shared_ptr<void> host;
  const void* host_code = nullptr;
  uint32_t host_bytes = 0;
  const void* head_code = nullptr;
};

}  // namespace vmscope
