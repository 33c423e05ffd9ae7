// Lessons: every shipped lesson parses and walks through all its steps on the session the way
// the debugger walks it, each step's expectations holding; Back returns to the moment a step
// was done; bad lesson files are refused with file:line messages.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "bundled_lessons.h"
#include "lesson_runner.h"
#include "test_assets.h"

using namespace vmscope;
using namespace vmscope::ui;

namespace {
std::string assets() { return vmscope::test::assets_dir(); }
std::vector<uint8_t> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// A bundled program by name, loaded as the debugger's picker loads it (with its disk, if any).
bool load_bundled(DebugSession& s, const std::string& name) {
  for (const char* group : {"process", "system", "bench", "kernel", "os"}) {
    const std::string path = assets() + "/" + group + "/" + name + ".elf";
    if (!std::filesystem::exists(path)) continue;
    const std::string disk = assets() + "/" + group + "/" + name + ".img";
    if (std::filesystem::exists(disk)) s.set_disk(std::make_shared<const std::vector<uint8_t>>(read(disk)), name + ".img", false);
    const bool sbi = std::string(group) == "kernel" || name.ends_with("_sbi");
    return sbi ? s.load(read(path), name, MachineKind::system, Firmware::sbi) : s.load(read(path), name);
  }
  return false;
}
void finish_running(DebugSession& s) {
  for (int i = 0; i < 100'000 && s.running(); ++i) s.tick(1.0 / 60);
}
}  // namespace

TEST(Lessons, EveryShippedFileParses) {
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(std::string(VMSCOPE_SOURCE_DIR) + "/assets/lessons")) {
    if (f.path().extension() != ".toml") continue;
    ++files;
    std::vector<LessonError> errors;
    const std::vector<uint8_t> text = read(f.path().string());
    EXPECT_TRUE(parse_lesson(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), f.path().string(), errors))
        << (errors.empty() ? "" : errors[0].str());
    EXPECT_NE(find_lesson(f.path().stem().string()), nullptr) << f.path();
  }
  EXPECT_EQ(shipped_lessons().size(), files);
  EXPECT_GE(files, 11u);
  for (const char* name : {"interpretation-vs-translation", "chaining", "self-modifying-code", "code-cache-eviction",
                           "trap-and-emulate", "shadow-paging", "critical-instruction", "binary-translation",
                           "is-x86-virtualizable", "pdp10-jrst1", "process-syscalls"})
    EXPECT_NE(find_lesson(name), nullptr) << name;
}

class WalkLesson : public testing::TestWithParam<std::string> {};

TEST_P(WalkLesson, EveryStepDoesWhatItSays) {
  const Lesson* lesson = find_lesson(GetParam());
  ASSERT_NE(lesson, nullptr);
  DebugSession s;
  AnalyzerWorkbench analyzer;
  std::vector<std::string> looked;
  bool analyzer_opened = false;
  LessonRunner::Hooks hooks;
  hooks.load_program = [&](const std::string& name) { return load_bundled(s, name); };
  hooks.look = [&](const std::vector<std::string>& panels) { looked = panels; };
  hooks.open_analyzer = [&] { analyzer_opened = true; };
  LessonRunner runner(s, analyzer, hooks);
  s.read_program = [](const std::string& name) {
    const std::string path = assets() + "/kernel/" + name + ".elf";
    return std::filesystem::exists(path) ? read(path) : std::vector<uint8_t>{};
  };
  ASSERT_TRUE(runner.start(*lesson)) << runner.error();
  std::vector<uint64_t> positions;
  for (size_t k = 0; k < lesson->steps.size(); ++k) {
    if (k) runner.next();
    ASSERT_EQ(runner.step(), k);
    const LessonStep& step = lesson->steps[k];
    finish_running(s);
    EXPECT_FALSE(s.running()) << "step " << k + 1 << " never stops";
    EXPECT_EQ(looked, step.look) << "step " << k + 1;
    const std::vector<std::string> unmet = runner.unmet();
    EXPECT_TRUE(unmet.empty()) << lesson->file << ", step " << k + 1 << ": " << unmet[0];
    if (step.action == LessonStep::Action::analyzer) {
      EXPECT_TRUE(analyzer_opened);
    }
    if (step.action == LessonStep::Action::compare || step.action == LessonStep::Action::compare_ways) {
      ASSERT_TRUE(s.comparison().has_value());
      // Every run reaches an end; runs that end alike print the same, and runs of the same
      // program that end alike retired the same guest instructions (the first counter).
      const Comparison& c = *s.comparison();
      ASSERT_GE(c.runs.size(), 2u);
      const RunFigures& a = c.runs[0];
      for (const RunFigures& b : c.runs) {
        EXPECT_EQ(b.reason, StopReason::exited) << b.label;
        if (a.exit_code != b.exit_code) continue;
        EXPECT_EQ(a.output, b.output) << a.label << " vs " << b.label;
        if (a.program == b.program) {
          EXPECT_EQ(a.counters[0].second, b.counters[0].second) << a.label << " vs " << b.label;
        }
      }
    }
    if (step.action == LessonStep::Action::run_to_event) {  // the machine stands just after such an event
      const auto& events = s.time()->timeline();
      const TimelineLane* lane = nullptr;
      for (const TimelineLane& l : timeline_lanes())
        if (l.name == step.event) lane = &l;
      ASSERT_NE(lane, nullptr);
      EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const Event& e) {
        return lane->matches(e) && e.position == s.time()->position();
      })) << lesson->file << ", step " << k + 1 << ": not at a '" << step.event << "' event (" << s.status() << ")";
    }
    positions.push_back(s.time() ? s.time()->position() : 0);
  }
  // Back, step by step: each earlier step's moment again.
  for (size_t k = lesson->steps.size() - 1; k-- > 0;) {
    runner.back();
    EXPECT_EQ(runner.step(), k);
    if (s.time() && lesson->steps[k].action != LessonStep::Action::run) {
      EXPECT_EQ(s.time()->position(), positions[k]) << "back to step " << k + 1;
    }
  }
}

// Every file in assets/lessons/ (a file that does not parse fails its test, it is not left out).
std::vector<std::string> shipped_lesson_names() {
  std::vector<std::string> names;
  for (const BundledLesson& b : bundled_lessons()) {
    std::string_view n = b.file.substr(b.file.find_last_of('/') + 1);
    names.emplace_back(n.substr(0, n.size() - 5));  // without .toml
  }
  return names;
}
INSTANTIATE_TEST_SUITE_P(Shipped, WalkLesson, testing::ValuesIn(shipped_lesson_names()),
                         [](const testing::TestParamInfo<std::string>& i) {
                           std::string n = i.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(Lessons, BadFilesSayWhereAndWhat) {
  struct Case {
    const char* text;
    int line;
    const char* says;
  };
  const Case cases[] = {
      {"title = \"x\"\n[[step]\ntext = \"a\"\n", 2, "syntax error"},
      {"title = \"x\"\nprogrm = \"kernel\"\n[[step]]\ntext = \"a\"\n", 2, "unknown key 'progrm'"},
      {"program = \"kernel\"\n[[step]]\ntext = \"a\"\n", 1, "needs a 'title'"},
      {"title = \"x\"\n[[step]]\ntext = \"a\"\ndo = \"run-to-event\"\nevent = \"hidden faults\"\n", 5, "no timeline lane 'hidden faults'"},
      {"title = \"x\"\n[[step]]\ntext = \"a\"\nlook = [\"Monitr\"]\n", 4, "no panel 'Monitr'"},
      {"title = \"x\"\n[[step]]\ntext = \"a\"\ndo = \"fly\"\n", 4, "'do' must be one of"},
      {"title = \"x\"\n[machine]\nvirt = \"banana\"\n[[step]]\ntext = \"a\"\n", 3, "'virt' must be one of"},
      {"title = \"x\"\n[[step]]\ntext = \"a\"\ndo = \"compare\"\n", 2, "needs a 'compare' table"},
      {"title = \"x\"\n", 1, "needs steps"},
      {"title = \"x\"\n[machine]\nspeed = -3\n[[step]]\ntext = \"a\"\n", 3, "'speed' must be"},
  };
  for (const Case& c : cases) {
    std::vector<LessonError> errors;
    EXPECT_FALSE(parse_lesson(c.text, "my.toml", errors)) << c.text;
    ASSERT_FALSE(errors.empty()) << c.text;
    EXPECT_EQ(errors[0].line, c.line) << errors[0].str();
    EXPECT_NE(errors[0].str().find(c.says), std::string::npos) << errors[0].str();
    EXPECT_EQ(errors[0].str().rfind("my.toml:", 0), 0u) << errors[0].str();
  }
}
