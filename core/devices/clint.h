// The core-local interruptor: msip, mtimecmp and mtime, as registers over the hart's timer state.
#pragma once

#include "devices/device.h"

namespace vmscope {

class Hart;

class Clint : public Device {
 public:
  static constexpr uint32_t kMsip = 0x0, kMtimecmp = 0x4000, kMtime = 0xbff8, kSize = 0x10000;
  explicit Clint(Hart& hart) : hart_(hart) {}
  const char* name() const override { return "clint"; }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override;
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t offset, unsigned size) const override;
  void reset() override {}

 private:
  Hart& hart_;
};

}  // namespace vmscope
