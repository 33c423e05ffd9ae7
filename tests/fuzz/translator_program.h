// Random but valid RV32IMAC programs for the board, made from a byte stream, to compare the block
// translator with the interpreter in lockstep (tests/fuzz/fuzz_translator.cpp under libFuzzer,
// tests/unit/translator_fuzz_test.cpp with seeded streams).
//
// Random instruction words are mostly illegal and end in a trap loop at once; these programs are
// generated so that they run: structured control flow (forward branches, loops bounded by a
// counter, calls and returns, direct and indirect, recursion deeper than the translator's return
// stack), ALU and M operations on interesting values,
// loads and stores of every width (misaligned ones and unmapped addresses trap), atomics, CSR
// accesses, code that stores new instructions over itself (before or after running them, in the
// same block, page or another), traps handled by an M-mode handler that skips the instruction,
// and timer and software interrupts. The bytes choose what comes next, so libFuzzer's mutations
// stay meaningful; when they run out, the program writes to the test device (exit 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "machine/lockstep.h"

namespace vmscope::fuzz {

inline constexpr uint32_t kProgramRamSize = 64u << 10;  // small: both machines zero it per program
inline constexpr uint64_t kStepBudget = 200000;         // programs need not end (WFI, interrupts)

struct TranslatorProgram {
  std::vector<uint8_t> elf;      // a bare-metal ELF32 executable, entry at the board's RAM base
  TranslatorOptions translator;  // chaining, cache size and eviction to run it with
  uint32_t slice = 0;            // first run in this many slices of steps (as a debugger steps); 0: at once
  uint32_t compare_every = 0;    // lockstep compares every this many steps (native links followed); 0: every block
  std::vector<std::pair<uint32_t, uint32_t>> code;  // [begin, end) of each code area, for listing()
};

TranslatorProgram make_program(const uint8_t* data, size_t size);

// Runs the program on both engines (system board, M-mode, no firmware) in lockstep: the first
// kMaxSlices runs of `slice` steps each, if any, then the rest of `max_steps` at once.
inline constexpr unsigned kMaxSlices = 500;
// What the translated machine's native code did (added to `seen`, if given): that the programs
// reach the translator's paths at all.
struct TranslatorPaths {
  uint64_t returns_predicted = 0, chained_entries = 0, evicted = 0, invalidated = 0;
  uint64_t modules_made = 0, modules_evicted = 0, modules_dropped = 0;  // (a tiered backend: WebAssembly)
  uint64_t traces_made = 0, traces_dropped = 0;                          // (native code)
};
LockstepResult run_in_lockstep(const TranslatorProgram& program, uint64_t max_steps = kStepBudget,
                               TranslatorPaths* seen = nullptr);

// The program's code as first loaded, disassembled: a reproducer for a report.
std::string listing(const TranslatorProgram& program);

}  // namespace vmscope::fuzz
