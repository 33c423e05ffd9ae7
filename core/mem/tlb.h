// The Sv32 translation lookaside buffer: ASID-tagged, global entries, 4 KiB pages and 4 MiB
// superpages, with the hit/miss/flush counters the debugger shows. With the hypervisor
// extension it also holds a guest's combined translations (guest-virtual to host-physical, both
// stages at once), tagged by the guest's VMID as well as its ASID.
#pragma once

#include <array>
#include <cstdint>

namespace vmscope {

// Sv32 PTE bits.
inline constexpr uint32_t kPteV = 1u << 0, kPteR = 1u << 1, kPteW = 1u << 2, kPteX = 1u << 3,
                          kPteU = 1u << 4, kPteG = 1u << 5, kPteA = 1u << 6, kPteD = 1u << 7;

struct TlbEntry {
  bool valid = false;
  bool superpage = false;  // a 4 MiB leaf: vpn is the VPN[1] part only
  uint32_t vpn = 0;        // virtual page number (vaddr >> 12), or VPN[1] << 10 for a superpage
  uint16_t asid = 0;
  uint32_t ppn = 0;        // physical page number of the leaf (for a superpage: its first page)
  uint32_t pte_flags = 0;  // V R W X U G A D, as the walk found (and maybe updated) them
  uint32_t pte_paddr = 0;  // where the leaf PTE lives, for A/D updates
  // A guest's translation (V = 1): both stages, 4 KiB; pte_flags are the VS-stage leaf's,
  // g_flags the G-stage leaf's (every hit checks both; A/D needs or faults walk again).
  bool virt = false;
  uint16_t vmid = 0;
  uint32_t g_flags = 0;
};

struct TlbStats {
  uint64_t hits = 0, misses = 0, flushes = 0;
  uint64_t walks = 0, walk_accesses = 0;  // page-table walks of the hart and the PTEs they read
};

class Tlb {
 public:
  static constexpr unsigned kSize = 64;  // direct-mapped by the low bits of the VPN

  // The host's translations (virt false), or a guest's with this VMID.
  const TlbEntry* lookup(uint32_t vaddr, uint16_t asid, bool virt = false, uint16_t vmid = 0);
  void insert(const TlbEntry& e, uint32_t vaddr);
  // SFENCE.VMA semantics: by address and/or ASID; global entries survive an ASID-only flush.
  // It touches the host's translations, or (virt) the guest's of VMID `vmid` (HFENCE.VVMA, and
  // SFENCE.VMA in a guest).
  void flush(bool by_addr, uint32_t vaddr, bool by_asid, uint16_t asid, bool virt = false, uint16_t vmid = 0);
  // HFENCE.GVMA: every guest translation (of one VMID): the entries combine both stages, so a
  // G-stage change may touch any of them.
  void flush_guest(bool by_vmid, uint16_t vmid);
  void flush_all();
  const std::array<TlbEntry, kSize>& entries() const { return entries_; }
  void load_entries(const std::array<TlbEntry, kSize>& entries) { entries_ = entries; }  // snapshots
  TlbStats stats;
  static unsigned set_of(uint32_t vaddr) { return (vaddr >> 12) % kSize; }

 private:
  std::array<TlbEntry, kSize> entries_{};
};

}  // namespace vmscope
