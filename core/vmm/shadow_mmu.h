// Shadow page tables: what the hart really translates through while a guest kernel runs
// deprivileged. Each maps guest-virtual straight to host-physical and is built lazily, one
// page per hidden page fault, from the guest's own page table (guest-virtual -> guest-physical)
// and the guest-physical map (guest-physical -> host-physical).
//
// One shadow table per (guest satp, guest mode, SUM, MXR): the hart always runs in U-mode, so
// what the guest's mode, SUM and MXR allow is baked into each shadow entry's R/W/X bits. Every
// shadow table has its own host ASID, so switching between them needs no TLB flush.
//
// Shadows are kept in step with the guest's tables by one of two strategies: invalidation on
// the guest's SFENCE.VMA (the guest must fence after changing a PTE, as for a real TLB), or
// write-protecting every guest page-table page a shadow was built from and invalidating the
// affected entries when the guest writes to one (the fences then have nothing to do).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hart/hart.h"
#include "vmm/guest_memory.h"

namespace vmscope {

class StateReader;
class StateWriter;

enum class ShadowInvalidation : uint8_t { sfence, write_protect };
const char* to_string(ShadowInvalidation s);

// Which guest view a shadow table stands for.
struct ShadowKey {
  uint32_t satp = 0;  // the guest's satp; 0 while its paging is off
  Priv mode = Priv::S;
  bool sum = false, mxr = false;  // sum only matters in S-mode (normalized to false in U)
  bool operator==(const ShadowKey&) const = default;
  bool paging() const { return satp != 0; }
  uint16_t asid() const { return static_cast<uint16_t>((satp >> 22) & 0x1ff); }
  uint32_t root() const { return (satp & 0x3fffff) << 12; }
};

struct ShadowStats {
  uint64_t fills = 0;                // shadow entries written on hidden page faults
  uint64_t invalidated_entries = 0;  // shadow entries removed (fences, page-table writes)
  uint64_t cleared_tables = 0;       // whole shadow tables emptied (fences without an address)
  uint64_t tables_created = 0, tables_evicted = 0;
  uint64_t protected_entries = 0;    // writable entries made read-only: their page became a page table
  uint64_t reclaimed_unmapped = 0;   // entries removed because the host reclaimed their page (balloon)
  uint64_t reclaimed_touched = 0;    // fills of a reclaimed page: the guest touched memory it gave away
};

// One shadow entry, followed guest-virtual -> guest-physical -> host-physical (debugger view).
struct ShadowMapping {
  uint32_t gva, gpa, hpa;
  uint32_t shadow_pte;   // what the hart walks (always U, A, D)
  uint32_t guest_pte;    // the guest's leaf PTE as it is now (0 with paging off)
  bool write_protected;  // the guest may write, the shadow does not let it: a page-table page
  bool stale;            // the guest changed its PTE since (legal until its SFENCE.VMA)
};

// A guest page-table page some shadow was built from.
struct GuestPageTable {
  uint32_t gpa;
  unsigned as_root, as_leaf_table;  // how many shadow tables use it as root / second level
};

class ShadowMmu {
 public:
  static constexpr unsigned kMaxTables = 63;  // host ASIDs 1..63
  ShadowMmu(Bus& bus, GuestMemory& guest, Hart& hart, uint32_t pool_base, uint32_t pool_size);

  void reset();
  void set_strategy(ShadowInvalidation s);  // starts again from empty shadows
  ShadowInvalidation strategy() const { return strategy_; }

  // Makes the shadow table for `key` current (creating it empty if needed); returns the host
  // satp value that selects it.
  uint32_t activate(const ShadowKey& key);
  const ShadowKey& current_key() const { return key_; }

  enum class FillResult : uint8_t {
    filled,            // a hidden fault: the access can be retried
    guest_fault,       // the guest's own tables (or its physical map) forbid it: reflect `fault`
    page_table_write,  // a store to a write-protected guest page table: emulate it
    emulated_device,   // a device the guest reaches only through the monitor: carry the access out
  };
  struct Fill {
    FillResult result = FillResult::filled;
    ExceptionCause fault{};
    uint32_t gpa = 0;
  };
  // After a page fault at `gva` in the current shadow: fills the shadow entry from the guest's
  // table (setting the guest's A/D bits as hardware would), or says why it cannot.
  Fill fill(uint32_t gva, AccessType type);

  // The guest executed SFENCE.VMA (arguments as the instruction's).
  void on_sfence(bool by_addr, uint32_t gva, bool by_asid, uint16_t asid);
  // The monitor wrote guest-physical `gpa` for the guest (write-protect strategy).
  void on_page_table_write(uint32_t gpa);
  // The guest is about to free the address space whose root table is `root` (paravirtual):
  // every shadow table built from it goes, so its pages stop being tracked.
  void release_root(uint32_t root);
  bool is_page_table(uint32_t gpa) const { return pt_pages_.count(gpa & ~0xfffu) != 0; }

  // Live migration (dirty_log.h): while the guest memory's dirty log is on, a shadow entry lets
  // the guest write only pages already dirty in it; the first store to a clean page faults and
  // its fill marks the page. Called as each round starts: every entry loses its write permission.
  void protect_for_dirty_log();
  uint64_t dirty_log_faults() const { return dirty_log_faults_; }  // store faults that marked a page

  // Ballooning: every entry that maps a page the host has reclaimed (Bus::reclaimed) goes. A
  // later fill of such a page backs it again (a zero page), and is counted.
  void unmap_reclaimed();

  // Checking mode: every valid shadow entry agrees with the guest's page table and physical
  // map and never grants more than the guest allows. An entry whose guest PTE changed since it
  // was filled is stale: an error with write protection, allowed (until a covering fence) with
  // fences. Returns the problems found (empty: consistent).
  std::vector<std::string> check() const;

  // ---- views
  struct TableInfo {
    bool live = false;
    ShadowKey key;
    uint32_t root_hpa = 0;
    uint16_t host_asid = 0;
    uint64_t last_used = 0;
  };
  const std::array<TableInfo, kMaxTables>& tables() const { return tables_; }
  int current_table() const { return current_; }
  std::vector<ShadowMapping> mappings(int table) const;
  std::vector<GuestPageTable> guest_page_tables() const;
  unsigned pages_in_use() const { return static_cast<unsigned>(pages_.size() - free_.size()); }
  unsigned pool_pages() const { return static_cast<unsigned>(pages_.size()); }
  const ShadowStats& stats() const { return stats_; }

  // Snapshots (vmm_state.cpp): the pool's bookkeeping; the tables themselves are in host RAM.
  void save_state(StateWriter& out) const;
  void load_state(StateReader& in);

 private:
  template <class Ar>
  void transfer_state(Ar& ar);
  // What the guest's tables said when a shadow entry was filled (for checks and views).
  struct LeafRecord {
    uint32_t gpa = 0;
    uint32_t l1_addr = ~0u, l1 = 0;      // the guest's root-level PTE (~0: paging off)
    uint32_t leaf_addr = ~0u, leaf = 0;  // the guest's leaf PTE (the same as l1 for a superpage)
  };
  enum class PageKind : uint8_t { free, root, table };
  struct PoolPage {
    PageKind kind = PageKind::free;
    uint8_t table = 0;    // owning shadow table
    uint16_t vpn1 = 0;    // for a second-level page: the 4 MiB region it maps
    uint32_t guest_table = ~0u;  // the guest's second-level table it mirrors (~0: none)
    std::unique_ptr<LeafRecord[]> leaves;
  };
  struct PageTableUse {
    std::vector<uint8_t> root_of;                      // shadow tables with this guest root
    std::vector<std::pair<uint8_t, uint16_t>> leaf_table_of;  // (shadow table, vpn1)
  };

  uint32_t host_satp(unsigned table) const;
  uint32_t page_hpa(unsigned index) const { return pool_base_ + index * 0x1000; }
  uint32_t* page_words(uint32_t hpa) const;
  int alloc_page();  // zeroed; -1 when the pool is empty
  void free_page(unsigned index);
  int second_level(unsigned table, unsigned vpn1) const;  // pool index, or -1
  int ensure_second_level(unsigned table, unsigned vpn1);
  void drop_second_level(unsigned table, unsigned vpn1);
  void clear_table(unsigned table);  // all its entries, keeping its root
  void evict_table(unsigned table);
  bool make_room(unsigned keep);  // evicts the least recently used table but `keep`
  void clear_leaf(unsigned table, uint32_t gva);
  void fill_ahead(unsigned table, unsigned l0, uint32_t gva);
  bool track(uint32_t page, unsigned table, int vpn1);  // true if newly a page table
  void untrack_root(uint32_t page, unsigned table);
  void untrack_leaf_table(uint32_t page, unsigned table, unsigned vpn1);
  void protect_existing(uint32_t page);
  void flush_host(unsigned table, bool by_addr, uint32_t gva);
  bool record_is_stale(const LeafRecord& r) const;

  Bus& bus_;
  GuestMemory& guest_;
  Hart& hart_;
  uint32_t pool_base_;
  std::vector<PoolPage> pages_;
  std::vector<unsigned> free_;
  std::array<TableInfo, kMaxTables> tables_{};
  int current_ = -1;
  ShadowKey key_;
  uint64_t clock_ = 0;
  ShadowInvalidation strategy_ = ShadowInvalidation::sfence;
  std::unordered_map<uint32_t, PageTableUse> pt_pages_;
  ShadowStats stats_;
  uint64_t dirty_log_faults_ = 0;  // (not part of snapshots: a migration's own count)
};

}  // namespace vmscope
