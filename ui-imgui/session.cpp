// DebugSession: commands on the machine and the bookkeeping the views need.
#include "session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "isa/decoder.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
constexpr size_t kConsoleLimit = 1 << 20;  // keep the last megabyte of console output
}

DebugSession::DebugSession() = default;

bool DebugSession::load(std::span<const uint8_t> elf, const std::string& name) {
  const ElfResult probe = parse_elf(elf, name);
  if (!probe.ok()) {
    last_error_ = probe.message;
    return false;
  }
  return load(elf, name, guess_machine_kind(probe.image));
}

bool DebugSession::load(std::span<const uint8_t> elf, const std::string& name, MachineKind kind, Firmware firmware) {
  MachineOptions options;
  options.kind = kind;
  options.firmware = firmware;
  if (firmware == Firmware::sbi) {  // the Monitor panel's switches: for kernels only
    options.quirks = vm_.quirks;
    options.virtualization = vm_.virtualization;
    options.invalidation = vm_.invalidation;
    options.check_shadows = vm_.check_shadows;
  }
  options.engine = translator_.engine;  // a new machine (a load, or a rebuild) keeps the engine
  options.translator = translator_.options;
  auto machine = std::make_unique<Machine>(options);
  const ElfResult r = machine->load(elf, name);
  if (!r.ok()) {
    last_error_ = r.message;
    return false;
  }
  machine->on_output = [this](int, std::string_view bytes) {
    console_.append(bytes);
    if (console_.size() > kConsoleLimit) console_.erase(0, console_.size() - kConsoleLimit / 2);
  };
  machine->set_interactive_stdin(true);  // a process's read() waits for the console
  machine_ = std::move(machine);
  elf_.assign(elf.begin(), elf.end());
  kind_ = kind;
  firmware_ = firmware;
  program_name_ = name;
  last_error_.clear();
  breakpoints_.clear();
  reset();
  return true;
}

void DebugSession::reset() {
  if (!machine_) return;
  machine_->reset();
  console_.clear();
  running_ = finished_ = false;
  run_to_.reset();
  step_over_return_.reset();
  stats_.clear();
  last_tlb_hits_ = last_tlb_misses_ = 0;
  last_exits_ = last_hidden_ = last_reflected_ = last_emulated_ = 0;
  apply_breakpoints();
  remember_registers();
  status_ = "ready at the entry point";
}

void DebugSession::remember_registers() {
  if (!machine_) return;
  for (unsigned r = 0; r < 32; ++r) previous_registers_[r] = machine_->hart().reg(r);
  previous_pc_ = machine_->hart().pc();
}

void DebugSession::apply_breakpoints() {
  if (!machine_) return;
  std::vector<uint32_t> all = breakpoints_;
  if (run_to_) all.push_back(*run_to_);
  if (step_over_return_) all.push_back(*step_over_return_);
  machine_->hart().set_breakpoints(std::move(all));
}

void DebugSession::run() {
  if (!machine_ || finished_) return;
  running_ = true;
  status_ = "running";
}

void DebugSession::pause() {
  if (!running_) return;
  running_ = false;
  char text[64];
  std::snprintf(text, sizeof text, "paused at 0x%08x", machine_->hart().pc());
  status_ = text;
}

void DebugSession::step() {
  if (!machine_ || finished_) return;
  running_ = false;
  remember_registers();
  run_slice(1);
  if (!finished_) {
    char text[64];
    std::snprintf(text, sizeof text, "stepped to 0x%08x", machine_->hart().pc());
    status_ = text;
  }
}

void DebugSession::step_over() {
  if (!machine_ || finished_) return;
  const Hart& h = machine_->hart();
  const isa::DecodedInsn d = isa::decode(h.instruction_bits(h.pc()));
  // A call links through ra; run until it comes back to the next instruction.
  if ((d.op == isa::Op::jal || d.op == isa::Op::jalr) && d.rd == 1) {
    step_over_return_ = h.pc() + d.length;
    apply_breakpoints();
    remember_registers();
    running_ = true;
    status_ = "stepping over a call";
    return;
  }
  step();
}

void DebugSession::run_to(uint32_t pc) {
  if (!machine_ || finished_) return;
  run_to_ = pc;
  apply_breakpoints();
  run();
}

void DebugSession::toggle_breakpoint(uint32_t pc) {
  auto it = std::find(breakpoints_.begin(), breakpoints_.end(), pc);
  if (it == breakpoints_.end())
    breakpoints_.push_back(pc);
  else
    breakpoints_.erase(it);
  apply_breakpoints();
}

void DebugSession::set_watchpoints(std::vector<Hart::Watchpoint> w) {
  if (machine_) machine_->hart().set_watchpoints(std::move(w));
}

void DebugSession::set_vm_settings(const VmSettings& settings) {
  const bool rebuild = settings.virtualization != vm_.virtualization;
  vm_ = settings;
  if (!machine_) return;
  if (is_supervisor_kernel()) machine_->hart().set_quirks(vm_.quirks);
  if (Monitor* m = machine_->monitor()) {
    if (m->shadow().strategy() != vm_.invalidation) m->set_invalidation(vm_.invalidation);
    m->check_shadows = vm_.check_shadows;
  }
  if (rebuild && is_supervisor_kernel()) {
    const std::vector<uint8_t> elf = elf_;  // load() replaces elf_
    const std::vector<uint32_t> keep = breakpoints_;
    load(elf, program_name_, kind_, firmware_);
    breakpoints_ = keep;
    apply_breakpoints();
    status_ = std::string("ready at the entry point, ") + to_string(vm_.virtualization);
  }
}

void DebugSession::set_translator_settings(const TranslatorSettings& settings) {
  translator_ = settings;
  translator_.options.capacity_kib =
      std::clamp(translator_.options.capacity_kib, kMinCacheKib, TranslatorSettings::kMaxCacheKib);
  if (!machine_) return;
  machine_->set_translator_options(translator_.options);
  if (machine_->engine() != translator_.engine) machine_->set_engine(translator_.engine);
}

void DebugSession::flush_code_cache() {
  if (machine_) machine_->block_cache().flush();
}

void DebugSession::type_input(std::string_view bytes) {
  if (machine_) machine_->feed_input(bytes);
}

void DebugSession::close_input() {
  if (machine_) machine_->close_input();
}

void DebugSession::tick(double frame_seconds) {
  if (!machine_ || !running_) return;
  remember_registers();
  const Hart& h = machine_->hart();
  const uint64_t instret0 = h.instret();
  const uint64_t traps0 = h.exceptions() + h.interrupts();
  using Clock = std::chrono::steady_clock;
  const double rest_of_frame = std::max(0.0, frame_seconds - last_run_seconds_);
  // 60 frames/s when the display leaves room for the machine; when drawing alone takes most of
  // that (software rendering), hold 30 frames/s instead and give the machine what remains.
  const double target = rest_of_frame < 0.75 * target_frame_seconds ? target_frame_seconds : 1.0 / 30;
  const double budget = std::max(min_run_seconds, target - rest_of_frame);
  const auto t0 = Clock::now();
  double seconds = 0;
  // Slices small enough to stop near the budget (a few hundred microseconds each).
  constexpr uint64_t kSlice = 100'000;
  for (uint64_t done = 0; done < instructions_per_frame && running_ && seconds < budget;) {
    const uint64_t before = h.steps();
    const StopReason why = run_slice(std::min(kSlice, instructions_per_frame - done));
    done += h.steps() - before;
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (why == StopReason::idle) break;  // waiting for input: nothing more to do this frame
    if (why == StopReason::budget) status_ = "running";
  }
  last_run_seconds_ = seconds;

  StatsSample s;
  s.instret = h.instret();
  s.exceptions = h.exceptions();
  s.interrupts = h.interrupts();
  s.traps = s.exceptions + s.interrupts - traps0;
  s.mips = seconds > 0 ? static_cast<double>(s.instret - instret0) / seconds / 1e6 : 0;
  const TlbStats& t = h.tlb().stats;
  const uint64_t lookups = (t.hits - last_tlb_hits_) + (t.misses - last_tlb_misses_);
  s.tlb_hit_rate = lookups ? static_cast<double>(t.hits - last_tlb_hits_) / static_cast<double>(lookups)
                           : (stats_.empty() ? 0 : stats_.back().tlb_hit_rate);
  last_tlb_hits_ = t.hits;
  last_tlb_misses_ = t.misses;
  if (const Monitor* m = machine_->monitor()) {
    const MonitorStats& ms = m->stats();
    const uint64_t reflected = ms.reflected_page_faults + ms.reflected_other;
    s.exits = ms.exits - last_exits_;
    s.hidden_faults = ms.hidden_faults - last_hidden_;
    s.reflected = reflected - last_reflected_;
    s.emulated = ms.emulated - last_emulated_;
    s.efficiency = ms.efficiency(m->guest_steps());
    last_exits_ = ms.exits;
    last_hidden_ = ms.hidden_faults;
    last_reflected_ = reflected;
    last_emulated_ = ms.emulated;
  }
  stats_.push_back(s);
  if (stats_.size() > kStatsHistory) stats_.pop_front();
}

StopReason DebugSession::run_slice(uint64_t steps) {
  Hart& h = machine_->hart();
  const RunResult r = machine_->run(steps);
  char text[160];
  switch (r.reason) {
    case StopReason::budget:
      return r.reason;
    case StopReason::breakpoint: {
      const bool one_shot = (run_to_ && h.pc() == *run_to_) || (step_over_return_ && h.pc() == *step_over_return_);
      running_ = false;
      if (one_shot) {
        std::snprintf(text, sizeof text, "stopped at 0x%08x", h.pc());
        status_ = text;
      } else {
        status_ = h.stop_message;
      }
      run_to_.reset();
      step_over_return_.reset();
      apply_breakpoints();
      return r.reason;
    }
    case StopReason::idle:
      // Waiting for input (WFI on the board, or a process's read()): keep running, say so.
      status_ = h.stop_message.find("stdin") != std::string::npos ? "waiting for input on stdin"
                                                                   : "waiting for input (WFI)";
      return r.reason;
    case StopReason::exited:
      std::snprintf(text, sizeof text, "the guest exited with code %d", h.exit_code);
      status_ = text;
      break;
    default:
      status_ = std::string(to_string(r.reason)) + ": " + h.stop_message;
      break;
  }
  running_ = false;
  finished_ = true;
  return r.reason;
}

}  // namespace vmscope::ui
