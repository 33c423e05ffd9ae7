// Decoded-page storage and invalidation on writes.
#include "mem/code_cache.h"

#include "mem/bus.h"

namespace vmscope {

CodeCache::CodeCache(const Bus& bus) : bus_(bus), pages_(bus.ram_size() / kPageSize + 1) {}

void CodeCache::reset_page(DecodedPage& p) {
  for (Slot& s : p.slots) s = Slot{};
  p.slots[kSlotsPerPage].handler = kHandlerPageEnd;
  p.slots[kSlotsPerPage + 1].handler = kHandlerPageEnd;
  p.code_lines = 0;
}

DecodedPage* CodeCache::page(uint32_t page_paddr) {
  auto& slot = pages_[(page_paddr - bus_.ram_base()) / kPageSize];
  if (!slot) {
    slot = std::make_unique<DecodedPage>();
    reset_page(*slot);
    slot->paddr = page_paddr;
  }
  return slot.get();
}

bool CodeCache::has_code(uint32_t page_paddr) const {
  const auto& p = pages_[(page_paddr - bus_.ram_base()) / kPageSize];
  return p && p->code_lines;
}

void CodeCache::on_write(uint32_t paddr, uint32_t length) {
  if (!length) return;
  // An instruction may start up to 2 bytes before the write and overlap it.
  const uint32_t first = paddr - bus_.ram_base() - (paddr - bus_.ram_base() >= 2 ? 2 : 0);
  const uint64_t last = static_cast<uint64_t>(paddr - bus_.ram_base()) + length - 1;
  for (uint64_t off = first & ~(kLineBytes - 1); off <= last; off += kLineBytes) {
    const auto& p = pages_[off / kPageSize];
    if (!p) {
      off |= kPageSize - kLineBytes;  // skip to the page's last line
      continue;
    }
    const unsigned line = static_cast<unsigned>(off % kPageSize) / kLineBytes;
    if (!(p->code_lines >> line & 1)) continue;
    p->code_lines &= ~(uint64_t{1} << line);
    for (unsigned s = line * kLineBytes / 2; s < (line + 1) * kLineBytes / 2; ++s) p->slots[s] = Slot{};
    ++stats.invalidated;
    if (listener_) listener_->code_changed(p->paddr + line * kLineBytes, kLineBytes);
  }
}

void CodeCache::clear() {
  for (auto& p : pages_)
    if (p) reset_page(*p);
  if (listener_) listener_->code_cleared();
}

}  // namespace vmscope
