// Performing lesson steps on the session (lesson_runner.h).
#include "lesson_runner.h"

#include "vmm/monitor.h"

namespace vmscope::ui {

void LessonRunner::apply(const LessonSettings& s) {
  VmSettings vm = session_.vm_settings();
  if (s.virt) vm.virtualization = *s.virt;
  if (s.shadow) vm.invalidation = *s.shadow;
  if (s.quirks) vm.quirks = *s.quirks;
  if (s.console) vm.console = *s.console;
  if (s.balloon) vm.balloon = *s.balloon;
  session_.set_vm_settings(vm);
  TranslatorSettings t = session_.translator_settings();
  if (s.engine) t.engine = *s.engine;
  if (s.chaining) t.options.chaining = *s.chaining;
  if (s.cache_kib) t.options.capacity_kib = *s.cache_kib;
  if (s.eviction) t.options.eviction = *s.eviction;
  if (s.trace_at) t.options.trace_threshold = *s.trace_at;
  session_.set_translator_settings(t);
  if (s.speed) session_.set_speed(*s.speed);
}

bool LessonRunner::start(Lesson lesson) {
  error_.clear();
  lesson_ = std::move(lesson);
  step_ = 0;
  done_at_.clear();
  apply(lesson_->settings);
  if (!lesson_->program.empty() && !(hooks_.load_program && hooks_.load_program(lesson_->program))) {
    error_ = lesson_->file + ": cannot load its program '" + lesson_->program + "'";
    return false;
  }
  if (!lesson_->steps.empty()) perform(lesson_->steps[0]);
  return true;
}

void LessonRunner::stop() {
  lesson_.reset();
  if (hooks_.look) hooks_.look({});
}

void LessonRunner::next() {
  if (!lesson_ || step_ + 1 >= lesson_->steps.size()) return;
  ++step_;
  perform(lesson_->steps[step_]);
}

void LessonRunner::back() {
  if (!lesson_ || step_ == 0) return;
  --step_;
  session_.pause();
  if (step_ < done_at_.size() && session_.time()) session_.travel_to(done_at_[step_]);
  done_at_.resize(step_ + 1);
  if (hooks_.look) hooks_.look(lesson_->steps[step_].look);
}

void LessonRunner::perform(const LessonStep& s) {
  using A = LessonStep::Action;
  apply(s.set);
  switch (s.action) {
    case A::none: break;
    case A::run:
      if (s.count) session_.run_for(s.count);
      else session_.run();
      break;
    case A::run_to_event:
      for (const TimelineLane& lane : timeline_lanes())
        if (lane.name == s.event) session_.next_event(lane);
      break;
    case A::step:
      for (uint64_t i = 0; i < s.count; ++i) session_.step();
      break;
    case A::step_back:
      for (uint64_t i = 0; i < s.count; ++i) session_.step_back();
      break;
    case A::travel:
      if (session_.time()) session_.travel_to(s.to ? *s.to : session_.time()->frontier());
      break;
    case A::reset: session_.reset(); break;
    case A::compare: {
      // The current configuration against the same one with the step's 'compare' settings.
      MachineOptions other = session_.current_options();
      const LessonSettings& c = s.compare;
      if (c.virt) other.virtualization = *c.virt;
      if (c.virt && *c.virt != Virtualization::emulation) other.firmware = Firmware::sbi;
      if (c.shadow) other.invalidation = *c.shadow;
      if (c.console) other.console = *c.console;
      if (c.quirks) other.quirks = *c.quirks;
      if (c.engine) other.engine = *c.engine;
      if (c.chaining) other.translator.chaining = *c.chaining;
      if (c.cache_kib) other.translator.capacity_kib = *c.cache_kib;
      if (c.eviction) other.translator.eviction = *c.eviction;
      if (c.trace_at) other.translator.trace_threshold = *c.trace_at;
      session_.compare_with(other);
      break;
    }
    case A::compare_ways:
      if (!session_.compare_ways()) error_ = "compare-ways: the program is not a kernel on SBI firmware";
      break;
    case A::compare_consoles:
      if (!session_.compare_consoles()) error_ = "compare-consoles: the program is not a native kernel on SBI firmware";
      break;
    case A::migrate: {
      migration::Options o;
      o.kind = s.live_migration ? migration::Kind::live : migration::Kind::cold;
      if (!session_.migrate(o)) error_ = "migrate: the program is not a kernel on SBI firmware (live: under a monitor)";
      break;
    }
    case A::balloon:
      if (!session_.set_balloon_target(s.balloon_pages)) error_ = "balloon: the machine has no balloon ([machine] balloon = true)";
      break;
    case A::type:
      session_.type_input(s.input);
      break;
    case A::analyzer:
      analyzer_.choose(s.analyzer);
      for (const auto& [name, value] : s.analyzer_settings) analyzer_.set_setting(name, value);
      if (hooks_.open_analyzer) hooks_.open_analyzer();
      break;
  }
  if (done_at_.size() <= step_) done_at_.resize(step_ + 1);
  done_at_[step_] = session_.time() ? session_.time()->position() : 0;
  if (hooks_.look) hooks_.look(s.look);
}

std::vector<std::string> LessonRunner::unmet() const {
  std::vector<std::string> out;
  if (!lesson_) return out;
  const LessonStep& s = lesson_->steps[step_];
  if (!s.expect_console.empty() && session_.console().find(s.expect_console) == std::string_view::npos)
    out.push_back("the console does not show '" + s.expect_console + "'");
  if (!s.expect_status.empty() && session_.status().find(s.expect_status) == std::string::npos)
    out.push_back("the status is '" + session_.status() + "', not '" + s.expect_status + "'");
  if (!s.expect_illusion.empty()) {
    const Monitor* mon = session_.machine() ? session_.machine()->monitor() : nullptr;
    const bool broken = mon && !mon->illusion_broken().empty();
    if (broken != (s.expect_illusion == "broken")) out.push_back(std::string("the illusion is ") + (broken ? "broken" : "kept"));
  }
  if (!s.expect_migration.empty()) {
    const auto& m = session_.migration();
    if (!m) out.push_back("no migration happened");
    else if (!m->result.switched) out.push_back("the migration failed: " + m->result.error);
    else if (!m->same_as_unmoved()) out.push_back("the migrated guest ended differently from one that never moved");
  }
  if (s.expect_balloon) {
    const Machine* m = session_.machine();
    const VirtioBalloon* b = m ? m->balloon() : nullptr;
    if (!b) out.push_back("the machine has no balloon");
    else if (b->actual() != *s.expect_balloon || m->bus().reclaimed_pages() != *s.expect_balloon)
      out.push_back("the balloon holds " + std::to_string(b->actual()) + " pages and the host reclaimed " +
                    std::to_string(m->bus().reclaimed_pages()) + ", not " + std::to_string(*s.expect_balloon));
  }
  if (!s.expect_guest_condition.empty()) {
    const auto& a = analyzer_.analysis();
    const bool holds = a && a->guest_condition && a->guest_condition->holds;
    if (!a || !a->guest_condition || holds != (s.expect_guest_condition == "holds"))
      out.push_back(std::string("the guest-mode condition ") +
                    (!a || !a->guest_condition ? "does not apply (no guest modes)" : holds ? "holds" : "fails"));
  }
  if (!s.expect_theorem1.empty()) {
    const auto& a = analyzer_.analysis();
    if (!a || a->theorem1.holds != (s.expect_theorem1 == "holds"))
      out.push_back(std::string("Theorem 1 ") + (!a ? "has no analysis" : a->theorem1.holds ? "holds" : "fails"));
  }
  return out;
}

}  // namespace vmscope::ui
