// Running configurations of programs and collecting what they did (comparison.h).
#include "compare/comparison.h"

#include <algorithm>
#include <chrono>

#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

namespace vmscope {

std::string describe(const MachineOptions& o) {
  std::string d;
  if (o.firmware == Firmware::sbi) {
    d = to_string(o.virtualization);
    if (o.virtualization == Virtualization::trap_and_emulate || o.virtualization == Virtualization::binary_translation)
      d += std::string(", shadows by ") + to_string(o.invalidation);
    if (o.quirks.any()) d += ", quirks";
    if (o.console == Console::pass_through) d += ", 16550 passed through";
    if (o.console == Console::emulated) d += ", 16550 emulated";
    if (o.console == Console::virtio) d += ", virtio-console";
    d += ", ";
  }
  d += to_string(o.engine);
  if (o.engine == Engine::translator)
    d += std::string(" (") + (o.translator.chaining ? "chained" : "no chaining") + ", " +
         std::to_string(o.translator.capacity_kib) + " KiB, " + to_string(o.translator.eviction) + ")";
  return d;
}

uint64_t RunFigures::counter(std::string_view name) const {
  for (const auto& [what, value] : counters)
    if (what == name) return value;
  return 0;
}

bool is_paravirtual_kernel(const ElfImage& image) {
  return std::any_of(image.symbols.begin(), image.symbols.end(), [](const ElfSymbol& s) { return s.name == "pv_shared"; });
}

namespace {
RunFigures run(const RunSpec& spec, uint64_t max_steps) {
  RunFigures f;
  f.label = spec.label.empty() ? describe(spec.options) : spec.label;
  f.program = spec.program;
  Machine m(spec.options);
  if (!m.load(spec.elf, spec.program).ok()) {
    f.reason = StopReason::unsupported;
    return f;
  }
  m.on_output = [&f](int, std::string_view bytes) { f.output += bytes; };
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
  const MonitorStats none;
  const MonitorStats& s = mon ? mon->stats() : none;
  const BlockCache& c = m.block_cache();
  auto add = [&f](const char* what, uint64_t v) { f.counters.emplace_back(what, v); };
  add("guest instructions retired", mon ? mon->guest_instret() : h.instret());
  add("host steps (instructions the hart attempted)", h.steps());
  add("exceptions on the hart", h.exceptions());
  add("interrupts on the hart", h.interrupts());
  add("monitor exits", s.exits);
  add("  by illegal instruction", s.exits_by_exception[2]);
  add("  by ECALL (system calls, SBI calls, hypercalls)", s.exits_by_exception[8]);
  add("  by page faults", s.exits_by_exception[12] + s.exits_by_exception[13] + s.exits_by_exception[15]);
  add("  by interrupts", s.exits_by_interrupt_total());
  add("emulated instructions", s.emulated);
  add("  CSR accesses", s.csr);
  add("  SRET, WFI, SFENCE.VMA", s.sret + s.wfi + s.sfence);
  add("  SBI calls", s.sbi_calls);
  add("  hypercalls", s.hypercalls);
  add("  callouts from translated kernel code", s.callouts);
  add("  guest page-table writes emulated", s.page_table_writes);
  add("  of them SBI console calls (DBCN)", s.console_calls);
  add("  device register accesses emulated", s.device_accesses);
  add("console bytes", f.output.size());
  add("page-table entries written by hypercall", s.pte_updates);
  add("hidden page faults", s.hidden_faults);
  add("page faults reflected to the guest", s.reflected_page_faults);
  add("guest-page faults (G-stage filled)", s.g_stage_fills);
  add("shadow entries filled", mon ? mon->shadow().stats().fills : 0);
  add("shadow entries invalidated", mon ? mon->shadow().stats().invalidated_entries : 0);
  add("shadow-table memory now (KiB)", mon ? 4ull * mon->shadow().pages_in_use() : 0);
  add("TLB misses: page-table walks", h.tlb().stats.walks);
  add("  page-table entries they read", h.tlb().stats.walk_accesses);
  add("blocks translated", c.stats.translated);
  add("block entries through chain links", c.entries() - std::min(c.entries(), c.stats.lookups));
  add("block entries through the table", std::min(c.entries(), c.stats.lookups));
  add("blocks invalidated (code changed)", c.stats.invalidated);
  add("blocks evicted (cache full)", c.stats.evicted);
  add("run time (microseconds)", static_cast<uint64_t>(f.seconds * 1e6));
  return f;
}
}  // namespace

Comparison compare_runs(std::span<const RunSpec> runs, uint64_t max_steps) {
  Comparison c;
  if (!runs.empty()) c.program = runs.front().program;
  for (const RunSpec& spec : runs) c.runs.push_back(run(spec, max_steps));
  return c;
}

std::vector<RunSpec> ways_to_run(std::span<const uint8_t> kernel_elf, const std::string& kernel_name,
                                 std::span<const uint8_t> pv_elf, const std::string& pv_name,
                                 const MachineOptions& base) {
  std::vector<RunSpec> ways;
  auto way = [&](Virtualization v, ShadowInvalidation i, const char* label, bool pv) {
    MachineOptions o = base;
    o.kind = MachineKind::system;
    o.firmware = Firmware::sbi;
    o.virtualization = v;
    o.invalidation = i;
    o.quirks = {};
    ways.push_back({pv ? pv_elf : kernel_elf, pv ? pv_name : kernel_name, o, label});
  };
  way(Virtualization::emulation, ShadowInvalidation::sfence, "emulation", false);
  way(Virtualization::trap_and_emulate, ShadowInvalidation::sfence, "trap-and-emulate, shadows by sfence", false);
  way(Virtualization::trap_and_emulate, ShadowInvalidation::write_protect, "trap-and-emulate, shadows by write-protect", false);
  way(Virtualization::binary_translation, ShadowInvalidation::sfence, "binary translation", false);
  if (!pv_elf.empty()) way(Virtualization::paravirtual, ShadowInvalidation::write_protect, "paravirtual", true);
  way(Virtualization::hardware_assisted, ShadowInvalidation::sfence, "hardware-assisted", false);
  return ways;
}

std::vector<RunSpec> consoles_to_run(std::span<const uint8_t> kernel_elf, const std::string& kernel_name,
                                     const MachineOptions& base) {
  std::vector<RunSpec> runs;
  for (const auto& [console, label] : {std::pair{Console::sbi, "console by SBI call (DBCN)"},
                                       std::pair{Console::pass_through, "16550 passed through"},
                                       std::pair{Console::emulated, "16550 emulated by the monitor"},
                                       std::pair{Console::virtio, "virtio-console (paravirtual)"}}) {
    MachineOptions o = base;
    o.kind = MachineKind::system;
    o.firmware = Firmware::sbi;
    o.console = console;
    o.quirks = {};
    runs.push_back({kernel_elf, kernel_name, o, std::string(label) + ", " + to_string(o.virtualization)});
  }
  return runs;
}

}  // namespace vmscope
