// A debugging session: one machine, the program it runs, and what the debugger does to it
// (run, pause, step, step over, run to, breakpoints, watchpoints), plus the history the views
// plot. No drawing here: the panels read this, and change it only through its commands.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "compare/comparison.h"
#include "migration/experiment.h"
#include "machine/machine.h"
#include "timetravel/time_machine.h"

namespace vmscope::ui {

// One sample per frame while running, for the statistics plots.
struct StatsSample {
  double mips = 0;
  uint64_t instret = 0, exceptions = 0, interrupts = 0;  // totals at the end of the frame
  uint64_t traps = 0;                                    // exceptions + interrupts in the frame
  double tlb_hit_rate = 0;  // 0..1 over the frame, or the last value when no lookups happened
  // Under the monitor, per frame: exits, hidden and reflected page faults, emulated
  // instructions; and the efficiency so far (share of guest instructions without an exit).
  uint64_t exits = 0, hidden_faults = 0, reflected = 0, emulated = 0;
  double efficiency = 1;
};

// How the debugger runs a supervisor kernel (a program loaded on SBI firmware).
struct VmSettings {
  Virtualization virtualization = Virtualization::emulation;
  ShadowInvalidation invalidation = ShadowInvalidation::sfence;
  bool check_shadows = false;
  Quirks quirks;
  Console console = Console::sbi;  // (emulated applies under a monitor; by emulation it is the device itself)
  bool balloon = false;            // the board has a virtio-balloon
};

// How the debugger runs guest code (the Code cache panel's switches): the engine and the block
// translator's code cache. Any program, any machine; kept across reloads and rebuilds.
struct TranslatorSettings {
  Engine engine = Engine::interpreter;
  TranslatorOptions options;
  static constexpr uint32_t kMaxCacheKib = 65536;  // the panel's range: kMinCacheKib..this
};

// The timeline's rows: event kinds, with traps split by cause and monitor exits by what the
// monitor did.
struct TimelineLane {
  std::string name;
  EventKind kind;
  int code = -1;  // the event's code: a trap's cause, an exit's ExitAction; -1: every event of the kind
  bool matches(const Event& e) const { return e.kind == kind && (code < 0 || e.code == static_cast<uint32_t>(code)); }
};
const std::vector<TimelineLane>& timeline_lanes();
size_t timeline_lane_of(const Event& e);  // its index in timeline_lanes()

// Speeds a person can follow, in instructions per second (0: as fast as the machine goes).
inline constexpr double kSpeedPresets[] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 0};
std::string speed_name(double instructions_per_second);

class DebugSession {
 public:
  DebugSession();

  // Loads an ELF (the machine kind is guessed from its entry point unless given). On failure
  // returns false, keeps the previous program, and `last_error()` says why.
  bool load(std::span<const uint8_t> elf, const std::string& name);
  bool load(std::span<const uint8_t> elf, const std::string& name, MachineKind kind,
            Firmware firmware = Firmware::none);
  bool loaded() const { return machine_ != nullptr; }
  const std::string& program_name() const { return program_name_; }
  const std::string& last_error() const { return last_error_; }

  // ---- commands
  void reset();                    // back to the state right after loading (a new history)
  void run();                      // until pause, a breakpoint, or the guest stops; at the end: again from the start
  void pause();
  void step();                     // one instruction
  void step_over();                // a call (jal/jalr writing ra) runs until it returns
  void run_to(uint32_t pc);        // like run, with a one-shot breakpoint
  void toggle_breakpoint(uint32_t pc);
  void set_watchpoints(std::vector<Hart::Watchpoint> w);
  // Hardware breakpoints and watchpoints: debug triggers of the hart (as many as the guest
  // leaves free; the rest wait, listed, until one is).
  void add_hardware_stop(const Hart::HardwareStop& stop);
  void remove_hardware_stop(size_t index);
  const std::vector<Hart::HardwareStop>& hardware_stops() const { return hardware_stops_; }
  size_t hardware_stops_placed() const { return hardware_placed_; }
  // The monitor's switches. Quirks, the shadow strategy and checking apply at once; a change
  // of virtualization rebuilds the machine and starts the program again.
  void set_vm_settings(const VmSettings& settings);
  const VmSettings& vm_settings() const { return vm_; }
  bool is_supervisor_kernel() const { return loaded() && firmware_ == Firmware::sbi; }
  // The engine and the code cache's chaining, size and eviction: they apply at once, mid-run
  // included (the hart switches engines between two run slices).
  void set_translator_settings(const TranslatorSettings& settings);
  const TranslatorSettings& translator_settings() const { return translator_; }
  void flush_code_cache();  // drops every translated block (they are made again as code runs)
  void type_input(std::string_view bytes);  // console input: UART or process stdin
  void close_input();                       // end of input for a process's stdin (like Ctrl-D)
  // The host asks the kernel's balloon to hold this many pages (logged like input). False if
  // the machine has no balloon.
  bool set_balloon_target(uint32_t pages);
  // The board's disk (a virtio-blk drive with this raw image; MachineOptions::drive): attaching
  // or removing one rebuilds the machine and starts the program again. False (last_error says
  // why) for an image that cannot be a disk or a program that has no board.
  // (restart = false: only for the next load.)
  bool set_disk(DiskBytes image, std::string name, bool restart = true);
  void remove_disk(bool restart = true);
  const std::string& disk_name() const { return disk_name_; }  // empty: no disk
  // The disk as the guest sees it now, its writes included (the image itself never changes).
  std::vector<uint8_t> disk_contents() const;
  // Misaligned loads and stores carried out or trapping (the Machine menu; any program). A
  // change rebuilds the machine and starts the program again (restart = false: the next load).
  void set_misaligned(Misaligned m, bool restart = true);
  Misaligned misaligned() const { return misaligned_; }

  // Another debugger (gdb, through the stub) drives the machine: the session's own commands
  // wait, the views keep showing. Empty: the session's own again (its breakpoints restored).
  void set_controller(std::string who);
  const std::string& controller() const { return controller_; }
  void set_status(std::string text) { status_ = std::move(text); }

  // ---- time travel: every run is recorded; these move through it (time_machine.h)
  // The snapshots' memory budget (a browser tab's share by default): ?snapshots=MiB, --snapshots MiB.
  void set_snapshot_budget(size_t bytes);
  size_t snapshot_budget() const { return snapshot_budget_; }
  TimeMachine* time() { return time_.get(); }
  const TimeMachine* time() const { return time_.get(); }
  void travel_to(uint64_t position);
  void step_back();          // one instruction
  void step_back_over();     // back over a call that just returned
  void reverse_continue();   // back to the previous breakpoint or watchpoint hit
  void previous_event(const TimelineLane& lane);
  void next_event(const TimelineLane& lane);  // may run forward to find it
  void run_for(uint64_t steps);  // like run, stopping after this many steps
  // Runs (at full speed, at once) or travels to a step of the run, and pauses there: a shared
  // link's moment. Stops earlier if the program ends or a breakpoint hits.
  void run_until(uint64_t position);

  // ---- files: a snapshot of this moment (the machine and the recording so far), and opening a
  // snapshot or a recording (vmscope run --record) made here or by the command line: the machine
  // is rebuilt as recorded and goes on from there (a recording from its start, its future known).
  std::vector<uint8_t> save_snapshot();
  bool open_saved(std::span<const uint8_t> bytes, const std::string& name);  // false: last_error() says why

  // ---- two runs side by side: the current configuration against another (comparison.h)
  MachineOptions current_options() const { return options_for(kind_, firmware_); }  // a new machine for this program
  MachineOptions options_for(MachineKind kind, Firmware firmware) const;  // ... or for another kind
  void compare_with(const MachineOptions& other);
  // Every way to run this kernel side by side (compare/comparison.h: ways_to_run), its
  // paravirtual build (the bundled NAME-pv) included: false if the program is not a kernel.
  bool compare_ways();
  // The kernel's console three ways (compare/comparison.h: consoles_to_run) under the current way
  // of running (trap-and-emulate when it is emulation: the emulated 16550 needs a monitor).
  bool compare_consoles();
  const std::optional<Comparison>& comparison() const { return comparison_; }
  // Migration from this moment (migration/experiment.h): a copy of the machine moves to a second
  // one and runs to the end there; the session's own machine and history are left as they are.
  // False when there is nothing to migrate (no kernel, or live without a monitor).
  bool migrate(const migration::Options& options);
  const std::optional<migration::Experiment>& migration() const { return migration_; }
  // A bundled program's bytes by name (empty if there is none): set by the debugger.
  std::function<std::vector<uint8_t>(const std::string& name)> read_program;

  // Called once per frame with the last frame's duration. When running, runs the machine in
  // slices until this frame's time budget is used — the target frame time (1/60 s, or 1/30 s
  // when drawing alone takes most of 1/60 s) less what the rest of the last frame took, at
  // least `min_run_seconds` — or `instructions_per_frame` retire, so that the interface keeps
  // its frame rate whatever the display costs. Records statistics.
  void tick(double frame_seconds);

  // ---- state for the views
  bool running() const { return running_; }
  // At the end of the run: the guest exited or vmscope stopped it for good.
  bool finished() const { return finished_; }
  const std::string& status() const { return status_; }  // why it last stopped, in words
  uint64_t instructions_per_frame = 50'000'000;  // a cap; the time budget usually decides
  // The speed: instructions per second, or 0 for full speed. A load picks the program's default
  // (a kernel runs at 1,000,000/s, so that a class sees it run) unless one was chosen.
  double speed() const { return speed_; }
  void set_speed(double instructions_per_second);
  double target_frame_seconds = 1.0 / 60;
  double min_run_seconds = 0.002;
  Machine* machine() { return machine_.get(); }
  const Machine* machine() const { return machine_.get(); }
  // The guest's output up to the current moment (travelling back takes it back too).
  std::string_view console() const;
  const std::vector<uint32_t>& breakpoints() const { return breakpoints_; }
  // Register values before the last step or run slice, to highlight what changed.
  const std::array<uint32_t, 32>& previous_registers() const { return previous_registers_; }
  uint32_t previous_pc() const { return previous_pc_; }
  const std::deque<StatsSample>& stats() const { return stats_; }
  static constexpr size_t kStatsHistory = 300;

 private:
  StopReason run_slice(uint64_t steps);
  void remember_registers();
  void apply_breakpoints();
  void after_travel(const char* what);
  void forget_console_after(uint64_t position);
  void rebuild(const std::vector<uint8_t>& elf, const std::string& name);  // the same program on a new machine

  std::unique_ptr<Machine> machine_;
  std::unique_ptr<TimeMachine> time_;
  double speed_ = 0, speed_credit_ = 0;
  size_t snapshot_budget_ = TimeTravelOptions{}.memory_budget;
  bool speed_chosen_ = false;
  // Where the console's text stood at each output: (position, length), for console().
  std::vector<std::pair<uint64_t, size_t>> console_marks_;
  std::vector<uint8_t> elf_;
  MachineKind kind_ = MachineKind::system;
  Firmware firmware_ = Firmware::none;
  VmSettings vm_;
  DiskBytes disk_;
  std::string disk_name_;
  Misaligned misaligned_ = Misaligned::emulate;
  bool hypervisor_ = false;  // the loaded program wants a hart with the H extension
  TranslatorSettings translator_;
  uint64_t last_exits_ = 0, last_hidden_ = 0, last_reflected_ = 0, last_emulated_ = 0;
  std::string program_name_, last_error_, status_, console_;
  bool running_ = false, finished_ = false;
  std::vector<uint32_t> breakpoints_;
  std::vector<Hart::Watchpoint> watchpoints_;
  std::vector<Hart::HardwareStop> hardware_stops_;
  size_t hardware_placed_ = 0;
  std::string controller_;
  std::optional<uint32_t> run_to_, step_over_return_;
  std::optional<uint64_t> stop_at_;  // run_for: where the run pauses
  std::optional<Comparison> comparison_;
  std::optional<migration::Experiment> migration_;
  std::array<uint32_t, 32> previous_registers_{};
  uint32_t previous_pc_ = 0;
  std::deque<StatsSample> stats_;
  uint64_t last_tlb_hits_ = 0, last_tlb_misses_ = 0;
  double last_run_seconds_ = 0;  // time the machine took in the previous frame
};

}  // namespace vmscope::ui
