// Benchmark of time travel (prints figures; checks nothing but that travel lands where asked):
// for a program run in given ways, the run time without recording (the reference) and with the
// debugger's recording (snapshots, event timeline, input log) — the slowdown — then the snapshots'
// memory at the end of the run, and the time to travel to random points of it (median, 90th
// percentile, worst). Same process, same machine: the ratios are the figures to compare.
//
//   vmscope-bench-timetravel PROGRAM.elf [--points N] [--repeat N] [--sbi]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "timetravel/time_machine.h"

using namespace vmscope;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Way {
  const char* name;
  Virtualization virt;
  Engine engine;
};

std::unique_ptr<Machine> make(const std::vector<uint8_t>& elf, const Way& way, bool sbi) {
  MachineOptions o;
  const ElfResult probe = parse_elf(elf, "program");
  o.kind = guess_machine_kind(probe.image);
  o.firmware = sbi ? Firmware::sbi : Firmware::none;
  o.virtualization = way.virt;
  o.engine = way.engine;
  auto m = std::make_unique<Machine>(o);
  if (!m->load(elf, "program").ok()) {
    std::fprintf(stderr, "cannot load the program\n");
    std::exit(2);
  }
  m->on_output = [](int, std::string_view) {};
  return m;
}

// The run as the debugger makes it: frames of 100,000 steps.
template <typename Run>
uint64_t run_all(Run&& run, Machine& m) {
  for (;;) {
    const RunResult r = run(100'000);
    if (r.reason != StopReason::budget) return m.hart().steps();
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: vmscope-bench-timetravel PROGRAM.elf [--points N] [--repeat N] [--sbi]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<uint8_t> elf{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  int points = 50, repeat = 5;
  bool sbi = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--points") && i + 1 < argc) points = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--sbi")) sbi = true;
  }
  const Way ways[] = {
      {"emulation, interpreter", Virtualization::emulation, Engine::interpreter},
      {"trap-and-emulate, interpreter", Virtualization::trap_and_emulate, Engine::interpreter},
      {"trap-and-emulate, translator", Virtualization::trap_and_emulate, Engine::translator},
  };
  std::printf("%-32s %10s %10s %10s %9s %10s %8s %11s %11s %11s\n", "way", "steps", "plain ms", "recorded", "slowdown",
              "snap MiB", "snaps", "travel med", "travel p90", "travel max");
  for (const Way& way : ways) {
    if (!sbi && way.virt != Virtualization::emulation) continue;
    // Best of N, plain and recorded runs taking turns (so that neither gets the warmer machine).
    double plain = 1e9, recorded = 1e9;
    uint64_t steps = 0;
    std::unique_ptr<Machine> m;
    std::unique_ptr<TimeMachine> tm;
    for (int r = 0; r < repeat; ++r) {
      {
        auto p = make(elf, way, sbi);
        const auto t0 = Clock::now();
        steps = run_all([&](uint64_t n) { return p->run(n); }, *p);
        plain = std::min(plain, seconds_since(t0));
      }
      tm.reset();
      m = make(elf, way, sbi);
      tm = std::make_unique<TimeMachine>(*m);  // the debugger's defaults
      const auto t0 = Clock::now();
      run_all([&](uint64_t n) { return tm->run(n); }, *m);
      recorded = std::min(recorded, seconds_since(t0));
    }
    // Travel to random points (fixed seed), from wherever the previous travel left the machine.
    std::mt19937_64 rng(12345);
    std::vector<double> ms;
    for (int i = 0; i < points; ++i) {
      const uint64_t target = rng() % (steps + 1);
      const auto t0 = Clock::now();
      if (!tm->travel_to(target) || tm->position() != target) {
        std::fprintf(stderr, "travel to %llu failed\n", static_cast<unsigned long long>(target));
        return 1;
      }
      ms.push_back(seconds_since(t0) * 1e3);
    }
    std::sort(ms.begin(), ms.end());
    const auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))]; };
    std::printf("%-32s %10llu %10.1f %10.1f %8.2fx %10.1f %8zu %9.1fms %9.1fms %9.1fms\n", way.name,
                static_cast<unsigned long long>(steps), plain * 1e3, recorded * 1e3, recorded / plain,
                static_cast<double>(tm->snapshots().memory_bytes()) / (1 << 20), tm->snapshots().all().size(), pct(0.5),
                pct(0.9), ms.back());
  }
  std::printf("(plain: no recording; recorded: the debugger's recording — snapshots every %llu steps at first, a %zu MiB budget, "
              "the event timeline; travel: restore the latest snapshot before the point and replay to it, %d random points)\n",
              static_cast<unsigned long long>(TimeTravelOptions{}.snapshot_interval), TimeTravelOptions{}.memory_budget >> 20,
              points);
  return 0;
}
