// The migration stream: what travels from the source machine to the destination. A sequence of
// records — a header naming the machine, guest RAM pages (runs of zero pages as one record), the
// machine's state (Machine::save_state), an end — each with its own checksum, so the destination
// rejects a corrupt or truncated stream before the guest runs on it. Only guest RAM travels:
// under a monitor, its own memory (shadow tables, G-stage) stays behind, and the destination's
// monitor builds its own (Monitor::drop_translations).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "machine/machine.h"

namespace vmscope::migration {

inline constexpr uint32_t kPageSize = 4096;

// The guest's RAM inside a machine's host RAM: all of it, or under a monitor what follows the
// monitor's memory.
struct GuestRam {
  uint32_t host_base = 0;  // host-physical address of guest RAM page 0
  uint32_t pages = 0;
};
GuestRam guest_ram(const Machine& m);

class StreamWriter {
 public:
  void header(const Machine& m);
  // Page `index` of guest RAM (all-zero pages are gathered into runs).
  void page(uint32_t index, const uint8_t* data);
  void state(const Machine& m);
  void end();
  // The bytes written since the last take: one round's worth.
  std::vector<uint8_t> take();

  uint64_t pages() const { return pages_; }
  uint64_t zero_pages() const { return zero_pages_; }

 private:
  void record(uint8_t kind, std::span<const uint8_t> payload);
  void flush_zero_run();
  std::vector<uint8_t> out_;
  uint32_t zero_first_ = 0, zero_count_ = 0;
  uint64_t pages_ = 0, zero_pages_ = 0;
};

// The destination's side: checks and applies the records as they arrive.
class Incoming {
 public:
  explicit Incoming(Machine& destination) : m_(destination) {}
  // Applies one round's bytes. False on the first bad record, with error() saying what and where
  // (the destination is then useless; the source keeps the guest).
  bool apply(std::span<const uint8_t> bytes);
  bool complete() const { return ended_; }  // the end record arrived (the guest may run here)
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& what);
  bool apply_record(uint8_t kind, std::span<const uint8_t> payload);
  Machine& m_;
  uint64_t offset_ = 0;  // bytes of the stream consumed so far (for messages)
  uint64_t records_ = 0, pages_ = 0;
  bool started_ = false, has_state_ = false, ended_ = false;
  std::string error_;
};

}  // namespace vmscope::migration
