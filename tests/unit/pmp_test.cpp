// PMP matching (mem/pmp.h) on its own: NAPOT sizes from the trailing ones, TOR from the entry
// below, NA4, the lowest matching entry deciding, M bound only by locked entries, locks, and
// whether a whole page may be cached by a fast path.
#include <gtest/gtest.h>

#include "mem/pmp.h"

using namespace vmscope;

namespace {
Pmp with(unsigned entries) {
  Pmp p;
  p.set_entries(entries);
  p.reset();
  return p;
}
void set(Pmp& p, unsigned e, uint8_t cfg) {
  const uint32_t shift = 8 * (e % 4);
  p.write_cfg(e / 4, (p.read_cfg(e / 4) & ~(0xffu << shift)) | uint32_t{cfg} << shift);
}
}  // namespace

TEST(Pmp, RegionsDecodeAsTheSpecSays) {
  Pmp p = with(16);
  p.write_addr(0, (0x80001000u >> 2) | 0x1ff);  // NAPOT, 9 trailing ones: 4 KiB
  set(p, 0, Pmp::kNapot << 3 | Pmp::kR);
  EXPECT_EQ(p.region(0).lo, 0x80001000u);
  EXPECT_EQ(p.region(0).hi, 0x80002000u);
  p.write_addr(1, 0xffffffffu);  // all ones: the whole 34-bit space
  set(p, 1, Pmp::kNapot << 3 | Pmp::kR | Pmp::kW | Pmp::kX);
  EXPECT_EQ(p.region(1).lo, 0u);
  EXPECT_EQ(p.region(1).hi, uint64_t{1} << 35) << "32 trailing ones: 2^35 bytes, more than the 34-bit space";
  p.write_addr(2, 0x1000 >> 2);
  p.write_addr(3, 0x1100 >> 2);
  set(p, 3, Pmp::kTor << 3);
  EXPECT_EQ(p.region(3).lo, 0x1000u);
  EXPECT_EQ(p.region(3).hi, 0x1100u);
  p.write_addr(4, 0x2000 >> 2);
  set(p, 4, Pmp::kNa4 << 3);
  EXPECT_EQ(p.region(4).hi - p.region(4).lo, 4u);
}

TEST(Pmp, TheLowestMatchingEntryDecidesAndMObeysOnlyLocks) {
  Pmp p = with(16);
  p.write_addr(0, (0x80001000u >> 2) | 0x1ff);
  set(p, 0, Pmp::kNapot << 3 | Pmp::kR);
  p.write_addr(15, 0xffffffffu);
  set(p, 15, Pmp::kNapot << 3 | Pmp::kR | Pmp::kW | Pmp::kX);
  EXPECT_TRUE(p.allows(0x80001004, AccessType::load, Priv::U));
  EXPECT_FALSE(p.allows(0x80001004, AccessType::store, Priv::U)) << "entry 0 decides, not the catch-all";
  EXPECT_TRUE(p.allows(0x80002004, AccessType::store, Priv::S)) << "the catch-all";
  EXPECT_TRUE(p.allows(0x80001004, AccessType::store, Priv::M)) << "M: entry 0 is not locked";
  EXPECT_FALSE(p.allows_page(0x80001000, AccessType::store, Priv::U));
  EXPECT_TRUE(p.allows_page(0x80001000, AccessType::load, Priv::U));
  set(p, 15, 0);
  EXPECT_FALSE(p.allows(0x80002004, AccessType::load, Priv::U)) << "no match: S/U refused";
  EXPECT_TRUE(p.allows(0x80002004, AccessType::load, Priv::M)) << "no match: M allowed";
  set(p, 0, Pmp::kNapot << 3 | Pmp::kR | Pmp::kL);
  EXPECT_FALSE(p.allows(0x80001004, AccessType::store, Priv::M)) << "locked: M too";
  set(p, 0, Pmp::kNapot << 3 | Pmp::kR | Pmp::kW);
  p.write_addr(0, 0);
  EXPECT_EQ(p.read_cfg(0) & 0xff, Pmp::kNapot << 3 | Pmp::kR | Pmp::kL) << "a locked entry keeps its configuration";
  EXPECT_EQ(p.read_addr(0), (0x80001000u >> 2) | 0x1ff) << "and its address";
  EXPECT_TRUE(with(0).allows(0x80001004, AccessType::store, Priv::U)) << "no entries: no protection";
}

TEST(Pmp, APageOnlyPartlyCoveredIsNotCached) {
  Pmp p = with(16);
  p.write_addr(0, 0x80001000u >> 2);
  p.write_addr(1, 0x80001100u >> 2);
  set(p, 1, Pmp::kTor << 3 | Pmp::kR);  // 256 bytes readable
  p.write_addr(15, 0xffffffffu);
  set(p, 15, Pmp::kNapot << 3 | Pmp::kR | Pmp::kW | Pmp::kX);
  EXPECT_TRUE(p.allows(0x80001010, AccessType::load, Priv::U));
  EXPECT_FALSE(p.allows_page(0x80001000, AccessType::load, Priv::U)) << "the entry covers only part of the page";
  EXPECT_TRUE(p.allows_page(0x80003000, AccessType::load, Priv::U));
  const uint64_t g = p.generation();
  p.write_addr(2, 1);
  EXPECT_GT(p.generation(), g);
}
