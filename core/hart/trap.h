// Privilege modes, exception and interrupt causes, and the log of traps taken.
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>

namespace vmscope {

enum class Priv : uint8_t { U = 0, S = 1, M = 3 };
const char* to_string(Priv p);

enum class AccessType : uint8_t { fetch, load, store };

// mcause exception codes (privileged spec 1.12, table 3.6).
enum class ExceptionCause : uint8_t {
  misaligned_fetch = 0,
  fetch_access = 1,
  illegal_instruction = 2,
  breakpoint = 3,
  misaligned_load = 4,
  load_access = 5,
  misaligned_store = 6,
  store_access = 7,
  ecall_u = 8,
  ecall_s = 9,
  ecall_m = 11,
  fetch_page_fault = 12,
  load_page_fault = 13,
  store_page_fault = 15,
  // The hypervisor extension's.
  ecall_vs = 10,
  fetch_guest_page_fault = 20,
  load_guest_page_fault = 21,
  virtual_instruction = 22,
  store_guest_page_fault = 23,
};

// mcause interrupt codes.
enum class InterruptCause : uint8_t {
  supervisor_software = 1,
  machine_software = 3,
  supervisor_timer = 5,
  machine_timer = 7,
  supervisor_external = 9,
  machine_external = 11,
  virtual_supervisor_software = 2,
  virtual_supervisor_timer = 6,
  virtual_supervisor_external = 10,
  supervisor_guest_external = 12,
};

const char* exception_name(unsigned code);
const char* interrupt_name(unsigned code);

struct TrapRecord {
  uint64_t step;     // the hart's step count when the trap was taken
  uint32_t cause;    // as written to xcause (bit 31 = interrupt)
  uint32_t epc, tval;
  Priv from, to;
};

// The most recent traps, oldest first (bounded: a long run keeps the last ones).
class TrapLog {
 public:
  static constexpr size_t kCapacity = 4096;
  void add(const TrapRecord& r) {
    if (records_.size() == kCapacity) records_.pop_front();
    records_.push_back(r);
  }
  const std::deque<TrapRecord>& records() const { return records_; }
  void clear() { records_.clear(); }

 private:
  std::deque<TrapRecord> records_;
};

}  // namespace vmscope
