// The translator's differential programs (tests/fuzz/translator_program.h, the generator behind
// fuzz_translator and the seeded unit test) under node, on the WebAssembly backend: every block
// compiled once entered (hot threshold 1, compiled at once), in lockstep with the interpreter.
//   node vmscope_seeded_node.js [COUNT] [--max-modules N]
// Exits 0 when every program agrees (and prints what the compiled code went through), 1 at the
// first disagreement (with the program's listing), 2 on bad arguments.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fuzz/translator_program.h"

using namespace vmscope;

int main(int argc, char** argv) {
  unsigned count = 300;
  uint32_t max_modules = 256;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--max-modules") && i + 1 < argc) {
      max_modules = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (std::isdigit(static_cast<unsigned char>(argv[i][0]))) {
      count = static_cast<unsigned>(std::strtoul(argv[i], nullptr, 10));
    } else {
      std::fprintf(stderr, "usage: vmscope_seeded_node.js [COUNT] [--max-modules N]\n");
      return 2;
    }
  }
  if (max_modules == 0) {
    std::fprintf(stderr, "vmscope_seeded_node: --max-modules wants a number above 0\n");
    return 2;
  }
  std::mt19937 prng(20240611);  // the unit test's seed: the same programs
  unsigned exited = 0;
  fuzz::TranslatorPaths seen;
  for (unsigned i = 0; i < count; ++i) {
    std::vector<uint8_t> bytes(64 + prng() % 2048);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(prng());
    fuzz::TranslatorProgram program = fuzz::make_program(bytes.data(), bytes.size());
    program.translator.backend = TranslatorBackend::native;  // (here: WebAssembly)
    program.translator.tiering.hot_threshold = 1;
    program.translator.tiering.synchronous = true;
    program.translator.tiering.max_modules = max_modules;
    const LockstepResult r = fuzz::run_in_lockstep(program, fuzz::kStepBudget, &seen);
    if (!r.ok()) {
      std::fprintf(stderr, "program %u: the engines disagree: %s\n%s", i, r.difference.c_str(),
                   fuzz::listing(program).c_str());
      return 1;
    }
    exited += r.run.reason == StopReason::exited;
  }
  std::printf("%u seeded programs identical on the WebAssembly backend and the interpreter (%u ran to their end); "
              "%llu blocks evicted, %llu invalidated, %llu modules made, %llu evicted, %llu dropped\n",
              count, exited, static_cast<unsigned long long>(seen.evicted), static_cast<unsigned long long>(seen.invalidated),
              static_cast<unsigned long long>(seen.modules_made), static_cast<unsigned long long>(seen.modules_evicted),
              static_cast<unsigned long long>(seen.modules_dropped));
  return 0;
}
