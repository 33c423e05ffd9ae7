// Running two configurations of one program and collecting what they did (comparison.h).
#include "comparison.h"

#include <chrono>

#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

std::string describe(const MachineOptions& o) {
  std::string d;
  if (o.firmware == Firmware::sbi) {
    d = to_string(o.virtualization);
    if (o.virtualization != Virtualization::emulation) d += std::string(", shadows by ") + to_string(o.invalidation);
    if (o.quirks.any()) d += ", quirks";
    d += ", ";
  }
  d += to_string(o.engine);
  if (o.engine == Engine::translator)
    d += std::string(" (") + (o.translator.chaining ? "chained" : "no chaining") + ", " +
         std::to_string(o.translator.capacity_kib) + " KiB, " + to_string(o.translator.eviction) + ")";
  return d;
}

namespace {
RunFigures run(std::span<const uint8_t> elf, const std::string& name, const MachineOptions& options, uint64_t max_steps) {
  RunFigures f;
  f.label = describe(options);
  Machine m(options);
  if (!m.load(elf, name).ok()) {
    f.reason = StopReason::unsupported;
    return f;
  }
  m.on_output = [](int, std::string_view) {};
  TimeMachine tm(m);  // for its timeline (no travel here)
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r;
  while (tm.position() < max_steps) {
    r = tm.run(std::min<uint64_t>(1'000'000, max_steps - tm.position()));
    if (r.reason != StopReason::budget) break;
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Hart& h = m.hart();
  f.steps = h.steps();
  f.reason = r.reason;
  f.exit_code = h.exit_code;
  f.events = tm.timeline();
  const Monitor* mon = m.monitor();
  const BlockCache& c = m.block_cache();
  auto add = [&f](const char* what, uint64_t v) { f.counters.emplace_back(what, v); };
  add("guest instructions retired", mon ? mon->guest_instret() : h.instret());
  add("host steps (instructions the hart attempted)", h.steps());
  add("exceptions on the hart", h.exceptions());
  add("interrupts on the hart", h.interrupts());
  add("monitor exits", mon ? mon->stats().exits : 0);
  add("  emulated instructions", mon ? mon->stats().emulated : 0);
  add("  hidden page faults", mon ? mon->stats().hidden_faults : 0);
  add("  page faults reflected to the guest", mon ? mon->stats().reflected_page_faults : 0);
  add("  guest page-table writes emulated", mon ? mon->stats().page_table_writes : 0);
  add("shadow entries filled", mon ? mon->shadow().stats().fills : 0);
  add("shadow entries invalidated", mon ? mon->shadow().stats().invalidated_entries : 0);
  add("TLB misses", h.tlb().stats.misses);
  add("blocks translated", c.stats.translated);
  add("block entries through chain links", c.entries() - std::min(c.entries(), c.stats.lookups));
  add("block entries through the table", std::min(c.entries(), c.stats.lookups));
  add("blocks invalidated (code changed)", c.stats.invalidated);
  add("blocks evicted (cache full)", c.stats.evicted);
  add("run time (microseconds)", static_cast<uint64_t>(f.seconds * 1e6));
  return f;
}
}  // namespace

Comparison compare_runs(std::span<const uint8_t> elf, const std::string& name, const MachineOptions& a,
                        const MachineOptions& b, uint64_t max_steps) {
  return {name, run(elf, name, a, max_steps), run(elf, name, b, max_steps)};
}

}  // namespace vmscope::ui
