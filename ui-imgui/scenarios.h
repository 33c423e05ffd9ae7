// Ready-made lessons for a classroom: each opens a program with the monitor's switches set, or
// the analyzer on a description, and says what to watch. The picker lists them first; the
// browser takes ?scenario=NAME, the native debugger --scenario NAME.
#pragma once

#include <string>
#include <vector>

#include "session.h"

namespace vmscope::ui {

struct Scenario {
  std::string name;         // for URLs and the command line: "critical-instruction"
  std::string title;        // what the picker shows
  std::string description;  // what to do and watch
  std::string program;      // a bundled program, or "" (analyzer only)
  VmSettings vm;            // for a kernel
  std::string analyzer;     // a shipped description to open in the analyzer, or ""
};

const std::vector<Scenario>& scenarios();
const Scenario* find_scenario(const std::string& name);

}  // namespace vmscope::ui
