// The log of traps taken (the vocabulary they use lives in isa/privilege.h and isa/causes.h).
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>

#include "isa/causes.h"
#include "isa/privilege.h"

namespace vmscope {

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
