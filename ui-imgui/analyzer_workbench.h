// The analyzer in the debugger, without drawing: a description (a shipped one, or the text as
// the user edits it), its parse errors, the settings chosen, the analysis under them, and —
// for a description of vmscope's own hart — the executing oracle's report.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bundled_specs.h"
#include "classify.h"
#include "fact_edit.h"
#include "oracle.h"
#include "spec.h"

namespace vmscope::ui {

class AnalyzerWorkbench {
 public:
  AnalyzerWorkbench();

  const std::vector<analyzer::BundledSpec>& specs() const { return analyzer::bundled_specs(); }
  void choose(size_t index);  // a shipped description, as shipped
  size_t chosen() const { return chosen_; }
  bool choose(const std::string& file);  // by file name ("isa-specs/pdp10.toml"); false if none

  const std::string& text() const { return text_; }
  // A new text for the description: parsed and analyzed at once (errors replace the analysis).
  void set_text(std::string text);
  bool edited() const { return text_ != specs()[chosen_].text; }

  const std::optional<analyzer::Spec>& spec() const { return spec_; }
  const std::vector<analyzer::SpecError>& errors() const { return errors_; }
  const analyzer::Assignment& settings() const { return settings_; }
  void set_setting(const std::string& name, const std::string& value);
  const std::optional<analyzer::Analysis>& analysis() const { return analysis_; }

  // The structured fact editor: what `instruction` does in `mode` under the current settings,
  // changed in the text (analyzer/fact_edit.h), which is parsed and analyzed again. Making it
  // trap sets its reads and writes aside, and making it run again brings them back. False, with
  // edit_error(), when the edit cannot be made.
  bool set_fact(const std::string& instruction, const std::string& mode, const analyzer::FactChange& change);
  bool set_traps(const std::string& instruction, const std::string& mode, bool traps);
  const std::string& edit_error() const { return edit_error_; }
  // vmscope's own hart: the teaching quirk setting ("quirk.status_read") some fact of
  // `instruction` depends on, or "" (the debugger offers to run the guest kernel with it).
  std::string quirk_of(const std::string& instruction) const;

  bool has_oracle() const { return spec_ && !spec_->oracle.empty(); }
  void run_oracle();  // under the current settings, all at once
  // The same in slices, as the debugger runs it (a few hundred forms a frame): start, then step
  // each frame until it says it is done; oracle() is the report then.
  void start_oracle();
  bool step_oracle(size_t forms);
  bool oracle_running() const { return oracle_run_ != nullptr; }
  double oracle_progress() const { return oracle_run_ ? oracle_run_->progress() : 1.0; }
  const std::optional<analyzer::OracleReport>& oracle() const { return oracle_; }

 private:
  void reanalyze();

  size_t chosen_ = 0;
  std::string text_;
  std::optional<analyzer::Spec> spec_;
  std::vector<analyzer::SpecError> errors_;
  analyzer::Assignment settings_;
  std::optional<analyzer::Analysis> analysis_;
  std::optional<analyzer::OracleReport> oracle_;
  std::unique_ptr<analyzer::OracleRun> oracle_run_;  // a run in progress (it refers to spec_)
  std::string edit_error_;
  std::map<std::pair<std::string, std::string>, analyzer::FactChange> set_aside_;  // (instruction, mode) -> before it trapped
};

}  // namespace vmscope::ui
