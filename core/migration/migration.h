// Migration of a running guest between two machines side by side (each with its own RAM and
// monitor): cold (stop, send everything, resume at the destination) or live pre-copy (send all
// of guest RAM while the guest keeps running, then again the pages it dirtied meanwhile, round
// after round, until few are left; then a short stop-and-copy). The link is modelled: sending
// takes guest time at a given bandwidth, during which the guest runs on at the source.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "machine/machine.h"

namespace vmscope::migration {

enum class Kind : uint8_t { cold, live };
const char* to_string(Kind k);

struct Options {
  Kind kind = Kind::live;
  // The link: bytes of stream per guest instruction it takes to send them (4: a 4 KiB page per
  // 1,024 instructions, about 400 MB/s for a guest at 100 MIPS).
  double bytes_per_instruction = 4.0;
  unsigned max_rounds = 30;  // live: pre-copy rounds before the stop-and-copy, at most
  uint32_t stop_pages = 16;  // live: stop and copy once a round leaves at most this many dirty pages
};

struct Round {
  unsigned number = 0;       // 1, 2, ...; the stop-and-copy is the last
  bool stop_and_copy = false;
  uint64_t pages_sent = 0, zero_pages = 0;  // zero pages travel as runs (a few bytes)
  uint64_t pages_dirtied = 0;               // while this round was on the wire (live)
  uint64_t bytes = 0;
  uint64_t guest_instructions = 0;          // the guest ran this long meanwhile (live), or was stopped this long
  double host_ms = 0;                       // host time to write, send and apply it
  std::vector<uint32_t> with_data;          // guest RAM pages sent with contents (not zero)
  std::vector<uint32_t> dirtied;            // ... and those dirtied meanwhile: the next round's
};

struct Result {
  bool switched = false;     // the guest now runs at the destination
  std::string error;         // why not (a rejected stream, a missed page): the source keeps the guest
  bool guest_ended = false;  // the guest stopped at the source before the switch-over (`ended`)
  RunResult ended;
  std::vector<Round> rounds;
  uint64_t downtime_instructions = 0;  // the guest stood still this long (the stop-and-copy)
  double downtime_host_ms = 0;
  uint64_t total_pages = 0, total_bytes = 0;
  uint64_t dirty_faults = 0;  // store faults the monitor took to note dirty pages
  bool memory_identical = false;  // guest RAM at the destination == the source's at the switch-over
};

// Moves the guest of `source` (stopped between runs) into `destination`, built with the same
// options and program. `link` carries each round's bytes (tests damage them); the source's
// on_output sees what the guest prints while pre-copy rounds run.
Result migrate(Machine& source, Machine& destination, const Options& options,
               const std::function<void(std::vector<uint8_t>&)>& link = nullptr);

}  // namespace vmscope::migration
