// CLINT registers; 32-bit halves of the 64-bit ones are accessible separately (RV32 software).
#include "devices/clint.h"

namespace vmscope {

uint64_t Clint::peek(uint32_t offset, unsigned size) const {
  uint64_t full;
  unsigned shift = 0;
  if (offset < 4) {
    full = hart_.msip() ? 1 : 0;
  } else if (offset >= kMtimecmp && offset < kMtimecmp + 8) {
    full = hart_.mtimecmp();
    shift = (offset - kMtimecmp) * 8;
  } else if (offset >= kMtime && offset < kMtime + 8) {
    full = hart_.mtime();
    shift = (offset - kMtime) * 8;
  } else {
    return 0;
  }
  const uint64_t mask = size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
  return (full >> shift) & mask;
}

bool Clint::read(uint32_t offset, unsigned size, uint64_t& value) {
  value = peek(offset, size);
  return true;
}

bool Clint::write(uint32_t offset, unsigned size, uint64_t value) {
  auto merge = [&](uint64_t old, uint32_t base) {
    const unsigned shift = (offset - base) * 8;
    const uint64_t mask = (size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1) << shift;
    return (old & ~mask) | ((value << shift) & mask);
  };
  if (offset < 4) {
    hart_.set_msip(value & 1);
  } else if (offset >= kMtimecmp && offset < kMtimecmp + 8) {
    hart_.set_mtimecmp(merge(hart_.mtimecmp(), kMtimecmp));
  } else if (offset >= kMtime && offset < kMtime + 8) {
    hart_.set_mtime(merge(hart_.mtime(), kMtime));
  }
  return true;
}

}  // namespace vmscope
