// Bugs found by fuzzing or by hand, kept fixed.
#include <gtest/gtest.h>

#include "hart/hart.h"

using namespace vmscope;

namespace {
// lw rd, imm(rs1)
uint32_t lw(unsigned rd, unsigned rs1, int imm) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | 2u << 12 | rd << 7 | 0x03;
}
}  // namespace

// fuzz_execute found it: an empty micro-TLB entry's tag (then 1) equalled the masked tag of a
// misaligned word access in page 0 (0x1d & 0xfffff003 == 1), so the access "hit" and read the
// host's address 0x1d. It must be an ordinary guest fault.
TEST(Regression, MisalignedAccessInPageZeroNeverHitsAnEmptyFastPathEntry) {
  for (const bool traps : {false, true}) {
    Bus bus(0x10000, 1u << 20);
    CodeCache code(bus);
    bus.set_code_cache(&code);
    HartConfig config;
    config.misaligned_access_traps = traps;
    config.exceptions_stop = true;
    Hart hart(bus, code, config);
    const uint32_t insn = lw(10, 0, 29);
    bus.write_bytes(0x10000, std::span(reinterpret_cast<const uint8_t*>(&insn), 4));
    hart.reset(0x10000);
    const RunResult r = hart.run(10);
    EXPECT_EQ(r.reason, StopReason::guest_fault);
    EXPECT_NE(hart.stop_message.find(traps ? "load address misaligned" : "load access fault"), std::string::npos)
        << hart.stop_message;
  }
}
