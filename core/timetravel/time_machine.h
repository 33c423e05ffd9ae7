// Time travel over one machine: every run is recorded (its inputs logged, snapshots taken
// periodically within a memory budget, its events put on a timeline), so that any earlier
// moment can be reached exactly — by restoring the latest snapshot before it and replaying
// forward. Positions are the hart's step counts (instructions attempted, idle steps included).
//
// Below the *frontier* (the furthest position reached so far) the future is known: running
// there replays the logged inputs. Feeding input or switching a setting below the frontier
// starts a new future from that point (the old one is forgotten).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "events/events.h"
#include "machine/machine.h"
#include "timetravel/recording.h"
#include "timetravel/snapshot_store.h"

namespace vmscope {

struct TimeTravelOptions {
  // Steps between snapshots at first. The interval doubles when the snapshots outgrow their
  // budget (every second one is dropped), and when taking them costs more than `max_overhead`
  // of the run's time (so that recording slows a run by a few percent at most).
  uint64_t snapshot_interval = 2'000'000;
  double max_overhead = 0.02;
  size_t memory_budget = size_t{128} << 20;  // snapshots' bytes; a browser tab's share
  size_t max_events = 2'000'000;             // the timeline keeps the first ones beyond that
};

class TimeMachine {
 public:
  // Takes over the machine's input hooks (read_stdin, host_clock: the originals serve live runs)
  // and its event sink. The machine must outlive this.
  TimeMachine(Machine& machine, TimeTravelOptions options = {});
  ~TimeMachine();
  TimeMachine(const TimeMachine&) = delete;
  TimeMachine& operator=(const TimeMachine&) = delete;

  // Starts a new history at the machine's current state (after a load or reset).
  void restart();
  // Starts a history whose future is a recording's: running replays it up to its end.
  void adopt(const InputLog& inputs, const RecordedEnd& end);

  uint64_t position() const { return machine_.hart().steps(); }
  uint64_t frontier() const { return frontier_; }
  // How the run ended, once it has (an exit or a fatal stop).
  const std::optional<RecordedEnd>& end() const { return end_; }

  // Runs forward up to `max_steps` (replaying below the frontier, recording beyond it).
  RunResult run(uint64_t max_steps);
  // Input from outside, logged at the current position.
  void feed_input(std::string_view bytes);
  void close_input();
  // Run-time settings, logged like input (they change what follows).
  void set_quirks(Quirks q);
  void set_invalidation(ShadowInvalidation s);
  void set_check_shadows(bool on);
  void set_balloon_target(uint32_t pages);  // the host asks the guest's balloon for this many pages

  // ---- travel (breakpoints and watchpoints are ignored on the way)
  // To any position in [0, frontier]. False (nothing changes) if it is beyond.
  bool travel_to(uint64_t position);
  bool step_back(uint64_t steps = 1);
  // Back to the latest breakpoint or watchpoint hit before the current position; false (and
  // the machine stays) if there is none.
  bool reverse_continue();
  // Back one instruction of this function: over a call that just returned, to the call.
  bool reverse_step_over();
  // To the latest / the next event of a kind (the next may need running forward, at most
  // `max_steps`). False if there is none.
  bool back_to_event(EventKind kind);
  bool forward_to_event(EventKind kind, uint64_t max_steps);
  // The same for any choice of events (a timeline lane: monitor exits of one kind, say).
  using EventFilter = std::function<bool(const Event&)>;
  bool back_to(const EventFilter& match);
  bool forward_to(const EventFilter& match, uint64_t max_steps);
  // True while a run replays below the frontier (what the machine says then was said before).
  bool replaying() const { return replaying_; }

  // ---- what the views and files need
  const std::vector<Event>& timeline() const { return events_; }
  uint64_t events_dropped() const { return events_dropped_; }
  const SnapshotStore& snapshots() const { return store_; }
  uint64_t snapshot_interval() const { return interval_; }
  const TimeTravelOptions& options() const { return options_; }
  // A new budget for the snapshots' memory (they are thinned at the next snapshot if over it).
  void set_memory_budget(size_t bytes) { options_.memory_budget = bytes; }
  const InputLog& inputs() const { return log_; }
  // A snapshot of the current position, for a file.
  SnapshotStore::Snapshot snapshot_now();
  // Starts a history at a snapshot loaded from a file, whose future is its recording's
  // (`inputs` and `end`: running on replays them). False if the snapshot does not fit the machine.
  bool resume_from(const SnapshotStore::Snapshot& s, const std::vector<uint8_t>& ram, const InputLog& inputs,
                   const RecordedEnd& end);

 private:
  RunResult advance(uint64_t target, bool stop_at_breakpoints);  // runs to target, applying fed input
  void apply(const FedInput& f);
  void apply_due();  // the logged input fed at or before the current position, not applied yet
  void record(const Event& e);
  void log_fed(FedInput f);
  void forget_future();  // the position is now the frontier
  void maybe_snapshot();
  bool restore_before(uint64_t position);
  bool is_final(StopReason r) const;
  // Scans back from the current position for the latest stop at `breakpoints` (the hart's own when
  // empty) accepted by `accept`; travels there.
  bool reverse_to_hit(const std::vector<uint32_t>* breakpoints, const std::function<bool()>& accept);

  Machine& machine_;
  TimeTravelOptions options_;
  SnapshotStore store_;
  InputLog log_;
  LogCursors cursors_;
  uint64_t frontier_ = 0;
  uint64_t interval_;
  uint64_t last_snapshot_ = 0;
  std::chrono::steady_clock::time_point last_snapshot_time_{};
  std::optional<RecordedEnd> end_;
  std::vector<Event> events_;
  uint64_t events_dropped_ = 0;
  bool replaying_ = false;  // below the frontier: inputs come from the log, events are known
  std::function<size_t(uint8_t*, size_t)> live_stdin_;
  std::function<int64_t(bool)> live_clock_;
};

}  // namespace vmscope
