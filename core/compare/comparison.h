// Runs side by side: programs under several configurations (shadow strategies, ways of
// virtualizing, engines, chaining, cache sizes), each run to the end (or a limit) away from the
// screen, their figures in one table and their timelines on one axis. The debugger's Compare
// panel and `vmscope compare-ways` show them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "events/events.h"
#include "machine/machine.h"

namespace vmscope {

struct RunFigures {
  std::string label;  // what is different about it ("trap-and-emulate, write-protect")
  std::string program;
  uint64_t steps = 0;
  StopReason reason = StopReason::budget;
  int exit_code = 0;
  double seconds = 0;
  std::string output;  // the console
  std::vector<std::pair<std::string, uint64_t>> counters;  // the same names, in the same order, for every run
  std::vector<Event> events;
  uint64_t counter(std::string_view name) const;  // 0 if there is none of that name
};

struct Comparison {
  std::string program;  // (the first run's)
  std::vector<RunFigures> runs;
};

struct RunSpec {
  std::span<const uint8_t> elf;
  std::string program;
  MachineOptions options;
  std::string label;  // empty: describe(options)
};

// "trap-and-emulate, write-protect, translator (chained, 8192 KiB)": what a configuration is.
std::string describe(const MachineOptions& o);
// Runs each (at most `max_steps` each).
Comparison compare_runs(std::span<const RunSpec> runs, uint64_t max_steps = 300'000'000);

// The ways to run one guest kernel, for a comparison: emulation, trap-and-emulate with either
// shadow strategy, binary translation, the paravirtual build (`pv_elf`, when there is one) and
// hardware-assisted (the H extension).
// `base` gives the engine and the translator's settings.
std::vector<RunSpec> ways_to_run(std::span<const uint8_t> kernel_elf, const std::string& kernel_name,
                                 std::span<const uint8_t> pv_elf, const std::string& pv_name,
                                 const MachineOptions& base);

// The kernel's console four ways under `base`'s way of running (one with a monitor): by SBI
// call, driving the 16550 passed through, driving it emulated by the monitor, a virtio-console.
std::vector<RunSpec> consoles_to_run(std::span<const uint8_t> kernel_elf, const std::string& kernel_name,
                                     const MachineOptions& base);

// A kernel built for vmscope's paravirtual interface (it has the shared page's symbol).
bool is_paravirtual_kernel(const ElfImage& image);

}  // namespace vmscope
