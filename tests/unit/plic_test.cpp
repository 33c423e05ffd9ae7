// The PLIC as drivers use it: requests from rising lines kept until claimed, the highest
// priority above the threshold claimed first (the lowest source on a tie), each context's
// line, completion re-arming a source whose line is still high, WARL priorities.
#include <gtest/gtest.h>

#include "devices/plic.h"

using namespace vmscope;

namespace {
struct Board {
  Plic plic;
  bool m = false, s = false;
  Board() { plic.on_context_line = [this](unsigned c, bool level) { (c == 0 ? m : s) = level; }; }
  uint32_t reg(uint32_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(plic.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint32_t offset, uint32_t v) { EXPECT_TRUE(plic.write(offset, 4, v)); }
  static uint32_t claim(unsigned context) { return Plic::kContextBase + Plic::kContextStride * context + 4; }
  static uint32_t enable(unsigned context) { return Plic::kEnableBase + Plic::kEnableStride * context; }
};
}  // namespace

TEST(Plic, ClaimsTheHighestPriorityAboveTheThreshold) {
  Board b;
  b.set(4 * 1, 2);
  b.set(4 * 10, 5);
  b.set(4 * 33, 5);
  b.set(Board::enable(0), (1u << 1) | (1u << 10));
  b.set(Board::enable(0) + 4, 1u << 1);  // source 33
  b.plic.set_level(1, true);
  b.plic.set_level(10, true);
  b.plic.set_level(33, true);
  EXPECT_TRUE(b.m);
  EXPECT_FALSE(b.s) << "nothing enabled for context 1";
  EXPECT_EQ(b.reg(Plic::kPendingBase), (1u << 1) | (1u << 10));
  EXPECT_EQ(b.reg(Board::claim(0)), 10u) << "priority 5 before 2; on a tie the lower source";
  EXPECT_EQ(b.reg(Board::claim(0)), 33u);
  b.set(Plic::kContextBase, 2);  // threshold 2: priority 2 no longer interrupts
  EXPECT_FALSE(b.m);
  EXPECT_EQ(b.reg(Board::claim(0)), 0u);
  b.set(Plic::kContextBase, 0);
  EXPECT_EQ(b.reg(Board::claim(0)), 1u);
  EXPECT_FALSE(b.m) << "all claimed";
  EXPECT_EQ(b.plic.claims(), 3u);
}

TEST(Plic, RequestsStayUntilClaimedAndCompletionRearmsAHighLine) {
  Board b;
  b.set(4 * 10, 1);
  b.set(Board::enable(1), 1u << 10);
  b.plic.set_level(10, true);
  EXPECT_TRUE(b.s);
  b.plic.set_level(10, false);
  EXPECT_TRUE(b.plic.pending(10)) << "the line fell: the request stays";
  EXPECT_EQ(b.reg(Board::claim(1)), 10u);
  EXPECT_FALSE(b.s);
  b.plic.set_level(10, true);  // rises again while claimed
  EXPECT_FALSE(b.s) << "a claimed source waits for its completion";
  b.set(Board::claim(1), 10);
  EXPECT_TRUE(b.s) << "completed with the line high: a new request";
  EXPECT_EQ(b.reg(Board::claim(1)), 10u);
  b.plic.set_level(10, false);
  b.set(Board::claim(1), 10);
  EXPECT_FALSE(b.s) << "completed with the line low: quiet";
}

TEST(Plic, PrioritiesAndThresholdsKeepThreeBits) {
  Board b;
  b.set(4 * 5, 0xffffffff);
  EXPECT_EQ(b.reg(4 * 5), 7u);
  b.set(0, 3);
  EXPECT_EQ(b.reg(0), 0u) << "source 0 does not exist";
  b.set(Plic::kContextBase + Plic::kContextStride, 9);
  EXPECT_EQ(b.reg(Plic::kContextBase + Plic::kContextStride), 1u);
  b.set(Board::enable(0), 0xffffffff);
  EXPECT_EQ(b.reg(Board::enable(0)), 0xfffffffeu) << "source 0 cannot be enabled";
  uint64_t v;
  EXPECT_FALSE(b.plic.read(4 * 5, 2, v)) << "32-bit registers";
  b.plic.set_level(96, true);  // beyond the sources: ignored
  EXPECT_FALSE(b.m);
}
