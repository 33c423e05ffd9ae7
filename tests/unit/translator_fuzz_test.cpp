// The translator's differential fuzzer without libFuzzer: programs generated from seeded byte
// streams (tests/fuzz/translator_program.h) run on the translator and the interpreter in lockstep,
// which must agree after every block and at the end.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <vector>

#include "fuzz/translator_program.h"
#include "translator/backend.h"

namespace vmscope {
namespace {

TEST(TranslatorFuzz, SeededProgramsAgree) {
  std::mt19937 prng(20240611);  // fixed: the same 300 programs every time
  unsigned exited = 0;
  fuzz::TranslatorPaths seen;
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> bytes(64 + prng() % 2048);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(prng());
    const fuzz::TranslatorProgram program = fuzz::make_program(bytes.data(), bytes.size());
    const LockstepResult r = fuzz::run_in_lockstep(program, fuzz::kStepBudget, &seen);
    ASSERT_TRUE(r.ok()) << "program " << i << ": " << r.difference << "\n" << fuzz::listing(program);
    exited += r.run.reason == StopReason::exited;
  }
  // The programs must mostly run to their end (the test device), not stop early in a trap loop,
  // in WFI with nothing to wake it, or at the step budget.
  EXPECT_GT(exited, 270u);
  // And they reach the translator's paths: where native code exists, chained entries and
  // predicted returns (programs compared every so many steps follow their links), and everywhere
  // blocks evicted and invalidated by stores. (The counts are the seeded programs', fixed.)
  std::printf("seeded programs: %llu chained entries, %llu returns predicted, %llu blocks evicted, %llu invalidated, "
              "%llu traces made, %llu dropped\n",
              static_cast<unsigned long long>(seen.chained_entries), static_cast<unsigned long long>(seen.returns_predicted),
              static_cast<unsigned long long>(seen.evicted), static_cast<unsigned long long>(seen.invalidated),
              static_cast<unsigned long long>(seen.traces_made), static_cast<unsigned long long>(seen.traces_dropped));
  if (native_backend_exists()) {
    EXPECT_GT(seen.chained_entries, 0u);
    EXPECT_GT(seen.returns_predicted, 0u);
    EXPECT_GT(seen.traces_made, 0u);
    EXPECT_GT(seen.traces_dropped, 0u) << "stores into traces, evictions and flushes take traces along";
  }
  EXPECT_GT(seen.evicted, 0u);
  EXPECT_GT(seen.invalidated, 0u);
}

}  // namespace
}  // namespace vmscope
