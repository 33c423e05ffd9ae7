// Shadow page tables: lazy fills, invalidation by fence or by write protection, and the
// consistency check (see shadow_mmu.h).
#include "vmm/shadow_mmu.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "hart/csr_state.h"
#include "mem/sv32.h"

namespace vmscope {

namespace {
constexpr uint32_t kPageMask = ~0xfffu;
constexpr uint32_t kAd = kPteA | kPteD;
uint32_t vpn1_of(uint32_t va) { return va >> 22; }
uint32_t vpn0_of(uint32_t va) { return (va >> 12) & 0x3ff; }
uint32_t pte_target(uint32_t pte) { return (pte >> 10) << 12; }
}  // namespace

const char* to_string(ShadowInvalidation s) { return s == ShadowInvalidation::sfence ? "sfence" : "write-protect"; }

ShadowMmu::ShadowMmu(Bus& bus, GuestMemory& guest, Hart& hart, uint32_t pool_base, uint32_t pool_size)
    : bus_(bus), guest_(guest), hart_(hart), pool_base_(pool_base), pages_(pool_size / 0x1000) {
  reset();
}

uint32_t* ShadowMmu::page_words(uint32_t hpa) const {
  bus_.mark_dirty(hpa, 0x1000);  // the shadow tables are written in place: snapshots must see it
  return reinterpret_cast<uint32_t*>(bus_.ram_pointer(hpa, 0x1000));
}

void ShadowMmu::reset() {
  free_.clear();
  for (unsigned i = static_cast<unsigned>(pages_.size()); i-- > 0;) {
    pages_[i] = PoolPage{};
    free_.push_back(i);
  }
  tables_ = {};
  current_ = -1;
  key_ = {};
  clock_ = 0;
  pt_pages_.clear();
  stats_ = {};
}

void ShadowMmu::set_strategy(ShadowInvalidation s) {
  for (unsigned t = 0; t < kMaxTables; ++t)
    if (tables_[t].live) clear_table(t);
  strategy_ = s;
}

int ShadowMmu::alloc_page() {
  if (free_.empty()) return -1;
  const unsigned index = free_.back();
  free_.pop_back();
  std::memset(page_words(page_hpa(index)), 0, 0x1000);
  return static_cast<int>(index);
}

void ShadowMmu::free_page(unsigned index) {
  pages_[index] = PoolPage{};
  free_.push_back(index);
}

int ShadowMmu::second_level(unsigned table, unsigned vpn1) const {
  const uint32_t pte = page_words(tables_[table].root_hpa)[vpn1];
  if (!(pte & kPteV)) return -1;
  return static_cast<int>((pte_target(pte) - pool_base_) / 0x1000);
}

int ShadowMmu::ensure_second_level(unsigned table, unsigned vpn1) {
  if (const int existing = second_level(table, vpn1); existing >= 0) return existing;
  int index = alloc_page();
  while (index < 0 && make_room(table)) index = alloc_page();
  if (index < 0) return -1;
  PoolPage& p = pages_[index];
  p.kind = PageKind::table;
  p.table = static_cast<uint8_t>(table);
  p.vpn1 = static_cast<uint16_t>(vpn1);
  p.leaves = std::make_unique<LeafRecord[]>(1024);
  page_words(tables_[table].root_hpa)[vpn1] = ((page_hpa(index) >> 12) << 10) | kPteV;
  return index;
}

void ShadowMmu::drop_second_level(unsigned table, unsigned vpn1) {
  const int index = second_level(table, vpn1);
  if (index < 0) return;
  PoolPage& p = pages_[index];
  const uint32_t* words = page_words(page_hpa(index));
  for (unsigned i = 0; i < 1024; ++i) stats_.invalidated_entries += words[i] & kPteV;
  if (p.guest_table != ~0u) untrack_leaf_table(p.guest_table, table, vpn1);
  free_page(index);
  page_words(tables_[table].root_hpa)[vpn1] = 0;
  flush_host(table, false, 0);
}

void ShadowMmu::clear_table(unsigned table) {
  for (unsigned vpn1 = 0; vpn1 < 1024; ++vpn1) drop_second_level(table, vpn1);
  ++stats_.cleared_tables;
  if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::shadow_invalidation, 1, hart_.pc(), table});
}

void ShadowMmu::evict_table(unsigned table) {
  TableInfo& t = tables_[table];
  for (unsigned vpn1 = 0; vpn1 < 1024; ++vpn1) drop_second_level(table, vpn1);
  if (t.key.paging()) untrack_root(t.key.root(), table);
  free_page((t.root_hpa - pool_base_) / 0x1000);
  flush_host(table, false, 0);
  t = TableInfo{};
  ++stats_.tables_evicted;
}

bool ShadowMmu::make_room(unsigned keep) {
  int victim = -1;
  for (unsigned t = 0; t < kMaxTables; ++t)
    if (tables_[t].live && t != keep && (victim < 0 || tables_[t].last_used < tables_[victim].last_used))
      victim = static_cast<int>(t);
  if (victim < 0) return false;
  evict_table(static_cast<unsigned>(victim));
  return true;
}

void ShadowMmu::flush_host(unsigned table, bool by_addr, uint32_t gva) {
  hart_.sfence(by_addr, gva, true, tables_[table].host_asid);
}

uint32_t ShadowMmu::activate(const ShadowKey& requested) {
  ShadowKey key = requested;
  if (key.mode != Priv::S) key.sum = false;
  if (!(key.satp & kSatpModeSv32)) key.satp = 0;
  key_ = key;
  if (current_ >= 0 && tables_[current_].live && tables_[current_].key == key) {  // most exits
    tables_[current_].last_used = ++clock_;
    return host_satp(static_cast<unsigned>(current_));
  }
  int found = -1, free_slot = -1;
  for (unsigned t = 0; t < kMaxTables; ++t) {
    if (tables_[t].live && tables_[t].key == key) found = static_cast<int>(t);
    if (!tables_[t].live && free_slot < 0) free_slot = static_cast<int>(t);
  }
  if (found < 0) {
    if (free_slot < 0) {
      make_room(kMaxTables);
      for (unsigned t = 0; t < kMaxTables && free_slot < 0; ++t)
        if (!tables_[t].live) free_slot = static_cast<int>(t);
    }
    int root = alloc_page();
    while (root < 0 && make_room(kMaxTables)) root = alloc_page();
    if (free_slot < 0 || root < 0) {  // cannot happen: a pool holds more than one page
      current_ = -1;
      return 0;
    }
    found = free_slot;
    TableInfo& t = tables_[found];
    t.live = true;
    t.key = key;
    t.root_hpa = page_hpa(static_cast<unsigned>(root));
    t.host_asid = static_cast<uint16_t>(found + 1);
    pages_[root].kind = PageKind::root;
    pages_[root].table = static_cast<uint8_t>(found);
    flush_host(static_cast<unsigned>(found), false, 0);  // the ASID may have served another table
    ++stats_.tables_created;
  }
  current_ = found;
  tables_[found].last_used = ++clock_;
  return host_satp(static_cast<unsigned>(found));
}

uint32_t ShadowMmu::host_satp(unsigned table) const {
  return kSatpModeSv32 | static_cast<uint32_t>(tables_[table].host_asid) << kSatpAsidShift |
         (tables_[table].root_hpa >> 12);
}

bool ShadowMmu::track(uint32_t page, unsigned table, int vpn1) {
  auto [it, added] = pt_pages_.try_emplace(page);
  PageTableUse& use = it->second;
  if (vpn1 < 0) {
    if (std::find(use.root_of.begin(), use.root_of.end(), table) == use.root_of.end())
      use.root_of.push_back(static_cast<uint8_t>(table));
  } else {
    const std::pair<uint8_t, uint16_t> ref{static_cast<uint8_t>(table), static_cast<uint16_t>(vpn1)};
    if (std::find(use.leaf_table_of.begin(), use.leaf_table_of.end(), ref) == use.leaf_table_of.end())
      use.leaf_table_of.push_back(ref);
  }
  return added;
}

void ShadowMmu::untrack_root(uint32_t page, unsigned table) {
  auto it = pt_pages_.find(page);
  if (it == pt_pages_.end()) return;
  auto& v = it->second.root_of;
  v.erase(std::remove(v.begin(), v.end(), table), v.end());
  if (v.empty() && it->second.leaf_table_of.empty()) pt_pages_.erase(it);
}

void ShadowMmu::untrack_leaf_table(uint32_t page, unsigned table, unsigned vpn1) {
  auto it = pt_pages_.find(page);
  if (it == pt_pages_.end()) return;
  auto& v = it->second.leaf_table_of;
  v.erase(std::remove(v.begin(), v.end(), std::pair<uint8_t, uint16_t>(table, vpn1)), v.end());
  if (v.empty() && it->second.root_of.empty()) pt_pages_.erase(it);
}

void ShadowMmu::protect_for_dirty_log() {
  for (unsigned i = 0; i < pages_.size(); ++i) {
    if (pages_[i].kind != PageKind::table) continue;
    uint32_t* words = page_words(page_hpa(i));
    for (unsigned j = 0; j < 1024; ++j) words[j] &= ~kPteW;
  }
  for (unsigned t = 0; t < kMaxTables; ++t)
    if (tables_[t].live) flush_host(t, false, 0);
}

void ShadowMmu::unmap_reclaimed() {
  for (unsigned i = 0; i < pages_.size(); ++i) {
    PoolPage& p = pages_[i];
    if (p.kind != PageKind::table) continue;
    uint32_t* words = page_words(page_hpa(i));
    for (unsigned j = 0; j < 1024; ++j) {
      if (!(words[j] & kPteV) || !bus_.reclaimed(pte_target(words[j]))) continue;
      words[j] = 0;
      ++stats_.reclaimed_unmapped;
      flush_host(p.table, true, static_cast<uint32_t>(p.vpn1) << 22 | j << 12);
    }
  }
}

// A page just became a guest page table: shadows that let the guest write it must stop.
void ShadowMmu::protect_existing(uint32_t page) {
  for (unsigned i = 0; i < pages_.size(); ++i) {
    PoolPage& p = pages_[i];
    if (p.kind != PageKind::table) continue;
    uint32_t* words = page_words(page_hpa(i));
    for (unsigned j = 0; j < 1024; ++j) {
      if ((words[j] & (kPteV | kPteW)) != (kPteV | kPteW) || (p.leaves[j].gpa & kPageMask) != page) continue;
      words[j] &= ~kPteW;
      ++stats_.protected_entries;
      flush_host(p.table, true, static_cast<uint32_t>(p.vpn1) << 22 | j << 12);
    }
  }
}

ShadowMmu::Fill ShadowMmu::fill(uint32_t gva, AccessType type) {
  Fill f;
  if (current_ < 0 || !tables_[current_].live) activate(key_);
  const auto table = static_cast<unsigned>(current_);
  const ShadowKey key = tables_[table].key;
  LeafRecord rec;
  uint32_t flags = kPteR | kPteW | kPteX | kPteA | kPteD;  // paging off: the guest may do anything
  rec.gpa = gva;
  uint32_t guest_table = ~0u;
  if (key.paging()) {
    const Sv32Context ctx{key.satp, key.mode, key.sum, key.mxr, hart_.config().hardware_ad_update};
    const Sv32Walk w = sv32_walk(guest_, ctx, gva, type, true);
    if (!w.ok) {
      f.result = FillResult::guest_fault;
      f.fault = w.fault;
      return f;
    }
    rec.gpa = w.paddr;
    flags = w.entry.pte_flags;
    rec.l1_addr = w.steps[0].pte_paddr;
    rec.leaf_addr = w.steps[w.step_count - 1].pte_paddr;
    guest_.read_pte(rec.l1_addr, rec.l1);  // as now in memory, A/D included
    guest_.read_pte(rec.leaf_addr, rec.leaf);
    if (w.step_count == 2) guest_table = rec.leaf_addr & kPageMask;
  }
  f.gpa = rec.gpa;
  uint32_t hpa;
  if (guest_.is_emulated(rec.gpa)) {
    f.result = FillResult::emulated_device;
    return f;
  }
  if (!guest_.to_host(rec.gpa, hpa)) {
    f.result = FillResult::guest_fault;
    f.fault = access_fault_for(type);
    return f;
  }
  if (bus_.reclaimed(hpa)) {  // given to the balloon, and touched anyway: backed again
    bus_.back_page(hpa);
    ++stats_.reclaimed_touched;
  }
  const unsigned vpn1 = vpn1_of(gva);
  const int l0 = ensure_second_level(table, vpn1);
  if (l0 < 0) {  // the pool holds less than one table's worth: start this table again
    clear_table(table);
    return fill(gva, type);
  }
  if (key.paging()) {
    const bool new_root = track(key.root(), table, -1);
    const bool new_leaf_table = guest_table != ~0u && track(guest_table, table, static_cast<int>(vpn1));
    pages_[l0].guest_table = guest_table;
    if (strategy_ == ShadowInvalidation::write_protect) {
      if (new_root) protect_existing(key.root());
      if (new_leaf_table) protect_existing(guest_table);
    }
  }
  const bool may_read = !key.paging() || sv32_permits(flags, AccessType::load, key.mode, key.sum, key.mxr);
  bool may_write = !key.paging() || (sv32_permits(flags, AccessType::store, key.mode, key.sum, key.mxr) && (flags & kPteD));
  const bool may_fetch = !key.paging() || sv32_permits(flags, AccessType::fetch, key.mode, key.sum, key.mxr);
  const bool protect = strategy_ == ShadowInvalidation::write_protect && may_write && is_page_table(rec.gpa);
  if (protect) may_write = false;
  // Live migration: writable only once the page is in the dirty log, and a store puts it there.
  DirtyLog& log = guest_.dirty_log();
  const uint32_t log_page = (rec.gpa - guest_.ram_base()) >> 12;
  if (may_write && log.on() && guest_.is_ram_page(rec.gpa) && !log.dirty(log_page)) {
    if (type == AccessType::store) {
      log.mark(log_page);
      ++dirty_log_faults_;
    } else {
      may_write = false;
    }
  }
  const uint32_t pte = ((hpa >> 12) << 10) | kPteV | kPteU | kPteA | kPteD | (may_read ? kPteR : 0) |
                       (may_write ? kPteW : 0) | (may_fetch ? kPteX : 0);
  uint32_t& slot = page_words(page_hpa(static_cast<unsigned>(l0)))[vpn0_of(gva)];
  if (slot != pte) {  // (a write-protected page-table page faults again with the same entry)
    slot = pte;
    flush_host(table, true, gva);
    ++stats_.fills;
  }
  pages_[l0].leaves[vpn0_of(gva)] = rec;
  if (!key.paging()) fill_ahead(table, static_cast<unsigned>(l0), gva);
  if (protect && type == AccessType::store) f.result = FillResult::page_table_write;
  return f;
}

// With the guest's paging off, its view of a 4 MiB region is known in advance: one hidden
// fault fills every RAM page of the region (a boot that touches all of memory then costs a
// few exits instead of one per page).
void ShadowMmu::fill_ahead(unsigned table, unsigned l0, uint32_t gva) {
  uint32_t* words = page_words(page_hpa(l0));
  const uint32_t region = gva & ~0x3fffffu;
  for (unsigned i = 0; i < 1024; ++i) {
    const uint32_t page = region | i << 12;
    uint32_t hpa;
    if (words[i] || !guest_.is_ram_page(page) || !guest_.to_host(page, hpa) || bus_.reclaimed(hpa)) continue;
    const bool writable = !(strategy_ == ShadowInvalidation::write_protect && is_page_table(page)) &&
                          !(guest_.dirty_log().on() && !guest_.dirty_log().dirty((page - guest_.ram_base()) >> 12));
    words[i] = ((hpa >> 12) << 10) | kPteV | kPteU | kPteA | kPteD | kPteR | kPteX | (writable ? kPteW : 0);
    LeafRecord rec;
    rec.gpa = page;
    pages_[l0].leaves[i] = rec;
    ++stats_.fills;
  }
  flush_host(table, false, 0);
}

void ShadowMmu::clear_leaf(unsigned table, uint32_t gva) {
  const int l0 = second_level(table, vpn1_of(gva));
  if (l0 < 0) return;
  uint32_t& pte = page_words(page_hpa(static_cast<unsigned>(l0)))[vpn0_of(gva)];
  if (!(pte & kPteV)) return;
  pte = 0;
  ++stats_.invalidated_entries;
  if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::shadow_invalidation, 0, hart_.pc(), gva & ~0xfffu});
  flush_host(table, true, gva);
}

void ShadowMmu::on_sfence(bool by_addr, uint32_t gva, bool by_asid, uint16_t asid) {
  if (strategy_ == ShadowInvalidation::write_protect) return;  // shadows never go stale
  for (unsigned t = 0; t < kMaxTables; ++t) {
    const TableInfo& info = tables_[t];
    if (!info.live || !info.key.paging() || (by_asid && info.key.asid() != asid)) continue;
    if (by_addr) clear_leaf(t, gva);
    else clear_table(t);
  }
}

void ShadowMmu::release_root(uint32_t root) {
  for (unsigned t = 0; t < kMaxTables; ++t) {
    if (tables_[t].live && tables_[t].key.paging() && tables_[t].key.root() == root) evict_table(t);
  }
}

void ShadowMmu::on_page_table_write(uint32_t gpa) {
  auto it = pt_pages_.find(gpa & kPageMask);
  if (it == pt_pages_.end()) return;
  const unsigned index = (gpa & 0xfff) / 4;
  // Copies: dropping shadow pages edits these lists.
  const std::vector<uint8_t> roots = it->second.root_of;
  const std::vector<std::pair<uint8_t, uint16_t>> leaf_tables = it->second.leaf_table_of;
  for (const uint8_t t : roots) drop_second_level(t, index);  // a root entry: its whole 4 MiB
  for (const auto& [t, vpn1] : leaf_tables) clear_leaf(t, static_cast<uint32_t>(vpn1) << 22 | index << 12);
}

bool ShadowMmu::record_is_stale(const LeafRecord& r) const {
  if (r.l1_addr == ~0u) return false;
  // The monitor only ever sets A and D: a changed entry is one whose other bits changed, or
  // whose A or D the guest cleared.
  auto changed = [this](uint32_t addr, uint32_t recorded) {
    uint32_t now;
    if (!guest_.read_pte(addr, now)) return true;
    return ((now ^ recorded) & ~kAd) != 0 || (recorded & kAd & ~now) != 0;
  };
  return changed(r.l1_addr, r.l1) || changed(r.leaf_addr, r.leaf);
}

std::vector<std::string> ShadowMmu::check() const {
  std::vector<std::string> problems;
  auto problem = [&](unsigned table, uint32_t gva, const char* what) {
    char text[200];
    std::snprintf(text, sizeof text, "shadow table %u (host ASID %u), va 0x%08x: %s", table,
                  tables_[table].host_asid, gva, what);
    problems.emplace_back(text);
  };
  for (unsigned i = 0; i < pages_.size() && problems.size() < 20; ++i) {
    const PoolPage& p = pages_[i];
    if (p.kind != PageKind::table) continue;
    const TableInfo& info = tables_[p.table];
    const ShadowKey& key = info.key;
    const uint32_t* words = page_words(page_hpa(i));
    for (unsigned j = 0; j < 1024; ++j) {
      const uint32_t pte = words[j];
      if (!(pte & kPteV)) continue;
      const uint32_t gva = static_cast<uint32_t>(p.vpn1) << 22 | j << 12;
      const LeafRecord& r = p.leaves[j];
      if ((pte & (kPteU | kPteA | kPteD)) != (kPteU | kPteA | kPteD) || (pte & kPteG)) {
        problem(p.table, gva, "the shadow entry is not a U, A, D, non-global leaf");
        continue;
      }
      if (record_is_stale(r)) {
        if (strategy_ == ShadowInvalidation::write_protect)
          problem(p.table, gva, "the guest changed its page table but the shadow entry survived write protection");
        continue;  // with fences: legal until the guest fences this address
      }
      uint32_t gpa = gva, flags = kPteR | kPteW | kPteX | kPteA | kPteD;
      if (key.paging()) {
        if (r.l1_addr != key.root() + vpn1_of(gva) * 4) {
          problem(p.table, gva, "the shadow entry was built from another root table");
          continue;
        }
        guest_.read_pte(r.leaf_addr, flags);
        const bool superpage = r.leaf_addr == r.l1_addr;
        gpa = superpage ? (pte_target(flags) & ~0x3fffffu) | (gva & 0x3ff000) : pte_target(flags);
      }
      uint32_t hpa;
      if (!guest_.to_host(gpa, hpa) || pte_target(pte) != hpa) {
        problem(p.table, gva, "the shadow entry maps another host page than the guest-physical map gives");
        continue;
      }
      if (bus_.reclaimed(hpa)) problem(p.table, gva, "the shadow entry maps a page the host reclaimed (the balloon's)");
      if (!key.paging()) continue;
      if (!(flags & kPteA)) problem(p.table, gva, "the guest PTE has no A bit yet the shadow maps it");
      if ((pte & kPteR) && !sv32_permits(flags, AccessType::load, key.mode, key.sum, key.mxr))
        problem(p.table, gva, "the shadow allows reads the guest does not");
      if ((pte & kPteX) && !sv32_permits(flags, AccessType::fetch, key.mode, key.sum, key.mxr))
        problem(p.table, gva, "the shadow allows execution the guest does not");
      if ((pte & kPteW) && !(sv32_permits(flags, AccessType::store, key.mode, key.sum, key.mxr) && (flags & kPteD)))
        problem(p.table, gva, "the shadow allows writes the guest does not (or without its D bit)");
      if ((pte & kPteW) && strategy_ == ShadowInvalidation::write_protect && is_page_table(gpa))
        problem(p.table, gva, "a guest page-table page is writable in the shadow");
    }
  }
  return problems;
}

std::vector<ShadowMapping> ShadowMmu::mappings(int table) const {
  std::vector<ShadowMapping> out;
  if (table < 0 || table >= static_cast<int>(kMaxTables) || !tables_[table].live) return out;
  const uint32_t* root = page_words(tables_[table].root_hpa);
  for (unsigned vpn1 = 0; vpn1 < 1024; ++vpn1) {
    if (!(root[vpn1] & kPteV)) continue;
    const unsigned index = (pte_target(root[vpn1]) - pool_base_) / 0x1000;
    const uint32_t* words = page_words(page_hpa(index));
    for (unsigned j = 0; j < 1024; ++j) {
      if (!(words[j] & kPteV)) continue;
      const LeafRecord& r = pages_[index].leaves[j];
      ShadowMapping m{};
      m.gva = vpn1 << 22 | j << 12;
      m.gpa = r.gpa & kPageMask;
      m.hpa = pte_target(words[j]);
      m.shadow_pte = words[j];
      if (r.leaf_addr != ~0u) guest_.read_pte(r.leaf_addr, m.guest_pte);
      m.stale = record_is_stale(r);
      const ShadowKey& k = tables_[table].key;
      const bool guest_allows_write =
          !k.paging() || (sv32_permits(m.guest_pte, AccessType::store, k.mode, k.sum, k.mxr) && (m.guest_pte & kPteD));
      m.write_protected = guest_allows_write && !(words[j] & kPteW) && is_page_table(m.gpa);
      out.push_back(m);
    }
  }
  return out;
}

std::vector<GuestPageTable> ShadowMmu::guest_page_tables() const {
  std::vector<GuestPageTable> out;
  for (const auto& [page, use] : pt_pages_)
    out.push_back({page, static_cast<unsigned>(use.root_of.size()), static_cast<unsigned>(use.leaf_table_of.size())});
  std::sort(out.begin(), out.end(), [](const GuestPageTable& a, const GuestPageTable& b) { return a.gpa < b.gpa; });
  return out;
}

}  // namespace vmscope
