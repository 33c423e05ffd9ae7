// A migration as the debugger shows it: a copy of a machine at its current moment becomes the
// source, moves (cold or live) to a fresh destination, and the guest runs to its end there; a
// second copy that never moves runs alongside, so the two ends can be compared.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "migration/migration.h"

namespace vmscope::migration {

struct Experiment {
  std::string program;
  Options options;
  uint64_t at = 0;          // the source's position (hart steps) when the migration began
  uint32_t guest_pages = 0;
  Result result;
  // The destination's run to the end (or the source's, if the guest did not move), and the
  // unmoved copy's: the guest cannot tell when output, exit and instruction count are equal.
  std::string output;           // what the guest printed from the migration on
  RunResult end;
  int exit_code = 0;
  uint64_t retired = 0;         // the guest's instruction count at its end
  std::string unmoved_output;
  int unmoved_exit_code = 0;
  uint64_t unmoved_retired = 0;
  bool same_as_unmoved() const {
    return output == unmoved_output && exit_code == unmoved_exit_code && retired == unmoved_retired;
  }
  // Guest RAM pages with contents at each end after the run (host memory the VM uses).
  uint32_t source_pages_in_use = 0, destination_pages_in_use = 0;
};

// Copies `current` (between runs; built from `elf`), migrates the copy and runs the guest on, at
// most `max_steps` steps per machine.
Experiment migrate_copy(const Machine& current, std::span<const uint8_t> elf, const std::string& program,
                        const Options& options, uint64_t max_steps = 300'000'000);

}  // namespace vmscope::migration
