// The RV32 executing oracle (see oracle.h): single-instruction runs on a fresh hart, compared in
// pairs of states, and the derived classes checked against the description's.
#include "csr_numbers.h"
#include "oracle.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "hart/csr_state.h"
#include "oracle_forms.h"
#include "isa/disassembler.h"
#include "machine/machine.h"

namespace vmscope::analyzer {

namespace {

// ---- physical layout of the oracle's machine (the board's RAM starts at 0x80000000)
constexpr uint32_t kRam = board::kRamBase;
constexpr uint32_t kMHandler = kRam, kSHandler = kRam + 0x800;  // spinning trap handlers
constexpr uint32_t kCodeA = kRam + 0x1000, kCodeB = kRam + 0x11000;  // the same code twice
constexpr uint32_t kDataA = kRam + 0x3000, kDataB = kRam + 0x13000;  // the same data twice
constexpr uint32_t kRootA = kRam + 0x20000, kLeafA = kRam + 0x21000, kRootB = kRam + 0x22000, kLeafB = kRam + 0x23000;
// A guest's relocation (the hypervisor extension): G-stage tables (16 KiB roots) placing the
// guest-physical code and data pages at A or at B.
constexpr uint32_t kGRootA = kRam + 0x24000, kGLeafA = kRam + 0x28000, kGRootB = kRam + 0x2c000, kGLeafB = kRam + 0x30000;
constexpr uint32_t kGuestVmid = 1, kOtherVmid = 5;
constexpr uint32_t kCodeVa = 0x00400000, kDataVa = 0x00600000;
constexpr uint32_t kLanding = 0x100, kLandingAlt = 0x200;  // xRET targets, inside the code page
constexpr uint32_t kSpin = 0x0000006f;                      // jal zero, 0

// The states a form runs in. base: paging off; reloc_a / reloc_b: paging on, the same virtual
// view placed at two physical places (only satp and the page tables differ); resource: base
// with other values in the control and interrupt state the settings do not fix (instret too:
// it counts events, not time); time: base with the clocks moved (cycle, time, a guest's offset).
// saturated: base with every supervisor interrupt delegated, enabled and (below U) pending, and
// zeros where CSR writes write ones otherwise: the state in which clearing something shows.
// In a guest mode (V = 1) relocation is the G-stage's (hgatp), the guest's own paging stays off,
// and the other state varied is the machine's only: the guest's copies (vs*) stay the same.
enum class Variant { base, reloc_a, reloc_b, resource, time, saturated };
const char* describe(Variant v) {
  switch (v) {
    case Variant::base: return "paging off";
    case Variant::reloc_a: return "paging on, code and data at physical 0x80001000/0x80003000 (in a guest: by the G-stage)";
    case Variant::reloc_b: return "paging on, the same pages at physical 0x80011000/0x80013000 (in a guest: by the G-stage)";
    case Variant::resource: return "paging off, other scratch/cause/epc/tvec values, MPP=SPP=S, "
                                   "xPIE clear, instret moved, a masked interrupt pending";
    case Variant::time: return "paging off, cycle and time moved";
    case Variant::saturated: return "paging off, S interrupts delegated, enabled and pending, CSR writes of zero";
  }
  return "?";
}

// A mode of the description and the hart's mode it names: U, S (or HS), M; with the hypervisor
// extension VU and VS (V = 1).
struct Mode {
  std::string name;
  Priv priv = Priv::M;
  bool virt = false;
  bool guest = false;  // one of the description's guest modes
};

std::optional<Mode> hart_mode(const std::string& name) {
  if (name == "U") return Mode{name, Priv::U, false};
  if (name == "S" || name == "HS") return Mode{name, Priv::S, false};
  if (name == "M") return Mode{name, Priv::M, false};
  if (name == "VU") return Mode{name, Priv::U, true};
  if (name == "VS") return Mode{name, Priv::S, true};
  return std::nullopt;
}

struct Form {
  std::string text;         // as disassembled
  uint32_t word = 0;
  int instruction = -1;     // index in the description, -1 when none claims it
  bool csr = false;
  uint16_t csr_number = 0;
};

// What a run did, as far as anyone could observe.
struct Outcome {
  bool trapped = false;
  uint32_t cause = 0;
  std::array<uint32_t, 32> x{};
  uint32_t pc = 0;
  bool waiting = false;
  Priv priv = Priv::M;
  bool virt = false;
  bool mode_changed = false;
  uint64_t memory = 0;                          // hash of the data page as seen through the view
  std::map<uint16_t, uint32_t> csr_effects;     // CSRs the instruction changed: their new values
  std::set<StateClass> written;
};

bool is_counter(uint16_t n) {
  const unsigned low = n & 0x7f;
  return (n >> 8 == 0xb || n >> 8 == 0xc) && (low == 0 || low == 1 || low == 2 || low == 0x80 || low == 0x81 || low == 0x82);
}

// Which class of state a CSR (or a bit of mstatus) belongs to, as docs/isa-spec-format.md defines
// them. The guest's: the VS CSRs and the VS-level interrupt bits (the guest's copies the hardware
// keeps), and, changed from a guest mode, scounteren and senvcfg (the H extension leaves them
// undoubled for the hypervisor to switch with the guest; while it runs they govern only it).
void classify_csr_change(uint16_t n, uint32_t before, uint32_t after, bool in_guest, std::set<StateClass>& out) {
  uint32_t diff = before ^ after;
  if (!diff) return;
  constexpr uint32_t kEnables = kMstatusSie | kMstatusMie | kMstatusSpie | kMstatusMpie;
  if ((n >> 8) == 0x2 || (in_guest && (n == csr::scounteren || n == csr::senvcfg))) {
    out.insert(StateClass::guest);
    return;
  }
  switch (n) {
    case csr::mie: case csr::mip: case csr::hie: case csr::hip: case csr::hvip:
      if (diff & kVsInterrupts) out.insert(StateClass::guest);
      diff &= ~kVsInterrupts;
      if (diff) out.insert(StateClass::interrupts);
      return;
    case csr::satp: case csr::hgatp: out.insert(StateClass::relocation); return;
    case csr::mcycle: case csr::mcycleh: case csr::htimedelta: case csr::htimedeltah: out.insert(StateClass::time); return;
    case csr::sie: case csr::sip: case csr::mideleg: case csr::hideleg: out.insert(StateClass::interrupts); return;
    case csr::sstatus: case csr::mstatus:
      if (diff & kEnables) out.insert(StateClass::interrupts);
      if (diff & ~kEnables) out.insert(StateClass::control);
      return;
    default: out.insert(StateClass::control);
  }
}

// The TLB entries of the machine (the host's, and other guests') or of the running guest (V = 1
// with its VMID).
uint64_t tlb_hash(const Hart& h, bool guests_own, uint16_t vmid) {
  uint64_t v = 1469598103934665603ull;
  for (const TlbEntry& e : h.tlb().entries()) {
    if (!e.valid || (e.virt && e.vmid == vmid) != guests_own) continue;
    for (const uint32_t w : {e.vpn, static_cast<uint32_t>(e.asid), e.ppn, e.pte_flags, static_cast<uint32_t>(e.virt),
                             static_cast<uint32_t>(e.vmid)})
      v = (v ^ w) * 1099511628211ull;
  }
  return v;
}

class Rv32Oracle {
 public:
  Rv32Oracle(const Spec& spec, const Assignment& a)
      : spec_(spec), settings_(a), machine_(options(spec.oracle == "rv32h")) {
    Hart& h = machine_.hart();
    h.reset(kRam);
    for (unsigned n = 0; n < 4096; ++n) {
      uint32_t v;
      if (h.debug_read_csr(static_cast<uint16_t>(n), v)) csrs_.push_back(static_cast<uint16_t>(n));
    }
  }

  // In slices: begin(), then step() until it returns true; report() is final then.
  void begin();
  bool step(size_t forms);
  double progress() const { return forms_.empty() ? 0 : static_cast<double>(next_) / static_cast<double>(forms_.size()); }
  const OracleReport& report() const { return report_; }

 private:
  // Per instruction: what its forms showed.
  struct Derived {
    bool any_user_runs = false, any_super_traps = false;
    std::optional<std::string> control, mode, location, resource;  // the counterexample, when shown
    std::optional<std::string> timing;  // read a clock in user mode
    std::optional<std::string> guest;  // touched the machine's state from a guest mode
  };
  void run_form(const Form& f);
  void finish();
  static MachineOptions options(bool hypervisor) {
    MachineOptions o;
    o.kind = MachineKind::system;
    o.ram_size = 1u << 20;
    o.hypervisor = hypervisor;
    return o;
  }
  bool setting(const std::string& name) const {
    auto it = settings_.find(name);
    return it != settings_.end() && it->second == "1";
  }
  void apply_settings(Hart& h, std::vector<std::string>* unknown) const;
  Outcome execute(const Form& f, const Mode& mode, Variant v);
  std::map<uint16_t, uint32_t> snapshot(const Hart& h) const {
    std::map<uint16_t, uint32_t> s;
    for (const uint16_t n : csrs_) h.debug_read_csr(n, s[n]);
    return s;
  }
  std::string difference(const Outcome& a, const Outcome& b) const;

  const Spec& spec_;
  Assignment settings_;
  Machine machine_;
  std::vector<uint16_t> csrs_;  // the CSRs the hart has (readable in M-mode)
  size_t runs_ = 0;
  // The run in progress.
  OracleReport report_;
  std::vector<Mode> modes_;
  std::vector<Form> forms_;
  std::vector<Derived> derived_;
  std::set<const isa::EncodingSpec*> encodings_run_;  // the opcode table's encodings the forms exercised
  size_t next_ = 0;
  bool done_ = false;
};

void Rv32Oracle::apply_settings(Hart& h, std::vector<std::string>* unknown) const {
  uint32_t mstatus = 0, mcounteren = 0, scounteren = 0, hcounteren = 0, hstatus = 0;
  const bool h_ext = h.has_hypervisor();
  Quirks q;
  for (const auto& [name, value] : settings_) {
    const bool on = value == "1";
    if (name == "mstatus.TVM") mstatus |= on ? kMstatusTvm : 0;
    else if (name == "mstatus.TW") mstatus |= on ? kMstatusTw : 0;
    else if (name == "mstatus.TSR") mstatus |= on ? kMstatusTsr : 0;
    else if (h_ext && name == "hstatus.VTVM") hstatus |= on ? kHstatusVtvm : 0;
    else if (h_ext && name == "hstatus.VTW") hstatus |= on ? kHstatusVtw : 0;
    else if (h_ext && name == "hstatus.VTSR") hstatus |= on ? kHstatusVtsr : 0;
    else if (h_ext && name == "hstatus.HU") hstatus |= on ? kHstatusHu : 0;
    else if (name.rfind("mcounteren.", 0) == 0 || name.rfind("scounteren.", 0) == 0 ||
             (h_ext && name.rfind("hcounteren.", 0) == 0)) {
      const std::string field = name.substr(name.find('.') + 1);
      const uint32_t bit = field == "CY" ? 1 : field == "TM" ? 2 : field == "IR" ? 4 : 0;
      if (!bit && unknown) unknown->push_back(name);
      (name[0] == 'm' ? mcounteren : name[0] == 'h' ? hcounteren : scounteren) |= on ? bit : 0;
    } else if (name == "quirk.status_read") q.status_read = on;
    else if (name == "quirk.status_write") q.status_write = on;
    else if (name == "quirk.sret_jump") q.sret_jump = on;
    else if (unknown) unknown->push_back(name);
  }
  uint32_t current = 0;
  h.debug_read_csr(csr::mstatus, current);
  h.debug_write_csr(csr::mstatus, current | mstatus);
  h.debug_write_csr(csr::mcounteren, mcounteren);
  h.debug_write_csr(csr::scounteren, scounteren);
  if (h_ext) {
    h.debug_write_csr(csr::hcounteren, hcounteren);
    h.debug_read_csr(csr::hstatus, current);
    h.debug_write_csr(csr::hstatus, current | hstatus);
  }
  h.set_quirks(q);
}

Outcome Rv32Oracle::execute(const Form& f, const Mode& mode, Variant v) {
  ++runs_;
  Hart& h = machine_.hart();
  Bus& bus = machine_.bus();
  const bool h_ext = h.has_hypervisor();
  // Relocated: the hart's own paging (satp) and, with H, a guest's G-stage (hgatp) both place
  // the pages at A or at B; code in V = 0 runs through the first, code in V = 1 through the second.
  const bool relocated = v == Variant::reloc_a || v == Variant::reloc_b;
  const bool paged = relocated && !mode.virt;
  const bool b = v == Variant::reloc_b;
  h.reset(kRam);
  h.pmp_allow_all();  // as firmware leaves it: S and U reach all memory
  h.tlb().flush_all();
  // Memory: handlers, the instruction and its landing places, the data, the page tables.
  auto put32 = [&bus](uint32_t at, uint32_t value) {
    const uint8_t w[4] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value >> 16),
                          static_cast<uint8_t>(value >> 24)};
    bus.write_bytes(at, w);
  };
  for (const uint32_t at : {kMHandler, kMHandler + 0x100, kSHandler, kSHandler + 0x100}) put32(at, kSpin);
  for (const uint32_t code : {kCodeA, kCodeB}) {
    put32(code, f.word);
    put32(code + 4, kSpin);
    put32(code + kLanding, kSpin);
    put32(code + kLandingAlt, kSpin);
  }
  for (const uint32_t data : {kDataA, kDataB})
    for (uint32_t i = 0; i < 16; ++i) put32(data + 4 * i, 0xd0d00000u + i);
  const uint32_t user = mode.priv == Priv::U ? kPteU : 0;
  for (const auto& [root, leaf, code, data] : {std::array<uint32_t, 4>{kRootA, kLeafA, kCodeA, kDataA},
                                               std::array<uint32_t, 4>{kRootB, kLeafB, kCodeB, kDataB}}) {
    put32(root + (kCodeVa >> 22) * 4, ((leaf >> 12) << 10) | kPteV);
    put32(leaf + ((kCodeVa >> 12) & 0x3ff) * 4, ((code >> 12) << 10) | kPteV | kPteR | kPteX | kPteA | user);
    put32(leaf + ((kDataVa >> 12) & 0x3ff) * 4, ((data >> 12) << 10) | kPteV | kPteR | kPteW | kPteA | kPteD | user);
  }
  if (h_ext) {  // G-stage: guest-physical kCodeA/kDataA at A or at B; every G-stage leaf is a U page
    for (const auto& [root, leaf, code, data] : {std::array<uint32_t, 4>{kGRootA, kGLeafA, kCodeA, kDataA},
                                                 std::array<uint32_t, 4>{kGRootB, kGLeafB, kCodeB, kDataB}}) {
      put32(root + (kCodeA >> 22) * 4, ((leaf >> 12) << 10) | kPteV);
      put32(leaf + ((kCodeA >> 12) & 0x3ff) * 4, ((code >> 12) << 10) | kPteV | kPteR | kPteX | kPteA | kPteU);
      put32(leaf + ((kDataA >> 12) & 0x3ff) * 4, ((data >> 12) << 10) | kPteV | kPteR | kPteW | kPteA | kPteD | kPteU);
    }
  }
  // Registers, in the roles oracle_forms.h gives them.
  for (unsigned r = 1; r < 32; ++r) h.set_reg(r, 0x1000 + r * 0x111);
  h.set_reg(kFormResult, 0);
  h.set_reg(kFormOnes, 0xffffffffu);
  h.set_reg(kFormFive, 5);
  const uint32_t code_at = paged ? kCodeVa : kCodeA;
  h.set_reg(kFormData, paged ? kDataVa : kDataA);
  h.set_reg(kFormStack, paged ? kDataVa : kDataA);
  h.set_reg(kFormCode, code_at + 4);
  // CSRs: the machine's (what the resource variant varies)...
  const bool other = v == Variant::resource;
  h.debug_write_csr(csr::mtvec, other ? kMHandler + 0x100 : kMHandler);
  h.debug_write_csr(csr::stvec, other ? kSHandler + 0x100 : kSHandler);
  h.debug_write_csr(csr::mepc, code_at + (other ? kLandingAlt : kLanding));
  h.debug_write_csr(csr::sepc, code_at + (other ? kLandingAlt : kLanding));
  h.debug_write_csr(csr::mscratch, other ? 0xa5a5a5a5u : 0x3c3c3c3cu);
  h.debug_write_csr(csr::sscratch, other ? 0x5a5a5a5au : 0x5c5c5c5cu);
  h.debug_write_csr(csr::mcause, other ? 0x8000000bu : 0);
  h.debug_write_csr(csr::scause, other ? 3u : 0);
  h.debug_write_csr(csr::mtval, other ? 0x1234u : 0);
  h.debug_write_csr(csr::stval, other ? 0x4321u : 0);
  // PMP: an entry that is off (so it protects nothing) with another address, and the R bit it
  // would have: control state a read sees, the catch-all untouched.
  h.debug_write_csr(csr::pmpaddr0, other ? 0x2468u : 0x1357u);
  h.debug_write_csr(csr::pmpcfg0, other ? 0x01u : 0x00u);
  // Debug triggers: trigger 1 selected, with an address and a kind but no mode, so it never fires.
  h.debug_write_csr(csr::tselect, 1);
  h.debug_write_csr(csr::tdata2, other ? 0x2468u : 0);
  h.debug_write_csr(csr::tdata1, (Triggers::kTypeMcontrol6 << Triggers::kTypeShift) | (other ? Triggers::kExecute : 0));
  h.debug_write_csr(csr::tselect, other ? 1 : 0);
  h.debug_write_csr(csr::tcontrol, other ? Triggers::kMpte : 0);
  h.debug_write_csr(csr::mstatus, other ? (1u << kMstatusMppShift) | kMstatusSpp : kMstatusMpie | kMstatusSpie);
  // A pending interrupt masked only by the global enable: below S (and in a guest, where every
  // S-level interrupt is enabled) it would be taken.
  const bool can_mask = mode.priv != Priv::U && !mode.virt;
  if (v == Variant::time) {  // the clocks alone
    h.debug_write_csr(csr::mcycle, 1000);
    h.set_mtime(5000);
    if (h_ext) h.debug_write_csr(csr::htimedelta, 0x5555);
  }
  if (other) {
    h.debug_write_csr(csr::minstret, 2000);
    h.debug_write_csr(csr::mideleg, kSupervisorInterrupts);
    h.debug_write_csr(csr::mie, kMipSsip | kMipStip);
    if (can_mask) h.debug_write_csr(csr::mip, kMipSsip);
    if (h_ext) {  // the hypervisor's own control state: previous V, trap values, the guests' time offset
      h.debug_write_csr(csr::hstatus, kHstatusSpv | kHstatusSpvp);
      h.debug_write_csr(csr::mstatush, kMstatushMpv);
      h.debug_write_csr(csr::htval, 0x111);
      h.debug_write_csr(csr::htinst, 0x222);
      h.debug_write_csr(csr::mtval2, 0x333);
      h.debug_write_csr(csr::mtinst, 0x444);
      // Which interrupts go to the guest: the VMM's definition of the virtual machine, which a
      // guest sees through (as P&G's guest sees the memory its relocation register gives it).
      if (!mode.virt) h.debug_write_csr(csr::hideleg, kMipVssip);
    }
  }
  if (v == Variant::saturated) {
    h.set_reg(kFormOnes, 0);
    h.debug_write_csr(csr::mideleg, kSupervisorInterrupts);
    h.debug_write_csr(csr::mie, kSupervisorInterrupts);
    if (can_mask) h.debug_write_csr(csr::mip, kSupervisorInterrupts);
  }
  // ... and the guest's own copies, the same in every variant (saturated: VS interrupts delegated,
  // enabled and, where the guest's global enable masks them, pending).
  if (h_ext) {
    h.debug_write_csr(csr::vsstatus, kMstatusSpie);
    h.debug_write_csr(csr::vstvec, kSHandler);
    h.debug_write_csr(csr::vsscratch, 0x7c7c7c7cu);
    h.debug_write_csr(csr::vsepc, code_at + kLanding);
    if (v == Variant::saturated) {
      h.debug_write_csr(csr::hideleg, kVsInterrupts);
      uint32_t mie = 0;
      h.debug_read_csr(csr::mie, mie);
      h.debug_write_csr(csr::mie, mie | kVsInterrupts);
      if (mode.priv != Priv::U) h.debug_write_csr(csr::hvip, kVsInterrupts);
    }
  }
  apply_settings(h, nullptr);
  if (relocated) h.debug_write_csr(csr::satp, kSatpModeSv32 | 1u << kSatpAsidShift | ((b ? kRootB : kRootA) >> 12));
  if (relocated && h_ext) h.debug_write_csr(csr::hgatp, kHgatpModeSv32x4 | kGuestVmid << kHgatpVmidShift | ((b ? kGRootB : kGRootA) >> 12));
  uint32_t hgatp = 0;
  if (h_ext) h.debug_read_csr(csr::hgatp, hgatp);
  const uint16_t vmid = static_cast<uint16_t>((hgatp >> kHgatpVmidShift) & kHgatpVmidMask);
  // TLB entries that only a fence removes (for pages the form never touches): the host's, and
  // with H the running guest's and another guest's.
  auto cached = [&h](uint32_t va, bool virt, uint16_t id) {
    TlbEntry e;
    e.valid = true;
    e.vpn = va >> 12;
    e.asid = 1;
    e.ppn = kDataA >> 12;
    e.pte_flags = kPteV | kPteR | kPteA;
    e.virt = virt;
    e.vmid = id;
    e.g_flags = virt ? kPteV | kPteR | kPteA | kPteU : 0;
    h.tlb().insert(e, va);
  };
  cached(0x00700000, false, 0);
  if (h_ext) {
    cached(0x00701000, true, vmid);
    cached(0x00702000, true, static_cast<uint16_t>(kOtherVmid));
  }
  h.set_priv(mode.priv);
  h.set_virt(mode.virt);
  h.set_pc(code_at);

  const std::map<uint16_t, uint32_t> before = snapshot(h);
  const uint64_t machine_tlb = tlb_hash(h, false, vmid), guest_tlb = tlb_hash(h, true, vmid);
  std::array<uint32_t, 32> regs_before{};
  for (unsigned r = 0; r < 32; ++r) regs_before[r] = h.reg(r);
  h.run(1);
  Outcome o;
  o.trapped = h.exceptions() > 0;
  if (o.trapped) h.debug_read_csr(csr::mcause, o.cause);
  for (unsigned r = 0; r < 32; ++r) o.x[r] = h.reg(r);
  o.pc = h.pc();
  o.waiting = h.waiting();
  o.priv = h.priv();
  o.virt = h.virt();
  o.mode_changed = !o.trapped && (h.priv() != mode.priv || h.virt() != mode.virt);
  uint8_t page[64];
  bus.read_bytes(relocated && b ? kDataB : kDataA, page);
  for (const uint8_t byte : page) o.memory = (o.memory ^ byte) * 1099511628211ull;
  if (o.trapped) return o;  // a trap goes to the monitor: no effects of its own
  const std::map<uint16_t, uint32_t> after = snapshot(h);
  for (const auto& [n, value] : after) {
    const uint32_t old = before.at(n);
    if (value == old) continue;
    // Counters move by themselves: only a jump other than the step's own increment is a write.
    if (is_counter(n) && value - old <= 1) continue;
    o.csr_effects[n] = value;
    classify_csr_change(n, old, value, mode.virt, o.written);
  }
  // A guest going between its own modes (VS and VU) changes the guest's mode; leaving V changes the machine's.
  if (o.mode_changed) o.written.insert(mode.virt && o.virt ? StateClass::guest : StateClass::mode);
  if (tlb_hash(h, false, vmid) != machine_tlb) o.written.insert(StateClass::relocation);
  if (tlb_hash(h, true, vmid) != guest_tlb) o.written.insert(StateClass::guest);
  if (o.x != regs_before) o.written.insert(StateClass::registers);
  return o;
}

std::string mode_text(const Outcome& o) {
  if (!o.virt) return to_string(o.priv);
  return o.priv == Priv::S ? "VS" : "VU";
}

std::string hex(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

std::string Rv32Oracle::difference(const Outcome& a, const Outcome& b) const {
  if (a.trapped != b.trapped) return a.trapped ? "traps vs runs" : "runs vs traps";
  if (a.trapped) return a.cause != b.cause ? "mcause " + hex(a.cause) + " vs " + hex(b.cause) : "";
  for (unsigned r = 1; r < 32; ++r)
    if (a.x[r] != b.x[r]) return std::string(isa::kAbiRegisterNames[r]) + " = " + hex(a.x[r]) + " vs " + hex(b.x[r]);
  if (a.pc != b.pc) return "pc = " + hex(a.pc) + " vs " + hex(b.pc);
  if (a.waiting != b.waiting) return a.waiting ? "waits vs goes on" : "goes on vs waits";
  if ((a.mode_changed || b.mode_changed) && (a.priv != b.priv || a.virt != b.virt || a.mode_changed != b.mode_changed))
    return std::string(a.mode_changed ? "goes to " : "stays in ") + mode_text(a) + " vs " +
           (b.mode_changed ? "goes to " : "stays in ") + mode_text(b);
  if (a.memory != b.memory) return "memory differs";
  if (a.csr_effects != b.csr_effects) {
    for (const auto& [n, v] : a.csr_effects) {
      auto it = b.csr_effects.find(n);
      if (it == b.csr_effects.end() || it->second != v)
        return "CSR " + hex(n) + " becomes " + hex(v) + (it == b.csr_effects.end() ? " vs unchanged" : " vs " + hex(it->second));
    }
    for (const auto& [n, v] : b.csr_effects)
      if (!a.csr_effects.count(n)) return "CSR " + hex(n) + " unchanged vs becomes " + hex(v);
  }
  return "";
}

std::vector<Form> make_forms(const Spec& spec, std::vector<Disagreement>& bad) {
  isa::Disassembler dis;
  std::vector<Form> forms;
  std::map<uint32_t, size_t> by_word;
  auto add = [&](uint32_t word, bool csr, uint16_t n) {
    Form f;
    f.word = word;
    f.csr = csr;
    f.csr_number = n;
    f.text = dis.disassemble(kCodeA, word);
    by_word[word] = forms.size();
    forms.push_back(f);
  };
  for (const EncodingForm& e : encoding_forms()) add(e.word, false, 0);
  for (unsigned n = 0; n < 4096; ++n) {
    add(csr_read_form(static_cast<uint16_t>(n)), true, static_cast<uint16_t>(n));
    for (const uint32_t w : csr_write_forms(static_cast<uint16_t>(n))) add(w, true, static_cast<uint16_t>(n));
  }
  // Which instruction of the description claims each form.
  for (size_t i = 0; i < spec.instructions.size(); ++i) {
    for (const std::string& text : spec.instructions[i].forms) {
      std::vector<uint32_t> words;
      unsigned lo = 0, hi = 0;
      char kind[16] = "";
      if (std::sscanf(text.c_str(), "%15s %x-%x", kind, &lo, &hi) == 3 ||
          (std::sscanf(text.c_str(), "%15s %x", kind, &lo) == 2 && (hi = lo, true))) {
        const std::string k = kind;
        if ((k != "csr" && k != "csr-read" && k != "csr-write") || hi < lo || hi > 0xfff) {
          bad.push_back({spec.instructions[i].name, text, "form", "", "not a form the oracle knows"});
          continue;
        }
        for (unsigned n = lo; n <= hi; ++n) {
          if (k != "csr-write") words.push_back(csr_read_form(static_cast<uint16_t>(n)));
          if (k != "csr-read")
            for (const uint32_t w : csr_write_forms(static_cast<uint16_t>(n))) words.push_back(w);
        }
      } else if (auto it = std::find_if(encoding_forms().begin(), encoding_forms().end(),
                                        [&](const EncodingForm& e) { return e.mnemonic == text; });
                 it != encoding_forms().end()) {
        words.push_back(it->word);
      } else {
        bad.push_back({spec.instructions[i].name, text, "form", "", "not a form the oracle knows"});
        continue;
      }
      for (const uint32_t w : words) {
        Form& f = forms[by_word.at(w)];
        if (f.instruction >= 0 && f.instruction != static_cast<int>(i))
          bad.push_back({spec.instructions[i].name, f.text, "form", "",
                         "also claimed by '" + spec.instructions[f.instruction].name + "'"});
        f.instruction = static_cast<int>(i);
      }
    }
  }
  return forms;
}

std::string fact_line(const Fact* f) { return f ? " (fact at line " + std::to_string(f->pos.line) + ")" : ""; }

}  // namespace

void Rv32Oracle::begin() {
  std::vector<std::string> unknown;
  apply_settings(machine_.hart(), &unknown);
  for (const std::string& name : unknown)
    report_.disagreements.push_back({"", "", "setting", "setting " + name, "the hart has no such setting"});
  const Quirks q = machine_.hart().quirks();
  const bool h_ext = machine_.hart().has_hypervisor();
  report_.machine = h_ext ? "vmscope's RV32 hart with the hypervisor extension" : "vmscope's RV32 hart";
  if (q.any())
    report_.machine += std::string(" with quirks") + (q.status_read ? " status-read" : "") +
                      (q.status_write ? " status-write" : "") + (q.sret_jump ? " sret-jump" : "");
  for (const std::string& name : spec_.modes) {
    std::optional<Mode> m = hart_mode(name);
    if (!m || (m->virt && !h_ext)) {
      report_.disagreements.push_back({"", "", "mode", "mode " + name,
                                      m ? "has no such mode without the hypervisor extension (oracle = \"rv32h\")"
                                        : "has no such mode (it has U, S or HS, M, and with the hypervisor extension VU, VS)"});
      continue;
    }
    m->guest = spec_.is_guest_mode(name);
    modes_.push_back(*m);
  }
  forms_ = make_forms(spec_, report_.disagreements);
  derived_.assign(spec_.instructions.size(), Derived{});
}

void Rv32Oracle::run_form(const Form& f) {
  const std::string user = spec_.user_mode, super = spec_.supervisor_mode;
  std::vector<Outcome> base(modes_.size());
  if (const isa::EncodingSpec* e = isa::find_encoding(f.word)) encodings_run_.insert(e);
  for (size_t m = 0; m < modes_.size(); ++m) base[m] = execute(f, modes_[m], Variant::base);
  if (f.instruction < 0) {
    bool runs = false;
    for (const Outcome& o : base) runs |= !o.trapped;
    if (runs) report_.disagreements.push_back({"", f.text, "coverage", "does not exist (no instruction claims it)",
                                              "runs it in some mode"});
    else if (!f.csr) report_.disagreements.push_back({"", f.text, "coverage", "no instruction claims it",
                                                     "an encoding of isa-specs/rv32.opcodes (it traps in every mode)"});
    else if ((f.word & 0x7000) == 0x2000) ++report_.unimplemented_csrs;
    return;
  }
  ++report_.forms;
  const Instruction& in = spec_.instructions[f.instruction];
  Derived& d = derived_[f.instruction];
  std::vector<size_t> running;
  for (size_t m = 0; m < modes_.size(); ++m) {
    const Mode& mode = modes_[m];
    const Fact* fact = applicable_fact(in, mode.name, settings_);
    const bool traps = base[m].trapped;
    if (fact && fact->traps != traps)
      report_.disagreements.push_back({in.name, f.text, "traps in " + mode.name,
                                      std::string(fact->traps ? "traps" : "does not trap") + fact_line(fact),
                                      traps ? "traps (mcause " + hex(base[m].cause) + ") with " + describe(Variant::base)
                                            : std::string("runs with ") + describe(Variant::base)});
    if (mode.name == user && !traps) d.any_user_runs = true;
    if (mode.name == super && traps) d.any_super_traps = true;
    if (traps) continue;
    // In the machine's own modes_: P&G's classes. In a guest mode: whether it touches the
    // machine's state (its guest's copies do not count).
    std::optional<std::string>& wrote = mode.guest ? d.guest : d.control;
    std::optional<std::string>& located = mode.guest ? d.guest : d.location;
    std::optional<std::string>& resourced = mode.guest ? d.guest : d.resource;
    if (!mode.guest) running.push_back(m);
    // Control-sensitive: it changes control state in some state (P&G: there is a state in
    // which it does); tried where writes of ones and of zeros both show.
    auto note_writes = [&](const Outcome& o, Variant v) {
      if (o.trapped || wrote) return;
      for (const StateClass c : o.written)
        if (is_control_write(c)) {
          wrote = f.text + " in " + mode.name + " writes " + (mode.guest ? "the machine's " : "") + state_class_name(c) +
                  " (" + describe(v) + ")";
          return;
        }
    };
    note_writes(base[m], Variant::base);
    note_writes(execute(f, mode, Variant::saturated), Variant::saturated);
    // Relocation: the same virtual view at two physical places.
    const Outcome ra = execute(f, mode, Variant::reloc_a), rb = execute(f, mode, Variant::reloc_b);
    if (const std::string diff = difference(ra, rb); !diff.empty() && !located)
      located = f.text + " in " + mode.name + ": " + diff + " (" + describe(Variant::reloc_a) + " / " + describe(Variant::reloc_b) + ")";
    // Other control and interrupt state.
    const Outcome rc = execute(f, mode, Variant::resource);
    if (const std::string diff = difference(base[m], rc); !diff.empty() && !resourced)
      resourced = f.text + " in " + mode.name + ": " + diff + " (" + describe(Variant::base) + " / " + describe(Variant::resource) + ")";
    // The clocks: where the guest runs, a timing dependency (elsewhere, and in guest modes_, not a class).
    if (mode.name == user && !d.timing)
      if (const std::string diff = difference(base[m], execute(f, mode, Variant::time)); !diff.empty())
        d.timing = f.text + " in " + mode.name + ": " + diff + " (" + describe(Variant::base) + " / " + describe(Variant::time) + ")";
  }
  // Two of the machine's running modes_, the same state otherwise.
  for (size_t i = 0; i < running.size(); ++i)
    for (size_t j = i + 1; j < running.size(); ++j)
      if (const std::string diff = difference(base[running[i]], base[running[j]]); !diff.empty() && !d.mode)
        d.mode = f.text + " in " + modes_[running[i]].name + " vs " + modes_[running[j]].name + ": " + diff;
}

void Rv32Oracle::finish() {
  const std::string user = spec_.user_mode, super = spec_.supervisor_mode;
  for (size_t i = 0; i < spec_.instructions.size(); ++i) {
    const Instruction& in = spec_.instructions[i];
    if (in.forms.empty()) continue;
    const Derived& d = derived_[i];
    const Classification c = classify(spec_, in, settings_);
    const bool privileged = !d.any_user_runs && !d.any_super_traps;
    const bool sensitive = d.control || d.mode || d.location || d.resource;
    if (sensitive && !privileged) report_.critical.push_back(in.name);
    if (d.guest) report_.guest_critical.push_back(in.name);
    if (d.timing) report_.timing_dependent.push_back(in.name);
    auto compare = [&](const char* property, bool described, const Property& why, bool shown, const std::optional<std::string>& example,
                       const std::string& absent) {
      if (described == shown) return;
      report_.disagreements.push_back({in.name, "", property,
                                      std::string(described ? "is " : "is not ") + property + ": " + why.why,
                                      shown ? "is: " + *example : "is not: " + absent});
    };
    compare("privileged", c.privileged.value, c.privileged, privileged, std::optional<std::string>("every form traps in " + user + " and none in " + super),
            d.any_user_runs ? "a form runs in " + user : "a form traps in " + super);
    compare("control-sensitive", c.control_sensitive.value, c.control_sensitive, d.control.has_value(), d.control,
            "no form changed mode, relocation, interrupt or control state in a running mode");
    compare("mode-sensitive", c.mode_sensitive.value, c.mode_sensitive, d.mode.has_value(), d.mode,
            "every form did the same in every running mode");
    compare("location-sensitive", c.location_sensitive.value, c.location_sensitive, d.location.has_value(), d.location,
            "every form did the same with its pages at either physical place");
    compare("resource-sensitive", c.resource_sensitive.value, c.resource_sensitive, d.resource.has_value(), d.resource,
            "every form did the same with other control and interrupt state");
    compare("timing-dependent", c.timing_dependent.value, c.timing_dependent, d.timing.has_value(), d.timing,
            "every form did the same in " + user + " with the clocks moved");
    if (!spec_.guest_modes.empty())
      compare("guest-critical", c.guest_critical.value, c.guest_critical, d.guest.has_value(), d.guest,
              "in the guest modes_ every form trapped or changed only the guest's state, and did the same with the "
              "guest placed elsewhere by the G-stage and with other machine control and interrupt state");
  }
  report_.runs = runs_;
  report_.encodings_run = encodings_run_.size();
  report_.encodings = std::size(isa::kEncodings);
}

bool Rv32Oracle::step(size_t forms) {
  if (done_) return true;
  for (size_t end = next_ + std::min(forms, forms_.size() - next_); next_ < end; ++next_) run_form(forms_[next_]);
  if (next_ < forms_.size()) return false;
  finish();
  done_ = true;
  return true;
}

class OracleRunState : public Rv32Oracle {
 public:
  using Rv32Oracle::Rv32Oracle;
};

OracleRun::OracleRun(const Spec& spec, const Assignment& a) : oracle_(std::make_unique<OracleRunState>(spec, a)) {
  oracle_->begin();
}
OracleRun::~OracleRun() = default;
bool OracleRun::step(size_t forms) { return oracle_->step(forms); }
double OracleRun::progress() const { return oracle_->progress(); }
const OracleReport& OracleRun::report() const { return oracle_->report(); }

OracleReport run_oracle(const Spec& spec, const Assignment& a) {
  OracleRun run(spec, a);
  while (!run.step(~size_t{0})) {
  }
  return run.report();
}

std::string oracle_report_text(const Spec& spec, const OracleReport& r) {
  std::string out = spec.file + ": executing oracle on " + r.machine + "\n";
  char line[200];
  std::snprintf(line, sizeof line, "  %zu forms of %zu instructions checked in %zu runs; %zu CSR numbers trap in every mode (not implemented)\n",
                r.forms, spec.instructions.size(), r.runs, r.unimplemented_csrs);
  out += line;
  std::snprintf(line, sizeof line, "  coverage: %zu of the %zu encodings of isa-specs/rv32.opcodes exercised\n", r.encodings_run,
                r.encodings);
  out += line;
  out += "  critical on this hart: ";
  if (r.critical.empty()) out += "none";
  for (size_t i = 0; i < r.critical.size(); ++i) out += (i ? ", " : "") + r.critical[i];
  out += "\n";
  if (!r.timing_dependent.empty()) {
    out += "  timing-dependent on this hart (a clock read in " + spec.user_mode + "): ";
    for (size_t i = 0; i < r.timing_dependent.size(); ++i) out += (i ? ", " : "") + r.timing_dependent[i];
    out += "\n";
  }
  if (!spec.guest_modes.empty()) {
    out += "  guest-critical on this hart: ";
    if (r.guest_critical.empty()) out += "none";
    for (size_t i = 0; i < r.guest_critical.size(); ++i) out += (i ? ", " : "") + r.guest_critical[i];
    out += "\n";
  }
  if (r.disagreements.empty()) {
    out += "  the description agrees with the hart\n";
    return out;
  }
  out += "  " + std::to_string(r.disagreements.size()) + " disagreement" + (r.disagreements.size() == 1 ? "" : "s") + ":\n";
  for (const Disagreement& d : r.disagreements) {
    out += "  - " + (d.instruction.empty() ? std::string("(no instruction)") : d.instruction);
    if (!d.form.empty()) out += " [" + d.form + "]";
    out += ", " + d.property + ": the description says it " + d.description + "; the hart " + d.hart + "\n";
  }
  return out;
}

}  // namespace vmscope::analyzer
