// Taking exceptions and interrupts, delegation to S-mode, and the privileged instructions that
// change mode or wait: MRET, SRET, WFI, SFENCE.VMA.
#include <cstdio>

#include "hart/hart.h"

namespace vmscope {

namespace {
// Exceptions whose tval is an address (a guest virtual one when the access was a guest's).
bool is_address_exception(unsigned code) {
  switch (code) {
    case 0: case 1: case 4: case 5: case 6: case 7: case 12: case 13: case 15: case 20: case 21: case 23:
      return true;
    default:
      return false;
  }
}
}  // namespace

void Hart::enter_vs_trap(uint32_t xcause, uint32_t tval, uint32_t epc) {
  pc_ = csr_.vs.enter_trap(csr_.vsstatus, xcause, epc, tval, priv_);
  priv_ = Priv::S;
}

void Hart::enter_trap(uint32_t cause, bool interrupt, uint32_t tval, uint32_t epc) {
  const uint32_t deleg = interrupt ? csr_.mideleg : csr_.medeleg;
  const bool to_s = priv_ != Priv::M && ((deleg >> cause) & 1);
  const uint32_t xcause = cause | (interrupt ? 1u << 31 : 0);
  const Priv from = priv_;
  const bool from_virt = virt_;
  const bool gva = !interrupt && (pending_gva_ || (from_virt && is_address_exception(cause)));
  const uint64_t gpa = interrupt ? 0 : pending_gpa_;
  const uint32_t tinst = interrupt ? 0 : pending_tinst_;
  if (to_s && virt_ && (((interrupt ? csr_.hideleg : csr_.hedeleg) >> cause) & 1)) {
    // A guest's own trap, handled by its kernel in VS-mode; a VS-level interrupt shows there as
    // the S-level one (VSTI as STI, ...).
    enter_vs_trap(interrupt ? (cause - 1) | 1u << 31 : xcause, tval, epc);
    reservation_valid_ = false;
    waiting_ = false;
    trap_log_.add({steps_, xcause, epc, tval, from, priv_});
    if (on_event) note_trap(xcause, epc, tval);
    refresh_modes();
    return;
  }
  if (to_s) {
    pc_ = csr_.s.enter_trap(csr_.mstatus, xcause, epc, tval, priv_);
    if (config_.hypervisor) {  // what HS learns of a trap from a guest
      csr_.htval = static_cast<uint32_t>(gpa >> 2);
      csr_.htinst = tinst;
      uint32_t h = csr_.hstatus & ~(kHstatusSpv | kHstatusGva);
      if (from_virt) h = (h & ~kHstatusSpvp) | kHstatusSpv | (priv_ == Priv::S ? kHstatusSpvp : 0);
      if (gva) h |= kHstatusGva;
      csr_.hstatus = h;
    }
    priv_ = Priv::S;
    set_virt_mode(false);
  } else {
    csr_.mcause = xcause;
    csr_.mepc = epc;
    csr_.mtval = tval;
    uint32_t m = csr_.mstatus & ~(kMstatusMpp | kMstatusMpie | kMstatusMie);
    m |= static_cast<uint32_t>(priv_) << kMstatusMppShift;
    if (csr_.mstatus & kMstatusMie) m |= kMstatusMpie;
    csr_.mstatus = m;
    if (config_.hypervisor) {
      csr_.mtval2 = static_cast<uint32_t>(gpa >> 2);
      csr_.mtinst = tinst;
      csr_.mstatush = (from_virt ? kMstatushMpv : 0) | (gva ? kMstatushGva : 0);
    }
    priv_ = Priv::M;
    triggers_.on_trap_into_m();
    set_virt_mode(false);
    pc_ = trap_vector(csr_.mtvec, xcause);
  }
  reservation_valid_ = false;
  waiting_ = false;
  trap_log_.add({steps_, xcause, epc, tval, from, priv_});
  if (on_event) note_trap(xcause, epc, tval);
  refresh_modes();
}

bool Hart::take_pending_exception(uint32_t epc) {
  const auto code = static_cast<unsigned>(pending_cause_);
  ++exceptions_;
  ++exception_counts_[code];
  if (trap_hook) {
    const Priv from = priv_;
    const uint32_t tval = pending_tval_;
    if (trap_hook(*this, {code, false, tval, epc, pending_gpa_, virt_})) {
      trap_log_.add({steps_, code, epc, tval, from, Priv::M});  // (a monitor's exit: it tells the timeline)
      return stop_request_ == StopReason::budget;
    }
  }
  char text[160];
  if (config_.exceptions_stop) {
    std::snprintf(text, sizeof text, "%s at pc 0x%08x (tval 0x%08x)", exception_name(code), epc, pending_tval_);
    stop_message = text;
    stop_request_ = StopReason::guest_fault;
    pc_ = epc;
    return false;
  }
  // A hart whose handler itself faults before retiring anything will never make progress.
  const uint64_t retired = instret();
  if (retired == retired_at_last_exception_) {
    if (++exceptions_without_progress_ >= kTrapLoopLimit) {
      std::snprintf(text, sizeof text,
                    "trap loop: %u exceptions in a row without retiring an instruction; last: %s at "
                    "pc 0x%08x (tval 0x%08x)",
                    exceptions_without_progress_, exception_name(code), epc, pending_tval_);
      stop_message = text;
      stop_request_ = StopReason::trap_loop;
      pc_ = epc;
      return false;
    }
  } else {
    exceptions_without_progress_ = 0;
    retired_at_last_exception_ = retired;
  }
  enter_trap(code, false, pending_tval_, epc);
  return true;
}

uint32_t Hart::pending_interrupts() const {
  uint32_t mip = csr_.mip | vs_interrupts_pending();
  if (csr_.external_line) mip |= kMipMeip;
  if (csr_.external_line_s) mip |= kMipSeip;
  return mip & csr_.mie;
}

bool Hart::check_interrupts() {
  update_timer_pending();
  const uint32_t pending = pending_interrupts();
  if (!pending) return false;
  // Interrupts for M are taken below M, or in M with MIE; delegated ones below S, or in S with
  // SIE (always from a guest, V = 1); those delegated on to VS (hideleg) only from the guest:
  // in VU, or in VS with vsstatus.SIE.
  const bool m_enabled = priv_ != Priv::M || (csr_.mstatus & kMstatusMie);
  const bool s_enabled = priv_ != Priv::M && (virt_ || priv_ == Priv::U || (csr_.mstatus & kMstatusSie));
  const bool vs_enabled = virt_ && (priv_ == Priv::U || (csr_.vsstatus & kMstatusSie));
  const uint32_t m_set = m_enabled ? pending & ~csr_.mideleg : 0;
  const uint32_t s_set = s_enabled ? pending & csr_.mideleg & ~csr_.hideleg : 0;
  const uint32_t vs_set = vs_enabled ? pending & csr_.mideleg & csr_.hideleg : 0;
  // MEI MSI MTI SEI SSI STI SGEI VSEI VSSI VSTI
  static constexpr unsigned kPriority[] = {11, 3, 7, 9, 1, 5, 12, 10, 2, 6};
  for (const uint32_t set : {m_set, s_set, vs_set}) {
    for (unsigned code : kPriority) {
      if (set >> code & 1) {
        ++interrupts_;
        ++interrupt_counts_[code];
        if (trap_hook) {
          const Priv from = priv_;
          if (trap_hook(*this, {code, true, 0, pc_, 0, virt_})) {
            trap_log_.add({steps_, code | 1u << 31, pc_, 0, from, Priv::M});
            // The monitor may have made an interrupt pending for its guest (hvip): it is taken
            // at this same boundary, as hardware would.
            if (config_.hypervisor && virt_) check_interrupts();
            return true;
          }
        }
        enter_trap(code, true, 0, pc_);
        return true;
      }
    }
  }
  return false;
}

bool Hart::do_mret(uint32_t& next_pc) {
  if (priv_ != Priv::M) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  const auto mpp = static_cast<Priv>((csr_.mstatus & kMstatusMpp) >> kMstatusMppShift);
  uint32_t m = csr_.mstatus & ~(kMstatusMpp | kMstatusMie);
  if (csr_.mstatus & kMstatusMpie) m |= kMstatusMie;
  m |= kMstatusMpie;
  if (mpp != Priv::M) m &= ~kMstatusMprv;
  csr_.mstatus = m;
  priv_ = mpp;
  if (config_.hypervisor) {  // back into a guest if the trap came from one
    set_virt_mode(mpp != Priv::M && (csr_.mstatush & kMstatushMpv));
    csr_.mstatush &= ~kMstatushMpv;
  }
  reservation_valid_ = false;
  triggers_.on_mret();
  next_pc = csr_.mepc;
  refresh_modes();
  return true;
}

bool Hart::do_sret(uint32_t& next_pc) {
  if (virt_) {  // a guest's SRET: on its own vsstatus (VU may not; VS not under hstatus.VTSR)
    if (priv_ == Priv::U || (csr_.hstatus & kHstatusVtsr)) {
      raise_virtual_instruction();
      return false;
    }
    priv_ = SupervisorLevel::return_from_trap(csr_.vsstatus);
    reservation_valid_ = false;
    next_pc = csr_.vs.epc;
    refresh_modes();
    return true;
  }
  if (priv_ == Priv::U && quirks_.sret_jump) {  // the quirk: a plain jump, no mode change
    note_quirk(Quirk::sret_jump);
    next_pc = csr_.s.epc;
    return true;
  }
  if (priv_ == Priv::U || (priv_ == Priv::S && (csr_.mstatus & kMstatusTsr))) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  priv_ = SupervisorLevel::return_from_trap(csr_.mstatus);
  if (config_.hypervisor) {  // HS returning into a guest (hstatus.SPV)
    set_virt_mode(csr_.hstatus & kHstatusSpv);
    csr_.hstatus &= ~kHstatusSpv;
  }
  reservation_valid_ = false;
  next_pc = csr_.s.epc;
  refresh_modes();
  return true;
}

bool Hart::do_wfi() {
  if (virt_ && !(csr_.mstatus & kMstatusTw) && (priv_ == Priv::U || (csr_.hstatus & kHstatusVtw))) {
    raise_virtual_instruction();
    return false;
  }
  if (priv_ == Priv::U || (priv_ == Priv::S && (csr_.mstatus & kMstatusTw))) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  update_timer_pending();
  if (!pending_interrupts()) waiting_ = true;
  return true;
}

bool Hart::do_sfence_vma(uint32_t vaddr, uint32_t asid, bool by_addr, bool by_asid) {
  if (virt_) {  // a guest's fence: its own translations (HFENCE.VVMA for its VMID)
    if (priv_ == Priv::U || (csr_.hstatus & kHstatusVtvm)) {
      raise_virtual_instruction();
      return false;
    }
    const auto vmid = static_cast<uint16_t>((csr_.hgatp >> kHgatpVmidShift) & kHgatpVmidMask);
    tlb_.flush(by_addr, vaddr, by_asid, static_cast<uint16_t>(asid & kSatpAsidMask), true, vmid);
    flush_micro_tlbs();
    return true;
  }
  if (priv_ == Priv::U || (priv_ == Priv::S && (csr_.mstatus & kMstatusTvm))) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  sfence(by_addr, vaddr, by_asid, static_cast<uint16_t>(asid & kSatpAsidMask));
  return true;
}

void Hart::note_trap(uint32_t xcause, uint32_t epc, uint32_t tval) {
  // The step count includes an exception's step already (the handler is next); an interrupt
  // takes none.
  const bool interrupt = xcause >> 31;
  on_event({steps_, interrupt ? EventKind::interrupt : EventKind::exception,
            xcause & 0x7fffffff, epc, tval});
}

void Hart::sfence(bool by_addr, uint32_t vaddr, bool by_asid, uint16_t asid) {
  if (on_event && trap_hook == nullptr) on_event({steps_ + 1, EventKind::tlb_flush, 0, pc_, by_addr ? vaddr : 0});
  tlb_.flush(by_addr, vaddr, by_asid, asid);
  flush_micro_tlbs();
}

}  // namespace vmscope
