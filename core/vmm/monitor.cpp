// Trap-and-emulate: what the monitor does on each exit (see monitor.h).
#include "csr_numbers.h"
#include "vmm/monitor.h"

#include <cstdio>

#include "hart/csr_state.h"
#include "hart/zicsr.h"
#include "mem/sv32.h"

namespace vmscope {

using isa::Op;

namespace {
constexpr uint32_t kSstatusSie = kMstatusSie;
constexpr uint32_t kCounterCycleTime = 0x3;  // counteren bits CY and TM

AccessType fault_type(uint32_t cause) {
  return cause == 12 ? AccessType::fetch : cause == 13 ? AccessType::load : AccessType::store;
}
bool is_csr_op(Op op) {
  return op == Op::csrrw || op == Op::csrrs || op == Op::csrrc || op == Op::csrrwi || op == Op::csrrsi ||
         op == Op::csrrci;
}
}  // namespace

const char* to_string(ExitAction a) {
  switch (a) {
    case ExitAction::emulated_csr: return "emulated CSR access";
    case ExitAction::callout: return "callout from translated kernel code";
    case ExitAction::emulated_sret: return "emulated SRET";
    case ExitAction::emulated_wfi: return "emulated WFI";
    case ExitAction::emulated_sfence: return "emulated SFENCE.VMA";
    case ExitAction::sbi_call: return "SBI call";
    case ExitAction::hidden_fault: return "hidden page fault: shadow filled";
    case ExitAction::reflected: return "reflected to the guest";
    case ExitAction::page_table_write: return "write to a guest page table: emulated";
    case ExitAction::timer: return "timer";
    case ExitAction::quirk_escape: return "quirk: sensitive instruction did not trap";
    case ExitAction::hypercall: return "hypercall";
    case ExitAction::g_stage_fill: return "guest-page fault: G-stage filled";
    case ExitAction::injected_fault: return "fault injected into the guest";
    case ExitAction::emulated_device: return "device access emulated";
  }
  return "?";
}

Monitor::Monitor(Hart& hart, Bus& bus, GuestMemory& guest, SbiFirmware& sbi, uint32_t pool_base, uint32_t pool_size)
    : hart_(hart), bus_(bus), guest_(guest), sbi_(sbi), shadow_(bus, guest, hart, pool_base, pool_size) {
  hart_.debug_translate_fallback = [this](uint32_t gva, AccessType type) { return guest_translate(gva, type); };
  hart_.patch_sensitive_code = [this] { return binary_translation && vcpu_.mode == Priv::S; };
}

bool Monitor::guest_csr(uint16_t number, uint32_t& value) const {
  if (!hardware_assisted) return read_csr(number, value);
  // The guest's S-level CSRs are the hart's VS copies (its S-mode accesses go to them while V = 1).
  if (const uint16_t vs = vs_alias(number); vs != number) return hart_.debug_read_csr(vs, value);
  if (number == csr::scounteren || number == csr::senvcfg || (number >= csr::cycle && number <= csr::hpmcounter31h))
    return hart_.debug_read_csr(number, value);
  return false;
}

Priv Monitor::guest_mode() const {
  if (!hardware_assisted) return vcpu_.mode;
  return hart_.priv() == Priv::M ? Priv::S : hart_.priv();  // (VS and VU are S and U with V = 1)
}

Hart::Translation Monitor::guest_translate(uint32_t gva, AccessType type) const {
  Hart::Translation t;
  uint32_t gpa = gva;
  uint32_t satp = vcpu_.s.atp, status = vcpu_.sstatus;
  if (hardware_assisted) {
    guest_csr(0x180, satp);
    guest_csr(0x100, status);
  }
  if (satp & kSatpModeSv32) {
    const Sv32Context ctx{satp, guest_mode(), static_cast<bool>(status & kMstatusSum),
                          static_cast<bool>(status & kMstatusMxr), hart_.config().hardware_ad_update};
    const Sv32Walk w = sv32_walk(guest_, ctx, gva, type, false);
    if (!w.ok) {
      t.fault = w.fault;
      return t;
    }
    gpa = w.paddr;
  }
  uint32_t hpa;
  if (!guest_.to_host(gpa, hpa)) {
    t.fault = access_fault_for(type);
    return t;
  }
  t.ok = true;
  t.paddr = (hpa & ~0xfffu) | (gpa & 0xfff);
  return t;
}

void Monitor::forget_the_run() {
  vcpu_ = VirtualCpu{};
  stats_ = {};
  log_.clear();
  quirks_seen_.fill(0);
  illusion_broken_.clear();
  repeated_faults_ = 0;
}

void Monitor::start(uint32_t entry) {
  if (hardware_assisted) return start_hardware_assisted(entry);
  forget_the_run();
  pv_shared_ = pv_batch_ = 0;
  pv_page_ = {};
  const ShadowInvalidation strategy = shadow_.strategy();
  shadow_.reset();
  shadow_.set_strategy(strategy);
  // The real hart: U-mode, nothing delegated (every trap comes here), counters trapping (the
  // guest's instret counts the instructions the monitor emulated for it).
  hart_.debug_write_csr(0x300, 0);
  hart_.debug_write_csr(0x302, 0);
  hart_.debug_write_csr(0x303, 0);
  hart_.debug_write_csr(0x306, 0);
  hart_.pmp_allow_all();  // (the shadow tables decide what the guest reaches)
  hart_.set_priv(Priv::U);
  hart_.set_reg(10, 0);
  hart_.set_reg(11, 0);  // a1: the device tree (Machine::reset sets it)
  hart_.set_pc(entry);
  host_satp_ = 0;
  host_mie_ = ~0u;
  host_scounteren_ = ~0u;
  // A paravirtual kernel reads time and cycle itself (they are not privileged, and it knows
  // they count guest time); instret still traps: it must count what the monitor emulated.
  if (paravirtual) hart_.debug_write_csr(0x306, kCounterCycleTime);
  sync_host();
}

bool Monitor::on_trap(Hart&, const TrapEvent& t) {  // the hart is hart_
  if (hardware_assisted) return on_trap_hardware_assisted(t);
  ++stats_.exits;
  if (pv_shared_) pv_pull();
  const Priv mode = vcpu_.mode;
  ExitAction action = ExitAction::timer;
  if (t.interrupt) {
    ++stats_.exits_by_interrupt[t.cause % stats_.exits_by_interrupt.size()];
  } else {
    ++stats_.exits_by_exception[t.cause % stats_.exits_by_exception.size()];
    // While the monitor works, the trapping instruction has not happened yet for the guest
    // (its time and cycle counters read as before it).
    hart_.hide_steps(1);
    const uint64_t callouts = stats_.callouts;
    handle_exception(t, action);
    if (action != ExitAction::hidden_fault) hart_.unhide_steps(1);
    if (stats_.callouts != callouts && action != ExitAction::reflected) action = ExitAction::callout;
  }
  note_quirks(t.epc);
  const bool injected = deliver_interrupt();
  log(t, action, injected, mode);
  if (pv_shared_) pv_push();  // (the guest never runs between the pull and the push)
  sync_host();
  if (check_shadows) {
    ++stats_.checks;
    const std::vector<std::string> problems = shadow_.check();
    if (!problems.empty()) {
      hart_.stop_message = "monitor check failed after an exit (" + std::string(to_string(action)) + "): " + problems[0];
      hart_.request_stop(StopReason::check_failed);
    }
  }
  return true;
}

void Monitor::log(const TrapEvent& t, ExitAction action, bool injected, Priv mode) {
  if (log_.size() == kLogCapacity) log_.pop_front();
  log_.push_back({hart_.steps(), t.cause | (t.interrupt ? 1u << 31 : 0), t.epc, t.tval, mode, action, injected});
  if (hart_.on_event)  // the hart counted the trapping step already
    hart_.on_event({hart_.steps(), EventKind::monitor_exit, static_cast<uint32_t>(action),
                    t.epc, t.cause | (t.interrupt ? 1u << 31 : 0)});
}

void Monitor::note_quirks(uint32_t epc) {
  for (unsigned q = 0; q < kQuirkCount; ++q) {
    const uint64_t count = hart_.quirk_count(static_cast<Quirk>(q));
    if (count == quirks_seen_[q]) continue;
    quirks_seen_[q] = count;
    const uint32_t pc = hart_.quirk_last_pc(static_cast<Quirk>(q));
    if (illusion_broken_.empty()) {
      char text[200];
      std::snprintf(text, sizeof text,
                    "quirk %s: a sensitive instruction at 0x%08x ran in U-mode without trapping, so the "
                    "monitor never saw it",
                    to_string(static_cast<Quirk>(q)), pc);
      illusion_broken_ = text;
    }
    if (log_.size() == kLogCapacity) log_.pop_front();
    log_.push_back({hart_.steps(), q, pc, epc, vcpu_.mode, ExitAction::quirk_escape, false});
  }
}

// ---- exceptions ----------------------------------------------------------------------------

void Monitor::handle_exception(const TrapEvent& t, ExitAction& action) {
  action = ExitAction::reflected;
  switch (t.cause) {
    case 2: {  // illegal instruction: the sensitive ones the guest kernel may execute
      const isa::DecodedInsn d = isa::decode(t.tval);
      if (binary_translation && vcpu_.mode == Priv::S) ++stats_.callouts;
      if (is_csr_op(d.op)) {
        if (emulate_csr(d, t.epc)) {
          action = ExitAction::emulated_csr;
          ++stats_.csr;
          ++stats_.emulated;
          return;
        }
      } else if (vcpu_.mode == Priv::S && d.op == Op::sret) {
        emulate_sret();
        action = ExitAction::emulated_sret;
        ++stats_.sret;
        ++stats_.emulated;
        return;
      } else if (vcpu_.mode == Priv::S && d.op == Op::wfi) {
        hart_.set_pc(t.epc + 4);
        // As the real WFI: wait unless an enabled interrupt is pending (whatever SIE says).
        if (!(virtual_sip() & vcpu_.sie)) hart_.wait_for_interrupt();
        action = ExitAction::emulated_wfi;
        ++stats_.wfi;
        ++stats_.emulated;
        return;
      } else if (vcpu_.mode == Priv::S && d.op == Op::sfence_vma) {
        if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::tlb_flush, 0, t.epc, d.rs1 ? hart_.reg(d.rs1) : 0});
        shadow_.on_sfence(d.rs1 != 0, hart_.reg(d.rs1), d.rs2 != 0,
                          static_cast<uint16_t>(hart_.reg(d.rs2) & kSatpAsidMask));
        hart_.set_pc(t.epc + 4);
        action = ExitAction::emulated_sfence;
        ++stats_.sfence;
        ++stats_.emulated;
        return;
      }
      reflect(t.cause, t.tval, t.epc);
      ++stats_.reflected_other;
      return;
    }
    case 8:  // ECALL: a system call of a guest process, or the guest kernel calling firmware
      if (vcpu_.mode == Priv::S && paravirtual && hart_.reg(17) == VMSCOPE_PV_EXTENSION) {
        handle_hypercall(t.epc, action);
        return;
      }
      if (vcpu_.mode == Priv::S) {
        if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::sbi_call, hart_.reg(17), t.epc, hart_.reg(16)});
        const EcallAction a = sbi_.serve(hart_);
        const bool suspended = hart_.waiting();  // (SBI HSM hart_suspend waits like WFI: set_pc would wake it)
        hart_.set_pc(a == EcallAction::wait ? t.epc : t.epc + 4);
        if (suspended) hart_.wait_for_interrupt();
        action = ExitAction::sbi_call;
        ++stats_.sbi_calls;
        stats_.console_calls += hart_.reg(17) == kSbiDebugConsole;
        ++stats_.emulated;
        return;
      }
      reflect(8, 0, t.epc);
      ++stats_.reflected_other;
      return;
    case 12: case 13: case 15:
      handle_page_fault(t, action);
      return;
    default:
      reflect(t.cause, t.tval, t.epc);
      ++stats_.reflected_other;
  }
}

void Monitor::handle_page_fault(const TrapEvent& t, ExitAction& action) {
  const ShadowMmu::Fill fill = shadow_.fill(t.tval, fault_type(t.cause));
  switch (fill.result) {
    case ShadowMmu::FillResult::filled:
      action = ExitAction::hidden_fault;
      ++stats_.hidden_faults;
      hart_.set_pc(t.epc);
      // A fill that does not let the access through would repeat forever: stop instead.
      if (t.epc == last_fault_pc_ && t.tval == last_fault_addr_) {
        if (++repeated_faults_ >= 8) {
          char text[160];
          std::snprintf(text, sizeof text, "monitor: page fault at 0x%08x (pc 0x%08x) repeats after its shadow fill",
                        t.tval, t.epc);
          hart_.stop_message = text;
          hart_.request_stop(StopReason::trap_loop);
        }
      } else {
        repeated_faults_ = 0;
      }
      last_fault_pc_ = t.epc;
      last_fault_addr_ = t.tval;
      return;
    case ShadowMmu::FillResult::guest_fault: {
      const auto cause = static_cast<uint32_t>(fill.fault);
      reflect(cause, t.tval, t.epc);
      if (cause == 12 || cause == 13 || cause == 15) ++stats_.reflected_page_faults;
      else ++stats_.reflected_other;
      action = ExitAction::reflected;
      return;
    }
    case ShadowMmu::FillResult::page_table_write:
      emulate_page_table_store(t.epc, t.tval, fill.gpa);
      action = ExitAction::page_table_write;
      return;
    case ShadowMmu::FillResult::emulated_device:
      if (emulate_device_access(t.epc, fill.gpa)) {
        action = ExitAction::emulated_device;
        return;
      }
      reflect(t.cause == 12 ? 1 : t.cause == 13 ? 5 : 7, t.tval, t.epc);  // no AMO or fetch on a device: its access fault
      ++stats_.reflected_other;
      action = ExitAction::reflected;
      return;
  }
}

bool Monitor::emulate_device_access(uint32_t epc, uint32_t gpa) {
  const isa::DecodedInsn d = isa::decode(hart_.instruction_bits(epc));
  unsigned size = 0;
  bool load = true, sign = false;
  switch (d.op) {
    case Op::lb: size = 1; sign = true; break;
    case Op::lh: size = 2; sign = true; break;
    case Op::lw: size = 4; break;
    case Op::lbu: size = 1; break;
    case Op::lhu: size = 2; break;
    case Op::sb: size = 1; load = false; break;
    case Op::sh: size = 2; load = false; break;
    case Op::sw: size = 4; load = false; break;
    default: return false;
  }
  if (load) {
    uint64_t value = 0;
    if (!bus_.read(gpa, size, value)) value = 0;
    auto v = static_cast<uint32_t>(value);
    if (sign && size < 4 && (v >> (8 * size - 1) & 1)) v |= ~0u << (8 * size);
    hart_.set_reg(d.rd, v);
  } else {
    bus_.write(gpa, size, hart_.reg(d.rs2) & (size == 4 ? ~0u : (1u << (8 * size)) - 1));
  }
  hart_.set_pc(epc + d.length);
  ++stats_.device_accesses;
  ++stats_.emulated;
  return true;
}

// A store (or AMO) to a guest page-table page: done here, then the shadows built from the
// changed entry are dropped.
void Monitor::emulate_page_table_store(uint32_t epc, uint32_t gva, uint32_t gpa) {
  const isa::DecodedInsn d = isa::decode(hart_.instruction_bits(epc));
  uint32_t value = hart_.reg(d.rs2);
  unsigned size = 4;
  bool write = true;
  uint8_t bytes[4] = {};
  if (d.op == Op::sb || d.op == Op::sh || d.op == Op::sw) {
    size = d.op == Op::sb ? 1 : d.op == Op::sh ? 2 : 4;
  } else if (d.op == Op::sc_w) {
    write = hart_.take_reservation(gpa + guest_.offset());
    hart_.set_reg(d.rd, write ? 0 : 1);
  } else {  // an AMO: read, combine, write back
    guest_.read(gpa, std::span(bytes, 4));
    const uint32_t old = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<uint32_t>(bytes[3]) << 24;
    const uint32_t src = value;
    switch (d.op) {
      case Op::amoswap_w: value = src; break;
      case Op::amoadd_w: value = old + src; break;
      case Op::amoxor_w: value = old ^ src; break;
      case Op::amoand_w: value = old & src; break;
      case Op::amoor_w: value = old | src; break;
      case Op::amomin_w: value = static_cast<int32_t>(old) < static_cast<int32_t>(src) ? old : src; break;
      case Op::amomax_w: value = static_cast<int32_t>(old) > static_cast<int32_t>(src) ? old : src; break;
      case Op::amominu_w: value = old < src ? old : src; break;
      case Op::amomaxu_w: value = old > src ? old : src; break;
      default:  // cannot happen (only stores fault as stores): let the guest see the fault
        reflect(15, gva, epc);
        ++stats_.reflected_page_faults;
        return;
    }
    hart_.set_reg(d.rd, old);
  }
  if (write) {
    for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
    guest_.write(gpa, std::span<const uint8_t>(bytes, size));
    shadow_.on_page_table_write(gpa);
  }
  hart_.set_pc(epc + d.length);
  ++stats_.page_table_writes;
  ++stats_.emulated;
}

// ---- the virtual CPU -------------------------------------------------------------------------

void Monitor::set_guest_software_interrupt(bool pending) {
  if (hardware_assisted) {
    const uint32_t hvip = hart_.csrs().hvip;
    hart_.debug_write_csr(0x645, pending ? hvip | kMipVssip : hvip & ~kMipVssip);
  } else {
    vcpu_.sip = pending ? vcpu_.sip | kMipSsip : vcpu_.sip & ~kMipSsip;  // delivered after this exit
  }
}

void Monitor::fence_guest(uint32_t address, uint32_t size, bool by_asid, uint16_t asid) {
  if (hardware_assisted) return hart_.hfence_gvma_all();
  if ((address == 0 && size == 0) || size == ~0u || size > 64 * 4096) return shadow_.on_sfence(false, 0, by_asid, asid);
  for (uint32_t page = address & ~0xfffu; page - (address & ~0xfffu) < size + (address & 0xfff); page += 4096)
    shadow_.on_sfence(true, page, by_asid, asid);
}

// SSIP is the guest's own bit; STIP is the real timer's; SEIP is the PLIC's supervisor context
// (its devices' interrupts, passed through: the guest claims and completes them itself).
uint32_t Monitor::virtual_sip() const {
  return (vcpu_.sip & kMipSsip) | (hart_.csrs().mip & kMipStip) | (hart_.csrs().external_line_s ? kMipSeip : 0);
}

bool Monitor::read_csr(uint16_t n, uint32_t& v) const {
  switch (n) {
    case csr::sstatus: v = vcpu_.sstatus & kSstatusMask; return true;
    case csr::sie: v = vcpu_.sie; return true;
    case csr::scounteren: v = vcpu_.scounteren; return true;
    case csr::senvcfg: v = 0; return true;
    case csr::sip: v = virtual_sip(); return true;
    case csr::cycle: case csr::cycleh: case csr::time: case csr::timeh: {
      uint32_t value;  // cycle and time count guest steps only (see Hart::hide_steps)
      hart_.debug_read_csr(n, value);
      v = value;
      return true;
    }
    case csr::instret: v = static_cast<uint32_t>(guest_instret()); return true;
    case csr::instreth: v = static_cast<uint32_t>(guest_instret() >> 32); return true;
    default: return vcpu_.s.read(n, v);  // stvec, sscratch, sepc, scause, stval, satp
  }
}

bool Monitor::write_csr(uint16_t n, uint32_t v) {
  switch (n) {
    case csr::sstatus: vcpu_.sstatus = v & kSstatusMask; return true;
    case csr::sie: vcpu_.sie = v & kSupervisorInterrupts; return true;
    case csr::scounteren: vcpu_.scounteren = v; return true;
    case csr::senvcfg: return true;
    case csr::sip: vcpu_.sip = (vcpu_.sip & ~kMipSsip) | (v & kMipSsip); return true;
    case csr::satp:
      vcpu_.s.write(n, v);
      if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::satp_write, 0, hart_.pc(), v});  // in an exit
      return true;
    default: return vcpu_.s.write(n, v);  // stvec, sscratch, sepc, scause, stval: the hart's WARL rules
  }
}

// Zicsr as the hart does it (hart/zicsr.h) for S-mode (or U-mode) code, on the virtual CSRs.
bool Monitor::emulate_csr(const isa::DecodedInsn& d, uint32_t epc) {
  const CsrInstruction c = CsrInstruction::of(d.op, d.imm, d.rd == 0, d.rs1, hart_.reg(d.rs1));
  if (!csr_permitted(c.number, c.writes, vcpu_.mode, VirtualCpu::kMcounteren, vcpu_.scounteren)) return false;
  uint32_t old = 0;
  if ((c.reads || c.writes) && !read_csr(c.number, old)) return false;
  if (c.writes && !write_csr(c.number, c.written(old))) return false;
  hart_.set_reg(d.rd, old);
  hart_.set_pc(epc + 4);
  return true;
}

void Monitor::emulate_sret() {
  vcpu_.mode = SupervisorLevel::return_from_trap(vcpu_.sstatus);
  hart_.take_reservation(0);  // clears it, as a real SRET does
  hart_.set_pc(vcpu_.s.epc);
}

void Monitor::enter_virtual_trap(uint32_t xcause, uint32_t tval, uint32_t epc) {
  const uint32_t handler = vcpu_.s.enter_trap(vcpu_.sstatus, xcause, epc, tval, vcpu_.mode);
  vcpu_.mode = Priv::S;
  hart_.take_reservation(0);
  if (pv_shared_) {  // a paravirtual kernel: a0 <-> its scratch word, as CSRRW a0, sscratch, a0
    pv_page_.saved_a0 = hart_.reg(10);
    hart_.set_reg(10, vcpu_.s.scratch);
  }
  hart_.set_pc(handler);
}

void Monitor::reflect(uint32_t cause, uint32_t tval, uint32_t epc) { enter_virtual_trap(cause, tval, epc); }

// A virtual interrupt that is pending, enabled and deliverable in the guest's mode is taken now,
// at the instruction boundary where the exit happened (priority SEI, SSI, STI).
bool Monitor::deliver_interrupt() {
  const uint32_t pending = virtual_sip() & vcpu_.sie;
  if (!pending || !(vcpu_.mode == Priv::U || (vcpu_.sstatus & kSstatusSie))) return false;
  for (const unsigned code : {9u, 1u, 5u}) {
    if (pending >> code & 1) {
      enter_virtual_trap(code | 1u << 31, 0, hart_.pc());
      ++stats_.injected_interrupts;
      return true;
    }
  }
  return false;
}

// Points the real hart at the shadow table for the guest's current view, and lets the real
// timer interrupt through only when the guest could take it (or waits for it in WFI).
void Monitor::sync_host() {
  const ShadowKey key{vcpu_.s.atp, vcpu_.mode, static_cast<bool>(vcpu_.sstatus & kMstatusSum),
                      static_cast<bool>(vcpu_.sstatus & kMstatusMxr)};
  const uint32_t satp = shadow_.activate(key);
  if (satp != host_satp_) {
    hart_.debug_write_csr(0x180, satp);
    host_satp_ = satp;
  }
  // The guest's sepc lives in the real sepc too: the monitor takes no S-mode traps, so the
  // register is free, and an SRET that escapes the monitor (quirk sret-jump) then returns to
  // the right place, only in the wrong mode.
  uint32_t real_sepc;
  if (hart_.debug_read_csr(0x141, real_sepc) && real_sepc != vcpu_.s.epc) hart_.debug_write_csr(0x141, vcpu_.s.epc);
  if (paravirtual) {  // time and cycle: the kernel's own reads, its processes' as it allows
    const uint32_t counters = vcpu_.mode == Priv::S ? kCounterCycleTime : vcpu_.scounteren & kCounterCycleTime;
    if (counters != host_scounteren_) {
      hart_.debug_write_csr(0x106, counters);
      host_scounteren_ = counters;
    }
  }
  const bool can_take = vcpu_.mode == Priv::U || (vcpu_.sstatus & kSstatusSie) || hart_.waiting();
  const uint32_t mie = can_take ? vcpu_.sie & (kMipStip | kMipSeip) : 0;
  if (mie != host_mie_) {
    hart_.debug_write_csr(0x304, mie);
    host_mie_ = mie;
  }
}

}  // namespace vmscope
