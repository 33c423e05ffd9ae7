// PMP matching and its CSRs (pmp.h).
#include "mem/pmp.h"

namespace vmscope {

uint32_t Pmp::read_cfg(unsigned index) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (index * 4 + i < entries_) v |= static_cast<uint32_t>(cfg_[index * 4 + i]) << (8 * i);
  return v;
}

void Pmp::decode() {
  active_count_ = 0;
  for (unsigned e = 0; e < entries_; ++e)
    if (const Region r = region(e); r.mode != kOff && r.lo < r.hi) active_[active_count_++] = r;
}

void Pmp::write_cfg(unsigned index, uint32_t value) {
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned e = index * 4 + i;
    if (e >= entries_ || locked(e)) continue;
    auto c = static_cast<uint8_t>((value >> (8 * i)) & 0x9f);  // bits 6:5 are reserved (read 0)
    if ((c & (kR | kW)) == kW) c &= static_cast<uint8_t>(~kW);  // R = 0, W = 1 is reserved: no write
    cfg_[e] = c;
  }
  ++generation_;
  decode();
}

void Pmp::write_addr(unsigned entry, uint32_t value) {
  if (entry >= entries_ || locked(entry)) return;
  // A locked TOR entry also locks the address below it (its lower bound).
  if (entry + 1 < entries_ && locked(entry + 1) && ((cfg_[entry + 1] >> 3) & 3) == kTor) return;
  addr_[entry] = value;
  ++generation_;
  decode();
}

Pmp::Region Pmp::region(unsigned e) const {
  const auto mode = static_cast<Mode>((cfg_[e] >> 3) & 3);
  const uint64_t a = addr_[e];
  switch (mode) {
    case kTor: return {mode, cfg_[e], e == 0 ? 0 : uint64_t{addr_[e - 1]} << 2, a << 2};
    case kNa4: return {mode, cfg_[e], a << 2, (a << 2) + 4};
    case kNapot: {
      const uint64_t ones = a ^ (a + 1);  // the trailing ones and the bit above them
      return {mode, cfg_[e], (a & ~ones) << 2, ((a & ~ones) << 2) + ((ones + 1) << 2)};
    }
    default: return {mode, cfg_[e], 0, 0};
  }
}

bool Pmp::permits(uint8_t cfg, AccessType type, Priv mode) const {
  if (mode == Priv::M && !(cfg & kL)) return true;
  const uint8_t need = type == AccessType::fetch ? kX : type == AccessType::load ? kR : kW;
  return cfg & need;
}

bool Pmp::allows(uint32_t paddr, AccessType type, Priv mode) const {
  for (unsigned i = 0; i < active_count_; ++i) {
    const Region& r = active_[i];
    if (paddr >= r.lo && paddr < r.hi) return permits(r.cfg, type, mode);
  }
  return mode == Priv::M || entries_ == 0;
}

bool Pmp::allows_page(uint32_t page, AccessType type, Priv mode) const {
  const uint64_t lo = page, hi = uint64_t{page} + 4096;
  for (unsigned i = 0; i < active_count_; ++i) {
    const Region& r = active_[i];
    if (r.hi <= lo || r.lo >= hi) continue;
    // The first entry that matches any byte decides: it must cover the whole page.
    return r.lo <= lo && r.hi >= hi && permits(r.cfg, type, mode);
  }
  return mode == Priv::M || entries_ == 0;
}

}  // namespace vmscope
