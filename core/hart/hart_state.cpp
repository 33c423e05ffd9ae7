// The hart's snapshot: every field that makes up its state, listed once for saving and loading.
#include "hart/hart.h"
#include "state/archive.h"

namespace vmscope {

template <class Ar>
void transfer_state(Ar& ar, CsrState& c) {
  ar(c.mstatus, c.medeleg, c.mideleg, c.mie, c.mip, c.mtvec, c.mscratch, c.mepc, c.mcause, c.mtval,
     c.mcounteren, c.scounteren, c.s.tvec, c.s.scratch, c.s.epc, c.s.cause, c.s.tval, c.s.atp, c.external_line,
     c.external_line_s);
  ar(c.mstatush, c.mtval2, c.mtinst, c.hstatus, c.hedeleg, c.hideleg, c.hvip, c.hcounteren, c.htval, c.htinst,
     c.hgatp, c.htimedelta, c.vsstatus, c.vs.tvec, c.vs.scratch, c.vs.epc, c.vs.cause, c.vs.tval, c.vs.atp);
}

template <class Ar>
void transfer_state(Ar& ar, TlbEntry& e) {
  ar(e.valid, e.superpage, e.vpn, e.asid, e.ppn, e.pte_flags, e.pte_paddr, e.virt, e.vmid, e.g_flags);
}

template <class Ar>
void transfer_state(Ar& ar, TrapRecord& r) {
  ar(r.step, r.cause, r.epc, r.tval, r.from, r.to);
}

template <class Ar>
void transfer_state(Ar& ar, Quirks& q) {
  ar(q.status_read, q.status_write, q.sret_jump);
}

template <class Ar>
void Hart::transfer_state(Ar& ar) {
  for (unsigned i = 0; i < 32; ++i) ar(x_[i]);  // not x_[32], the write sink for x0
  ar(pc_, priv_, virt_, csr_);
  ar(steps_, exceptions_, interrupts_, idle_steps_, hidden_steps_);
  ar(time_offset_, mtimecmp_, stimecmp_, cycle_offset_, instret_offset_);
  ar(reservation_valid_, reservation_addr_, waiting_);
  ar(pending_cause_, pending_tval_, retired_at_last_exception_, exceptions_without_progress_);
  ar(pending_gpa_, pending_tinst_, pending_gva_);
  ar(exit_code, stop_message);
  std::array<TlbEntry, Tlb::kSize> tlb = tlb_.entries();
  // (Not the TLB's hit/miss/flush counters: they count how vmscope's own caches are used, which
  // depends on when snapshots dropped the micro-TLBs. Like the code cache's, they keep counting.)
  ar(tlb);
  std::deque<TrapRecord> traps = trap_log_.records();
  ar(traps, exception_counts_, interrupt_counts_);
  ar(quirks_, quirk_counts_, quirk_last_pc_);
  ar(pmp_, triggers_);
  if constexpr (Ar::kLoading) {
    tlb_.load_entries(tlb);
    trap_log_.clear();
    for (const TrapRecord& r : traps) trap_log_.add(r);
  }
}

void Hart::save_state(StateWriter& out) const { const_cast<Hart*>(this)->transfer_state(out); }

// The decoded code (and the translated blocks made from it) must be dropped as well: Machine does.
void Hart::load_state(StateReader& in) {
  transfer_state(in);
  x_[32] = 0;
  stop_request_ = StopReason::budget;
  interpret_next_ = 0;
  flush_micro_tlbs();
  refresh_modes();
}

}  // namespace vmscope
