// TLB lookup, fill and SFENCE.VMA flushes.
#include "mem/tlb.h"

namespace vmscope {

namespace {
bool covers(const TlbEntry& e, uint32_t vaddr) {
  return e.superpage ? (e.vpn >> 10) == (vaddr >> 22) : e.vpn == (vaddr >> 12);
}
}  // namespace

const TlbEntry* Tlb::lookup(uint32_t vaddr, uint16_t asid, bool virt, uint16_t vmid) {
  const TlbEntry& e = entries_[set_of(vaddr)];
  if (e.valid && e.virt == virt && (!virt || e.vmid == vmid) && covers(e, vaddr) &&
      (e.asid == asid || (e.pte_flags & kPteG))) {
    ++stats.hits;
    return &e;
  }
  ++stats.misses;
  return nullptr;
}

void Tlb::insert(const TlbEntry& e, uint32_t vaddr) { entries_[set_of(vaddr)] = e; }

void Tlb::flush(bool by_addr, uint32_t vaddr, bool by_asid, uint16_t asid, bool virt, uint16_t vmid) {
  ++stats.flushes;
  for (TlbEntry& e : entries_) {
    if (!e.valid || e.virt != virt || (virt && e.vmid != vmid)) continue;
    if (by_addr && !covers(e, vaddr)) continue;
    if (by_asid && (e.asid != asid || (e.pte_flags & kPteG))) continue;
    e.valid = false;
  }
}

void Tlb::flush_guest(bool by_vmid, uint16_t vmid) {
  ++stats.flushes;
  for (TlbEntry& e : entries_)
    if (e.virt && (!by_vmid || e.vmid == vmid)) e.valid = false;
}

void Tlb::flush_all() {
  ++stats.flushes;
  for (TlbEntry& e : entries_) e.valid = false;
}

}  // namespace vmscope
