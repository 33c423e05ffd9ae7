// The translator's differential fuzzer without libFuzzer: programs generated from seeded byte
// streams (tests/fuzz/translator_program.h) run on the translator and the interpreter in lockstep,
// which must agree after every block and at the end.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "fuzz/translator_program.h"

namespace vmscope {
namespace {

TEST(TranslatorFuzz, SeededProgramsAgree) {
  std::mt19937 prng(20240611);  // fixed: the same 300 programs every time
  unsigned exited = 0;
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> bytes(64 + prng() % 2048);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(prng());
    const fuzz::TranslatorProgram program = fuzz::make_program(bytes.data(), bytes.size());
    const LockstepResult r = fuzz::run_in_lockstep(program);
    ASSERT_TRUE(r.ok()) << "program " << i << ": " << r.difference << "\n" << fuzz::listing(program);
    exited += r.run.reason == StopReason::exited;
  }
  // The programs must mostly run to their end (the test device), not stop early in a trap loop,
  // in WFI with nothing to wake it, or at the step budget.
  EXPECT_GT(exited, 270u);
}

}  // namespace
}  // namespace vmscope
