// Decodes writes to the test device: 0x5555 pass, (code << 16) | 0x3333 fail, 0x7777 reset.
#include "devices/test_device.h"

namespace vmscope {

bool TestDevice::write(uint32_t offset, unsigned size, uint64_t value) {
  if (offset != 0 || size < 4) return true;  // other writes are ignored, as in QEMU
  const auto v = static_cast<uint32_t>(value);
  if (!on_exit) return true;
  switch (v & 0xffff) {
    case kPass: on_exit(0, false); break;
    case kFail: on_exit(static_cast<int>(v >> 16), false); break;  // QEMU exits with the code as is
    case kReset: on_exit(0, true); break;
    default: break;
  }
  return true;
}

}  // namespace vmscope
