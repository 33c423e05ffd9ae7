// Executable memory for native block code: one mapping, handed out in 64-byte granules
// (first fit from a rotating cursor), so blocks evicted or invalidated in any order give their
// space back. One mapping keeps every block within rel32 reach of every other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmscope {

class CodeArena {
 public:
  explicit CodeArena(size_t bytes);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  bool ok() const { return base_ != nullptr; }
  uint8_t* allocate(size_t bytes);  // null when no room is left
  void release(uint8_t* p, size_t bytes);
  size_t used() const { return used_granules_ * kGranule; }

  static constexpr size_t kGranule = 64;

 private:
  bool is_free(size_t g) const { return !(bits_[g / 64] >> (g % 64) & 1); }
  void mark(size_t first, size_t count, bool used);

  uint8_t* base_ = nullptr;
  size_t granules_ = 0, cursor_ = 0, used_granules_ = 0;
  std::vector<uint64_t> bits_;  // 1: granule in use
};

}  // namespace vmscope
