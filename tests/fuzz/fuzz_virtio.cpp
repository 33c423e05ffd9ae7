// libFuzzer target: the virtio device model (the virtio-mmio transport with split virtqueues,
// indirect tables and the event index, and virtio-blk behind it) driven by hostile guests. The
// input's first 2 KiB become guest RAM (the descriptor table at its start, the available ring at
// 0x400, the used ring at 0x600; its last byte picks the queue size); the rest is a sequence of
// register writes (an offset byte, a 32-bit value) with a notification
// after each. Descriptor loops, addresses outside RAM, huge lengths and wrapped indices must
// never hang, crash or touch host memory outside the guest's 64 KiB (ASan/UBSan watch it).
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "devices/virtio_blk.h"

using namespace vmscope;

namespace {
constexpr uint32_t kRam = 0x80000000, kRamSize = 64 << 10;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> ram(kRamSize);
  const size_t seed = std::min<size_t>(size, 2048);
  std::memcpy(ram.data(), data, seed);
  static const DiskBytes image = std::make_shared<const std::vector<uint8_t>>(8 * kSectorSize, 0x5a);
  VirtioBlock disk(image);
  uint64_t written_sectors = 0;
  disk.on_write = [&](uint64_t, const uint8_t*, uint32_t count) { written_sectors += count; };
  VirtioMmio mmio(disk, [&ram](uint64_t a, uint32_t n) -> uint8_t* {
    return a >= kRam && a - kRam <= kRamSize && n <= kRamSize - (a - kRam) ? ram.data() + (a - kRam) : nullptr;
  });
  unsigned interrupts = 0;
  mmio.on_interrupt_line = [&](bool level) { interrupts += level; };
  // A driver's setup (every feature offered taken), queue 0's rings in the fuzzed RAM.
  const auto set = [&](uint32_t offset, uint32_t v) { mmio.write(offset, 4, v); };
  set(0x070, 0);
  set(0x070, virtio::kAcknowledge | virtio::kDriver);
  set(0x024, 0);
  set(0x020, static_cast<uint32_t>(virtio::kTransportFeatures | disk.features()));
  set(0x024, 1);
  set(0x020, static_cast<uint32_t>((virtio::kTransportFeatures | disk.features()) >> 32));
  set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk);
  set(0x030, 0);
  set(0x038, size >= 2048 ? 1u << (data[2047] % 9) : 8);  // 1..256
  set(0x080, kRam);
  set(0x090, kRam + 0x400);
  set(0x0a0, kRam + 0x600);
  set(0x044, 1);
  set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk | virtio::kDriverOk);
  set(0x050, 0);
  // Then whatever the guest writes, each followed by a notification.
  for (size_t i = seed; i + 5 <= size; i += 5) {
    uint32_t v;
    std::memcpy(&v, data + i + 1, 4);
    const uint32_t offset = data[i] * 4u;  // any register, the configuration space included
    mmio.write(offset, 4, v);
    uint64_t readback = 0;
    mmio.read(offset, 4, readback);
    set(0x050, 0);
  }
  static volatile uint64_t sink;
  sink = interrupts + written_sectors + disk.contents().size();
  return 0;
}
