// Physical memory protection (privileged spec 1.12, §3.7): up to 16 entries (pmpcfg0..3 hold
// their 8-bit configurations four to a register, pmpaddr0..15 their addresses, bits 33:2), each
// OFF, TOR (top of range: from the previous entry's address), NA4 or NAPOT, with R/W/X and L.
// The lowest-numbered entry that matches any byte of an access decides it (a partial match
// fails); M-mode obeys only locked entries; an S- or U-mode access no entry matches fails when
// the hart has any entries. A locked entry's configuration and address (and a TOR entry's
// lower bound) ignore writes until reset.
#pragma once

#include <array>
#include <cstdint>

#include "isa/privilege.h"

namespace vmscope {

class Pmp {
 public:
  static constexpr unsigned kMaxEntries = 16;
  static constexpr uint8_t kR = 1, kW = 2, kX = 4, kL = 0x80;
  enum Mode : uint8_t { kOff = 0, kTor = 1, kNa4 = 2, kNapot = 3 };

  unsigned entries() const { return entries_; }
  void set_entries(unsigned n) {
    entries_ = n < kMaxEntries ? n : kMaxEntries;
    decode();
  }
  void reset() {
    cfg_ = {}, addr_ = {}, ++generation_;
    decode();
  }

  // The CSRs: pmpcfg0..3 (`index` 0..3) and pmpaddr0..15. Entries beyond entries() read 0 and
  // ignore writes.
  uint32_t read_cfg(unsigned index) const;
  void write_cfg(unsigned index, uint32_t value);
  uint32_t read_addr(unsigned entry) const { return entry < entries_ ? addr_[entry] : 0; }
  void write_addr(unsigned entry, uint32_t value);

  // Whether `mode` may make an access of `type` to the byte at `paddr` (an aligned access of up
  // to 4 bytes lies in one 4-byte granule, so its first byte decides for it).
  bool allows(uint32_t paddr, AccessType type, Priv mode) const;
  // Whether it may to every byte of the 4 KiB page at `page`: then a fast path may cache the
  // page's translation; otherwise every access goes through allows().
  bool allows_page(uint32_t page, AccessType type, Priv mode) const;
  // Bumped by every write: translations cached under the old rules are stale.
  uint64_t generation() const { return generation_; }

  // The debugger's view of entry i: its mode, permissions and the bytes [lo, hi) it covers.
  struct Region {
    Mode mode;
    uint8_t cfg;
    uint64_t lo, hi;
  };
  Region region(unsigned entry) const;

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(cfg_, addr_, entries_, generation_);
    if constexpr (Ar::kLoading) decode();
  }

 private:
  void decode();  // the entries that are on, in order, with their ranges (what every check walks)
  bool locked(unsigned entry) const { return entry < entries_ && (cfg_[entry] & kL); }
  bool permits(uint8_t cfg, AccessType type, Priv mode) const;
  std::array<uint8_t, kMaxEntries> cfg_{};
  std::array<uint32_t, kMaxEntries> addr_{};
  unsigned entries_ = 0;
  uint64_t generation_ = 0;
  std::array<Region, kMaxEntries> active_{};
  unsigned active_count_ = 0;
};

}  // namespace vmscope
