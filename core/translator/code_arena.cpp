// The executable mapping and its granule bitmap.
#include "translator/code_arena.h"

#include <sys/mman.h>

namespace vmscope {

CodeArena::CodeArena(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<uint8_t*>(p);
  granules_ = bytes / kGranule;
  bits_.assign((granules_ + 63) / 64, 0);
}

CodeArena::~CodeArena() {
  if (base_) munmap(base_, granules_ * kGranule);
}

void CodeArena::mark(size_t first, size_t count, bool used) {
  for (size_t g = first; g < first + count; ++g) {
    if (used) bits_[g / 64] |= uint64_t{1} << (g % 64);
    else bits_[g / 64] &= ~(uint64_t{1} << (g % 64));
  }
  used_granules_ = used ? used_granules_ + count : used_granules_ - count;
}

uint8_t* CodeArena::allocate(size_t bytes) {
  if (!base_ || bytes == 0) return nullptr;
  const size_t need = (bytes + kGranule - 1) / kGranule;
  // Two passes: from the cursor to the end, then from the start.
  for (int pass = 0; pass < 2; ++pass) {
    size_t run = 0;
    for (size_t g = pass ? 0 : cursor_; g < granules_; ++g) {
      if (!is_free(g)) {
        run = 0;
        if (bits_[g / 64] == ~uint64_t{0}) g |= 63;  // a full word: skip it
        continue;
      }
      if (++run == need) {
        const size_t first = g + 1 - need;
        mark(first, need, true);
        cursor_ = g + 1;
        return base_ + first * kGranule;
      }
    }
  }
  return nullptr;
}

void CodeArena::release(uint8_t* p, size_t bytes) {
  if (!p) return;
  mark(static_cast<size_t>(p - base_) / kGranule, (bytes + kGranule - 1) / kGranule, false);
}

}  // namespace vmscope
