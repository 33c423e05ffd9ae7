// The hart's run loop around the interpreter, its memory slow paths (translation, micro-TLB
// fills, devices, misaligned accesses, atomics) and the debugger's side-effect-free views.
#include "csr_numbers.h"
#include "hart/hart.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "isa/decoder.h"
#include "mem/sv32.h"
#include "translator/block_cache.h"

namespace vmscope {

namespace {
unsigned mode_index(Priv p) { return p == Priv::M ? 2 : static_cast<unsigned>(p); }
}  // namespace

const char* to_string(Quirk q) {
  switch (q) {
    case Quirk::status_read: return "status-read";
    case Quirk::status_write: return "status-write";
    case Quirk::sret_jump: return "sret-jump";
  }
  return "?";
}

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::budget: return "budget";
    case StopReason::exited: return "exited";
    case StopReason::idle: return "idle";
    case StopReason::trap_loop: return "trap-loop";
    case StopReason::guest_fault: return "guest-fault";
    case StopReason::unsupported: return "unsupported";
    case StopReason::breakpoint: return "breakpoint";
    case StopReason::check_failed: return "check-failed";
  }
  return "?";
}

Hart::Hart(Bus& bus, CodeCache& code, HartConfig config) : bus_(bus), code_(code), config_(config) {
  if (config_.steps_per_tick == 0) config_.steps_per_tick = 1;
  straddle_page_ = std::make_unique<DecodedPage>();
  for (Slot& slot : straddle_page_->slots) slot.handler = kHandlerPageEnd;
  reset(0);
}

void Hart::reset(uint32_t pc) {
  x_.fill(0);
  pc_ = pc;
  priv_ = Priv::M;
  virt_ = false;
  csr_ = CsrState{};
  if (config_.hypervisor) csr_.mideleg = kHypervisorInterrupts;  // read-only ones with H
  pmp_.set_entries(config_.pmp_entries);
  pmp_.reset();
  triggers_ = Triggers(config_.hypervisor);
  pending_gpa_ = 0;
  pending_tinst_ = 0;
  pending_gva_ = false;
  steps_ = exceptions_ = interrupts_ = idle_steps_ = hidden_steps_ = 0;
  quirk_counts_.fill(0);
  quirk_last_pc_.fill(0);
  time_offset_ = cycle_offset_ = instret_offset_ = 0;
  mtimecmp_ = stimecmp_ = ~uint64_t{0};
  reservation_valid_ = false;
  waiting_ = false;
  retired_at_last_exception_ = ~uint64_t{0};
  exceptions_without_progress_ = 0;
  stop_request_ = StopReason::budget;
  exit_code = 0;
  stop_message.clear();
  tlb_.flush_all();
  tlb_.stats = {};
  trap_log_.clear();
  exception_counts_.fill(0);
  interrupt_counts_.fill(0);
  flush_micro_tlbs();
}

void Hart::set_pc(uint32_t pc) {
  pc_ = pc & ~1u;
  waiting_ = false;
}

void Hart::set_msip(bool on) {
  csr_.mip = on ? csr_.mip | kMipMsip : csr_.mip & ~kMipMsip;
}

void Hart::set_external_interrupt(bool on) { csr_.external_line = on; }
void Hart::set_supervisor_external_interrupt(bool on) { csr_.external_line_s = on; }

void Hart::set_breakpoints(std::vector<uint32_t> pcs) {
  std::sort(pcs.begin(), pcs.end());
  pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
  // Translated blocks end before breakpoints: those made for other breakpoints must go.
  if (blocks_ && pcs != breakpoints_) blocks_->flush();
  breakpoints_ = std::move(pcs);
}

void Hart::set_watchpoints(std::vector<Watchpoint> watchpoints) {
  // Translated blocks end after each memory access while watchpoints are set.
  if (blocks_ && watchpoints.empty() != watchpoints_.empty()) blocks_->flush();
  watchpoints_ = std::move(watchpoints);
  flush_micro_tlbs();  // with watchpoints, the fast paths must not be refilled
}

bool Hart::watched(uint32_t vaddr, unsigned size, bool write) {
  for (const Watchpoint& w : watchpoints_) {
    if (!(write ? w.on_write : w.on_read)) continue;
    if (vaddr < w.end && vaddr + size > w.begin) {
      char text[128];
      std::snprintf(text, sizeof text, "watchpoint: %s of %u bytes at 0x%08x by the instruction at 0x%08x",
                    write ? "write" : "read", size, vaddr, pc_);
      stop_message = text;
      stop_request_ = StopReason::breakpoint;
      watch_hit_ = {vaddr, write};
      return true;
    }
  }
  return false;
}

size_t Hart::set_hardware_stops(const std::vector<HardwareStop>& stops) {
  triggers_.clear_debugger_triggers();
  size_t placed = 0;
  while (placed < stops.size() && triggers_.set_debugger_trigger(stops[placed]) >= 0) ++placed;
  flush_micro_tlbs();  // a watchpoint: accesses take the slow path
  return placed;
}

bool Hart::hardware_watch_hit(AccessType type, uint32_t address, unsigned size) {
  if (hardware_stops_suspended_ || !triggers_.armed(type)) return false;
  const int index = triggers_.debugger_hit(type, address, size);
  if (index < 0) return false;
  const bool write = type == AccessType::store;
  char text[96];  // (the pc is the instruction's: the status line shows it)
  std::snprintf(text, sizeof text, "hardware watchpoint (trigger %d): %s of %u bytes at 0x%08x", index,
                write ? "write" : "read", size, address);
  stop_message = text;
  stop_request_ = StopReason::breakpoint;
  watch_hit_ = {address, write};
  return true;
}

bool Hart::trigger_fires(AccessType type, uint32_t address, unsigned size) {
  if (!triggers_.armed(type) || !triggers_.fires(type, address, size, priv_, virt_)) return false;
  raise(ExceptionCause::breakpoint, address);
  return true;
}

RunResult Hart::run(uint64_t max_steps) {
  RunResult result;
  const uint64_t start = steps_;
  run_start_ = start;
  interpret_next_ = 0;
  stop_request_ = StopReason::budget;
  while (steps_ - start < max_steps) {
    const uint64_t left = max_steps - (steps_ - start);
    // Breakpoints: one step at a time, looking before each (but the first) instruction.
    if (!breakpoints_.empty() && steps_ != start && !waiting_ &&
        std::binary_search(breakpoints_.begin(), breakpoints_.end(), pc_)) {
      char text[64];
      std::snprintf(text, sizeof text, "breakpoint at 0x%08x", pc_);
      stop_message = text;
      stop_request_ = StopReason::breakpoint;
      break;
    }
    // Execute triggers: looked for before every instruction, which the interpreter then runs
    // alone (an instruction that fires one does not run: it takes a breakpoint exception).
    const bool execute_triggers = triggers_.armed(AccessType::fetch);
    if (execute_triggers && !waiting_) {
      if (const int index = hardware_breakpoint_at(pc_); index >= 0 && steps_ != start) {
        char text[80];
        std::snprintf(text, sizeof text, "hardware breakpoint (trigger %d) at 0x%08x", index, pc_);
        stop_message = text;
        stop_request_ = StopReason::breakpoint;
        break;
      }
      if (trigger_fires(AccessType::fetch, pc_, 2)) {
        ++steps_;  // (an instruction that traps still takes a step)
        if (!take_pending_exception(pc_)) break;
        continue;
      }
    }
    if (!wake_on_interrupt()) {
      if (((csr_.mie & kMipMtip) && mtimecmp_ != ~uint64_t{0}) ||
          ((csr_.mie & kMipStip) && stimecmp_ != ~uint64_t{0})) {
        // Nothing to do until the timer fires: let time pass at once.
        const uint64_t skip = std::min(left, steps_until_timer());
        steps_ += skip;
        idle_steps_ += skip;
        continue;
      } else {
        stop_request_ = StopReason::idle;
        stop_message = "the hart waits (WFI) for an interrupt that nothing can raise";
        break;
      }
    }
    uint64_t chunk = std::max<uint64_t>(1, std::min({left, steps_until_timer(), kMaxChunk}));
    // Through pointers: emscripten's optimizer (binaryen) inlines a function with one caller
    // whatever its attributes, and each engine must stay a function of its own (hart.h).
    static void (Hart::*volatile interpret)(uint64_t) = &Hart::run_chunk;
    static void (Hart::*volatile run_translated)(uint64_t) = &Hart::run_blocks;
    if (blocks_ && !interpret_next_ && !execute_triggers) {
      (this->*run_translated)(chunk);  // it looks for breakpoints itself, at block entries
    } else {
      if (interpret_next_) chunk = std::min(chunk, interpret_next_);
      if (!breakpoints_.empty() || execute_triggers) chunk = 1;
      const uint64_t before = steps_;
      (this->*interpret)(chunk);
      if (blocks_) {
        blocks_->stats.interpreted += steps_ - before;
        interpret_next_ -= std::min(interpret_next_, steps_ - before);
      }
    }
    if (stop_request_ != StopReason::budget) break;
  }
  result.reason = stop_request_;
  result.steps = steps_ - start;
  return result;
}

bool Hart::wake_on_interrupt() {
  if (!waiting_) return true;
  update_timer_pending();
  if (pending_interrupts()) waiting_ = false;
  return !waiting_;
}

void Hart::set_translator(BlockCache* cache) {
  blocks_ = cache;
  interpret_next_ = 0;
  // While the interpreter ran, nobody moved the code epoch: links to other pages and return
  // predictions made before are checked again.
  if (blocks_) ++blocks_->code_epoch;
}

uint64_t Hart::steps_until(uint64_t deadline) const {
  if (deadline == ~uint64_t{0} || mtime() >= deadline) return ~uint64_t{0};
  const uint64_t ticks = deadline - time_offset_;
  if (ticks > ~uint64_t{0} / config_.steps_per_tick) return ~uint64_t{0};
  return ticks * config_.steps_per_tick - time_steps();
}

uint64_t Hart::steps_until_timer() const { return std::min(steps_until(mtimecmp_), steps_until(stimecmp_)); }

void Hart::set_stimecmp(uint64_t v) {
  stimecmp_ = v;
  if (v == ~uint64_t{0}) csr_.mip &= ~kMipStip;
  update_timer_pending();
}

void Hart::update_timer_pending() {
  csr_.mip = mtime() >= mtimecmp_ ? csr_.mip | kMipMtip : csr_.mip & ~kMipMtip;
  if (stimecmp_ != ~uint64_t{0}) csr_.mip = mtime() >= stimecmp_ ? csr_.mip | kMipStip : csr_.mip & ~kMipStip;
}

// ---- translation and the micro-TLBs ------------------------------------------------------------

Priv Hart::data_mode() const {
  if (priv_ == Priv::M && (csr_.mstatus & kMstatusMprv))
    return static_cast<Priv>((csr_.mstatus & kMstatusMpp) >> kMstatusMppShift);
  return priv_;
}

void Hart::refresh_modes() {
  const unsigned m = mode_index(data_mode());
  read_tlb_ = micro_[m][0];
  write_tlb_ = micro_[m][1];
}

void Hart::flush_micro_tlbs() {
  if (blocks_) ++blocks_->code_epoch;  // links between code pages are checked again
  for (auto& mode : micro_)
    for (auto& kind : mode)
      for (MicroTlbEntry& e : kind) e.tag = kNoPage;
  for (auto& mode : code_tlb_)
    for (CodeTlbEntry& e : mode) e.tag = kNoPage;
}

void Hart::drop_fast_paths_for(const TlbEntry& replaced) {
  if (blocks_) ++blocks_->code_epoch;  // the page is walked again: links between code pages too
  const auto covered = [&](uint32_t tag) {
    if (tag & (kPageSize - 1)) return false;  // kNoPage, or an entry never filled
    return replaced.superpage ? (replaced.vpn >> 10) == (tag >> 22) : replaced.vpn == (tag >> 12);
  };
  if (!replaced.superpage) {  // one page: one set in each table
    for (auto& mode : micro_)
      for (auto& kind : mode)
        if (MicroTlbEntry& e = kind[replaced.vpn % kMicroTlbSize]; covered(e.tag)) e.tag = kNoPage;
    for (auto& mode : code_tlb_)
      if (CodeTlbEntry& e = mode[replaced.vpn % kCodeTlbSize]; covered(e.tag)) e.tag = kNoPage;
    return;
  }
  for (auto& mode : micro_)
    for (auto& kind : mode)
      for (MicroTlbEntry& e : kind)
        if (covered(e.tag)) e.tag = kNoPage;
  for (auto& mode : code_tlb_)
    for (CodeTlbEntry& e : mode)
      if (covered(e.tag)) e.tag = kNoPage;
}

void Hart::drop_write_fast_paths() {
  for (auto& mode : micro_)
    for (MicroTlbEntry& e : mode[1]) e.tag = kNoPage;
}

void Hart::drop_write_entries(uint32_t ppage) {
  for (auto& mode : micro_)
    for (MicroTlbEntry& e : mode[1])
      if (e.ppage == ppage) e.tag = kNoPage;
}

// Every access's physical address passes PMP (a guest's too: its mode is S or U).
bool Hart::translate(uint32_t vaddr, AccessType type, Priv mode, uint32_t& paddr) {
  if (!translate_address(vaddr, type, mode, paddr)) return false;
  if (pmp_.entries() && !pmp_.allows(paddr, type, mode)) {
    raise(access_fault_for(type), vaddr);
    return false;
  }
  return true;
}

void Hart::pmp_allow_all() {
  if (pmp_.entries() == 0) return;
  const unsigned last = pmp_.entries() - 1;
  debug_write_csr(static_cast<uint16_t>(csr::pmpaddr0 + last), ~0u);  // NAPOT over all 34 bits of address
  const unsigned shift = 8 * (last % 4);
  debug_write_csr(static_cast<uint16_t>(csr::pmpcfg0 + last / 4),
                  (pmp_.read_cfg(last / 4) & ~(0xffu << shift)) | (uint32_t{Pmp::kNapot << 3 | Pmp::kR | Pmp::kW | Pmp::kX} << shift));
}

bool Hart::translate_address(uint32_t vaddr, AccessType type, Priv mode, uint32_t& paddr) {
  if (config_.hypervisor && (type == AccessType::fetch ? virt_ : data_virt()))  // a guest's: two stages
    return translate_guest(vaddr, type, mode, false, paddr);
  if (mode == Priv::M || !(csr_.s.atp & kSatpModeSv32)) {
    paddr = vaddr;
    return true;
  }
  const auto asid = static_cast<uint16_t>((csr_.s.atp >> kSatpAsidShift) & kSatpAsidMask);
  const bool sum = csr_.mstatus & kMstatusSum, mxr = csr_.mstatus & kMstatusMxr;
  const TlbEntry* e = tlb_.lookup(vaddr, asid);
  const uint32_t needed = kPteA | (type == AccessType::store ? kPteD : 0);
  if (!e || (e->pte_flags & needed) != needed) {
    const Sv32Context ctx{csr_.s.atp, mode, sum, mxr, config_.hardware_ad_update};
    const Sv32Walk w = sv32_walk(BusPteMemory(bus_, &pmp_), ctx, vaddr, type, true);  // (PTE reads pass PMP as S)
    ++tlb_.stats.walks;
    tlb_.stats.walk_accesses += w.step_count;
    if (!w.ok) {
      raise(w.fault, vaddr);
      return false;
    }
    // The micro-TLBs only ever hold what the TLB holds, so that they are a pure cache: what the
    // TLB (and so the guest) sees never depends on when they were flushed (snapshots do).
    if (const TlbEntry& replaced = tlb_.entries()[Tlb::set_of(vaddr)]; replaced.valid) drop_fast_paths_for(replaced);
    tlb_.insert(w.entry, vaddr);
    paddr = w.paddr;
    return true;
  }
  if (!sv32_permits(e->pte_flags, type, mode, sum, mxr)) {
    raise(page_fault_for(type), vaddr);
    return false;
  }
  const uint64_t pa = e->superpage ? (static_cast<uint64_t>(e->ppn >> 10) << 22) | (vaddr & 0x3fffff)
                                   : (static_cast<uint64_t>(e->ppn) << 12) | (vaddr & 0xfff);
  paddr = static_cast<uint32_t>(pa);
  return true;
}

Hart::Translation Hart::debug_translate(uint32_t vaddr, AccessType type, Priv mode) const {
  Translation t;
  if (virt_ && mode != Priv::M) {
    const TwoStageWalk w = debug_translate_guest(vaddr, type, mode);
    t.ok = w.ok;
    t.paddr = w.hpa;
    t.fault = w.fault;
    return t;
  }
  if (mode == Priv::M || !(csr_.s.atp & kSatpModeSv32)) {
    t.ok = true;
    t.paddr = vaddr;
    return t;
  }
  const Sv32Context ctx{csr_.s.atp, mode, static_cast<bool>(csr_.mstatus & kMstatusSum),
                        static_cast<bool>(csr_.mstatus & kMstatusMxr), config_.hardware_ad_update};
  const Sv32Walk w = sv32_walk(bus_, ctx, vaddr, type, false);
  t.ok = w.ok;
  t.paddr = w.paddr;
  t.fault = w.fault;
  if (!t.ok && debug_translate_fallback) return debug_translate_fallback(vaddr, type);
  return t;
}

bool Hart::refill_micro_tlb(void* hart, uint32_t vaddr, uint32_t size, uint32_t write) {
  Hart& h = *static_cast<Hart*>(hart);
  const AccessType type = write ? AccessType::store : AccessType::load;
  const Priv mode = h.data_mode();
  if ((vaddr & (size - 1)) || !h.watchpoints_.empty() || h.triggers_.armed(type)) return false;
  if (h.config_.hypervisor && h.data_virt()) return false;  // (two stages: the slow path)
  uint32_t paddr = vaddr;
  if (mode != Priv::M && (h.csr_.s.atp & kSatpModeSv32)) {  // only what the TLB already holds
    const auto asid = static_cast<uint16_t>((h.csr_.s.atp >> kSatpAsidShift) & kSatpAsidMask);
    const TlbEntry* e = h.tlb_.lookup(vaddr, asid);
    const uint32_t needed = kPteA | (write ? kPteD : 0);
    if (!e || (e->pte_flags & needed) != needed ||
        !sv32_permits(e->pte_flags, type, mode, h.csr_.mstatus & kMstatusSum, h.csr_.mstatus & kMstatusMxr))
      return false;
    const uint64_t pa = e->superpage ? (static_cast<uint64_t>(e->ppn >> 10) << 22) | (vaddr & 0x3fffff)
                                     : (static_cast<uint64_t>(e->ppn) << 12) | (vaddr & 0xfff);
    paddr = static_cast<uint32_t>(pa);
  }
  const uint32_t page = paddr & ~(kPageSize - 1), vpage = vaddr & ~(kPageSize - 1);
  uint8_t* host = h.bus_.ram_pointer(page, kPageSize);
  if (!host || !h.pmp_.allows_page(page, type, mode)) return false;
  // The same conditions as the slow paths' fills below.
  if (write && (h.code_.has_code(page) || h.bus_.page_watched(page))) return false;
  if (write) h.bus_.mark_dirty(page, kPageSize);  // (stores through the fast path are not seen)
  MicroTlbEntry& e = (write ? h.write_tlb_ : h.read_tlb_)[(vaddr >> 12) % kMicroTlbSize];
  e = {vpage, page, reinterpret_cast<uintptr_t>(host) - vpage};
  return true;
}

template <typename T>
Hart::MemResult Hart::load_slow(uint32_t vaddr, T& value) {
  if (trigger_fires(AccessType::load, vaddr, sizeof(T))) return MemResult::fault;
  if (vaddr & (sizeof(T) - 1)) {
    if (config_.misaligned_access_traps) {
      raise(ExceptionCause::misaligned_load, vaddr);
      return MemResult::fault;
    }
    uint8_t bytes[sizeof(T)];
    for (unsigned i = 0; i < sizeof(T); ++i)
      if (load_slow<uint8_t>(vaddr + i, bytes[i]) == MemResult::fault) return MemResult::fault;
    std::memcpy(&value, bytes, sizeof(T));
    return MemResult::ok;
  }
  uint32_t paddr;
  if (!translate(vaddr, AccessType::load, data_mode(), paddr)) return MemResult::fault;
  const bool stop = (!watchpoints_.empty() && watched(vaddr, sizeof(T), false)) | hardware_watch_hit(AccessType::load, vaddr, sizeof(T));
  const MemResult done = stop ? MemResult::ok_reload : MemResult::ok;
  const uint32_t page = paddr & ~(kPageSize - 1);
  if (uint8_t* host = bus_.ram_pointer(page, kPageSize)) {
    if (watchpoints_.empty() && !triggers_.armed(AccessType::load) && pmp_.allows_page(page, AccessType::load, data_mode())) {
      MicroTlbEntry& e = read_tlb_[(vaddr >> 12) % kMicroTlbSize];
      e = {vaddr & ~(kPageSize - 1), page, reinterpret_cast<uintptr_t>(host) - (vaddr & ~(kPageSize - 1))};
    }
    std::memcpy(&value, host + (paddr - page), sizeof(T));
    return done;
  }
  uint64_t v;
  if (!bus_.read(paddr, sizeof(T), v)) {
    raise(ExceptionCause::load_access, vaddr);
    return MemResult::fault;
  }
  value = static_cast<T>(v);
  return done;
}

template <typename T>
Hart::MemResult Hart::store_slow(uint32_t vaddr, T value) {
  if (trigger_fires(AccessType::store, vaddr, sizeof(T))) return MemResult::fault;
  if (vaddr & (sizeof(T) - 1)) {
    if (config_.misaligned_access_traps) {
      raise(ExceptionCause::misaligned_store, vaddr);
      return MemResult::fault;
    }
    // Check every byte is writable before writing any, so a fault leaves memory unchanged.
    for (unsigned i = 0; i < sizeof(T); ++i) {
      uint32_t pa;
      if (!translate(vaddr + i, AccessType::store, data_mode(), pa)) return MemResult::fault;
    }
    MemResult r = MemResult::ok;
    for (unsigned i = 0; i < sizeof(T); ++i) {
      const MemResult ri = store_slow<uint8_t>(vaddr + i, static_cast<uint8_t>(value >> (8 * i)));
      if (ri == MemResult::fault) return ri;
      if (ri == MemResult::ok_reload) r = ri;
    }
    return r;
  }
  uint32_t paddr;
  if (!translate(vaddr, AccessType::store, data_mode(), paddr)) return MemResult::fault;
  const bool stop = (!watchpoints_.empty() && watched(vaddr, sizeof(T), true)) | hardware_watch_hit(AccessType::store, vaddr, sizeof(T));
  const MemResult done = stop ? MemResult::ok_reload : MemResult::ok;
  const uint32_t page = paddr & ~(kPageSize - 1);
  if (uint8_t* host = bus_.ram_pointer(page, kPageSize)) {
    code_.on_write(paddr, sizeof(T));
    bus_.mark_dirty(page, kPageSize);  // also covers the fast path filled below
    std::memcpy(host + (paddr - page), &value, sizeof(T));
    if (bus_.ram_store_watched(paddr, sizeof(T))) return MemResult::ok_reload;  // (HTIF may have asked to stop)
    if (done != MemResult::ok) return done;
    // Pages holding decoded code, or watched bytes, keep taking this path: their stores are seen.
    if (!code_.has_code(page) && !bus_.page_watched(page) && watchpoints_.empty() &&
        !triggers_.armed(AccessType::store) && pmp_.allows_page(page, AccessType::store, data_mode())) {
      MicroTlbEntry& e = write_tlb_[(vaddr >> 12) % kMicroTlbSize];
      e = {vaddr & ~(kPageSize - 1), page, reinterpret_cast<uintptr_t>(host) - (vaddr & ~(kPageSize - 1))};
    }
    return MemResult::ok;
  }
  if (!bus_.write(paddr, sizeof(T), value)) {
    raise(ExceptionCause::store_access, vaddr);
    return MemResult::fault;
  }
  return MemResult::ok_reload;  // a device may have raised an interrupt or asked to stop
}

template Hart::MemResult Hart::load_slow<uint8_t>(uint32_t, uint8_t&);
template Hart::MemResult Hart::load_slow<uint16_t>(uint32_t, uint16_t&);
template Hart::MemResult Hart::load_slow<uint32_t>(uint32_t, uint32_t&);
template Hart::MemResult Hart::load_slow<int8_t>(uint32_t, int8_t&);
template Hart::MemResult Hart::load_slow<int16_t>(uint32_t, int16_t&);
template Hart::MemResult Hart::store_slow<uint8_t>(uint32_t, uint8_t);
template Hart::MemResult Hart::store_slow<uint16_t>(uint32_t, uint16_t);
template Hart::MemResult Hart::store_slow<uint32_t>(uint32_t, uint32_t);

// LR/SC and AMOs: naturally aligned words in RAM only.
bool Hart::atomic_address(uint32_t vaddr, AccessType type, uint8_t*& host, uint32_t& paddr, bool also_reads) {
  if (trigger_fires(type, vaddr, 4) || (also_reads && trigger_fires(AccessType::load, vaddr, 4))) return false;
  if (vaddr & 3) {
    raise(type == AccessType::load ? ExceptionCause::misaligned_load : ExceptionCause::misaligned_store, vaddr);
    return false;
  }
  if (!translate(vaddr, type, data_mode(), paddr)) return false;
  host = bus_.ram_pointer(paddr, 4);
  if (!host) {
    raise(access_fault_for(type), vaddr);
    return false;
  }
  return true;
}

bool Hart::execute_atomic(const Slot& slot) {
  // A copy: the write below may land in this instruction's own line and reset its slot.
  const Slot s = slot;
  const uint32_t vaddr = x_[s.rs1];
  const auto op = static_cast<isa::Op>(s.handler);
  uint8_t* host;
  uint32_t paddr;
  if (op == isa::Op::lr_w) {
    if (!atomic_address(vaddr, AccessType::load, host, paddr)) return false;
    uint32_t v;
    std::memcpy(&v, host, 4);
    reservation_valid_ = true;
    reservation_addr_ = paddr;
    x_[s.rd] = v;
    return true;
  }
  if (!atomic_address(vaddr, AccessType::store, host, paddr, op != isa::Op::sc_w)) return false;
  if (op == isa::Op::sc_w) {
    const bool success = reservation_valid_ && reservation_addr_ == paddr;
    reservation_valid_ = false;
    if (success) {
      code_.on_write(paddr, 4);
      bus_.mark_dirty(paddr, 4);
      std::memcpy(host, &x_[s.rs2], 4);
    }
    x_[s.rd] = success ? 0 : 1;
    return true;
  }
  uint32_t old;
  std::memcpy(&old, host, 4);
  const uint32_t src = x_[s.rs2];
  uint32_t result;
  switch (op) {
    case isa::Op::amoswap_w: result = src; break;
    case isa::Op::amoadd_w: result = old + src; break;
    case isa::Op::amoxor_w: result = old ^ src; break;
    case isa::Op::amoand_w: result = old & src; break;
    case isa::Op::amoor_w: result = old | src; break;
    case isa::Op::amomin_w: result = static_cast<int32_t>(old) < static_cast<int32_t>(src) ? old : src; break;
    case isa::Op::amomax_w: result = static_cast<int32_t>(old) > static_cast<int32_t>(src) ? old : src; break;
    case isa::Op::amominu_w: result = std::min(old, src); break;
    default: result = std::max(old, src); break;  // amomaxu.w
  }
  code_.on_write(paddr, 4);
  bus_.mark_dirty(paddr, 4);
  std::memcpy(host, &result, 4);
  x_[s.rd] = old;
  return true;
}

// ---- instruction fetch -----------------------------------------------------------------------

DecodedPage* Hart::code_page_for(uint32_t pc, uint32_t& page_vbase, bool& one_instruction) {
  const unsigned m = mode_index(priv_);
  CodeTlbEntry& e = code_tlb_[m][(pc >> 12) % kCodeTlbSize];
  const uint32_t vpage = pc & ~(kPageSize - 1);
  one_instruction = false;
  if (e.tag == vpage) {
    page_vbase = vpage;
    return e.page;
  }
  uint32_t paddr;
  if (!translate(pc, AccessType::fetch, priv_, paddr)) return nullptr;  // (PMP: pc's granule)
  const uint32_t ppage = paddr & ~(kPageSize - 1);
  if (!bus_.in_ram(ppage, kPageSize)) {
    raise(ExceptionCause::fetch_access, pc);
    return nullptr;
  }
  // PMP decides execution per 4-byte granule: a page it lets execute only in part is never
  // cached, and each of its instructions is checked alone, the upper half of a 32-bit one too
  // (one straddling two pages is checked half by half in fetch_slow).
  if (!pmp_.allows_page(ppage, AccessType::fetch, priv_)) {
    const uint32_t offset = pc & (kPageSize - 1);
    const uint8_t* host = bus_.ram_pointer(ppage, kPageSize);
    if ((host[offset] & 3) == 3 && offset != kPageSize - 2 && !pmp_.allows(paddr + 2, AccessType::fetch, priv_)) {
      raise(ExceptionCause::fetch_access, pc + 2);
      return nullptr;
    }
    one_instruction = true;
    page_vbase = vpage;
    return code_.page(ppage);
  }
  e.tag = vpage;
  e.page = code_.page(ppage);
  page_vbase = vpage;
  return e.page;
}

bool Hart::fetch_parcel(uint32_t vaddr, uint16_t& parcel) {
  uint32_t paddr;
  if (!translate(vaddr, AccessType::fetch, priv_, paddr)) return false;
  const uint8_t* p = bus_.ram_pointer(paddr, 2);
  if (!p) {
    raise(ExceptionCause::fetch_access, vaddr);
    return false;
  }
  parcel = static_cast<uint16_t>(p[0] | p[1] << 8);
  return true;
}

bool Hart::fetch_slow(uint32_t pc, uint32_t& word) {
  uint16_t lo, hi = 0;
  if (!fetch_parcel(pc, lo)) return false;
  if ((lo & 3) == 3 && !fetch_parcel(pc + 2, hi)) return false;
  word = lo | static_cast<uint32_t>(hi) << 16;
  return true;
}

uint32_t Hart::instruction_bits(uint32_t pc) const {
  uint32_t word = 0;
  for (unsigned i = 0; i < 2; ++i) {
    const Translation t = debug_translate(pc + 2 * i, AccessType::fetch, priv_);
    uint64_t parcel;
    if (!t.ok || !bus_.peek(t.paddr, 2, parcel)) break;
    word |= static_cast<uint32_t>(parcel) << (16 * i);
    if (i == 0 && (parcel & 3) != 3) break;
  }
  return word;
}

void Hart::decode_slot(DecodedPage& page, Slot& slot, uint32_t pc) {
  const uint32_t offset = pc & (kPageSize - 1);
  const uint8_t* host = bus_.ram_pointer(page.paddr, kPageSize);
  uint32_t word = host[offset] | host[offset + 1] << 8;
  if ((word & 3) == 3) {
    if (offset == kPageSize - 2) {
      slot.handler = kHandlerCrossPage;  // fetched afresh every time: two translations
      return;
    }
    word |= static_cast<uint32_t>(host[offset + 2] | host[offset + 3] << 8) << 16;
  }
  fill_slot(slot, word);
  if (!page.code_lines) drop_write_entries(page.paddr);
  page.code_lines |= uint64_t{1} << (offset / kLineBytes);
  ++code_.stats.decoded;
}

namespace {
bool sensitive_op(isa::Op op) {
  switch (op) {
    case isa::Op::csrrw: case isa::Op::csrrs: case isa::Op::csrrc: case isa::Op::csrrwi:
    case isa::Op::csrrsi: case isa::Op::csrrci: case isa::Op::sret: case isa::Op::mret:
    case isa::Op::wfi: case isa::Op::sfence_vma:
      return true;
    default:
      return false;
  }
}
}  // namespace

void Hart::fill_slot(Slot& slot, uint32_t word) const {
  isa::DecodedInsn d = isa::decode(word);
  // Binary translation: the monitor gets a callout (an illegal-instruction trap carrying the
  // instruction's bits, which it emulates) instead of the instruction itself.
  if (patch_sensitive_code && sensitive_op(d.op) && patch_sensitive_code()) d.op = isa::Op::illegal;
  slot.handler = d.length == 2 ? kCompressedHandler[static_cast<int>(d.op)] : static_cast<uint8_t>(d.op);
  slot.rd = d.rd ? d.rd : 32;
  slot.rs1 = d.rs1;
  slot.rs2 = d.rs2;
  slot.imm = d.op == isa::Op::illegal ? static_cast<int32_t>(d.length == 2 ? word & 0xffff : word) : d.imm;
  slot.length = d.length;
}

// ---- debugger views ----------------------------------------------------------------------------

bool Hart::debug_read_csr(uint16_t number, uint32_t& value) const {
  return const_cast<Hart*>(this)->csr_read(number, value, false);
}

bool Hart::debug_write_csr(uint16_t number, uint32_t value) { return csr_write(number, value); }

}  // namespace vmscope
