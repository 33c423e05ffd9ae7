// The virtio-mmio transport and virtio-console, driven as a driver would drive them: the
// identification registers, feature negotiation, queue setup, a transmit and a receive through
// split rings in guest memory, and malformed rings refused with a reason.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"

using namespace vmscope;

namespace {

constexpr uint32_t kBase = 0x80000000, kSize = 0x10000;
constexpr uint32_t kDesc = kBase + 0x1000, kAvail = kBase + 0x2000, kUsed = kBase + 0x3000, kBuffers = kBase + 0x4000;

struct Driver {
  std::vector<uint8_t> ram = std::vector<uint8_t>(kSize);
  VirtioConsole console;
  VirtioMmio mmio{console, [this](uint64_t a, uint32_t n) -> uint8_t* {
                    return a >= kBase && a - kBase <= kSize && n <= kSize - (a - kBase) ? ram.data() + (a - kBase) : nullptr;
                  }};
  std::string output;
  Driver() { console.on_output = [this](std::string_view b) { output.append(b); }; }

  uint32_t reg(uint32_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(mmio.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint32_t offset, uint32_t v) { EXPECT_TRUE(mmio.write(offset, 4, v)); }
  uint8_t* at(uint32_t a) { return ram.data() + (a - kBase); }
  void put16(uint32_t a, uint16_t v) { std::memcpy(at(a), &v, 2); }
  void put32(uint32_t a, uint32_t v) { std::memcpy(at(a), &v, 4); }
  uint16_t get16(uint32_t a) { uint16_t v; std::memcpy(&v, at(a), 2); return v; }
  uint32_t get32(uint32_t a) { uint32_t v; std::memcpy(&v, at(a), 4); return v; }

  // §3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; then each queue; then DRIVER_OK.
  bool negotiate(uint64_t features) {
    set(0x070, 0);
    set(0x070, virtio::kAcknowledge);
    set(0x070, virtio::kAcknowledge | virtio::kDriver);
    for (uint32_t half = 0; half < 2; ++half) {
      set(0x024, half);
      set(0x020, static_cast<uint32_t>(features >> (32 * half)));
    }
    set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk);
    return reg(0x070) & virtio::kFeaturesOk;
  }
  void queue(uint32_t q, uint32_t num, uint32_t offset) {  // rings of queue q, `offset` apart from queue 0's
    set(0x030, q);
    EXPECT_EQ(reg(0x034), virtio::kMaxQueueSize);
    set(0x038, num);
    set(0x080, kDesc + offset);
    set(0x090, kAvail + offset);
    set(0x0a0, kUsed + offset);
    set(0x044, 1);
  }
  void start() { set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk | virtio::kDriverOk); }
  void descriptor(uint32_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    const uint32_t d = table + 16 * i;
    std::memcpy(at(d), &addr, 8);
    put32(d + 8, len);
    put16(d + 12, flags);
    put16(d + 14, next);
  }
  void make_available(uint32_t avail, uint16_t head, uint32_t num) {
    const uint16_t idx = get16(avail + 2);
    put16(avail + 4 + 2 * (idx % num), head);
    put16(avail + 2, static_cast<uint16_t>(idx + 1));
  }
};

}  // namespace

TEST(Virtio, IdentifiesItselfAsQemusDevicesDo) {
  Driver d;
  EXPECT_EQ(d.reg(0x000), 0x74726976u);  // "virt"
  EXPECT_EQ(d.reg(0x004), 2u);           // the modern layout
  EXPECT_EQ(d.reg(0x008), 3u);           // console
  EXPECT_EQ(d.reg(0x00c), 0x554d4551u);  // "QEMU"
  uint64_t v;
  EXPECT_FALSE(d.mmio.read(0x004, 2, v)) << "registers are 32-bit";
  d.set(0x014, 1);
  EXPECT_EQ(d.reg(0x010), 1u) << "VIRTIO_F_VERSION_1 offered";
}

TEST(Virtio, FeaturesOkOnlyForWhatWasOfferedWithVersion1) {
  Driver d;
  EXPECT_FALSE(d.negotiate(0)) << "a legacy driver (no VERSION_1) is refused";
  EXPECT_FALSE(d.negotiate(virtio::kFeatureVersion1 | 1)) << "a feature not offered";
  EXPECT_TRUE(d.negotiate(virtio::kFeatureVersion1));
  EXPECT_EQ(d.mmio.driver_features(), virtio::kFeatureVersion1);
  EXPECT_TRUE(d.negotiate(virtio::kTransportFeatures)) << "indirect descriptors and the event index, as QEMU offers";
}

TEST(Virtio, ConsoleTransmitsAndReceivesThroughSplitRings) {
  Driver d;
  ASSERT_TRUE(d.negotiate(virtio::kFeatureVersion1));
  d.queue(0, 8, 0);       // receiveq
  d.queue(1, 8, 0x800);   // transmitq
  d.start();
  bool line = false;
  d.mmio.on_interrupt_line = [&line](bool level) { line = level; };
  // Transmit "hello, " and "virtio" as a chain of two readable buffers.
  std::memcpy(d.at(kBuffers), "hello, ", 7);
  std::memcpy(d.at(kBuffers + 0x100), "virtio", 6);
  d.descriptor(kDesc + 0x800, 0, kBuffers, 7, virtio::kDescNext, 1);
  d.descriptor(kDesc + 0x800, 1, kBuffers + 0x100, 6, 0, 0);
  d.make_available(kAvail + 0x800, 0, 8);
  d.set(0x050, 1);  // QueueNotify
  EXPECT_EQ(d.output, "hello, virtio");
  EXPECT_EQ(d.get16(kUsed + 0x800 + 2), 1) << "one chain used";
  EXPECT_EQ(d.get32(kUsed + 0x800 + 4), 0u) << "its head";
  EXPECT_TRUE(line);
  EXPECT_EQ(d.reg(0x060), 1u) << "used-buffer interrupt";
  d.set(0x064, 1);
  EXPECT_FALSE(line);
  // Receive: a writable buffer of 16 bytes, then input arrives.
  d.descriptor(kDesc, 0, kBuffers + 0x200, 16, virtio::kDescWrite, 0);
  d.make_available(kAvail, 0, 8);
  d.set(0x050, 0);
  d.console.push_input(d.mmio, "abc");
  EXPECT_EQ(d.get16(kUsed + 2), 1);
  EXPECT_EQ(d.get32(kUsed + 8), 3u) << "3 bytes written";
  EXPECT_EQ(std::string(reinterpret_cast<char*>(d.at(kBuffers + 0x200)), 3), "abc");
  EXPECT_EQ(d.mmio.notifications(), 2u);
  EXPECT_TRUE(d.mmio.error().empty()) << d.mmio.error();
}

TEST(Virtio, MalformedRingsAreRefusedWithAReason) {
  struct Case {
    const char* name;
    std::function<void(Driver&)> spoil;
    const char* error;
  };
  const Case cases[] = {
      {"a chain that loops", [](Driver& d) { d.descriptor(kDesc + 0x800, 0, kBuffers, 4, virtio::kDescNext, 0); },
       "longer than the queue (a loop?)"},
      {"a buffer outside guest RAM", [](Driver& d) { d.descriptor(kDesc + 0x800, 0, 0x1000, 4, 0, 0); }, "is not in guest RAM"},
      {"a descriptor beyond the table", [](Driver& d) { d.descriptor(kDesc + 0x800, 0, kBuffers, 4, virtio::kDescNext, 9); },
       "is beyond the table"},
      {"an indirect descriptor", [](Driver& d) { d.descriptor(kDesc + 0x800, 0, kBuffers, 16, virtio::kDescIndirect, 0); },
       "indirect descriptor, not negotiated"},
  };
  for (const Case& c : cases) {
    Driver d;
    ASSERT_TRUE(d.negotiate(virtio::kFeatureVersion1));
    d.queue(0, 8, 0);
    d.queue(1, 8, 0x800);
    d.start();
    c.spoil(d);
    d.make_available(kAvail + 0x800, 0, 8);
    d.set(0x050, 1);
    EXPECT_NE(d.mmio.error().find(c.error), std::string::npos) << c.name << ": " << d.mmio.error();
    EXPECT_TRUE(d.reg(0x070) & virtio::kNeedsReset) << c.name;
    EXPECT_TRUE(d.output.empty()) << c.name;
    d.set(0x070, 0);  // a reset clears it
    EXPECT_EQ(d.reg(0x070), 0u);
    EXPECT_TRUE(d.mmio.error().empty());
  }
  Driver d;
  ASSERT_TRUE(d.negotiate(virtio::kFeatureVersion1));
  d.set(0x030, 0);
  d.set(0x038, 6);
  d.set(0x044, 1);
  EXPECT_NE(d.mmio.error().find("size 6 is not a power of 2"), std::string::npos) << d.mmio.error();
}

namespace {
Driver& transmitting(Driver& d, uint64_t features) {
  EXPECT_TRUE(d.negotiate(features));
  d.queue(0, 8, 0);
  d.queue(1, 8, 0x800);
  d.start();
  return d;
}
}  // namespace

TEST(Virtio, IndirectTablesCarryAChainWhenNegotiated) {
  Driver d;
  transmitting(d, virtio::kTransportFeatures);
  std::memcpy(d.at(kBuffers), "in", 2);
  std::memcpy(d.at(kBuffers + 0x100), "direct", 6);
  const uint32_t table = kBuffers + 0x400;
  d.descriptor(table, 0, kBuffers, 2, virtio::kDescNext, 1);
  d.descriptor(table, 1, kBuffers + 0x100, 6, 0, 0);
  d.descriptor(kDesc + 0x800, 0, table, 32, virtio::kDescIndirect, 0);
  d.make_available(kAvail + 0x800, 0, 8);
  d.set(0x050, 1);
  EXPECT_EQ(d.output, "indirect");
  EXPECT_TRUE(d.mmio.error().empty()) << d.mmio.error();
  // An indirect table inside an indirect table is malformed (§2.7.5.3.1).
  d.descriptor(table, 0, table, 16, virtio::kDescIndirect, 0);
  d.make_available(kAvail + 0x800, 0, 8);
  d.set(0x050, 1);
  EXPECT_NE(d.mmio.error().find("is malformed (nested"), std::string::npos) << d.mmio.error();
}

TEST(Virtio, TheEventIndexHoldsInterruptsBackUntilUsedEventIsPassed) {
  Driver d;
  transmitting(d, virtio::kTransportFeatures);
  bool line = false;
  d.mmio.on_interrupt_line = [&line](bool level) { line = level; };
  const uint32_t avail = kAvail + 0x800, used = kUsed + 0x800;
  d.put16(avail + 4 + 2 * 8, 1);  // used_event: interrupt once the used index passes 1
  std::memcpy(d.at(kBuffers), "x", 1);
  d.descriptor(kDesc + 0x800, 0, kBuffers, 1, 0, 0);
  d.make_available(avail, 0, 8);
  d.set(0x050, 1);
  EXPECT_FALSE(line) << "used index 1: not past used_event 1";
  EXPECT_EQ(d.get16(used + 4 + 8 * 8), 1) << "avail_event: the device has seen 1 buffer";
  d.make_available(avail, 0, 8);
  d.set(0x050, 1);
  EXPECT_TRUE(line) << "used index 2 passed used_event 1";
  EXPECT_EQ(d.output, "xx");
}

TEST(Virtio, WithoutTheEventIndexTheAvailFlagSuppressesInterrupts) {
  Driver d;
  transmitting(d, virtio::kFeatureVersion1);
  bool line = false;
  d.mmio.on_interrupt_line = [&line](bool level) { line = level; };
  d.put16(kAvail + 0x800, virtio::kAvailNoInterrupt);
  d.descriptor(kDesc + 0x800, 0, kBuffers, 1, 0, 0);
  d.make_available(kAvail + 0x800, 0, 8);
  d.set(0x050, 1);
  EXPECT_EQ(d.get16(kUsed + 0x800 + 2), 1);
  EXPECT_FALSE(line);
}

// ---- virtio-blk

namespace {
struct Disk {
  std::vector<uint8_t> ram = std::vector<uint8_t>(kSize);
  VirtioBlock blk;
  VirtioMmio mmio{blk, [this](uint64_t a, uint32_t n) -> uint8_t* {
                    return a >= kBase && a - kBase <= kSize && n <= kSize - (a - kBase) ? ram.data() + (a - kBase) : nullptr;
                  }};
  static DiskBytes image() {
    auto bytes = std::make_shared<std::vector<uint8_t>>(8 * 512);
    for (size_t i = 0; i < bytes->size(); ++i) (*bytes)[i] = static_cast<uint8_t>(i / 512 + 1);
    return bytes;
  }
  Disk() : blk(image()) {
    auto set = [this](uint32_t o, uint32_t v) { mmio.write(o, 4, v); };
    set(0x070, 0);
    set(0x070, 3);
    set(0x024, 1);
    set(0x020, 1);
    set(0x070, 11);
    set(0x030, 0);
    set(0x038, 8);
    set(0x080, kDesc);
    set(0x090, kAvail);
    set(0x0a0, kUsed);
    set(0x044, 1);
    set(0x070, 15);
  }
  uint8_t* at(uint32_t a) { return ram.data() + (a - kBase); }
  // header at kBuffers, data at kBuffers + 0x100 (`len` bytes), status at kBuffers + 0x80.
  uint8_t request(uint32_t type, uint64_t sector, uint32_t len, uint32_t* written = nullptr) {
    std::memcpy(at(kBuffers), &type, 4);
    std::memcpy(at(kBuffers + 8), &sector, 8);
    auto desc = [this](unsigned i, uint64_t addr, uint32_t n, uint16_t flags, uint16_t next) {
      std::memcpy(at(kDesc + 16 * i), &addr, 8);
      std::memcpy(at(kDesc + 16 * i + 8), &n, 4);
      std::memcpy(at(kDesc + 16 * i + 12), &flags, 2);
      std::memcpy(at(kDesc + 16 * i + 14), &next, 2);
    };
    const uint16_t data_flags = virtio::kDescNext | (type == VirtioBlock::kOut ? 0 : virtio::kDescWrite);
    desc(0, kBuffers, 16, virtio::kDescNext, 1);
    desc(1, kBuffers + 0x100, len, data_flags, 2);
    desc(2, kBuffers + 0x80, 1, virtio::kDescWrite, 0);
    uint16_t idx;
    std::memcpy(&idx, at(kAvail + 2), 2);
    const uint16_t zero = 0, next = static_cast<uint16_t>(idx + 1);
    std::memcpy(at(kAvail + 4 + 2 * (idx % 8)), &zero, 2);
    std::memcpy(at(kAvail + 2), &next, 2);
    *at(kBuffers + 0x80) = 0xff;
    mmio.write(0x050, 4, 0);
    if (written) std::memcpy(written, at(kUsed + 4 + 8 * (idx % 8) + 4), 4);
    return *at(kBuffers + 0x80);
  }
};
}  // namespace

TEST(VirtioBlk, ReadsWritesAndRefusesWhatIsOutOfRange) {
  Disk d;
  EXPECT_EQ(d.blk.config_read(0), 8) << "capacity: 8 sectors";
  uint32_t written = 0;
  EXPECT_EQ(d.request(VirtioBlock::kIn, 2, 1024, &written), VirtioBlock::kOk);
  EXPECT_EQ(written, 1025u);
  EXPECT_EQ(*d.at(kBuffers + 0x100), 3) << "sector 2";
  EXPECT_EQ(*d.at(kBuffers + 0x100 + 512), 4) << "sector 3";
  std::memset(d.at(kBuffers + 0x100), 0xab, 512);
  EXPECT_EQ(d.request(VirtioBlock::kOut, 7, 512, &written), VirtioBlock::kOk);
  EXPECT_EQ(written, 1u);
  EXPECT_EQ(d.blk.overlay_sectors(), 1u);
  EXPECT_EQ(d.blk.contents()[7 * 512], 0xab) << "the disk as the guest sees it";
  EXPECT_EQ(d.blk.contents()[6 * 512], 7) << "the rest from the image";
  EXPECT_EQ(d.request(VirtioBlock::kIn, 7, 1024), VirtioBlock::kIoError) << "past the end";
  EXPECT_EQ(d.request(VirtioBlock::kIn, ~uint64_t{0}, 512), VirtioBlock::kIoError) << "a huge sector";
  EXPECT_EQ(d.request(VirtioBlock::kIn, 0, 100), VirtioBlock::kIoError) << "not whole sectors";
  EXPECT_EQ(d.request(VirtioBlock::kOut, 0, 100), VirtioBlock::kIoError) << "not whole sectors";
  EXPECT_EQ(d.request(77, 0, 512), VirtioBlock::kUnsupported);
  EXPECT_EQ(d.request(VirtioBlock::kFlush, 0, 0), VirtioBlock::kOk);
  EXPECT_EQ(d.blk.counts().reads, 1u);
  EXPECT_EQ(d.blk.counts().writes, 1u);
  EXPECT_EQ(d.blk.counts().errors, 5u);
  EXPECT_TRUE(d.mmio.error().empty()) << d.mmio.error();
}

TEST(VirtioBlk, ImagesMustBeWholeSectors) {
  EXPECT_EQ(disk_image_problem(0), "the image is empty");
  EXPECT_NE(disk_image_problem(1000).find("is not a whole number of 512-byte sectors"), std::string::npos);
  EXPECT_EQ(disk_image_problem(1024), "");
}
