// Lessons as data: a TOML file (assets/lessons/*.toml, docs/lesson-format.md) names a program and
// how to run it, then numbered steps, each with its text, an action (run, run to the next event
// of a kind, step, travel, switch a setting, compare two runs, open the analyzer) and the panels
// to look at. An instructor writes one without rebuilding anything and opens it by URL, by
// drag-and-drop or from the command line; a bad file gets file:line messages.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "session.h"

namespace vmscope::ui {

// Settings a lesson (or one of its steps) switches; absent ones stay as they are.
struct LessonSettings {
  std::optional<Virtualization> virt;
  std::optional<ShadowInvalidation> shadow;
  std::optional<Console> console;
  std::optional<bool> balloon;  // the board has a virtio-balloon
  std::optional<Quirks> quirks;
  std::optional<Engine> engine;
  std::optional<bool> chaining;
  std::optional<uint32_t> cache_kib;
  std::optional<Eviction> eviction;
  std::optional<uint32_t> trace_at;  // translator: block entries before a trace (0: none)
  std::optional<double> speed;  // instructions per second, 0: full speed
};

struct LessonStep {
  enum class Action : uint8_t {
    none, run, run_to_event, step, step_back, travel, reset, compare, compare_ways, compare_consoles, analyzer, migrate,
    balloon, type
  };
  int line = 0;             // where it starts in the file
  std::string text;
  Action action = Action::none;
  std::string event;        // run_to_event: a timeline lane's name
  uint64_t count = 0;       // step / step_back: how many; run: at most how many (0: to the end)
  std::optional<uint64_t> to;  // travel: a step number (none: the end of the run)
  LessonSettings set;       // switched before the action
  LessonSettings compare;   // compare: the other run's settings (the current ones against these)
  std::string compare_label;  // how the other run is called in the table
  std::string analyzer;     // analyzer: a shipped description ("isa-specs/pdp10.toml")
  bool live_migration = true;  // migrate: live (pre-copy) or cold
  uint32_t balloon_pages = 0;  // balloon: the target the host sets
  std::string input;           // type: what is typed at the console (as a person would)
  std::vector<std::pair<std::string, std::string>> analyzer_settings;
  std::vector<std::string> look;  // panel titles to show and highlight
  // What must be true after the step (checked by the lessons' tests; shown to nobody).
  std::string expect_console, expect_status, expect_illusion, expect_theorem1;
  std::string expect_guest_condition;  // "holds" / "fails": the analyzer's guest-mode condition
  std::string expect_migration;        // "unnoticed": the guest moved and ended as if it had not
  std::optional<uint32_t> expect_balloon;  // the balloon holds this many pages, and the host reclaimed them
};

struct Lesson {
  std::string name, title, file;
  std::string program;      // a bundled program ("": the lesson uses the analyzer only)
  LessonSettings settings;  // applied before the program is loaded
  std::vector<LessonStep> steps;
};

struct LessonError {
  std::string file;
  int line = 0, column = 0;
  std::string message;
  std::string str() const;  // "file:line:column: message"
};

// Parses a lesson; on failure returns nothing and says why (file:line).
std::optional<Lesson> parse_lesson(std::string_view text, const std::string& file, std::vector<LessonError>& errors);
// The lessons shipped in assets/lessons/ (compiled in), by name.
const std::vector<Lesson>& shipped_lessons();
const Lesson* find_lesson(const std::string& name);

}  // namespace vmscope::ui
