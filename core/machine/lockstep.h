// Lockstep checking of the block translator: the same program on two machines, one running the
// translator and one the interpreter, compared after every translated block. Any difference in
// registers, pc, privilege, CSRs, counters, timer, output or (now and then) memory is reported
// with both values.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "machine/machine.h"

namespace vmscope {

struct LockstepResult {
  RunResult run;                 // the translated machine's
  uint64_t comparisons = 0;      // states compared (before every translated block, and at the end)
  uint64_t memory_comparisons = 0;
  std::string difference;        // empty: identical so far
  bool ok() const { return difference.empty(); }
};

class Lockstep {
 public:
  // Both machines get `options`, one with each engine. `every_steps` = 0 compares after every
  // translated block (native code then returns to the executor at each block's end); otherwise
  // every that many steps, so native code chains blocks as it does in a normal run.
  explicit Lockstep(MachineOptions options, uint64_t every_steps = 0);
  ElfResult load(std::span<const uint8_t> file, std::string_view file_name);
  // Runs up to `max_steps` instructions on both; stops at the first difference.
  LockstepResult run(uint64_t max_steps);

  Machine& translated() { return translated_; }
  Machine& reference() { return reference_; }
  // Bytes for the guests' console input: both machines get the same bytes at the same step.
  void feed_input(std::string_view bytes);
  // The translated machine's output (the reference's must be the same).
  std::function<void(int fd, std::string_view bytes)> on_output;
  // A process's stdin: read once for the translated machine, replayed to the reference.
  std::function<size_t(uint8_t* buffer, size_t size)> read_stdin;

  static constexpr uint64_t kMemoryEvery = 1 << 20;  // steps between two memory comparisons

 private:
  std::string catch_up_and_compare(bool with_memory);
  bool memory_due();
  std::string compare(bool with_memory);

  Machine translated_, reference_;
  uint64_t every_steps_;
  std::string output_[2];  // what each has written and the other has not yet matched
  std::string stdin_replay_;
  std::deque<int64_t> clock_replay_;
  uint64_t comparisons_ = 0, memory_comparisons_ = 0;
  std::string difference_;
  uint64_t memory_compared_at_ = 0;
  StopReason reference_last_stop_ = StopReason::budget;  // how the reference's last catch-up ended
};

}  // namespace vmscope
