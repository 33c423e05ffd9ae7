// DebugSession: commands on the machine and the bookkeeping the views need.
#include "session.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "isa/decoder.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
constexpr size_t kConsoleLimit = 1 << 20;  // keep the last megabyte of console output
}

const std::vector<TimelineLane>& timeline_lanes() {
  static const std::vector<TimelineLane> lanes = [] {
    std::vector<TimelineLane> v;
    for (int c : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15})
      v.push_back({std::string("exception: ") + exception_name(static_cast<unsigned>(c)), EventKind::exception, c});
    for (int c : {1, 3, 5, 7, 9, 11})
      v.push_back({std::string("interrupt: ") + interrupt_name(static_cast<unsigned>(c)), EventKind::interrupt, c});
    for (int a = 0; a <= static_cast<int>(ExitAction::emulated_device); ++a)  // (the last)
      v.push_back({std::string("exit: ") + to_string(static_cast<ExitAction>(a)), EventKind::monitor_exit, a});
    v.push_back({"shadow invalidations", EventKind::shadow_invalidation});
    v.push_back({"satp writes", EventKind::satp_write});
    v.push_back({"TLB flushes", EventKind::tlb_flush});
    v.push_back({"system calls", EventKind::syscall});
    v.push_back({"SBI calls", EventKind::sbi_call});
    v.push_back({"blocks translated", EventKind::block_translated});
    v.push_back({"blocks invalidated", EventKind::block_invalidated});
    v.push_back({"blocks evicted", EventKind::block_evicted});
    v.push_back({"console lines", EventKind::console_line});
    v.push_back({"input", EventKind::input});
    v.push_back({"balloon", EventKind::balloon});
    v.push_back({"disk requests", EventKind::disk});
    return v;
  }();
  return lanes;
}

size_t timeline_lane_of(const Event& e) {
  // (kind, code) -> lane, made once from the list: a lane for a code, else the kind's own lane.
  static const auto index = [] {
    std::array<std::array<uint16_t, 33>, kEventKindCount> t{};
    for (auto& row : t) row.fill(0xffff);
    const auto& lanes = timeline_lanes();
    for (size_t i = 0; i < lanes.size(); ++i)
      t[static_cast<size_t>(lanes[i].kind)][lanes[i].code < 0 ? 32 : static_cast<size_t>(lanes[i].code)] = static_cast<uint16_t>(i);
    return t;
  }();
  const auto& row = index[static_cast<size_t>(e.kind)];
  const uint16_t by_code = e.code < 32 ? row[e.code] : 0xffff;
  if (by_code != 0xffff) return by_code;
  if (row[32] != 0xffff) return row[32];
  for (uint16_t i : row)  // a code no lane names (a reserved cause): the kind's first lane
    if (i != 0xffff) return i;
  return 0;
}

std::string speed_name(double ips) {
  if (ips <= 0) return "full speed";
  char text[32];
  if (ips >= 1e6) std::snprintf(text, sizeof text, "%g M/s", ips / 1e6);
  else if (ips >= 1e3) std::snprintf(text, sizeof text, "%g k/s", ips / 1e3);
  else std::snprintf(text, sizeof text, "%g /s", ips);
  return text;
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

MachineOptions DebugSession::options_for(MachineKind kind, Firmware firmware) const {
  MachineOptions options;
  options.kind = kind;
  options.firmware = firmware;
  if (firmware == Firmware::sbi) {  // the Monitor panel's switches: for kernels only
    options.quirks = vm_.quirks;
    options.virtualization = vm_.virtualization;
    options.invalidation = vm_.invalidation;
    options.check_shadows = vm_.check_shadows;
    options.console = vm_.console;
    options.balloon = vm_.balloon;
  }
  if (kind == MachineKind::system) options.drive = disk_;
  options.misaligned = misaligned_;
  options.hypervisor = hypervisor_;     // the program asked for the H extension
  options.engine = translator_.engine;  // a new machine (a load, or a rebuild) keeps the engine
  options.translator = translator_.options;
  return options;
}

void DebugSession::compare_with(const MachineOptions& other) {
  if (!machine_) return;
  const RunSpec runs[] = {{elf_, program_name_, current_options(), ""}, {elf_, program_name_, other, ""}};
  comparison_ = compare_runs(runs);
}

bool DebugSession::compare_ways() {
  if (!machine_ || kind_ != MachineKind::system || firmware_ != Firmware::sbi || !read_program) return false;
  // The native kernel and its paravirtual build, whichever of the two is loaded.
  const bool pv_loaded = is_paravirtual_kernel(machine_->image());
  std::string native_name = program_name_, pv_name = program_name_ + "-pv";
  if (pv_loaded && program_name_.ends_with("-pv")) {
    native_name = program_name_.substr(0, program_name_.size() - 3);
    pv_name = program_name_;
  }
  const std::vector<uint8_t> native = pv_loaded ? read_program(native_name) : elf_;
  const std::vector<uint8_t> pv = pv_loaded ? elf_ : read_program(pv_name);
  if (native.empty()) return false;
  comparison_ = compare_runs(ways_to_run(native, native_name, pv, pv_name, current_options()));
  return true;
}

bool DebugSession::compare_consoles() {
  if (!machine_ || kind_ != MachineKind::system || firmware_ != Firmware::sbi || is_paravirtual_kernel(machine_->image()))
    return false;
  MachineOptions base = current_options();
  if (base.virtualization == Virtualization::emulation) base.virtualization = Virtualization::trap_and_emulate;
  comparison_ = compare_runs(consoles_to_run(elf_, program_name_, base));
  return true;
}

bool DebugSession::migrate(const migration::Options& options) {
  if (!machine_ || kind_ != MachineKind::system || firmware_ != Firmware::sbi) return false;
  if (options.kind == migration::Kind::live && !machine_->monitor()) return false;
  pause();
  migration_ = migration::migrate_copy(*machine_, elf_, program_name_, options);
  return true;
}

std::vector<uint8_t> DebugSession::save_snapshot() {
  if (!time_) return {};
  const RecordedEnd end = time_->end() ? *time_->end() : RecordedEnd{time_->frontier(), StopReason::budget, 0};
  SnapshotFile file{Recording{program_name_, elf_, machine_->options(), time_->inputs(), end}, time_->snapshot_now(), {}};
  file.recording.options.quirks = machine_->hart().quirks();  // the switches as they are now
  return encode_snapshot(file, machine_->bus().ram_size());
}

bool DebugSession::open_saved(std::span<const uint8_t> bytes, const std::string& name) {
  const std::vector<uint8_t> data(bytes.begin(), bytes.end());
  FileError error;
  std::optional<SnapshotFile> snapshot;
  std::optional<Recording> recording;
  if (data.size() >= 8 && std::memcmp(data.data(), "VMSCSNP\n", 8) == 0) {
    snapshot = decode_snapshot(data, name, error);
    if (snapshot) recording = snapshot->recording;
  } else {
    recording = decode_recording(data, name, error);
  }
  if (!recording) {
    last_error_ = error.message;
    return false;
  }
  // The machine as recorded: its settings become the panels' switches.
  const MachineOptions& o = recording->options;
  vm_.virtualization = o.virtualization;
  vm_.invalidation = o.invalidation;
  vm_.check_shadows = o.check_shadows;
  vm_.quirks = o.quirks;
  vm_.console = o.console;
  vm_.balloon = o.balloon;
  translator_.engine = o.engine;
  translator_.options = o.translator;
  misaligned_ = o.misaligned;
  if (o.drive.get() != disk_.get()) {  // the disk it ran with (its image travels in the file)
    disk_ = o.drive;
    disk_name_ = o.drive ? recording->program_name + " (its disk, from " + name + ")" : "";
  }
  if (!load(recording->program, recording->program_name, o.kind, o.firmware)) return false;
  if (snapshot) {
    if (!time_->resume_from(snapshot->snapshot, snapshot->ram, recording->inputs, recording->end)) {
      last_error_ = name + ": the snapshot does not fit its machine (malformed state)";
      reset();
      return false;
    }
    console_.clear();  // what was printed before the snapshot is not in it
    console_marks_.clear();
  } else {
    time_->adopt(recording->inputs, recording->end);
  }
  remember_registers();
  finished_ = time_->end() && time_->position() >= time_->end()->position;
  char text[160];
  std::snprintf(text, sizeof text, "opened %s at step %llu (recorded to step %llu)", name.c_str(),
                static_cast<unsigned long long>(time_->position()), static_cast<unsigned long long>(time_->frontier()));
  status_ = text;
  return true;
}

void DebugSession::run_until(uint64_t position) {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_) return;
  running_ = false;
  remember_registers();
  if (position <= time_->frontier()) {
    time_->travel_to(position);
  } else {
    time_->travel_to(time_->frontier());
    while (time_->position() < position) {
      const StopReason why = run_slice(std::min<uint64_t>(position - time_->position(), 1'000'000));
      if (why != StopReason::budget) break;
    }
  }
  after_travel("opened at");
}

void DebugSession::run_for(uint64_t steps) {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!machine_) return;
  run();
  stop_at_ = time_->position() + steps;
}

bool DebugSession::load(std::span<const uint8_t> elf, const std::string& name, MachineKind kind, Firmware firmware) {
  // A paravirtual kernel runs only under the monitor's paravirtual way, and the others not in it.
  const ElfResult parsed = parse_elf(elf, name);
  hypervisor_ = parsed.ok() && wants_hypervisor(parsed.image);
  if (parsed.ok() && firmware == Firmware::sbi) {
    const bool pv = is_paravirtual_kernel(parsed.image);
    if (pv) vm_.virtualization = Virtualization::paravirtual;
    else if (vm_.virtualization == Virtualization::paravirtual) vm_.virtualization = Virtualization::trap_and_emulate;
  }
  const MachineOptions options = options_for(kind, firmware);
  auto machine = std::make_unique<Machine>(options);
  const ElfResult r = machine->load(elf, name);
  if (!r.ok()) {
    last_error_ = r.message;
    return false;
  }
  machine->on_output = [this](int, std::string_view bytes) {
    if (time_ && time_->replaying()) return;  // said before, at this very moment
    console_.append(bytes);
    console_marks_.emplace_back(machine_->hart().steps() + 1, console_.size());
    if (console_.size() > kConsoleLimit) {
      const size_t cut = console_.size() - kConsoleLimit / 2;
      console_.erase(0, cut);
      for (auto& [position, length] : console_marks_) length = length > cut ? length - cut : 0;
    }
  };
  machine->set_interactive_stdin(true);  // a process's read() waits for the console
  time_.reset();  // it refers to the machine it replaces
  machine_ = std::move(machine);
  TimeTravelOptions travel;
  travel.memory_budget = snapshot_budget_;
  time_ = std::make_unique<TimeMachine>(*machine_, travel);
  if (!speed_chosen_) speed_ = firmware == Firmware::sbi ? 1'000'000 : 0;  // a class watches a kernel run
  elf_.assign(elf.begin(), elf.end());
  comparison_.reset();
  migration_.reset();
  kind_ = kind;
  firmware_ = firmware;
  program_name_ = name;
  last_error_.clear();
  breakpoints_.clear();
  hardware_stops_.clear();
  reset();
  return true;
}

void DebugSession::reset() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!machine_) return;
  machine_->reset();
  time_->restart();
  console_.clear();
  console_marks_.clear();
  speed_credit_ = 0;
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

void DebugSession::set_controller(std::string who) {
  controller_ = std::move(who);
  if (controller_.empty()) {  // back to the debugger: its own breakpoints and watchpoints again
    apply_breakpoints();
    if (machine_) machine_->hart().set_watchpoints(watchpoints_);
    char text[64];
    std::snprintf(text, sizeof text, "paused at 0x%08x", machine_ ? machine_->hart().pc() : 0);
    status_ = text;
  } else {
    pause();
    if (machine_) machine_->hart().set_hardware_stops({});  // (the triggers are gdb's to use now)
    hardware_placed_ = 0;
    status_ = controller_ + " has control of the machine";
  }
}

void DebugSession::apply_breakpoints() {
  if (!machine_) return;
  std::vector<uint32_t> all = breakpoints_;
  if (run_to_) all.push_back(*run_to_);
  if (step_over_return_) all.push_back(*step_over_return_);
  machine_->hart().set_breakpoints(std::move(all));
  hardware_placed_ = controller_.empty() ? machine_->hart().set_hardware_stops(hardware_stops_) : 0;
}

void DebugSession::run() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!machine_) return;
  if (finished_) reset();  // run again: from the start, breakpoints and settings kept
  running_ = true;
  status_ = "running";
}

void DebugSession::set_snapshot_budget(size_t bytes) {
  snapshot_budget_ = std::max<size_t>(bytes, size_t{1} << 20);
  if (time_) time_->set_memory_budget(snapshot_budget_);
}

void DebugSession::set_speed(double instructions_per_second) {
  speed_ = std::max(0.0, instructions_per_second);
  speed_chosen_ = true;
  speed_credit_ = 0;
}

std::string_view DebugSession::console() const {
  if (!time_) return console_;
  const uint64_t here = time_->position();
  // The last output at or before this moment.
  auto it = std::upper_bound(console_marks_.begin(), console_marks_.end(), here,
                             [](uint64_t p, const std::pair<uint64_t, size_t>& m) { return p < m.first; });
  const size_t length = it == console_marks_.begin() ? 0 : std::prev(it)->second;
  return std::string_view(console_).substr(0, length);
}

void DebugSession::forget_console_after(uint64_t position) {
  while (!console_marks_.empty() && console_marks_.back().first > position) console_marks_.pop_back();
  console_.resize(console_marks_.empty() ? 0 : std::min(console_.size(), console_marks_.back().second));
}

void DebugSession::after_travel(const char* what) {
  running_ = false;
  run_to_.reset();
  step_over_return_.reset();
  apply_breakpoints();
  const uint64_t here = time_->position();
  finished_ = time_->end() && here >= time_->end()->position;
  char text[160];
  std::snprintf(text, sizeof text, "%s: step %llu of %llu", what, static_cast<unsigned long long>(here),
                static_cast<unsigned long long>(time_->frontier()));
  status_ = text;
}

void DebugSession::travel_to(uint64_t position) {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_) return;
  remember_registers();
  time_->travel_to(std::min(position, time_->frontier()));
  after_travel("travelled");
}

void DebugSession::step_back() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_ || time_->position() == 0) return;
  remember_registers();
  time_->step_back(1);
  after_travel("stepped back");
}

void DebugSession::step_back_over() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_ || time_->position() == 0) return;
  remember_registers();
  time_->reverse_step_over();
  after_travel("stepped back over");
}

void DebugSession::reverse_continue() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_) return;
  remember_registers();
  const bool found = time_->reverse_continue();
  after_travel(found ? "back at the previous breakpoint hit" : "no breakpoint or watchpoint hit before here");
}

void DebugSession::previous_event(const TimelineLane& lane) {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_) return;
  remember_registers();
  const bool found = time_->back_to([&lane](const Event& e) { return lane.matches(e); });
  after_travel(found ? ("back at the previous " + lane.name).c_str() : ("no " + lane.name + " before here").c_str());
}

void DebugSession::next_event(const TimelineLane& lane) {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!time_) return;
  remember_registers();
  const bool found = time_->forward_to([&lane](const Event& e) { return lane.matches(e); }, 200'000'000);
  after_travel(found ? ("at the next " + lane.name).c_str() : ("no " + lane.name + " ahead").c_str());
}

void DebugSession::pause() {
  stop_at_.reset();
  if (!running_) return;
  running_ = false;
  char text[64];
  std::snprintf(text, sizeof text, "paused at 0x%08x", machine_->hart().pc());
  status_ = text;
}

void DebugSession::step() {
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
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
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
  if (!machine_ || finished_) return;
  const Hart& h = machine_->hart();
  const isa::DecodedInsn d = isa::decode(h.instruction_bits(h.pc()));
  // A call links through ra; run until it comes back to the next instruction.
  if (isa::is_call(d)) {
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
  if (!controller_.empty()) {  // gdb (or another debugger) has the machine
    status_ = controller_ + " has control of the machine: detach it to go on here";
    return;
  }
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

void DebugSession::add_hardware_stop(const Hart::HardwareStop& stop) {
  hardware_stops_.push_back(stop);
  apply_breakpoints();
}

void DebugSession::remove_hardware_stop(size_t index) {
  if (index >= hardware_stops_.size()) return;
  hardware_stops_.erase(hardware_stops_.begin() + static_cast<std::ptrdiff_t>(index));
  apply_breakpoints();
}

void DebugSession::set_watchpoints(std::vector<Hart::Watchpoint> w) {
  watchpoints_ = w;
  if (machine_) machine_->hart().set_watchpoints(std::move(w));
}

void DebugSession::set_vm_settings(const VmSettings& settings) {
  const bool new_machine = settings.virtualization != vm_.virtualization || settings.console != vm_.console ||
                           settings.balloon != vm_.balloon;
  vm_ = settings;
  if (!machine_) return;
  // Settings change what follows: the time machine logs them (a change in the past starts a
  // new future from there).
  const auto before_change = [this] {
    if (time_->position() < time_->frontier()) forget_console_after(time_->position());
  };
  const Quirks& q = machine_->hart().quirks();
  if (is_supervisor_kernel() && (q.status_read != vm_.quirks.status_read || q.status_write != vm_.quirks.status_write ||
                                 q.sret_jump != vm_.quirks.sret_jump)) {
    before_change();
    time_->set_quirks(vm_.quirks);
  }
  if (Monitor* m = machine_->monitor()) {
    if (m->shadow().strategy() != vm_.invalidation) {
      before_change();
      time_->set_invalidation(vm_.invalidation);
    }
    if (m->check_shadows != vm_.check_shadows) {
      before_change();
      time_->set_check_shadows(vm_.check_shadows);
    }
  }
  if (new_machine && is_supervisor_kernel()) {
    std::vector<uint8_t> elf = elf_;  // load() replaces elf_
    std::string name = program_name_;
    std::vector<uint32_t> keep = breakpoints_;
    // Into or out of the paravirtual way: the kernel's other build (NAME-pv), if bundled.
    const bool pv_loaded = is_paravirtual_kernel(machine_->image());
    const bool want_pv = vm_.virtualization == Virtualization::paravirtual;
    if (want_pv != pv_loaded && read_program) {
      const std::string other = pv_loaded ? name.substr(0, name.size() - (name.ends_with("-pv") ? 3 : 0)) : name + "-pv";
      if (std::vector<uint8_t> bytes = read_program(other); !bytes.empty()) {
        elf = std::move(bytes);
        name = other;
        keep.clear();  // (addresses in the other build)
      }
    }
    load(elf, name, kind_, firmware_);
    breakpoints_ = keep;
    apply_breakpoints();
    status_ = std::string("ready at the entry point, ") + to_string(vm_.virtualization);
  }
}

void DebugSession::rebuild(const std::vector<uint8_t>& elf, const std::string& name) {
  std::vector<uint32_t> keep = breakpoints_;
  const std::vector<uint8_t> copy = elf;  // load() replaces elf_
  load(copy, name, kind_, firmware_);
  breakpoints_ = keep;
  apply_breakpoints();
}

bool DebugSession::set_disk(DiskBytes image, std::string name, bool restart) {
  if (const std::string problem = disk_image_problem(image ? image->size() : 0); !problem.empty()) {
    last_error_ = name + ": " + problem + " (a disk image is raw 512-byte sectors)";
    return false;
  }
  if (restart && machine_ && kind_ != MachineKind::system) {
    last_error_ = name + ": a disk is for the board (a system program); " + program_name_ + " runs as a process";
    return false;
  }
  disk_ = std::move(image);
  disk_name_ = std::move(name);
  if (restart && machine_) {
    rebuild(elf_, program_name_);
    status_ = "ready at the entry point, with the disk " + disk_name_;
  }
  return true;
}

void DebugSession::set_misaligned(Misaligned m, bool restart) {
  if (m == misaligned_) return;
  misaligned_ = m;
  if (restart && machine_) {
    rebuild(elf_, program_name_);
    status_ = std::string("ready at the entry point; misaligned loads and stores ") +
              (m == Misaligned::trap ? "trap" : "are carried out");
  }
}

void DebugSession::remove_disk(bool restart) {
  disk_.reset();
  disk_name_.clear();
  if (restart && machine_ && kind_ == MachineKind::system) {
    rebuild(elf_, program_name_);
    status_ = "ready at the entry point, without a disk";
  }
}

std::vector<uint8_t> DebugSession::disk_contents() const {
  if (machine_ && machine_->disk()) return machine_->disk()->contents();
  return disk_ ? *disk_ : std::vector<uint8_t>{};
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
  if (!time_) return;
  if (time_->position() < time_->frontier()) forget_console_after(time_->position());  // a new future
  time_->feed_input(bytes);
  finished_ = false;
}

bool DebugSession::set_balloon_target(uint32_t pages) {
  if (!time_ || !machine_->balloon()) return false;
  if (time_->position() < time_->frontier()) forget_console_after(time_->position());  // a new future
  time_->set_balloon_target(pages);
  finished_ = false;
  return true;
}

void DebugSession::close_input() {
  if (!time_) return;
  if (time_->position() < time_->frontier()) forget_console_after(time_->position());
  time_->close_input();
}

void DebugSession::tick(double frame_seconds) {
  if (!machine_ || !running_) return;
  uint64_t limit = instructions_per_frame;
  if (speed_ > 0) {  // slow motion: this frame's share of the speed, fractions carried over
    speed_credit_ = std::min(speed_credit_ + speed_ * frame_seconds, std::max(1.0, speed_ / 4));
    limit = std::min<uint64_t>(limit, static_cast<uint64_t>(speed_credit_ + 1e-6));  // (sums of 1/60 fall short)
    speed_credit_ -= static_cast<double>(limit);
    if (limit == 0) return;  // nothing this frame: what changed last stays highlighted
  }
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
  if (stop_at_) limit = std::min(limit, *stop_at_ > time_->position() ? *stop_at_ - time_->position() : 0);
  // An idle guest (in WFI until its next timer tick): its time passes no faster than the host's
  // (100 million steps a second: mtime's 10 MHz at 10 steps a tick), so a shell waiting for a key
  // neither races its clock ahead nor fills the timeline with ticks nobody watched.
  const uint64_t idle0 = h.idle_steps();
  const auto idle_allowance = static_cast<uint64_t>(std::max(frame_seconds, target_frame_seconds) * 1e8);
  for (uint64_t done = 0; done < limit && running_ && seconds < budget && h.idle_steps() - idle0 < idle_allowance;) {
    const uint64_t before = h.steps();
    const StopReason why = run_slice(std::min(kSlice, limit - done));
    done += h.steps() - before;
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (why == StopReason::idle) break;  // waiting for input: nothing more to do this frame
    if (why == StopReason::budget) status_ = "running";
  }
  last_run_seconds_ = seconds;
  if (stop_at_ && time_->position() >= *stop_at_ && running_) {  // run_for: that many steps, then pause
    stop_at_.reset();
    pause();
  }

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
  const RunResult r = time_->run(steps);
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
