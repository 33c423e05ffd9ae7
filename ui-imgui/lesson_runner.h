// Walking a lesson (lesson.h): starting it loads its program with its settings; going to a step
// switches the step's settings and performs its action; going back travels to the moment the
// earlier step was done. No drawing: what to show is told through hooks, so tests walk lessons
// the way the debugger does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "analyzer_workbench.h"
#include "lesson.h"
#include "session.h"

namespace vmscope::ui {

class LessonRunner {
 public:
  struct Hooks {
    std::function<bool(const std::string& program)> load_program;  // a bundled program by name
    std::function<void(const std::vector<std::string>& panels)> look;  // show and highlight these panels
    std::function<void()> open_analyzer;
  };
  LessonRunner(DebugSession& session, AnalyzerWorkbench& analyzer, Hooks hooks)
      : session_(session), analyzer_(analyzer), hooks_(std::move(hooks)) {}

  // Starts a lesson at its first step (performed). False, and error(), if its program does not load.
  bool start(Lesson lesson);
  void stop();
  const Lesson* lesson() const { return lesson_ ? &*lesson_ : nullptr; }
  size_t step() const { return step_; }  // the current step (0-based)
  void next();  // performs the next step
  void back();  // to the moment the previous step was done
  const std::string& error() const { return error_; }
  // The current step's expectations (expect_console, ...) that do not hold, in words.
  std::vector<std::string> unmet() const;

 private:
  void perform(const LessonStep& s);
  void apply(const LessonSettings& settings);

  DebugSession& session_;
  AnalyzerWorkbench& analyzer_;
  Hooks hooks_;
  std::optional<Lesson> lesson_;
  size_t step_ = 0;
  std::vector<uint64_t> done_at_;  // the step (position) each lesson step left the machine at
  std::string error_;
};

}  // namespace vmscope::ui
