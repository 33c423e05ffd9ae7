// AnalyzerWorkbench: parse, keep the settings that still apply, analyze.
#include "analyzer_workbench.h"

namespace vmscope::ui {

using namespace analyzer;

AnalyzerWorkbench::AnalyzerWorkbench() {
  size_t first = 0;  // vmscope's own RV32 first: the machine the debugger runs
  for (size_t i = 0; i < specs().size(); ++i)
    if (specs()[i].file == "isa-specs/rv32.toml") first = i;
  if (!specs().empty()) choose(first);
}

void AnalyzerWorkbench::choose(size_t index) {
  if (index >= specs().size()) return;
  chosen_ = index;
  settings_.clear();
  set_text(std::string(specs()[index].text));
}

bool AnalyzerWorkbench::choose(const std::string& file) {
  for (size_t i = 0; i < specs().size(); ++i) {
    if (specs()[i].file == file) {
      choose(i);
      return true;
    }
  }
  return false;
}

void AnalyzerWorkbench::set_text(std::string text) {
  text_ = std::move(text);
  const std::string file = specs().empty() ? "description" : std::string(specs()[chosen_].file);
  LoadResult r = parse_spec(text_, file);
  errors_ = std::move(r.errors);
  oracle_run_.reset();  // (before the description it runs on goes)
  spec_ = std::move(r.spec);
  oracle_.reset();
  if (!spec_) {
    analysis_.reset();
    return;
  }
  // Keep the values chosen before where the setting still exists with that value.
  Assignment a = default_assignment(*spec_);
  for (auto& [name, value] : a) {
    auto old = settings_.find(name);
    const Setting* s = spec_->find_setting(name);
    if (old != settings_.end() && s && normalize_value(*s, old->second)) value = old->second;
  }
  settings_ = std::move(a);
  reanalyze();
}

void AnalyzerWorkbench::set_setting(const std::string& name, const std::string& value) {
  if (!spec_) return;
  const Setting* s = spec_->find_setting(name);
  if (!s) return;
  const auto v = normalize_value(*s, value);
  if (!v) return;
  settings_[name] = *v;
  oracle_.reset();
  oracle_run_.reset();
  reanalyze();
}

void AnalyzerWorkbench::reanalyze() {
  if (spec_) analysis_ = analyze(*spec_, settings_);
}

void AnalyzerWorkbench::run_oracle() {
  start_oracle();
  while (oracle_running() && !step_oracle(~size_t{0})) {
  }
}

void AnalyzerWorkbench::start_oracle() {
  oracle_.reset();
  oracle_run_.reset();
  if (has_oracle()) oracle_run_ = std::make_unique<analyzer::OracleRun>(*spec_, settings_);
}

bool AnalyzerWorkbench::step_oracle(size_t forms) {
  if (!oracle_run_) return true;
  if (!oracle_run_->step(forms)) return false;
  oracle_ = oracle_run_->report();
  oracle_run_.reset();
  return true;
}

bool AnalyzerWorkbench::set_fact(const std::string& instruction, const std::string& mode, const FactChange& change) {
  edit_error_.clear();
  if (!spec_) {
    edit_error_ = "the description has errors: fix them in the Description tab first";
    return false;
  }
  FactEditResult r = edit_fact(text_, *spec_, instruction, mode, settings_, change);
  if (!r.error.empty()) {
    edit_error_ = r.error;
    return false;
  }
  set_text(std::move(r.text));
  return true;
}

bool AnalyzerWorkbench::set_traps(const std::string& instruction, const std::string& mode, bool traps) {
  const Instruction* in = spec_ ? spec_->find_instruction(instruction) : nullptr;
  const Fact* f = in ? applicable_fact(*in, mode, settings_) : nullptr;
  if (!f) return set_fact(instruction, mode, {traps, {}, {}});  // (reports why)
  const auto key = std::make_pair(instruction, mode);
  FactChange change{traps, {}, {}};
  if (traps && !f->traps) {
    set_aside_[key] = {false, f->reads, f->writes};
  } else if (!traps) {
    const auto it = set_aside_.find(key);
    change = it != set_aside_.end() ? it->second : FactChange{false, {}, {StateClass::registers}};
  }
  return set_fact(instruction, mode, change);
}

std::string AnalyzerWorkbench::quirk_of(const std::string& instruction) const {
  const Instruction* in = spec_ && spec_->oracle.rfind("rv32", 0) == 0 ? spec_->find_instruction(instruction) : nullptr;
  if (!in) return "";
  for (const Fact& f : in->facts)
    for (const auto& [setting, value] : f.when)
      if (setting.rfind("quirk.", 0) == 0) return setting;
  return "";
}

}  // namespace vmscope::ui
