// Reading lesson files (lesson.h, docs/lesson-format.md) with toml++, checking every key and
// value, with the line of whatever is wrong.
#include "lesson.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>

#include "bundled_lessons.h"
#include "panel_names.h"

namespace vmscope::ui {

std::string LessonError::str() const {
  char where[32];
  std::snprintf(where, sizeof where, ":%d:%d: ", line, column);
  return file + where + message;
}

namespace {

class Reader {
 public:
  Reader(const std::string& file, std::vector<LessonError>& errors) : file_(file), errors_(errors) {}

  void error(const toml::node* at, const std::string& message) {
    const toml::source_position p = at ? at->source().begin : toml::source_position{};
    errors_.push_back({file_, static_cast<int>(p.line), static_cast<int>(p.column), message});
  }
  bool ok() const { return errors_.empty(); }

  // Every key of a table must be one of `known`.
  void only(const toml::table& t, std::initializer_list<std::string_view> known, const char* where) {
    for (const auto& [key, value] : t)
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        error(&value, "unknown key '" + std::string(key.str()) + "' in " + where + " (expected one of: " + list + ")");
      }
  }
  std::optional<std::string> string(const toml::table& t, std::string_view key) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (const auto v = n->value<std::string>()) return *v;
    error(n, "'" + std::string(key) + "' must be a string");
    return std::nullopt;
  }
  std::optional<int64_t> integer(const toml::table& t, std::string_view key, int64_t min) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const auto v = n->value<int64_t>();
    if (!v || *v < min) {
      error(n, "'" + std::string(key) + "' must be a whole number of at least " + std::to_string(min));
      return std::nullopt;
    }
    return *v;
  }
  template <typename E>
  std::optional<E> choice(const toml::table& t, std::string_view key, std::initializer_list<std::pair<const char*, E>> values) {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    const auto v = n->value<std::string>();
    std::string list;
    for (const auto& [name, value] : values) {
      if (v && *v == name) return value;
      list += (list.empty() ? "" : ", ") + std::string(name);
    }
    error(n, "'" + std::string(key) + "' must be one of: " + list);
    return std::nullopt;
  }

  LessonSettings settings(const toml::table& t, const char* where) {
    only(t, {"virt", "shadow", "console", "balloon", "quirks", "engine", "chain", "cache_kib", "evict", "traces", "speed"}, where);
    LessonSettings s;
    s.virt = choice<Virtualization>(t, "virt", {{to_string(Virtualization::emulation), Virtualization::emulation},
                                                {to_string(Virtualization::trap_and_emulate), Virtualization::trap_and_emulate},
                                                {to_string(Virtualization::binary_translation), Virtualization::binary_translation},
                                                {to_string(Virtualization::paravirtual), Virtualization::paravirtual},
                                                {to_string(Virtualization::hardware_assisted), Virtualization::hardware_assisted}});
    s.shadow = choice<ShadowInvalidation>(t, "shadow", {{"sfence", ShadowInvalidation::sfence},
                                                        {"write-protect", ShadowInvalidation::write_protect}});
    s.console = choice<Console>(t, "console", {{to_string(Console::sbi), Console::sbi},
                                               {to_string(Console::pass_through), Console::pass_through},
                                               {to_string(Console::emulated), Console::emulated},
                                               {to_string(Console::virtio), Console::virtio}});
    if (const toml::node* n = t.get("balloon")) {
      if (const auto v = n->value<bool>()) s.balloon = *v;
      else error(n, "'balloon' must be true or false (the board has a virtio-balloon)");
    }
    s.engine = choice<Engine>(t, "engine", {{"interp", Engine::interpreter}, {"translate", Engine::translator}});
    s.eviction = choice<Eviction>(t, "evict", {{"fifo", Eviction::fifo}, {"lru", Eviction::lru}, {"flush", Eviction::flush}});
    if (const toml::node* n = t.get("chain")) {
      if (const auto v = n->value<bool>()) s.chaining = *v;
      else error(n, "'chain' must be true or false");
    }
    if (const auto v = integer(t, "cache_kib", kMinCacheKib)) s.cache_kib = static_cast<uint32_t>(*v);
    if (const auto v = integer(t, "traces", 0)) {
      if (*v > kMaxTraceThreshold) error(t.get("traces"), "'traces' must be at most " + std::to_string(kMaxTraceThreshold));
      else s.trace_at = static_cast<uint32_t>(*v);
    }
    if (const toml::node* n = t.get("quirks")) {
      const toml::array* a = n->as_array();
      Quirks q;
      if (!a) error(n, "'quirks' must be a list: [\"status-read\", \"status-write\", \"sret-jump\"] or []");
      else
        for (const toml::node& e : *a) {
          const auto v = e.value<std::string>();
          if (v && *v == "status-read") q.status_read = true;
          else if (v && *v == "status-write") q.status_write = true;
          else if (v && *v == "sret-jump") q.sret_jump = true;
          else error(&e, "a quirk is one of: status-read, status-write, sret-jump");
        }
      s.quirks = q;
    }
    if (const toml::node* n = t.get("speed")) {
      if (n->value<std::string>() == std::optional<std::string>("full")) s.speed = 0;
      else if (const auto v = n->value<double>(); v && *v > 0) s.speed = *v;
      else error(n, "'speed' must be \"full\" or instructions per second (a positive number)");
    }
    return s;
  }

  LessonStep step(const toml::table& t) {
    only(t, {"text", "do", "event", "steps", "to", "set", "compare", "label", "analyzer", "analyzer_settings", "look",
             "expect_console", "expect_status", "expect_illusion", "expect_theorem1",
             "expect_guest_condition", "migration", "expect_migration", "pages", "expect_balloon", "input"},
         "a step");
    LessonStep s;
    s.line = static_cast<int>(t.source().begin.line);
    if (auto text = string(t, "text")) s.text = *text;
    else error(&t, "a step needs its 'text'");
    using A = LessonStep::Action;
    s.action = choice<A>(t, "do", {{"nothing", A::none}, {"run", A::run}, {"run-to-event", A::run_to_event},
                                   {"step", A::step}, {"step-back", A::step_back}, {"travel", A::travel},
                                   {"reset", A::reset}, {"compare", A::compare}, {"compare-ways", A::compare_ways}, {"compare-consoles", A::compare_consoles}, {"analyzer", A::analyzer},
                                   {"migrate", A::migrate}, {"balloon", A::balloon}, {"type", A::type}})
                   .value_or(A::none);
    if (auto e = string(t, "event")) {
      s.event = *e;
      const auto& lanes = timeline_lanes();
      if (std::none_of(lanes.begin(), lanes.end(), [&](const TimelineLane& l) { return l.name == s.event; })) {
        std::string list;
        for (const TimelineLane& l : lanes) list += (list.empty() ? "" : "; ") + l.name;
        error(t.get("event"), "no timeline lane '" + s.event + "' (lanes: " + list + ")");
      }
    }
    if (s.action == A::run_to_event && s.event.empty()) error(&t, "do = \"run-to-event\" needs an 'event'");
    if (const auto n = integer(t, "steps", 1)) s.count = static_cast<uint64_t>(*n);
    if ((s.action == A::step || s.action == A::step_back) && !s.count) s.count = 1;
    if (const toml::node* n = t.get("to")) {
      if (n->value<std::string>() == std::optional<std::string>("end")) s.to.reset();
      else if (const auto v = n->value<int64_t>(); v && *v >= 0) s.to = static_cast<uint64_t>(*v);
      else error(n, "'to' must be a step number or \"end\"");
    }
    if (const toml::node* n = t.get("set")) {
      if (const toml::table* st = n->as_table()) s.set = settings(*st, "a step's 'set'");
      else error(n, "'set' must be a table of settings");
    }
    if (const toml::node* n = t.get("compare")) {
      if (const toml::table* ct = n->as_table()) s.compare = settings(*ct, "a step's 'compare'");
      else error(n, "'compare' must be a table of settings: the other run");
    }
    if (s.action == A::compare && !t.get("compare")) error(&t, "do = \"compare\" needs a 'compare' table (the other run's settings)");
    s.compare_label = string(t, "label").value_or("");
    if (auto a = string(t, "analyzer")) s.analyzer = *a;
    if (s.action == A::analyzer && s.analyzer.empty()) error(&t, "do = \"analyzer\" needs an 'analyzer' description");
    if (const toml::node* n = t.get("analyzer_settings")) {
      if (const toml::table* at = n->as_table())
        for (const auto& [k, v] : *at) {
          if (const auto value = v.value<std::string>()) s.analyzer_settings.emplace_back(std::string(k.str()), *value);
          else error(&v, "analyzer settings are strings: \"quirk.status_read\" = \"1\"");
        }
      else error(n, "'analyzer_settings' must be a table");
    }
    if (const toml::node* n = t.get("look")) {
      const toml::array* a = n->as_array();
      if (!a) error(n, "'look' must be a list of panel titles");
      else
        for (const toml::node& e : *a) {
          const auto v = e.value<std::string>();
          if (v && panel_by_title(*v)) s.look.push_back(*v);
          else error(&e, "no panel '" + v.value_or("?") + "' to look at");
        }
    }
    s.expect_console = string(t, "expect_console").value_or("");
    s.expect_status = string(t, "expect_status").value_or("");
    s.expect_illusion = string(t, "expect_illusion").value_or("");
    s.expect_theorem1 = string(t, "expect_theorem1").value_or("");
    s.expect_guest_condition = string(t, "expect_guest_condition").value_or("");
    if (const auto kind = string(t, "migration")) {
      if (*kind != "live" && *kind != "cold") error(t.get("migration"), "'migration' is \"live\" or \"cold\"");
      s.live_migration = *kind == "live";
    }
    s.expect_migration = string(t, "expect_migration").value_or("");
    if (const auto n = integer(t, "pages", 0)) s.balloon_pages = static_cast<uint32_t>(*n);
    else if (s.action == A::balloon) error(&t, "do = \"balloon\" needs 'pages' (the target: how many 4 KiB pages the host wants back)");
    if (const auto n = integer(t, "expect_balloon", 0)) s.expect_balloon = static_cast<uint32_t>(*n);
    s.input = string(t, "input").value_or("");
    if (s.action == A::type && s.input.empty()) error(&t, "do = \"type\" needs 'input' (what is typed at the console, e.g. \"ls\\n\")");
    if (!s.expect_migration.empty() && s.expect_migration != "unnoticed")
      error(t.get("expect_migration"), "'expect_migration' is \"unnoticed\" (the guest moved and ended as if it had not)");
    return s;
  }

 private:
  const std::string& file_;
  std::vector<LessonError>& errors_;
};

}  // namespace

std::optional<Lesson> parse_lesson(std::string_view text, const std::string& file, std::vector<LessonError>& errors) {
  errors.clear();
  const auto syntax_error = [&](const toml::parse_error& e) {
    errors.push_back({file, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column),
                      "syntax error: " + std::string(e.description())});
  };
  toml::table root;
#if TOML_EXCEPTIONS  // (natively; the WebAssembly build has no exceptions)
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    syntax_error(e);
    return std::nullopt;
  }
#else
  toml::parse_result parsed = toml::parse(text, file);
  if (!parsed) {
    syntax_error(parsed.error());
    return std::nullopt;
  }
  root = std::move(parsed).table();
#endif
  Reader r(file, errors);
  r.only(root, {"name", "title", "program", "machine", "step"}, "the lesson");
  Lesson lesson;
  lesson.file = file;
  std::string stem = file.substr(file.find_last_of('/') + 1);
  if (stem.ends_with(".toml")) stem.resize(stem.size() - 5);
  lesson.name = r.string(root, "name").value_or(stem);
  if (auto t = r.string(root, "title")) lesson.title = *t;
  else r.error(&root, "a lesson needs a 'title'");
  lesson.program = r.string(root, "program").value_or("");
  if (const toml::node* n = root.get("machine")) {
    if (const toml::table* t = n->as_table()) lesson.settings = r.settings(*t, "[machine]");
    else r.error(n, "'machine' must be a table: [machine]");
  }
  const toml::node* steps = root.get("step");
  const toml::array* list = steps ? steps->as_array() : nullptr;
  if (!list || list->empty()) r.error(steps ? steps : &root, "a lesson needs steps: [[step]] tables with their 'text'");
  else
    for (const toml::node& n : *list) {
      if (const toml::table* t = n.as_table()) lesson.steps.push_back(r.step(*t));
      else r.error(&n, "each step is a [[step]] table");
    }
  if (!r.ok()) return std::nullopt;
  return lesson;
}

const std::vector<Lesson>& shipped_lessons() {
  static const std::vector<Lesson> lessons = [] {
    std::vector<Lesson> v;
    for (const BundledLesson& b : bundled_lessons()) {
      std::vector<LessonError> errors;
      if (auto l = parse_lesson(b.text, std::string(b.file), errors)) v.push_back(std::move(*l));
      else
        for (const LessonError& e : errors) std::fprintf(stderr, "vmscope: %s\n", e.str().c_str());
    }
    return v;
  }();
  return lessons;
}

const Lesson* find_lesson(const std::string& name) {
  for (const Lesson& l : shipped_lessons())
    if (l.name == name) return &l;
  return nullptr;
}

}  // namespace vmscope::ui
