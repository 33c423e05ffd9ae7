// Two runs of one program side by side: the same guest under two configurations (shadow
// strategies, ways of virtualizing, engines, chaining, cache sizes), run to the end (or a limit)
// away from the screen, their figures in one table with ratios and their timelines on one axis.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hart/events.h"
#include "machine/machine.h"

namespace vmscope::ui {

struct RunFigures {
  std::string label;  // what is different about it ("trap-and-emulate, write-protect")
  uint64_t steps = 0;
  StopReason reason = StopReason::budget;
  int exit_code = 0;
  double seconds = 0;
  std::vector<std::pair<std::string, uint64_t>> counters;  // the same names, in the same order, for every run
  std::vector<Event> events;
};

struct Comparison {
  std::string program;
  RunFigures a, b;
};

// "trap-and-emulate, write-protect, translator (chained, 8192 KiB)": what a configuration is.
std::string describe(const MachineOptions& o);
// Runs the program under both configurations (at most `max_steps` each).
Comparison compare_runs(std::span<const uint8_t> elf, const std::string& name, const MachineOptions& a,
                        const MachineOptions& b, uint64_t max_steps = 300'000'000);

}  // namespace vmscope::ui
