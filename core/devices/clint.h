// The core-local interruptor: msip, mtimecmp and mtime, as registers over a hart's software
// interrupt line and timer, which the hart keeps (its time CSR and timer interrupt read them).
#pragma once

#include "devices/device.h"

namespace vmscope {

// What the CLINT drives: a hart's machine software interrupt line and its timer.
class ClintLines {
 public:
  virtual ~ClintLines() = default;
  virtual bool msip() const = 0;
  virtual void set_msip(bool pending) = 0;
  virtual uint64_t mtime() const = 0;
  virtual void set_mtime(uint64_t value) = 0;
  virtual uint64_t mtimecmp() const = 0;
  virtual void set_mtimecmp(uint64_t value) = 0;
};

class Clint : public Device {
 public:
  static constexpr uint32_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8, kSize = 0x10000;
  explicit Clint(ClintLines& hart) : hart_(hart) {}
  const char* name() const override { return "clint"; }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override;
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t offset, unsigned size) const override;
  void reset() override {}

 private:
  ClintLines& hart_;
};

}  // namespace vmscope
