// Recording, replaying and travelling (see time_machine.h).
#include "timetravel/time_machine.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "isa/decoder.h"
#include "machine/linux_process.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {
uint32_t quirk_bits(Quirks q) { return (q.status_read ? 1 : 0) | (q.status_write ? 2 : 0) | (q.sret_jump ? 4 : 0); }
Quirks quirks_of(uint32_t bits) { return {(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0}; }

// The hart's breakpoints and watchpoints, set aside while travelling (travel ignores them). What
// a scan looks for includes the hardware ones (the debugger's triggers), as the same addresses.
class DebugStops {
 public:
  explicit DebugStops(Hart& hart)
      : hart_(hart), breakpoints_(hart.breakpoints()), watchpoints_(hart.watchpoints()), hardware_(hart.hardware_stops()) {
    if (!breakpoints_.empty()) hart_.set_breakpoints({});
    if (!watchpoints_.empty()) hart_.set_watchpoints({});
    hart_.suspend_hardware_stops(true);
    wanted_breakpoints_ = breakpoints_;
    wanted_watchpoints_ = watchpoints_;
    for (const Hart::HardwareStop& s : hart.hardware_stops()) {
      if (s.execute) wanted_breakpoints_.push_back(s.address);
      else wanted_watchpoints_.push_back({s.address, s.address + s.size, s.on_read, s.on_write});
    }
  }
  ~DebugStops() {
    hart_.suspend_hardware_stops(false);
    hart_.set_hardware_stops(hardware_);  // (a snapshot brought back the triggers it had)
    if (!breakpoints_.empty()) hart_.set_breakpoints(breakpoints_);
    if (!watchpoints_.empty()) hart_.set_watchpoints(watchpoints_);
  }
  const std::vector<uint32_t>& breakpoints() const { return wanted_breakpoints_; }
  const std::vector<Hart::Watchpoint>& watchpoints() const { return wanted_watchpoints_; }

 private:
  Hart& hart_;
  std::vector<uint32_t> breakpoints_, wanted_breakpoints_;
  std::vector<Hart::Watchpoint> watchpoints_, wanted_watchpoints_;
  std::vector<Hart::HardwareStop> hardware_;
};
}  // namespace

TimeMachine::TimeMachine(Machine& machine, TimeTravelOptions options)
    : machine_(machine), options_(options), interval_(std::max<uint64_t>(1, options.snapshot_interval)) {
  live_stdin_ = machine_.read_stdin;
  live_clock_ = machine_.host_clock;
  // Below the frontier the log answers; beyond it the live source does, and is logged.
  machine_.read_stdin = [this](uint8_t* buffer, size_t size) -> size_t {
    if (cursors_.stdin_reads < log_.stdin_reads.size()) {
      const std::string& s = log_.stdin_reads[cursors_.stdin_reads++];
      const size_t n = std::min(size, s.size());
      std::memcpy(buffer, s.data(), n);
      return n;
    }
    const size_t n = live_stdin_ ? live_stdin_(buffer, size) : 0;
    log_.stdin_reads.emplace_back(reinterpret_cast<const char*>(buffer), n);
    cursors_.stdin_reads = log_.stdin_reads.size();
    return n;
  };
  machine_.host_clock = [this](bool realtime) -> int64_t {
    if (cursors_.clock_reads < log_.clock_reads.size()) return log_.clock_reads[cursors_.clock_reads++];
    const int64_t t = live_clock_ ? live_clock_(realtime) : LinuxProcess::read_host_clock(realtime);
    log_.clock_reads.push_back(t);
    cursors_.clock_reads = log_.clock_reads.size();
    return t;
  };
  machine_.set_event_sink([this](const Event& e) { record(e); });
  restart();
}

TimeMachine::~TimeMachine() {
  machine_.read_stdin = live_stdin_;
  machine_.host_clock = live_clock_;
  machine_.set_event_sink(nullptr);
}

void TimeMachine::restart() {
  store_.clear();
  log_ = {};
  cursors_ = {};
  events_.clear();
  events_dropped_ = 0;
  end_.reset();
  interval_ = std::max<uint64_t>(1, options_.snapshot_interval);
  frontier_ = position();
  store_.take(machine_, cursors_);
  last_snapshot_ = position();
  last_snapshot_time_ = {};
}

void TimeMachine::adopt(const InputLog& inputs, const RecordedEnd& end) {
  restart();
  log_ = inputs;
  frontier_ = std::max(frontier_, end.position);
  if (is_final(end.reason)) end_ = end;
  apply_due();
}

bool TimeMachine::is_final(StopReason r) const {
  return r != StopReason::budget && r != StopReason::breakpoint && r != StopReason::idle;
}

void TimeMachine::record(const Event& e) {
  if (replaying_) return;  // known already
  // The same event seen again at the same place (a block translated again after a travel).
  for (auto it = events_.rbegin(); it != events_.rend() && it->position == e.position; ++it)
    if (it->kind == e.kind && it->code == e.code && it->pc == e.pc && it->value == e.value) return;
  if (events_.size() >= options_.max_events) {
    ++events_dropped_;
    return;
  }
  events_.push_back(e);
}

void TimeMachine::apply(const FedInput& f) {
  switch (f.kind) {
    case FedInput::Kind::bytes: machine_.feed_input(f.bytes); break;
    case FedInput::Kind::close_input: machine_.close_input(); break;
    case FedInput::Kind::quirks: machine_.hart().set_quirks(quirks_of(f.value)); break;
    case FedInput::Kind::invalidation:
      if (Monitor* m = machine_.monitor()) m->set_invalidation(static_cast<ShadowInvalidation>(f.value));
      break;
    case FedInput::Kind::check_shadows:
      if (Monitor* m = machine_.monitor()) m->check_shadows = f.value != 0;
      break;
    case FedInput::Kind::balloon_target: machine_.set_balloon_target(f.value); break;
  }
}

void TimeMachine::forget_future() {
  const uint64_t p = position();
  if (p >= frontier_) return;
  store_.drop_after(p);
  log_.truncate(cursors_);
  std::erase_if(events_, [p](const Event& e) { return e.position > p; });
  if (end_ && end_->position > p) end_.reset();
  frontier_ = p;
  last_snapshot_ = store_.all().empty() ? 0 : store_.all().rbegin()->first;
}

void TimeMachine::log_fed(FedInput f) {
  forget_future();
  f.position = position();
  // Logged first, then applied by the run loop (or now: the same thing, at this position).
  log_.fed.push_back(f);
  cursors_.fed = log_.fed.size();
  replaying_ = false;
  if (f.kind == FedInput::Kind::bytes)
    record({f.position, EventKind::input, 0, machine_.hart().pc(), static_cast<uint32_t>(f.bytes.size())});
  apply(f);
}

void TimeMachine::feed_input(std::string_view bytes) {
  FedInput f;
  f.bytes = std::string(bytes);
  log_fed(std::move(f));
}

void TimeMachine::close_input() {
  FedInput f;
  f.kind = FedInput::Kind::close_input;
  log_fed(std::move(f));
}

void TimeMachine::set_quirks(Quirks q) {
  FedInput f;
  f.kind = FedInput::Kind::quirks;
  f.value = quirk_bits(q);
  log_fed(std::move(f));
}

void TimeMachine::set_invalidation(ShadowInvalidation s) {
  FedInput f;
  f.kind = FedInput::Kind::invalidation;
  f.value = static_cast<uint32_t>(s);
  log_fed(std::move(f));
}

void TimeMachine::set_check_shadows(bool on) {
  FedInput f;
  f.kind = FedInput::Kind::check_shadows;
  f.value = on;
  log_fed(std::move(f));
}

void TimeMachine::set_balloon_target(uint32_t pages) {
  FedInput f;
  f.kind = FedInput::Kind::balloon_target;
  f.value = pages;
  log_fed(std::move(f));
}

void TimeMachine::maybe_snapshot() {
  if (position() < last_snapshot_ + interval_ || store_.all().count(position())) return;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  store_.take(machine_, cursors_);
  last_snapshot_ = position();
  // Snapshots may cost only a small share of the run: if this one took longer, space them out.
  const Clock::time_point end = Clock::now();
  if (last_snapshot_time_ != Clock::time_point{} &&
      std::chrono::duration<double>(end - start).count() >
          options_.max_overhead * std::chrono::duration<double>(start - last_snapshot_time_).count())
    interval_ *= 2;
  last_snapshot_time_ = end;
  while (store_.memory_bytes() > options_.memory_budget && store_.all().size() > 2) {
    store_.thin();
    interval_ *= 2;
  }
}

void TimeMachine::apply_due() {
  while (cursors_.fed < log_.fed.size() && log_.fed[cursors_.fed].position <= position()) apply(log_.fed[cursors_.fed++]);
}

RunResult TimeMachine::advance(uint64_t target, bool stop_at_breakpoints) {
  // Input fed at a position belongs to it: the state there is the state after it.
  RunResult total;
  Hart& hart = machine_.hart();
  apply_due();
  for (bool first = true; position() < target; first = false) {
    if (end_ && position() >= end_->position) {
      total.reason = end_->reason;
      return total;
    }
    // The run goes on in pieces (at the frontier, snapshots, input): a breakpoint where a piece
    // starts is one the hart would skip as its first step, yet this run has not stopped there.
    const std::vector<uint32_t>& bps = hart.breakpoints();
    if (!first && stop_at_breakpoints && !hart.waiting()) {
      char text[80];
      if (std::binary_search(bps.begin(), bps.end(), hart.pc()))
        std::snprintf(text, sizeof text, "breakpoint at 0x%08x", hart.pc());
      else if (const int trigger = hart.hardware_breakpoint_at(hart.pc()); trigger >= 0)
        std::snprintf(text, sizeof text, "hardware breakpoint (trigger %d) at 0x%08x", trigger, hart.pc());
      else
        text[0] = '\0';
      if (text[0]) {
        hart.stop_message = text;
        total.reason = StopReason::breakpoint;
        return total;
      }
    }
    replaying_ = position() < frontier_;
    uint64_t stop = target;
    if (cursors_.fed < log_.fed.size()) stop = std::min(stop, log_.fed[cursors_.fed].position);
    if (replaying_)
      stop = std::min(stop, frontier_);
    else
      stop = std::min(stop, last_snapshot_ + interval_);
    const RunResult r = machine_.run(std::max<uint64_t>(1, stop - position()));
    total.steps += r.steps;
    if (!replaying_) {
      frontier_ = std::max(frontier_, position());
      if (is_final(r.reason)) end_ = RecordedEnd{position(), r.reason, hart.exit_code};
      maybe_snapshot();
    }
    replaying_ = false;
    const bool input_due = cursors_.fed < log_.fed.size() && log_.fed[cursors_.fed].position <= position();
    apply_due();
    if (r.reason == StopReason::budget) continue;
    if (r.reason == StopReason::idle && input_due) continue;  // an idle hart that input fed right here wakes
    if (r.reason == StopReason::breakpoint && !stop_at_breakpoints) continue;
    total.reason = r.reason;
    return total;
  }
  return total;
}

RunResult TimeMachine::run(uint64_t max_steps) {
  const uint64_t target = max_steps > ~uint64_t{0} - position() ? ~uint64_t{0} : position() + max_steps;
  return advance(target, true);
}

bool TimeMachine::restore_before(uint64_t target) {
  const SnapshotStore::Snapshot* s = store_.at_or_before(target);
  if (!s) return false;
  if (position() <= target && position() >= s->position) return true;  // forward from here is as good
  if (!store_.restore(machine_, *s)) return false;
  cursors_ = s->cursors;
  return true;
}

bool TimeMachine::travel_to(uint64_t target) {
  if (target > frontier_) return false;
  DebugStops stops(machine_.hart());
  if (!restore_before(target)) return false;
  advance(target, false);
  return position() == target;
}

bool TimeMachine::step_back(uint64_t steps) { return travel_to(position() - std::min(steps, position())); }

bool TimeMachine::reverse_to_hit(const std::vector<uint32_t>* breakpoints, const std::function<bool()>& accept) {
  const uint64_t origin = position();
  std::optional<uint64_t> found;
  {
    Hart& hart = machine_.hart();
    DebugStops user(hart);  // travel ignores them; the scan sets what it looks for
    const std::vector<uint32_t> bps = breakpoints ? *breakpoints : user.breakpoints();
    if (bps.empty() && (breakpoints || user.watchpoints().empty())) {
      // nothing can hit
    } else {
      uint64_t hi = origin;
      while (!found && hi > 0) {
        const SnapshotStore::Snapshot* s = store_.at_or_before(hi - 1);
        if (!s || !store_.restore(machine_, *s)) break;
        cursors_ = s->cursors;
        const uint64_t from = s->position;
        if (!hart.waiting() && std::find(bps.begin(), bps.end(), hart.pc()) != bps.end() && accept()) found = from;
        hart.set_breakpoints(bps);
        if (!breakpoints) hart.set_watchpoints(user.watchpoints());
        while (position() < hi) {
          const RunResult r = advance(hi, true);
          if (r.reason == StopReason::breakpoint && position() < hi) {
            if (accept()) found = position();
            continue;
          }
          break;
        }
        hart.set_breakpoints({});
        hart.set_watchpoints({});
        hi = from;
      }
    }
  }
  travel_to(found ? *found : origin);
  return found.has_value();
}

bool TimeMachine::reverse_continue() {
  return reverse_to_hit(nullptr, [] { return true; });
}

bool TimeMachine::reverse_step_over() {
  if (position() == 0) return false;
  Hart& hart = machine_.hart();
  const uint32_t pc_after = hart.pc();
  if (!step_back(1)) return false;
  const isa::DecodedInsn ret = isa::decode(hart.instruction_bits(hart.pc()));
  const bool returned = ret.op == isa::Op::jalr && ret.rd == 0 && ret.rs1 == 1 && pc_after != hart.pc() + ret.length;
  if (!returned) return true;
  // We came back out of a call: go on back to the call that returned to `pc_after`.
  const std::vector<uint32_t> call_sites = {pc_after - 4, pc_after - 2};
  reverse_to_hit(&call_sites, [&] {
    const isa::DecodedInsn d = isa::decode(hart.instruction_bits(hart.pc()));
    return (d.op == isa::Op::jal || d.op == isa::Op::jalr) && d.rd == 1 && hart.pc() + d.length == pc_after;
  });
  return true;
}

bool TimeMachine::back_to_event(EventKind kind) {
  return back_to([kind](const Event& e) { return e.kind == kind; });
}

bool TimeMachine::forward_to_event(EventKind kind, uint64_t max_steps) {
  return forward_to([kind](const Event& e) { return e.kind == kind; }, max_steps);
}

bool TimeMachine::back_to(const EventFilter& match) {
  const uint64_t p = position();
  for (auto it = events_.rbegin(); it != events_.rend(); ++it)
    if (it->position < p && match(*it)) return travel_to(it->position);
  return false;
}

bool TimeMachine::forward_to(const EventFilter& match, uint64_t max_steps) {
  const uint64_t p = position();
  for (const Event& e : events_)
    if (e.position > p && match(e)) return travel_to(e.position);
  // Not seen yet: run on until it happens, then come back to it.
  if (position() < frontier_ && !travel_to(frontier_)) return false;
  const uint64_t limit = position() + max_steps;
  size_t seen = events_.size();
  while (position() < limit) {
    const RunResult r = advance(std::min(limit, position() + (uint64_t{1} << 20)), false);
    for (size_t i = seen; i < events_.size(); ++i)
      if (events_[i].position > p && match(events_[i])) return travel_to(events_[i].position);
    seen = events_.size();
    if (r.reason != StopReason::budget) break;
  }
  return false;
}

SnapshotStore::Snapshot TimeMachine::snapshot_now() {
  return store_.take(machine_, cursors_);
}

bool TimeMachine::resume_from(const SnapshotStore::Snapshot& s, const std::vector<uint8_t>& ram, const InputLog& inputs,
                              const RecordedEnd& end) {
  if (ram.size() != machine_.bus().ram_size()) return false;
  store_.clear();
  SnapshotStore::Snapshot full = s;
  full.groups = SnapshotStore::make_groups(ram.data(), static_cast<uint32_t>(ram.size()), store_.page_counter());
  if (!store_.restore(machine_, full) || s.cursors.fed > inputs.fed.size() ||
      s.cursors.stdin_reads > inputs.stdin_reads.size() || s.cursors.clock_reads > inputs.clock_reads.size())
    return false;
  log_ = inputs;
  cursors_ = s.cursors;
  events_.clear();
  events_dropped_ = 0;
  end_.reset();
  frontier_ = std::max(position(), end.position);
  if (is_final(end.reason) && end.position >= position()) end_ = end;
  apply_due();
  interval_ = std::max<uint64_t>(1, options_.snapshot_interval);
  store_.take(machine_, cursors_);
  last_snapshot_ = position();
  return true;
}

}  // namespace vmscope
