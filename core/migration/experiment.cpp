// A migration experiment (experiment.h).
#include "migration/experiment.h"

#include <cstring>
#include <memory>

#include "migration/stream.h"
#include "state/archive.h"
#include "vmm/monitor.h"

namespace vmscope::migration {

namespace {

// A machine built like `from`, with its program, state and RAM: the same moment, elsewhere.
std::unique_ptr<Machine> copy_of(const Machine& from, std::span<const uint8_t> elf, const std::string& program,
                                 std::string& output) {
  auto m = std::make_unique<Machine>(from.options());
  if (!m->load(elf, program).ok()) return nullptr;
  StateWriter w;
  from.save_state(w);
  // RAM page by page, leaving alone the pages zero at both ends (most of them: never touched).
  static const uint8_t kZero[kPageSize] = {};
  for (uint32_t at = 0; at < from.bus().ram_size(); at += kPageSize) {
    const uint8_t* page = from.bus().ram() + at;
    if (std::memcmp(page, kZero, kPageSize) == 0 && std::memcmp(m->bus().ram() + at, kZero, kPageSize) == 0) continue;
    m->bus().write_bytes(from.bus().ram_base() + at, std::span(page, kPageSize));
  }
  StateReader r(w.bytes());
  if (!m->load_state(r)) return nullptr;
  m->on_output = [&output](int, std::string_view bytes) { output.append(bytes); };
  return m;
}

RunResult run_to_end(Machine& m, uint64_t max_steps, RunResult last = {}) {
  uint64_t steps = 0;
  while (last.reason == StopReason::budget && steps < max_steps) {
    last = m.run(std::min<uint64_t>(max_steps - steps, 1u << 22));
    steps += last.steps;
  }
  return last;
}

uint64_t retired(const Machine& m) { return m.monitor() ? m.monitor()->guest_instret() : m.hart().instret(); }

uint32_t pages_in_use(const Machine& m) {
  static const uint8_t kZero[kPageSize] = {};
  const GuestRam ram = guest_ram(m);
  const uint8_t* base = m.bus().ram() + (ram.host_base - m.bus().ram_base());
  uint32_t n = 0;
  for (uint32_t p = 0; p < ram.pages; ++p) n += std::memcmp(base + static_cast<size_t>(p) * kPageSize, kZero, kPageSize) != 0;
  return n;
}

}  // namespace

Experiment migrate_copy(const Machine& current, std::span<const uint8_t> elf, const std::string& program,
                        const Options& options, uint64_t max_steps) {
  Experiment e;
  e.program = program;
  e.options = options;
  e.at = current.hart().steps();
  e.guest_pages = guest_ram(current).pages;
  {  // First the copy that never moves (one machine at a time: a browser tab's memory is dear).
    auto unmoved = copy_of(current, elf, program, e.unmoved_output);
    if (!unmoved) {
      e.result.error = "the machine could not be copied";
      return e;
    }
    run_to_end(*unmoved, max_steps);
    e.unmoved_exit_code = unmoved->hart().exit_code;
    e.unmoved_retired = retired(*unmoved);
  }
  auto source = copy_of(current, elf, program, e.output);
  auto destination = std::make_unique<Machine>(current.options());
  if (!source || !destination->load(elf, program).ok()) {
    e.result.error = "the machine could not be copied";
    return e;
  }
  destination->on_output = [&e](int, std::string_view bytes) { e.output.append(bytes); };
  e.result = migrate(*source, *destination, options);
  Machine& running = e.result.switched ? *destination : *source;
  e.end = run_to_end(running, max_steps, e.result.guest_ended ? e.result.ended : RunResult{});
  e.exit_code = running.hart().exit_code;
  e.retired = retired(running);
  e.source_pages_in_use = pages_in_use(*source);
  e.destination_pages_in_use = e.result.switched ? pages_in_use(*destination) : 0;
  return e;
}

}  // namespace vmscope::migration
