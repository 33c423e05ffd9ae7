// Which pages of a guest's RAM were written since the last look: what live migration sends
// again in its next round. The monitor keeps it, as KVM's dirty log does, by write-protecting
// its shadow (or G-stage) entries and noting the page on the first store fault, and by noting
// every write it makes to guest memory itself (emulated stores, A/D bits, shared pages).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vmscope {

class DirtyLog {
 public:
  // Starts logging `pages` pages of guest RAM, all clean.
  void start(uint32_t pages) {
    bits_.assign((pages + 63) / 64, 0);
    pages_ = pages;
    on_ = true;
  }
  void stop() { on_ = false; }
  bool on() const { return on_; }
  uint32_t pages() const { return pages_; }

  void mark(uint32_t page) {
    if (on_ && page < pages_) bits_[page >> 6] |= uint64_t{1} << (page & 63);
  }
  bool dirty(uint32_t page) const { return page < pages_ && (bits_[page >> 6] >> (page & 63) & 1); }
  // The pages marked since the last take (in order), and a clean log from here on.
  std::vector<uint32_t> take() {
    std::vector<uint32_t> out;
    for (uint32_t w = 0; w < bits_.size(); ++w)
      for (uint64_t b = bits_[w]; b; b &= b - 1) out.push_back(w * 64 + static_cast<uint32_t>(__builtin_ctzll(b)));
    std::fill(bits_.begin(), bits_.end(), 0);
    return out;
  }

 private:
  std::vector<uint64_t> bits_;
  uint32_t pages_ = 0;
  bool on_ = false;
};

}  // namespace vmscope
