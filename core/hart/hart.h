// One RV32IMAC hart with M, S and U modes and Sv32 paging — and, as a switch, the hypervisor
// extension (H: the V bit, HS/VS/VU modes, two-stage translation; hypervisor.cpp): its
// architectural state, its memory paths (TLBs and page walks) and the interpreter that runs it
// for a bounded number of steps.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mem/code_cache.h"
#include "hart/csr_state.h"
#include "events/events.h"
#include "hart/trap.h"
#include "mem/bus.h"
#include "mem/pmp.h"
#include "mem/tlb.h"
#include "mem/two_stage.h"
#include "hart/triggers.h"

namespace vmscope {

class StateReader;
class StateWriter;

class BlockCache;
struct Block;

enum class StopReason : uint8_t {
  budget,        // ran the requested number of steps
  exited,        // the guest asked to stop (test device, exit system call)
  idle,          // WFI with no interrupt that could ever wake the hart
  trap_loop,     // exceptions keep coming without a single instruction retiring
  guest_fault,   // an exception in a machine with nobody to handle it (process VM)
  unsupported,   // the guest asked for something vmscope does not provide (a system call)
  breakpoint,    // a debugger breakpoint or watchpoint
  check_failed,  // a monitor's consistency check found its shadow page tables wrong
};
const char* to_string(StopReason r);

struct RunResult {
  StopReason reason = StopReason::budget;
  uint64_t steps = 0;  // instructions attempted in this call (retired + excepted)
};

// What an environment-call hook did with an ECALL: let it trap as usual, handled it (the hart
// goes on after it), stop the run after it, or wait: the run stops *at* the ECALL (StopReason::
// idle) and executes it again next time — a read() with no input yet.
enum class EcallAction : uint8_t { trap, handled, stop, wait };

// Teaching quirks: sensitive instructions made unprivileged, as on machines that could not be
// virtualized by trap-and-emulate. Each applies in U-mode only; S- and M-mode are unchanged.
struct Quirks {
  bool status_read = false;   // CSR reads of sstatus succeed in U-mode with the real value (x86 PUSHF/SMSW)
  bool status_write = false;  // CSR writes of sstatus in U-mode are silently ignored (x86 POPF)
  bool sret_jump = false;     // SRET in U-mode jumps to sepc and stays in U-mode (PDP-10 JRST 1)
  bool any() const { return status_read || status_write || sret_jump; }
};
enum class Quirk : uint8_t { status_read, status_write, sret_jump };
inline constexpr unsigned kQuirkCount = 3;
const char* to_string(Quirk q);

// A trap as the hart is about to take it (for a monitor that handles traps itself).
struct TrapEvent {
  uint32_t cause;  // code, without the interrupt bit
  bool interrupt;
  uint32_t tval, epc;
  // With the hypervisor extension: where a guest-page fault's guest-physical address was (what
  // htval/mtval2 get, unshifted), and whether the trap comes from a guest (V = 1).
  uint64_t gpa = 0;
  bool from_virt = false;
};

struct HartConfig {
  bool misaligned_access_traps = true;  // false: loads/stores may be misaligned (Linux emulates)
  bool hardware_ad_update = true;       // Sv32 A/D: set by the walk (true) or page fault (false)
  bool exceptions_stop = false;         // process VM: an exception ends the run (no kernel)
  unsigned steps_per_tick = 10;         // mtime advances once every N steps (10 MHz at 100 MIPS)
  // The hypervisor extension (misa.H). Off by default, as in QEMU's rv32 CPU: a hart without it
  // is what the programs and the teaching kernel expect; the hardware-assisted way turns it on.
  bool hypervisor = false;
  // PMP entries (0..16; QEMU's virt hart has 16). With none, every mode reaches all memory.
  unsigned pmp_entries = 0;
};

class Hart {
 public:
  Hart(Bus& bus, CodeCache& code, HartConfig config = {});

  void reset(uint32_t pc);
  // Runs up to `max_steps` instructions; returns early on a stop (see StopReason).
  RunResult run(uint64_t max_steps);

  // ---- architectural state (the debugger reads it; commands change it between runs)
  uint32_t pc() const { return pc_; }
  void set_pc(uint32_t pc);
  void set_priv(Priv p) {  // machine set-up: where firmware or a loader leaves the hart
    priv_ = p;
    refresh_modes();
  }
  uint32_t reg(unsigned i) const { return i ? x_[i] : 0; }
  void set_reg(unsigned i, uint32_t v) {
    if (i) x_[i] = v;
  }
  Priv priv() const { return priv_; }
  // The virtualization mode (H): V = 1 is VS-mode (priv S) or VU-mode (priv U).
  bool virt() const { return virt_; }
  void set_virt(bool v) {  // machine set-up, like set_priv
    set_virt_mode(v);
    refresh_modes();
  }
  bool has_hypervisor() const { return config_.hypervisor; }
  // "VS", "HS", "M", ...: the mode with V in it.
  const char* mode_name() const;
  const CsrState& csrs() const { return csr_; }
  // CSR access as the debugger sees it: no privilege checks, no side effects on read.
  bool debug_read_csr(uint16_t number, uint32_t& value) const;
  bool debug_write_csr(uint16_t number, uint32_t value);

  uint64_t steps() const { return steps_; }
  uint64_t instret() const { return steps_ - exceptions_ - idle_steps_; }
  uint64_t mtime() const { return time_offset_ + time_steps() / config_.steps_per_tick; }
  // Steps that count as time (mtime, cycle): all but those a monitor hid from its guest.
  uint64_t time_steps() const { return steps_ - hidden_steps_; }
  const HartConfig& config() const { return config_; }

  // ---- the CLINT and interrupt lines
  uint64_t mtimecmp() const { return mtimecmp_; }
  void set_mtimecmp(uint64_t v) { mtimecmp_ = v; }
  // The supervisor timer that SBI firmware provides (what Sstc's stimecmp does in hardware):
  // mip.STIP follows mtime >= stimecmp. ~0 turns it off (STIP is then software's, as usual).
  uint64_t stimecmp() const { return stimecmp_; }
  void set_stimecmp(uint64_t v);
  void set_mtime(uint64_t v) { time_offset_ = v - time_steps() / config_.steps_per_tick; }
  bool msip() const { return csr_.mip & kMipMsip; }
  void set_msip(bool on);
  void set_external_interrupt(bool on);  // mip.MEIP, driven by the board's interrupt controller
  // mip.SEIP's input from the interrupt controller: reads of mip/sip see it ORed with the bit
  // software wrote (priv spec 3.1.9), and so does the interrupt logic.
  void set_supervisor_external_interrupt(bool on);

  // ---- hooks and stops
  std::function<EcallAction(Hart&)> ecall_hook;  // process VM system calls, SBI
  void request_stop(StopReason reason) { stop_request_ = reason; }
  int exit_code = 0;
  std::string stop_message;  // a human explanation for every stop but `budget`

  // ---- memory as the guest sees it (used by hooks and the debugger)
  // Virtual-to-physical translation without side effects (no TLB fill, no A/D update).
  struct Translation {
    bool ok = false;
    uint32_t paddr = 0;
    ExceptionCause fault{};
  };
  Translation debug_translate(uint32_t vaddr, AccessType type, Priv priv) const;
  // The same for a guest of the hypervisor extension (V = 1): both stages, with every memory
  // access of the two-dimensional walk (the MMU panel's view).
  TwoStageWalk debug_translate_guest(uint32_t vaddr, AccessType type, Priv priv) const;
  // The instruction at `pc` as the hart would fetch it now (16 or 32 bits; 0 if unmapped),
  // without side effects. Also gives mtval for illegal instructions.
  uint32_t instruction_bits(uint32_t pc) const;

  // ---- for a monitor running as host code in M-mode
  // What SFENCE.VMA does (TLB and micro-TLB flush), without the privilege check.
  void sfence(bool by_addr, uint32_t vaddr, bool by_asid, uint16_t asid);
  // What HFENCE.GVMA x0, x0 does: every guest's cached translations go.
  void hfence_gvma_all() {
    tlb_.flush_guest(false, 0);
    flush_micro_tlbs();
  }
  // The last step was the monitor's business, not the guest's: it does not count as time.
  void hide_steps(uint64_t n) { hidden_steps_ += n; }
  void unhide_steps(uint64_t n) { hidden_steps_ -= n; }
  uint64_t hidden_steps() const { return hidden_steps_; }
  // SC.W's check: is there a reservation on `paddr`? Clears it either way.
  bool take_reservation(uint32_t paddr) {
    const bool ok = reservation_valid_ && reservation_addr_ == paddr;
    reservation_valid_ = false;
    return ok;
  }
  // The monitor carried out an instruction for its guest (an SBI call from VS-mode): the
  // guest's instret counts it (minstret), as if the instruction had retired on the hart.
  void retire_for_guest(uint64_t n) { instret_offset_ += n; }
  uint64_t instret_counter() const { return instret() + instret_offset_; }  // what minstret reads
  // A trap delivered to the guest kernel as the hardware delivers a delegated one (vscause,
  // vsepc, vstval, vsstatus; VS-mode at vstvec): what a monitor injects (H extension).
  void trap_into_guest(uint32_t xcause, uint32_t tval, uint32_t epc) {
    enter_vs_trap(xcause, tval, epc);
    set_virt(true);
    reservation_valid_ = false;
  }
  // Enters the WFI wait (as an emulated WFI): run() passes time until an enabled interrupt.
  void wait_for_interrupt() { waiting_ = true; }
  bool waiting() const { return waiting_; }
  // Inside WFI: wakes if an enabled interrupt is pending (what run() does before anything else;
  // not a step). True if the hart is not waiting (any more).
  bool wake_on_interrupt();

  // ---- teaching quirks (see Quirks), and how often each let a U-mode instruction through
  void set_quirks(Quirks q) { quirks_ = q; }
  const Quirks& quirks() const { return quirks_; }
  uint64_t quirk_count(Quirk q) const { return quirk_counts_[static_cast<unsigned>(q)]; }
  uint32_t quirk_last_pc(Quirk q) const { return quirk_last_pc_[static_cast<unsigned>(q)]; }

  // ---- debugger support
  // run() stops before executing an instruction at any of these virtual addresses (except the
  // one it starts on, so that a run can resume from a breakpoint). Runs one step at a time
  // while any is set.
  void set_breakpoints(std::vector<uint32_t> pcs);
  const std::vector<uint32_t>& breakpoints() const { return breakpoints_; }
  struct Watchpoint {
    uint32_t begin, end;  // virtual addresses [begin, end)
    bool on_read, on_write;
  };
  // run() stops right after an instruction that reads or writes a watched range. While any is
  // set, every load and store takes the slow path.
  void set_watchpoints(std::vector<Watchpoint> watchpoints);
  const std::vector<Watchpoint>& watchpoints() const { return watchpoints_; }
  // The access that stopped the last run at a watchpoint (a gdb stub reports its address).
  struct WatchHit {
    uint32_t vaddr = 0;
    bool write = false;
  };
  const WatchHit& last_watch_hit() const { return watch_hit_; }
  // Hardware breakpoints and watchpoints: the debugger's own debug triggers (hart/triggers.h),
  // as many as the guest leaves free. A breakpoint stops before its instruction (not the one a
  // run starts on), a watchpoint right after the access, as the software ones do. Returns how
  // many it could place (the first ones of the list); the rest need a trigger the guest holds.
  using HardwareStop = vmscope::HardwareStop;
  size_t set_hardware_stops(const std::vector<HardwareStop>& stops);
  std::vector<HardwareStop> hardware_stops() const { return triggers_.debugger_stops(); }  // the placed ones
  // Time travel replays without them (what it replays already happened).
  void suspend_hardware_stops(bool suspended) { hardware_stops_suspended_ = suspended; }
  // The debugger's trigger that stops before an instruction at `pc` (-1: none).
  int hardware_breakpoint_at(uint32_t pc) const {
    return hardware_stops_suspended_ ? -1 : triggers_.debugger_hit(AccessType::fetch, pc, 2);
  }

  // ---- execution engine: the interpreter, or the block translator with this code cache
  void set_translator(BlockCache* cache);
  BlockCache* translator() const { return blocks_; }

  // ---- snapshots (hart_state.cpp): the architectural state, counters, TLB entries and trap log.
  // The micro-TLBs and decoded code are not state (loading drops them); neither are the TLB's
  // hit/miss counters, breakpoints, watchpoints or the engine.
  void save_state(StateWriter& out) const;
  void load_state(StateReader& in);
  // Snapshots find the RAM pages stores changed through the bus's dirty bits; stores through
  // the write fast paths skip the bus, so those are dropped while a snapshot is taken (only
  // the TLB's counters notice: the micro-TLBs hold nothing the TLB does not).
  void drop_write_fast_paths();

  // ---- observation
  Tlb& tlb() { return tlb_; }
  const Tlb& tlb() const { return tlb_; }
  const Pmp& pmp() const { return pmp_; }
  const Triggers& triggers() const { return triggers_; }
  // What firmware does before it starts a kernel below M (OpenSBI's catch-all entry): the last
  // PMP entry covers all memory, RWX, so that S and U reach everything the page tables allow.
  void pmp_allow_all();
  const TrapLog& trap_log() const { return trap_log_; }
  uint64_t exceptions() const { return exceptions_; }
  uint64_t interrupts() const { return interrupts_; }
  uint64_t idle_steps() const { return idle_steps_; }  // steps spent waiting in WFI
  const std::array<uint64_t, 32>& exception_counts() const { return exception_counts_; }
  const std::array<uint64_t, 32>& interrupt_counts() const { return interrupt_counts_; }

 private:
  // ---- fast paths: per effective mode, page -> host address, filled from the TLB/bus
  // A tag no lookup can produce: lookups compare the page address plus the access's low
  // alignment bits (at most bits 0..2), so bit 11 is always clear in what they compare.
  static constexpr uint32_t kNoPage = 0x800;
  // 16 bytes on every host (code generators index the table with a shift).
  struct alignas(16) MicroTlbEntry {
    uint32_t tag = kNoPage;  // page address
    uint32_t ppage = 0;    // physical page, to drop write entries when code appears there
    uintptr_t addend = 0;  // host address = addend + guest virtual address
  };
  static constexpr unsigned kMicroTlbSize = 256;
  struct CodeTlbEntry {
    uint32_t tag = kNoPage;
    DecodedPage* page = nullptr;
  };
  static constexpr unsigned kCodeTlbSize = 64;

  // Result of a memory slow path.
  enum class MemResult : uint8_t { ok, fault, ok_reload };
  static constexpr unsigned kTrapLoopLimit = 64;

  // The interpreter (interpreter.cpp). Never inlined, and entered at least every kMaxChunk
  // steps: V8 and other WebAssembly engines move a function from baseline to optimized code
  // only when it is entered again (no on-stack replacement), so a loop that never returns would
  // stay in baseline code, about 3x slower.
  [[gnu::noinline]] void run_chunk(uint64_t chunk);
  static constexpr uint64_t kMaxChunk = uint64_t{1} << 20;
  // The block translator's engine (block_executor.cpp), entered like the interpreter; it hands
  // stretches it will not run (a budget's last instructions, odd code) to the interpreter.
  [[gnu::noinline]] void run_blocks(uint64_t chunk);
  Block* translate_block(DecodedPage& page, uint32_t page_vbase, uint32_t pc);  // block_builder.cpp
  uint64_t skipped_steps_ = 0;  // budget of the current chunk given up early (interpreter.cpp)

  // ---- memory paths (hart.cpp)
  template <typename T>
  MemResult load_slow(uint32_t vaddr, T& value);
  template <typename T>
  MemResult store_slow(uint32_t vaddr, T value);
  // (also_reads: an AMO, which load triggers watch too)
  bool atomic_address(uint32_t vaddr, AccessType type, uint8_t*& host, uint32_t& paddr, bool also_reads = false);
  // A debug trigger fires on this access: the breakpoint exception is raised (tval = address).
  bool trigger_fires(AccessType type, uint32_t address, unsigned size);
  // The debugger's trigger on this access: the run stops after it (a watchpoint).
  bool hardware_watch_hit(AccessType type, uint32_t address, unsigned size);
  bool execute_atomic(const Slot& s);
  bool translate(uint32_t vaddr, AccessType type, Priv mode, uint32_t& paddr);  // then PMP
  bool translate_address(uint32_t vaddr, AccessType type, Priv mode, uint32_t& paddr);
  // ---- the hypervisor extension (hypervisor.cpp)
  bool translate_guest(uint32_t vaddr, AccessType type, Priv mode, bool hlvx, uint32_t& paddr);
  TwoStageContext guest_context(Priv mode, bool hlvx) const;
  bool data_virt() const;  // data accesses are a guest's (V, or MPRV with MPV in M-mode)
  void set_virt_mode(bool v);
  bool execute_hypervisor_access(const Slot& s);  // HLV, HLVX, HSV
  bool do_hfence(bool gvma, uint32_t addr, uint32_t id, bool by_addr, bool by_id);
  // Why a CSR instruction may not access `number` here: none, illegal or virtual instruction.
  enum class CsrDenial : uint8_t { none, illegal, virtual_instruction };
  CsrDenial csr_denial(uint16_t number, bool writes) const;
  uint16_t csr_alias(uint16_t number) const;  // in VS/VU: an S CSR's VS counterpart
  bool hypervisor_csr_read(uint16_t number, uint32_t& value) const;
  bool hypervisor_csr_write(uint16_t number, uint32_t value);
  uint32_t vs_interrupts_pending() const;  // hvip's VS bits (mip's VS bits)
  // mip as read: the software-written bits with the interrupt controller's lines ORed in.
  uint32_t external_view(uint32_t mip) const {
    return mip | (csr_.external_line ? kMipMeip : 0) | (csr_.external_line_s ? kMipSeip : 0);
  }
  // The decoded page holding pc (null on a fetch fault). `one_instruction`: PMP lets only part of
  // the page execute, so the engine runs this one instruction (its fetch checked here) and asks again.
  DecodedPage* code_page_for(uint32_t pc, uint32_t& page_vbase, bool& one_instruction);
  bool fetch_parcel(uint32_t vaddr, uint16_t& parcel);
  bool fetch_slow(uint32_t pc, uint32_t& word);
  void decode_slot(DecodedPage& page, Slot& slot, uint32_t pc);
  void fill_slot(Slot& slot, uint32_t word) const;
  void flush_micro_tlbs();
  void drop_write_entries(uint32_t ppage);
  void drop_fast_paths_for(const TlbEntry& replaced);
  template <class Ar>
  void transfer_state(Ar& ar);
  Priv data_mode() const;
  void refresh_modes();
  // Native code's micro-TLB miss: fills the entry a load or store at `vaddr` would fill, when
  // that needs nothing the access itself would do (no page-table walk, no fault, no device, no
  // watch or trigger): then native code looks again instead of handing over. False: it hands
  // over (threaded code's slow path does the rest). `hart` is a Hart (NativeContext::refill).
  static bool refill_micro_tlb(void* hart, uint32_t vaddr, uint32_t size, uint32_t write);

  // ---- traps (trap.cpp)
  void raise(ExceptionCause cause, uint32_t tval) {
    pending_cause_ = cause;
    pending_tval_ = tval;
    pending_gpa_ = 0;  // (the H extension's: a guest access sets them after raising)
    pending_tinst_ = 0;
    pending_gva_ = false;
  }
  bool take_pending_exception(uint32_t epc);  // false: the run must stop
  void note_trap(uint32_t xcause, uint32_t epc, uint32_t tval);  // for on_event
  bool check_interrupts();                    // takes the highest-priority enabled interrupt
  uint32_t pending_interrupts() const;        // pending and individually enabled
  void enter_trap(uint32_t cause, bool interrupt, uint32_t tval, uint32_t epc);
  bool do_mret(uint32_t& next_pc);
  bool do_sret(uint32_t& next_pc);
  bool do_wfi();
  bool do_sfence_vma(uint32_t vaddr, uint32_t asid, bool by_addr, bool by_asid);
  // A trap into VS-mode (a guest's own, delegated by hedeleg/hideleg) or one leaving V = 1.
  void enter_vs_trap(uint32_t xcause, uint32_t tval, uint32_t epc);
  void raise_virtual_instruction() { raise(ExceptionCause::virtual_instruction, instruction_bits(pc_)); }
  void note_quirk(Quirk q) {
    ++quirk_counts_[static_cast<unsigned>(q)];
    quirk_last_pc_[static_cast<unsigned>(q)] = pc_;
  }
  uint64_t steps_until_timer() const;  // until the next timer (mtimecmp or stimecmp) fires
  uint64_t steps_until(uint64_t deadline) const;
  void update_timer_pending();

  // ---- CSRs (csr_file.cpp)
  bool csr_read(uint16_t number, uint32_t& value, bool checked) const;
  bool csr_write(uint16_t number, uint32_t value);
  bool csr_op(const Slot& s);  // executes one Zicsr instruction

  Bus& bus_;
  CodeCache& code_;
  HartConfig config_;

  std::array<uint32_t, 33> x_{};  // x_[32] absorbs writes to x0
  uint32_t pc_ = 0;
  Priv priv_ = Priv::M;
  CsrState csr_;

  uint64_t steps_ = 0, exceptions_ = 0, interrupts_ = 0, idle_steps_ = 0;
  uint64_t time_offset_ = 0, mtimecmp_ = ~uint64_t{0}, stimecmp_ = ~uint64_t{0};
  uint64_t cycle_offset_ = 0, instret_offset_ = 0;
  bool reservation_valid_ = false;
  uint32_t reservation_addr_ = 0;
  bool waiting_ = false;  // inside WFI

  ExceptionCause pending_cause_{};
  uint32_t pending_tval_ = 0;
  uint64_t retired_at_last_exception_ = ~uint64_t{0};
  unsigned exceptions_without_progress_ = 0;
  StopReason stop_request_ = StopReason::budget;

  Tlb tlb_;
  Pmp pmp_;
  Triggers triggers_;  // Sdtrig
  MicroTlbEntry micro_[3][2][kMicroTlbSize];  // [mode U/S/M][read/write][set]
  CodeTlbEntry code_tlb_[3][kCodeTlbSize];
  MicroTlbEntry* read_tlb_ = micro_[2][0];  // for the current data mode
  MicroTlbEntry* write_tlb_ = micro_[2][1];
  // Where a page-straddling instruction runs: its slot sits where it would in its own page and
  // every other slot sends the interpreter back to a real page.
  std::unique_ptr<DecodedPage> straddle_page_;

  bool watched(uint32_t vaddr, unsigned size, bool write);  // records a hit and asks to stop
  std::vector<uint32_t> breakpoints_;  // sorted
  std::vector<Watchpoint> watchpoints_;
  WatchHit watch_hit_;
  bool hardware_stops_suspended_ = false;

  TrapLog trap_log_;
  std::array<uint64_t, 32> exception_counts_{};
  std::array<uint64_t, 32> interrupt_counts_{};

  // Last on purpose: members the interpreter never touches go after those it does, so that its
  // handlers' code (displacements from `this`, and so their sizes and alignment) stays as it is.
  uint64_t hidden_steps_ = 0;
  Quirks quirks_;
  std::array<uint64_t, kQuirkCount> quirk_counts_{};
  std::array<uint32_t, kQuirkCount> quirk_last_pc_{};
  BlockCache* blocks_ = nullptr;  // the translator's code cache; null: the interpreter runs
  uint8_t epoch_mode_ = 0xff;     // the mode (priv, V) the code epoch last moved for
  uint64_t interpret_next_ = 0;   // steps the translator left to the interpreter
  uint64_t run_start_ = 0;        // steps_ when run() began (breakpoints do not stop the first step)
  // The hypervisor extension: the V bit, and what the pending exception adds for the trap
  // (htval/mtval2 = gpa >> 2, htinst/mtinst, and whether tval is a guest virtual address).
  bool virt_ = false;
  uint64_t pending_gpa_ = 0;
  uint32_t pending_tinst_ = 0;
  bool pending_gva_ = false;

 public:
  // A monitor written as host code, standing where M-mode firmware would: it sees every trap
  // before the hart takes it and returns true when it handled it (it then sets pc, mode and
  // CSRs itself through this interface). Handled traps still count and are logged (to "M").
  std::function<bool(Hart&, const TrapEvent&)> trap_hook;
  // Where the hart's own tables have no answer, a monitor can give its guest's view (a page the
  // shadow tables have not filled yet), so that the debugger's views still read the guest.
  std::function<Translation(uint32_t vaddr, AccessType type)> debug_translate_fallback;
  // A monitor's binary translation of its guest's kernel: asked as each instruction is decoded;
  // true turns a sensitive instruction (CSR access, xRET, WFI, SFENCE.VMA) into a trap to the
  // monitor, whatever the quirks would let through. The decoded code must be cleared when the
  // answer can change for code already decoded.
  std::function<bool()> patch_sensitive_code;
  // The timeline's traps, satp writes and TLB flushes (null: nobody listens).
  EventSink on_event;
  // Lockstep checking: called after each translated block (before interrupts are looked at), with the state
  // exact; false stops the run (StopReason::check_failed).
  std::function<bool()> block_boundary_hook;
};

}  // namespace vmscope
