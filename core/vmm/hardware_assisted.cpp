// Hardware-assisted virtualization (monitor.h): the guest kernel in VS-mode behind a G-stage
// table the monitor fills as the guest touches its memory; the monitor at HS sees only what the
// hardware forwards. Same console output and guest instruction count as emulation.
#include "hart/csr_state.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {
constexpr uint32_t kVmid = 1;
// The exceptions the guest kernel handles itself (as the SBI firmware delegates them to S under
// emulation): everything its own code and its processes cause, not ECALL from VS (its SBI calls).
constexpr uint32_t kGuestExceptions = 0xb1ff;
constexpr uint32_t kGuestInterrupts = kVsInterrupts;  // VSSI, VSTI, VSEI, seen as SSI, STI, SEI
constexpr uint32_t kLeafFlags = kPteV | kPteR | kPteW | kPteX | kPteU | kPteA | kPteD;

uint32_t pte_for(uint32_t hpa, uint32_t flags) { return ((hpa >> 12) << 10) | flags; }
}  // namespace

void Monitor::start_hardware_assisted(uint32_t entry) {
  forget_the_run();
  // The G-stage root: 16 KiB at the start of the monitor's memory, empty; guest RAM is backed
  // on its first guest-page fault (4 MiB at a time), device pages one by one under it.
  g_root_ = guest_.ram_base();  // host RAM begins with the monitor's memory
  g_regions_ = g_tables_ = 0;
  for (uint32_t a = g_root_; a < g_root_ + 0x4000 + kMaxGTables * 0x1000; a += 4) bus_.write(a, 4, 0);
  hart_.debug_write_csr(0x300, 0);                         // mstatus
  hart_.debug_write_csr(0x302, kGuestExceptions);          // medeleg: to HS ...
  hart_.debug_write_csr(0x602, kGuestExceptions);          // hedeleg: ... and on to the guest
  hart_.debug_write_csr(0x303, kSupervisorInterrupts);     // mideleg (+ the VS-level ones, always)
  hart_.debug_write_csr(0x603, kGuestInterrupts);          // hideleg
  hart_.debug_write_csr(0x304, kMipStip | kMipSeip);       // mie: the monitor's own timer, the PLIC's S context
  hart_.debug_write_csr(0x306, 0x7);                       // mcounteren
  hart_.debug_write_csr(0x606, 0x7);                       // hcounteren: the guest reads its counters itself
  hart_.debug_write_csr(0x600, 0);                         // hstatus
  hart_.debug_write_csr(0x645, 0);                         // hvip
  hart_.debug_write_csr(0x680, kHgatpModeSv32x4 | kVmid << kHgatpVmidShift | g_root_ >> 12);
  hart_.debug_write_csr(0x280, 0);                         // vsatp: the guest starts with paging off
  hart_.set_stimecmp(~uint64_t{0});
  hart_.pmp_allow_all();  // (the G-stage decides what the guest reaches)
  hart_.set_priv(Priv::S);
  hart_.set_virt(true);
  hart_.set_reg(10, 0);  // a0: hart id
  hart_.set_reg(11, 0);  // a1: the device tree (Machine::reset sets it)
  hart_.set_pc(entry);
}

bool Monitor::on_trap_hardware_assisted(const TrapEvent& t) {
  // What the hardware delivers to the guest itself is not an exit.
  if (t.from_virt) {
    const uint32_t mask = t.interrupt ? kGuestInterrupts : kGuestExceptions;
    if (mask >> t.cause & 1) return false;
  }
  ++stats_.exits;
  ExitAction action = ExitAction::timer;
  const Priv mode = hart_.priv();
  if (t.interrupt) {
    ++stats_.exits_by_interrupt[t.cause % stats_.exits_by_interrupt.size()];
    if (t.cause == static_cast<uint32_t>(InterruptCause::supervisor_timer)) {
      // The monitor's timer stands for the guest's: make VSTIP pending and stop its own.
      hart_.debug_write_csr(0x645, hart_.csrs().hvip | kMipVstip);
      hart_.set_stimecmp(~uint64_t{0});
    }
  } else {
    ++stats_.exits_by_exception[t.cause % stats_.exits_by_exception.size()];
    hart_.hide_steps(1);  // while the monitor works, the trapping instruction has not happened yet
    switch (static_cast<ExceptionCause>(t.cause)) {
      case ExceptionCause::ecall_vs: {  // an SBI call of the guest kernel
        if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::sbi_call, hart_.reg(17), t.epc, hart_.reg(16)});
        const bool set_timer = hart_.reg(17) == 0x54494D45 || hart_.reg(17) == 0;
        stats_.console_calls += hart_.reg(17) == kSbiDebugConsole;
        const EcallAction a = sbi_.serve(hart_);
        if (set_timer) hart_.debug_write_csr(0x645, hart_.csrs().hvip & ~kMipVstip);  // a new deadline
        const bool suspended = hart_.waiting();  // (SBI HSM hart_suspend waits like WFI: set_pc would wake it)
        hart_.set_pc(a == EcallAction::wait ? t.epc : t.epc + 4);
        if (suspended) hart_.wait_for_interrupt();
        hart_.retire_for_guest(1);
        action = ExitAction::sbi_call;
        ++stats_.sbi_calls;
        ++stats_.emulated;
        break;
      }
      case ExceptionCause::fetch_guest_page_fault:
      case ExceptionCause::load_guest_page_fault:
      case ExceptionCause::store_guest_page_fault:
        back_guest_memory(t, action);
        break;
      case ExceptionCause::virtual_instruction:
        // Something only HS may do (a hypervisor CSR, ...): to the guest it is the illegal
        // instruction it would be on a machine without H.
        inject_into_guest(static_cast<uint32_t>(ExceptionCause::illegal_instruction), t.tval, t.epc);
        action = ExitAction::injected_fault;
        break;
      default:  // not the guest's (it was not in V = 1): nothing sensible to do but report it
        inject_into_guest(t.cause, t.tval, t.epc);
        action = ExitAction::injected_fault;
    }
    if (action != ExitAction::g_stage_fill) hart_.unhide_steps(1);
  }
  sync_guest_external_interrupt();
  log(t, action, false, mode);
  return true;
}

// The PLIC's supervisor context belongs to the guest: while its line is high the guest sees
// VSEIP, and the monitor stops taking the line itself (its exits would never end); the guest's
// claim and completion are emulated accesses, so the next exit sees the line fall.
void Monitor::sync_guest_external_interrupt() {
  const bool line = hart_.csrs().external_line_s;
  const uint32_t hvip = hart_.csrs().hvip, mie = hart_.csrs().mie;
  hart_.debug_write_csr(0x645, line ? hvip | kMipVseip : hvip & ~kMipVseip);
  hart_.debug_write_csr(0x304, line ? mie & ~kMipSeip : mie | kMipSeip);
}

// A guest-page fault: the guest touched guest-physical memory the G-stage does not map yet.
// RAM is backed 4 MiB at a time (one superpage); a passed-through device page on its own; any
// other address is the guest's access fault, as on the real board.
void Monitor::back_guest_memory(const TrapEvent& t, ExitAction& action) {
  uint32_t hpa;
  // A device the guest reaches only through the monitor: the access carried out on it.
  if (t.gpa <= 0xffffffffull && guest_.is_emulated(static_cast<uint32_t>(t.gpa))) {
    const bool fetch = t.cause == static_cast<uint32_t>(ExceptionCause::fetch_guest_page_fault);
    if (!fetch && emulate_device_access(t.epc, static_cast<uint32_t>(t.gpa))) {
      hart_.retire_for_guest(1);
      action = ExitAction::emulated_device;
    } else {
      inject_into_guest(t.cause == 20 ? 1 : t.cause == 21 ? 5 : 7, t.tval, t.epc);
      action = ExitAction::injected_fault;
    }
    return;
  }
  if (t.gpa > 0xffffffffull || !guest_.to_host(static_cast<uint32_t>(t.gpa), hpa)) {
    const auto type = t.cause == 20 ? AccessType::fetch : t.cause == 21 ? AccessType::load : AccessType::store;
    inject_into_guest(static_cast<uint32_t>(access_fault_for(type)), t.tval, t.epc);
    action = ExitAction::injected_fault;
    return;
  }
  const auto gpa = static_cast<uint32_t>(t.gpa);
  const uint32_t region = gpa & ~0x3fffffu;
  const uint32_t root_entry = g_root_ + (gpa >> 22) * 4;
  if (t.cause == static_cast<uint32_t>(ExceptionCause::store_guest_page_fault) && g_dirty_fault(gpa)) {
    hart_.set_pc(t.epc);  // a store to a page the dirty log watches: noted, and now writable
    action = ExitAction::g_stage_fill;
    ++stats_.hidden_faults;
    return;
  }
  if (guest_.in_ram(region, 0x400000)) {  // a whole 4 MiB of RAM: one superpage
    uint64_t root = 0;
    bus_.read(root_entry, 4, root);
    if ((root & kPteV) && !(root & (kPteR | kPteX))) {
      // Already 4 KiB entries (the dirty log, or the balloon): this page's, given back if the
      // guest had given it to the balloon (it touched memory it gave away).
      if (bus_.reclaimed(hpa & ~0xfffu)) {
        bus_.back_page(hpa & ~0xfffu);
        ++g_reclaimed_touched_;
      }
      const bool logging = guest_.dirty_log().on();
      const bool store = t.cause == static_cast<uint32_t>(ExceptionCause::store_guest_page_fault);
      if (logging && store) guest_.note_written(gpa);
      const bool writable = !logging || store;
      bus_.write(g_ram_table(gpa) + ((gpa >> 12) & 0x3ff) * 4, 4, pte_for(hpa & ~0xfffu, writable ? kLeafFlags : kLeafFlags & ~kPteW));
      hart_.hfence_gvma_all();
    } else if (guest_.dirty_log().on() || g_region_has_reclaimed(region)) {
      g_split_ram_region(region, !guest_.dirty_log().on());  // (4 KiB entries while logging or ballooned)
    } else {
      bus_.write(root_entry, 4, pte_for(region + guest_.offset(), kLeafFlags));
    }
  } else {  // a page under a second-level table of its own (after the 16 KiB root)
    uint64_t entry = 0;
    bus_.read(root_entry, 4, entry);
    uint32_t table = static_cast<uint32_t>(entry >> 10) << 12;
    if (!(entry & kPteV)) {
      if (g_tables_ == kMaxGTables) {  // cannot happen: the guest has two device regions
        inject_into_guest(static_cast<uint32_t>(ExceptionCause::load_access), t.tval, t.epc);
        action = ExitAction::injected_fault;
        return;
      }
      table = g_root_ + 0x4000 + g_tables_++ * 0x1000;
      bus_.write(root_entry, 4, pte_for(table, kPteV));
    }
    const bool device = !guest_.is_ram_page(gpa);
    bus_.write(table + ((gpa >> 12) & 0x3ff) * 4, 4, pte_for(hpa & ~0xfffu, device ? kLeafFlags & ~kPteX : kLeafFlags));
  }
  ++g_regions_;
  hart_.set_pc(t.epc);
  action = ExitAction::g_stage_fill;
  ++stats_.g_stage_fills;
  ++stats_.hidden_faults;
}

// ---- the dirty log of live migration: 4 KiB G-stage entries without W for RAM the guest has not
// written this round; its first store faults, the page is noted and the entry made writable.

// Replaces the superpage backing 4 MiB of guest RAM (or its table) by a table of 4 KiB entries,
// writable or not (the dirty log), none for pages the host reclaimed (the balloon's).
void Monitor::g_split_ram_region(uint32_t region, bool writable) {
  const uint32_t table = g_ram_table(region);
  for (uint32_t i = 0; i < 1024; ++i) {
    const uint32_t hpa = region + guest_.offset() + i * 0x1000;
    bus_.write(table + i * 4, 4, bus_.reclaimed(hpa) ? 0 : pte_for(hpa, writable ? kLeafFlags : kLeafFlags & ~kPteW));
  }
  bus_.write(g_root_ + (region >> 22) * 4, 4, pte_for(table, kPteV));
  hart_.hfence_gvma_all();
}

bool Monitor::g_region_has_reclaimed(uint32_t region) const {
  for (uint32_t i = 0; i < 1024; ++i)
    if (bus_.reclaimed(region + guest_.offset() + i * 0x1000)) return true;
  return false;
}

// Ballooning: the pages the host reclaimed lose their G-stage entries (a superpage holding one
// is split first).
void Monitor::g_unmap_reclaimed() {
  for (uint32_t region = guest_.ram_base(); guest_.in_ram(region, 0x400000); region += 0x400000) {
    uint64_t root = 0;
    bus_.read(g_root_ + (region >> 22) * 4, 4, root);
    if (!(root & kPteV) || !g_region_has_reclaimed(region)) continue;
    if (root & (kPteR | kPteX)) {  // a superpage: its table, without the reclaimed pages
      g_split_ram_region(region, !guest_.dirty_log().on());
      continue;
    }
    const uint32_t table = g_ram_table(region);
    for (uint32_t i = 0; i < 1024; ++i)
      if (bus_.reclaimed(region + guest_.offset() + i * 0x1000)) bus_.write(table + i * 4, 4, 0);
  }
  hart_.hfence_gvma_all();
}

// Every backed RAM page's entry loses (or gets back) its write permission.
void Monitor::g_write_protect_ram(bool writable) {
  for (uint32_t region = guest_.ram_base(); guest_.in_ram(region, 0x400000); region += 0x400000) {
    uint64_t root = 0;
    bus_.read(g_root_ + (region >> 22) * 4, 4, root);
    if (!(root & kPteV)) continue;  // not backed yet
    if (root & (kPteR | kPteX)) {   // still a superpage
      if (!writable) g_split_ram_region(region, false);
      continue;
    }
    const uint32_t table = g_ram_table(region);
    for (uint32_t i = 0; i < 1024; ++i) {
      uint64_t pte = 0;
      bus_.read(table + i * 4, 4, pte);
      if (pte & kPteV) bus_.write(table + i * 4, 4, writable ? pte | kPteW : pte & ~uint64_t{kPteW});
    }
  }
  hart_.hfence_gvma_all();
}

// A store guest-page fault on RAM the G-stage maps read-only for the dirty log: note the page,
// let the guest write it. False when the fault is not that (memory not backed yet).
bool Monitor::g_dirty_fault(uint32_t gpa) {
  if (!guest_.is_ram_page(gpa)) return false;
  uint64_t root = 0;
  bus_.read(g_root_ + (gpa >> 22) * 4, 4, root);
  if (!(root & kPteV) || (root & (kPteR | kPteX))) return false;  // not backed, or a superpage (writable)
  const uint32_t entry = g_ram_table(gpa) + ((gpa >> 12) & 0x3ff) * 4;
  uint64_t pte = 0;
  bus_.read(entry, 4, pte);
  if (!(pte & kPteV) || (pte & kPteW)) return false;
  guest_.note_written(gpa);
  bus_.write(entry, 4, pte | kPteW);
  hart_.hfence_gvma_all();
  ++g_dirty_faults_;
  return true;
}

// A fault the guest must see, delivered as the hardware delivers its own.
void Monitor::inject_into_guest(uint32_t cause, uint32_t tval, uint32_t epc) {
  hart_.trap_into_guest(cause, tval, epc);
  ++stats_.injected_faults;
}

}  // namespace vmscope
