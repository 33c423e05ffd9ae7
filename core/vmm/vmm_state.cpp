// The monitor's snapshot: its virtual CPU, the shadow MMU's bookkeeping (the shadow tables
// themselves live in host RAM, which snapshots keep), its statistics and exit log.
#include <algorithm>

#include "state/archive.h"
#include "vmm/monitor.h"
#include "vmm/shadow_mmu.h"

namespace vmscope {

template <class Ar>
void transfer_state(Ar& ar, ShadowKey& k) {
  ar(k.satp, k.mode, k.sum, k.mxr);
}

template <class Ar>
void transfer_state(Ar& ar, ShadowStats& s) {
  ar(s.fills, s.invalidated_entries, s.cleared_tables, s.tables_created, s.tables_evicted, s.protected_entries);
}

template <class Ar>
void transfer_state(Ar& ar, ShadowMmu::TableInfo& t) {
  ar(t.live, t.key, t.root_hpa, t.host_asid, t.last_used);
}

template <class Ar>
void ShadowMmu::transfer_state(Ar& ar) {
  uint64_t pool = pages_.size();
  ar(pool);
  if (pool != pages_.size()) return ar.fail();  // a snapshot of another pool size
  for (PoolPage& p : pages_) {
    ar(p.kind, p.table, p.vpn1, p.guest_table);
    // Leaf records, sparsely: most of a second-level table's 1024 are unused.
    bool has_leaves = p.leaves != nullptr;
    ar(has_leaves);
    if (!has_leaves) {
      if constexpr (Ar::kLoading) p.leaves.reset();
      continue;
    }
    if constexpr (Ar::kLoading) p.leaves = std::make_unique<LeafRecord[]>(1024);
    const auto in_use = [](const LeafRecord& r) {
      return r.gpa != 0 || r.l1_addr != ~0u || r.l1 != 0 || r.leaf_addr != ~0u || r.leaf != 0;
    };
    uint32_t used = 0;
    for (unsigned i = 0; i < 1024; ++i) used += in_use(p.leaves[i]);
    ar(used);
    if constexpr (Ar::kLoading) {
      for (uint32_t n = 0; n < used && !ar.failed(); ++n) {
        uint16_t i = 0;
        ar(i);
        if (i >= 1024) return ar.fail();
        LeafRecord& r = p.leaves[i];
        ar(r.gpa, r.l1_addr, r.l1, r.leaf_addr, r.leaf);
      }
    } else {
      for (uint16_t i = 0; i < 1024; ++i) {
        LeafRecord& r = p.leaves[i];
        if (in_use(r)) ar(i, r.gpa, r.l1_addr, r.l1, r.leaf_addr, r.leaf);
      }
    }
  }
  ar(free_, tables_, current_, key_, clock_, strategy_, stats_);
  uint64_t tracked = pt_pages_.size();
  ar(tracked);
  if constexpr (Ar::kLoading) {
    if (!ar.plausible(tracked, 4)) return;
    pt_pages_.clear();
    for (uint64_t n = 0; n < tracked && !ar.failed(); ++n) {
      uint32_t page = 0;
      ar(page);
      PageTableUse& use = pt_pages_[page];
      ar(use.root_of, use.leaf_table_of);
    }
  } else {
    std::vector<uint32_t> keys;
    for (const auto& [page, use] : pt_pages_) keys.push_back(page);
    std::sort(keys.begin(), keys.end());
    for (uint32_t page : keys) ar(page, pt_pages_[page].root_of, pt_pages_[page].leaf_table_of);
  }
  for (unsigned i : free_)
    if (i >= pages_.size()) return ar.fail();
}

void ShadowMmu::save_state(StateWriter& out) const { const_cast<ShadowMmu*>(this)->transfer_state(out); }
void ShadowMmu::load_state(StateReader& in) { transfer_state(in); }

template <class Ar>
void transfer_state(Ar& ar, VirtualCpu& v) {
  ar(v.mode, v.sstatus, v.sie, v.sip, v.s.tvec, v.s.scratch, v.s.epc, v.s.cause, v.s.tval, v.s.atp, v.scounteren);
}

template <class Ar>
void transfer_state(Ar& ar, MonitorStats& s) {
  ar(s.exits, s.exits_by_exception, s.exits_by_interrupt, s.emulated, s.csr, s.sret, s.wfi, s.sfence,
     s.sbi_calls, s.page_table_writes, s.hidden_faults, s.reflected_page_faults, s.reflected_other,
     s.injected_interrupts, s.callouts, s.hypercalls, s.hypercalls_by_function, s.pte_updates, s.g_stage_fills,
     s.injected_faults, s.device_accesses, s.console_calls, s.checks);
}

template <class Ar>
void transfer_state(Ar& ar, MonitorExit& e) {
  ar(e.step, e.cause, e.epc, e.tval, e.guest_mode, e.action, e.injected);
}

template <class Ar>
void Monitor::transfer_state(Ar& ar) {
  ar(vcpu_, stats_, log_, quirks_seen_, illusion_broken_, host_satp_, host_mie_);
  ar(last_fault_pc_, last_fault_addr_, repeated_faults_, binary_translation, check_shadows);
  ar(paravirtual, pv_shared_, pv_batch_, host_scounteren_);  // (pv_page_ is read again at every exit)
  ar(hardware_assisted, g_root_, g_regions_, g_tables_, g_reclaimed_touched_);
  if constexpr (Ar::kLoading) shadow_.load_state(ar);
  else shadow_.save_state(ar);
}

void Monitor::save_state(StateWriter& out) const { const_cast<Monitor*>(this)->transfer_state(out); }
void Monitor::load_state(StateReader& in) { transfer_state(in); }

}  // namespace vmscope
