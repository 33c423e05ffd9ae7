// libFuzzer target: differential fuzzing of the block translator. The bytes drive a generator of
// valid RV32IMAC programs (translator_program.h: loops, calls, traps, interrupts, self-modifying
// code) and of the code cache's options (chaining, a tiny cache with either eviction); the
// program runs on two boards in lockstep, one per engine, compared after every translated block.
// Any difference is a finding: it is printed with the program's listing, then abort().
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/translator_program.h"

using namespace vmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::TranslatorProgram program = fuzz::make_program(data, size);
  const LockstepResult r = fuzz::run_in_lockstep(program);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\nlockstep: the engines disagree: %s\n", fuzz::listing(program).c_str(),
                 r.difference.c_str());
    std::abort();
  }
  return 0;
}
