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
  reanalyze();
}

void AnalyzerWorkbench::reanalyze() {
  if (spec_) analysis_ = analyze(*spec_, settings_);
}

void AnalyzerWorkbench::run_oracle() {
  if (has_oracle()) oracle_ = analyzer::run_oracle(*spec_, settings_);
}

}  // namespace vmscope::ui
