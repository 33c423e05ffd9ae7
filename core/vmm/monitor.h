// The virtual machine monitor: runs a guest kernel deprivileged by trap-and-emulate.
//
// The guest's S-mode code runs in the hart's U-mode, so every sensitive instruction it
// executes traps; the monitor, written as host code standing where M-mode firmware would (the
// hart's trap hook), emulates it on a virtual CPU. Guest-physical memory sits at an offset in
// host memory, and the hart translates through shadow page tables (shadow_mmu.h). Guest
// exceptions are reflected to the guest kernel's trap vector, timer and software interrupts
// are injected as virtual interrupts, and SBI calls are served as a firmware would.
//
// The monitor also keeps the statistics and the exit log the debugger shows, and, in checking
// mode, verifies the shadow tables after every exit.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "hart/hart.h"
#include "isa/decoder.h"
#include "firmware/sbi.h"
#include "vmm/guest_memory.h"
#include "vmm/paravirt_abi.h"
#include "vmm/shadow_mmu.h"
#include "vmm/virtual_cpu.h"

namespace vmscope {

inline constexpr unsigned kPvFunctionCount = VMSCOPE_PV_FUNCTIONS;
const char* pv_function_name(unsigned function);  // "mmu_update", ...

// What the monitor did about an exit.
enum class ExitAction : uint8_t {
  emulated_csr,
  callout,  // binary translation: a sensitive instruction of translated kernel code
  emulated_sret,
  emulated_wfi,
  emulated_sfence,
  sbi_call,
  hidden_fault,      // a shadow entry filled; the guest never knows
  reflected,         // the guest's own exception, delivered to its trap vector
  page_table_write,  // a store to a write-protected guest page table, emulated
  timer,             // the real timer fired (the virtual interrupt may or may not be taken)
  hypercall,         // paravirtual: the guest kernel asked the monitor (paravirt_abi.h)
  g_stage_fill,      // hardware-assisted: a guest-page fault; the monitor backed the guest's memory
  injected_fault,    // hardware-assisted: a fault the guest must see (no memory there), put in VS
  emulated_device,   // a load or store to a device the guest reaches only through the monitor, carried out; the last
  quirk_escape,      // a sensitive instruction ran in U-mode without trapping: illusion lost
};
const char* to_string(ExitAction a);

struct MonitorExit {
  uint64_t step;
  uint32_t cause;  // as in xcause (bit 31: interrupt)
  uint32_t epc, tval;
  Priv guest_mode;  // the virtual mode at the exit
  ExitAction action;
  bool injected;  // a virtual interrupt was delivered on the way out
};

struct MonitorStats {
  uint64_t exits = 0;
  std::array<uint64_t, 24> exits_by_exception{}, exits_by_interrupt{};
  uint64_t emulated = 0;  // guest instructions the monitor carried out (the kinds below)
  uint64_t csr = 0, sret = 0, wfi = 0, sfence = 0, sbi_calls = 0, page_table_writes = 0;
  uint64_t hidden_faults = 0, reflected_page_faults = 0, reflected_other = 0;
  uint64_t injected_interrupts = 0;
  uint64_t callouts = 0;  // binary translation: sensitive kernel instructions sent to the monitor
  uint64_t hypercalls = 0;  // paravirtual: calls of the guest kernel, by function
  std::array<uint64_t, kPvFunctionCount> hypercalls_by_function{};
  uint64_t pte_updates = 0;  // paravirtual: page-table entries written for the guest in batches
  uint64_t g_stage_fills = 0, injected_faults = 0;  // hardware-assisted
  uint64_t device_accesses = 0;  // loads and stores to emulated devices, carried out by the monitor
  uint64_t console_calls = 0;    // of the SBI calls: the debug console's (DBCN)
  uint64_t checks = 0;  // consistency checks run (checking mode)
  // Popek and Goldberg's efficiency: the share of guest instructions the hart ran with no
  // monitor intervention (instructions that caused an exit count as intervened).
  double efficiency(uint64_t guest_steps) const {
    const uint64_t by_instructions = exits - exits_by_interrupt_total();
    return guest_steps ? 1.0 - static_cast<double>(by_instructions) / static_cast<double>(guest_steps) : 1.0;
  }
  uint64_t exits_by_interrupt_total() const {
    uint64_t n = 0;
    for (const uint64_t c : exits_by_interrupt) n += c;
    return n;
  }
};

class Monitor {
 public:
  Monitor(Hart& hart, Bus& bus, GuestMemory& guest, SbiFirmware& sbi, uint32_t pool_base, uint32_t pool_size);
  ~Monitor() {
    hart_.debug_translate_fallback = nullptr;
    hart_.patch_sensitive_code = nullptr;
  }
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The guest kernel's boot state, as SBI firmware leaves it: S-mode at `entry`, paging off,
  // a0 = hart id, a1 = 0 (no device tree).
  void start(uint32_t entry);
  // The hart's trap hook: every trap while the guest runs is an exit.
  bool on_trap(Hart& hart, const TrapEvent& trap);

  void set_invalidation(ShadowInvalidation s) { shadow_.set_strategy(s); }
  // Binary translation of the guest kernel (VMware's classic hybrid): code the guest runs in
  // virtual S-mode is decoded with every sensitive instruction turned into a callout to the
  // monitor, so quirks cannot let one through; user code still runs by trap-and-emulate.
  // The hart's decoded code must be cleared when this changes (Machine does).
  bool binary_translation = false;
  bool check_shadows = false;  // checking mode: verify the shadows after every exit
  // Hardware-assisted virtualization (the H extension, as VT-x/EPT or AMD-V/NPT do it): the
  // unmodified guest kernel runs in VS-mode behind the monitor's G-stage table (hgatp); its own
  // exceptions and interrupts reach it without the monitor; the monitor sees ECALLs from VS
  // (SBI), guest-page faults for memory it has not backed yet, virtual-instruction exceptions
  // and its own timer. No shadow tables (hardware_assisted.cpp).
  bool hardware_assisted = false;
  // Paravirtualization (Xen's way): the guest kernel knows it is virtualized and asks the
  // monitor by hypercall (paravirt_abi.h) instead of executing privileged instructions, and
  // shares a page with it for what CSRs carried. It still runs deprivileged; its processes
  // are unmodified and run by trap-and-emulate.
  bool paravirtual = false;

  // ---- views
  const VirtualCpu& vcpu() const { return vcpu_; }
  const ShadowMmu& shadow() const { return shadow_; }
  const GuestMemory& guest_memory() const { return guest_; }
  const MonitorStats& stats() const { return stats_; }
  const std::deque<MonitorExit>& exits() const { return log_; }
  static constexpr size_t kLogCapacity = 4096;
  // Guest instructions so far (steps the guest would have taken on real hardware).
  uint64_t guest_steps() const { return hart_.time_steps(); }
  // Guest instructions retired (what its instret reads).
  uint64_t guest_instret() const {
    return hardware_assisted ? hart_.instret_counter() : hart_.instret() + stats_.emulated;
  }
  // Hardware-assisted: the G-stage table (host-physical root) and how many regions of guest
  // memory the monitor has backed so far.
  uint32_t g_stage_root() const { return g_root_; }
  unsigned g_stage_regions() const { return g_regions_; }
  // The guest's own view of `gva` (its page table, then its physical map), without side
  // effects: what the debugger shows where no shadow entry exists yet.
  Hart::Translation guest_translate(uint32_t gva, AccessType type) const;
  // The guest kernel's own view (a debugger's, gdb's): its supervisor CSRs and counters as it
  // reads them (the virtual CPU's; under hardware-assisted the hart's VS copies), false for CSRs
  // it does not have (machine and hypervisor ones); the mode it believes it runs in.
  bool guest_csr(uint16_t number, uint32_t& value) const;
  Priv guest_mode() const;
  // Set once a quirk let a sensitive instruction through: the monitor lost control.
  const std::string& illusion_broken() const { return illusion_broken_; }

  // ---- migration (migration_support.cpp)
  // Starts the guest memory's dirty log: from now on every page the guest (or the monitor for
  // it) writes is noted, the guest's stores by write-protecting the shadow or G-stage entries.
  void start_dirty_log();
  // The pages written since the start or the last take (guest RAM page numbers), and every
  // entry write-protected again for the next round.
  std::vector<uint32_t> take_dirty_pages();
  void stop_dirty_log();
  uint64_t dirty_log_faults() const { return shadow_.dirty_log_faults() + g_dirty_faults_; }
  // The shadow tables or the G-stage start again from empty (refilled by hidden faults, which
  // the guest never sees): at a migration's destination, whose monitor memory did not travel,
  // and at its source before the state is sent (their bookkeeping would be thrown away there).
  void drop_translations();

  // ---- ballooning (migration_support.cpp): the host reclaimed guest pages (Bus::reclaimed);
  // no shadow or G-stage entry may map them any more. A page the guest touches anyway is backed
  // again (a zero page), and counted.
  // SBI IPI and RFENCE calls of the guest kernel, aimed at its (virtual) hart: its sip.SSIP
  // (hvip.VSSIP when hardware-assisted), its shadow entries (its G-stage-cached translations).
  void set_guest_software_interrupt(bool pending);
  void fence_guest(uint32_t address, uint32_t size, bool by_asid, uint16_t asid);
  void unmap_reclaimed();
  uint64_t reclaimed_touched() const { return shadow_.stats().reclaimed_touched + g_reclaimed_touched_; }

  // Snapshots (vmm_state.cpp): the virtual CPU, the shadow MMU's bookkeeping, statistics and log.
  void save_state(StateWriter& out) const;
  void load_state(StateReader& in);

 private:
  void forget_the_run();  // statistics, log, virtual CPU: as before the guest started
  void handle_exception(const TrapEvent& t, ExitAction& action);
  void handle_page_fault(const TrapEvent& t, ExitAction& action);
  bool emulate_csr(const isa::DecodedInsn& d, uint32_t epc);
  bool read_csr(uint16_t number, uint32_t& value) const;
  bool write_csr(uint16_t number, uint32_t value);
  void emulate_sret();
  void emulate_page_table_store(uint32_t epc, uint32_t gva, uint32_t gpa);
  // A load or store to an emulated device (GuestMemory::emulate) at guest-physical `gpa`: the
  // instruction at `epc` carried out on the device. False if it is not a plain load or store.
  bool emulate_device_access(uint32_t epc, uint32_t gpa);
  void reflect(uint32_t cause, uint32_t tval, uint32_t epc);
  void enter_virtual_trap(uint32_t xcause, uint32_t tval, uint32_t epc);
  bool deliver_interrupt();
  uint32_t virtual_sip() const;
  void sync_guest_external_interrupt();  // hardware-assisted: hvip.VSEIP from the PLIC's S line
  void sync_host();
  void note_quirks(uint32_t epc);
  void log(const TrapEvent& t, ExitAction action, bool injected, Priv mode);
  // hardware_assisted.cpp
  void start_hardware_assisted(uint32_t entry);
  bool on_trap_hardware_assisted(const TrapEvent& t);
  void back_guest_memory(const TrapEvent& t, ExitAction& action);
  void inject_into_guest(uint32_t cause, uint32_t tval, uint32_t epc);
  // paravirt.cpp
  void handle_hypercall(uint32_t epc, ExitAction& action);
  bool pv_apply_batch();
  void pv_pull();  // the shared page into the virtual CPU, as an exit starts
  void pv_push();  // and back, as it ends
  template <class Ar>
  void transfer_state(Ar& ar);

  Hart& hart_;
  Bus& bus_;
  GuestMemory& guest_;
  SbiFirmware& sbi_;
  ShadowMmu shadow_;
  VirtualCpu vcpu_;
  MonitorStats stats_;
  std::deque<MonitorExit> log_;
  std::array<uint64_t, kQuirkCount> quirks_seen_{};
  std::string illusion_broken_;
  uint32_t host_satp_ = 0, host_mie_ = ~0u, host_scounteren_ = ~0u;
  // Paravirtual: where the shared page and the batch are (0: not registered yet), and what the
  // page said when the exit started (the virtual CPU holds its CSR-like fields).
  uint32_t pv_shared_ = 0, pv_batch_ = 0;
  uint32_t g_root_ = 0;      // hardware-assisted: the G-stage root (16 KiB at the monitor memory's start)
  unsigned g_regions_ = 0;   // ... guest-physical regions backed (4 MiB of RAM, or a device page)
  unsigned g_tables_ = 0;    // ... second-level tables in use (device pages), after the root
  static constexpr unsigned kMaxGTables = 8;
  // Dirty logging and the balloon split the RAM superpages into 4 KiB entries: one table per
  // 4 MiB of guest RAM, after the device tables (hardware_assisted.cpp).
  uint32_t g_ram_table(uint32_t gpa) const { return g_root_ + 0x4000 + (kMaxGTables + ((gpa - guest_.ram_base()) >> 22)) * 0x1000; }
  void g_split_ram_region(uint32_t region, bool writable);
  bool g_region_has_reclaimed(uint32_t region) const;
  void g_unmap_reclaimed();
  uint64_t g_reclaimed_touched_ = 0;
  void g_write_protect_ram(bool writable);
  bool g_dirty_fault(uint32_t gpa);
  uint64_t g_dirty_faults_ = 0;
  vmscope_pv_shared pv_page_{};
  // A guard against a fault the monitor keeps "fixing" without progress.
  uint32_t last_fault_pc_ = 0, last_fault_addr_ = 0;
  unsigned repeated_faults_ = 0;
};

}  // namespace vmscope
