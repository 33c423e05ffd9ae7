// The SiFive-style test device QEMU's virt board has: software writes a code to end the run.
#pragma once

#include <functional>

#include "devices/device.h"

namespace vmscope {

class TestDevice : public Device {
 public:
  static constexpr uint32_t kPass = 0x5555, kFail = 0x3333, kReset = 0x7777;
  const char* name() const override { return "test-device"; }
  bool read(uint32_t, unsigned, uint64_t& value) override {
    value = 0;
    return true;
  }
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t, unsigned) const override { return 0; }
  void reset() override {}

  // Called with the exit code: 0 for pass, bits 31..16 of the value for fail (as QEMU does).
  std::function<void(int exit_code, bool reset_requested)> on_exit;
};

}  // namespace vmscope
