// Why a translation fails, in words (sv32_explain): the MMU panel's Translate shows this.
#include <gtest/gtest.h>

#include "mem/bus.h"
#include "mem/sv32.h"

namespace vmscope {
namespace {

constexpr uint32_t kRam = 0x80000000, kRoot = kRam + 0x1000, kTable = kRam + 0x2000, kFrame = kRam + 0x3000;
constexpr uint32_t kVa = 0x00401000;  // VPN[1] = 1, VPN[0] = 1

struct Explain : ::testing::Test {
  Bus bus{kRam, 1 << 20};
  void put(uint32_t at, uint32_t pte) {
    const uint8_t b[4] = {static_cast<uint8_t>(pte), static_cast<uint8_t>(pte >> 8), static_cast<uint8_t>(pte >> 16),
                          static_cast<uint8_t>(pte >> 24)};
    bus.write_bytes(at, b);
  }
  void leaf(uint32_t flags) {
    put(kRoot + 4 * 1, ((kTable >> 12) << 10) | kPteV);
    put(kTable + 4 * 1, ((kFrame >> 12) << 10) | flags);
  }
  std::string why(Priv mode, AccessType type, bool sum = false, bool hardware_ad = true) {
    const Sv32Context ctx{kSatpModeSv32 | (kRoot >> 12), mode, sum, false, hardware_ad};
    const Sv32Walk w = sv32_walk(bus, ctx, kVa, type, false);
    EXPECT_FALSE(w.ok);
    return sv32_explain(w, ctx, type);
  }
  static constexpr uint32_t kSatpModeSv32 = 1u << 31;
};

TEST_F(Explain, NamesTheLevelAndTheBit) {
  EXPECT_EQ(why(Priv::S, AccessType::load), "level 1 PTE at 0x80001004 is not valid (V = 0)");
  leaf(0);
  EXPECT_EQ(why(Priv::S, AccessType::load), "level 0 PTE at 0x80002004 is not valid (V = 0)");
  leaf(kPteV | kPteW | kPteA | kPteD);
  EXPECT_EQ(why(Priv::S, AccessType::store), "level 0 PTE at 0x80002004 is reserved: W = 1 without R");
  leaf(kPteV | kPteR | kPteA);
  EXPECT_EQ(why(Priv::S, AccessType::store), "the leaf (level 0) does not allow a store: W = 0");
  EXPECT_EQ(why(Priv::U, AccessType::load), "the leaf (level 0) is a supervisor page (U = 0): U-mode may not load it");
  leaf(kPteV | kPteR | kPteX | kPteU | kPteA);
  EXPECT_EQ(why(Priv::S, AccessType::load), "the leaf (level 0) is a user page (U = 1) and sstatus.SUM = 0: S-mode may not load it");
  EXPECT_EQ(why(Priv::S, AccessType::fetch), "the leaf (level 0) is a user page (U = 1): S-mode never executes user code");
  leaf(kPteV | kPteR);
  EXPECT_EQ(why(Priv::S, AccessType::load, false, false), "the leaf (level 0) has A clear and A/D are set by software here (Svade)");
  leaf(kPteV);
  EXPECT_EQ(why(Priv::S, AccessType::load), "level 0 PTE at 0x80002004 points to yet another table: Sv32 has two levels");
  put(kRoot + 4 * 1, (((kFrame >> 12) + 1) << 10) | kPteV | kPteR | kPteA);  // a superpage whose PPN[0] is not 0
  EXPECT_EQ(why(Priv::S, AccessType::load), "level 1 leaf at 0x80001004 is a misaligned superpage (PPN[0] = 0x4, must be 0)");
}

}  // namespace
}  // namespace vmscope
