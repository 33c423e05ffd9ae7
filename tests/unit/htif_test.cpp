// Spike's HTIF as vmscope carries it out: exit codes, the console device, proxied system calls,
// and commands it refuses with a reason (never a crash or a host copy out of bounds).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "devices/htif.h"
#include "mem/bus.h"

namespace vmscope {
namespace {

constexpr uint32_t kRam = 0x80000000, kTohost = kRam + 0x1000, kFromhost = kRam + 0x1040, kMagic = kRam + 0x2000;

class HtifTest : public ::testing::Test {
 protected:
  HtifTest() {
    htif.on_exit = [this](int code) { exit_code = code; };
    htif.on_output = [this](std::string_view bytes) { output += bytes; };
    htif.on_unsupported = [this](const std::string& message) { problem = message; };
    bus.watch_ram_stores(kTohost, 8, [this](uint32_t a, unsigned n) { htif.on_store(a, n); });
  }
  // As a 32-bit hart writes a 64-bit word: the lower half, then the upper half.
  void store64(uint32_t address, uint64_t value) {
    for (uint32_t half = 0; half < 2; ++half) {
      const auto word = static_cast<uint32_t>(value >> (32 * half));
      uint8_t bytes[4];
      std::memcpy(bytes, &word, 4);
      bus.write_bytes(address + 4 * half, bytes);
      bus.ram_store_watched(address + 4 * half, 4);
    }
  }
  uint64_t read64(uint32_t address) {
    uint8_t bytes[8];
    EXPECT_TRUE(bus.read_bytes(address, bytes));
    uint64_t v;
    std::memcpy(&v, bytes, 8);
    return v;
  }
  void put64(uint32_t address, uint64_t v) {
    uint8_t bytes[8];
    std::memcpy(bytes, &v, 8);
    bus.write_bytes(address, bytes);
  }

  Bus bus{kRam, 1u << 20};
  Htif htif{bus, kTohost, kFromhost};
  int exit_code = -1;
  std::string output, problem;
};

TEST_F(HtifTest, AnOddPayloadIsTheExitCodeTimesTwoPlusOne) {
  store64(kTohost, (7 << 1) | 1);
  EXPECT_EQ(exit_code, 7);
  EXPECT_EQ(read64(kTohost), 0u) << "the host takes the command";
  EXPECT_EQ(htif.commands(), 1u);
}

TEST_F(HtifTest, TheLowerHalfAloneIsNotACommandYet) {
  uint8_t one[4] = {1, 0, 0, 0};
  bus.write_bytes(kTohost, one);
  EXPECT_FALSE(bus.ram_store_watched(kTohost - 4, 4)) << "a store beside the word is not watched";
  EXPECT_TRUE(bus.ram_store_watched(kTohost, 4));
  EXPECT_EQ(exit_code, -1);
  EXPECT_EQ(htif.commands(), 0u);
}

TEST_F(HtifTest, TheConsoleDevicePrintsAndAcknowledges) {
  store64(kTohost, uint64_t{1} << 56 | uint64_t{1} << 48 | 'A');
  EXPECT_EQ(output, "A");
  EXPECT_EQ(read64(kFromhost), uint64_t{1} << 56 | uint64_t{1} << 48);
}

TEST_F(HtifTest, ProxiedSystemCalls) {
  const char text[] = "proxied";
  bus.write_bytes(kMagic + 0x100, std::span(reinterpret_cast<const uint8_t*>(text), 7));
  put64(kMagic, 64);  // write(1, text, 7)
  put64(kMagic + 8, 1);
  put64(kMagic + 16, kMagic + 0x100);
  put64(kMagic + 24, 7);
  store64(kTohost, kMagic);
  EXPECT_EQ(output, "proxied");
  EXPECT_EQ(read64(kMagic), 7u);
  EXPECT_EQ(read64(kFromhost), 1u);

  put64(kMagic, 64);  // a buffer reaching past RAM: -EFAULT, nothing copied
  put64(kMagic + 8, 2);
  put64(kMagic + 16, kRam + (1u << 20) - 4);
  put64(kMagic + 24, 100);
  store64(kTohost, kMagic);
  EXPECT_EQ(static_cast<int64_t>(read64(kMagic)), -14);
  put64(kMagic, 64);  // a file descriptor other than stdout/stderr: -EBADF
  put64(kMagic + 8, 3);
  store64(kTohost, kMagic);
  EXPECT_EQ(static_cast<int64_t>(read64(kMagic)), -9);
  put64(kMagic, 57);  // close: not carried out, -ENOSYS
  store64(kTohost, kMagic);
  EXPECT_EQ(static_cast<int64_t>(read64(kMagic)), -38);
  EXPECT_EQ(output, "proxied");

  put64(kMagic, 93);  // exit(4)
  put64(kMagic + 8, 4);
  store64(kTohost, kMagic);
  EXPECT_EQ(exit_code, 4);
  EXPECT_TRUE(problem.empty()) << problem;
}

TEST_F(HtifTest, CommandsItDoesNotCarryOutAreRefusedWithAReason) {
  store64(kTohost, uint64_t{2} << 56 | 5);
  EXPECT_EQ(problem, "HTIF: device 2 command 0 (tohost = 0x0200000000000005) is not supported");
  problem.clear();
  store64(kTohost, 0x00000000fffffff0ull);  // a system call whose arguments are not in RAM
  EXPECT_EQ(problem, "HTIF: a system call's arguments at 0xfffffff0 are outside RAM");
  EXPECT_EQ(exit_code, -1);
}

}  // namespace
}  // namespace vmscope
