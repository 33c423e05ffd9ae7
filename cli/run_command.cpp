// `vmscope run`: loads a program, runs it to the end (or a limit), prints a summary.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "console_terminal.h"
#include "exit_codes.h"
#include "elf/symbol_namer.h"
#include "isa/disassembler.h"
#include "guest_directories.h"
#include "machine/block_listing.h"
#include "machine/linux_process.h"
#include "machine/lockstep.h"
#include "machine/machine.h"
#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

namespace vmscope::cli {

bool read_file(const std::string& path, std::vector<uint8_t>& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "vmscope: cannot open '%s'\n", path.c_str());
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "vmscope: cannot read '%s'\n", path.c_str());
    return false;
  }
  return true;
}

int exit_code_for_elf_error(int e) {
  switch (static_cast<ElfError>(e)) {
    case ElfError::wrong_class:
    case ElfError::wrong_endianness:
    case ElfError::wrong_machine:
    case ElfError::not_executable:
    case ElfError::unsupported_abi: return kWrongArchitecture;
    case ElfError::segment_outside_memory: return kBadLayout;
    default: return kBadElf;
  }
}

void write_guest_output(int fd, std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), fd == 2 ? stderr : stdout);
  if (fd == 2) std::fflush(stderr);
}

namespace {

}  // namespace

// Bytes waiting on the host's stdin, without blocking (a system guest polls its UART).
// Returns false once stdin has ended.
bool forward_ready_stdin(const std::function<void(std::string_view)>& feed) {
  pollfd p{0, POLLIN, 0};
  while (poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP))) {
    char buf[4096];
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n <= 0) return false;
    feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  return true;
}

namespace {

size_t read_host_stdin(uint8_t* buffer, size_t size) {
  std::fflush(stdout);
  const ssize_t n = ::read(0, buffer, size);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

}  // namespace

int exit_code_for_stop(const RunResult& r, const Hart& h) {
  switch (r.reason) {
    case StopReason::exited: return h.exit_code;
    case StopReason::guest_fault: return kGuestFault;
    case StopReason::unsupported: return kUnsupported;
    case StopReason::trap_loop: return kTrapLoop;
    case StopReason::idle: return kIdleForever;
    case StopReason::check_failed: return kCheckFailed;
    default: return kInstructionLimit;
  }
}

namespace {

// What the guest did with its disk, and where its writes went.
void print_disk_summary(const Machine& machine, const std::string& drive) {
  const VirtioBlock& d = *machine.disk();
  const VirtioBlock::Counts& c = d.counts();
  const bool rw = drive.ends_with(":rw");
  std::fprintf(stderr, "vmscope: disk %s: %llu reads (%llu KiB), %llu writes (%llu KiB), %llu errors; %zu sectors changed (%s)\n",
               drive.c_str(), static_cast<unsigned long long>(c.reads), static_cast<unsigned long long>(c.bytes_read / 1024),
               static_cast<unsigned long long>(c.writes), static_cast<unsigned long long>(c.bytes_written / 1024),
               static_cast<unsigned long long>(c.errors), d.overlay_sectors(),
               rw ? "written through to the file" : "in memory only: the image file is unchanged");
}

// What the balloon did, and what it saved the host.
void print_balloon_summary(const Machine& machine) {
  const VirtioBalloon& b = *machine.balloon();
  const Bus& bus = machine.bus();
  const Monitor* m = machine.monitor();
  const uint32_t guest_pages = (m ? m->guest_memory().ram_size() : bus.ram_size()) >> 12;
  const uint32_t host_base = bus.ram_base() + (m ? m->guest_memory().offset() : 0);
  const uint32_t reclaimed = bus.reclaimed_pages();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(stderr,
               "vmscope: balloon: target %u pages, the guest's driver says it holds %u; %llu pages given and %llu "
               "taken back in %llu requests%s\n",
               b.target(), b.actual(), u(b.counts().inflated), u(b.counts().deflated), u(b.counts().requests),
               b.counts().refused ? (", " + std::to_string(b.counts().refused) + " page frames refused (not guest RAM)").c_str() : "");
  std::fprintf(stderr,
               "vmscope: balloon: host memory for the guest's RAM: %u of %u pages (%u reclaimed); of them resident "
               "now (pages the guest ever touched, less the reclaimed): %u%s%s\n",
               guest_pages - reclaimed, guest_pages, reclaimed, bus.resident_pages(host_base, guest_pages << 12),
               m ? "; pages the guest touched after giving them: " : "",
               m ? std::to_string(m->reclaimed_touched()).c_str() : "");
}

void print_monitor_summary(const Monitor& m, const Hart& hart, double seconds) {
  const MonitorStats& s = m.stats();
  const ShadowStats& sh = m.shadow().stats();
  const uint64_t guest = m.guest_steps();
  std::string causes;
  for (unsigned c = 0; c < s.exits_by_exception.size(); ++c) {
    if (s.exits_by_exception[c]) causes += std::string(causes.empty() ? "" : ", ") + exception_name(c) + " " + std::to_string(s.exits_by_exception[c]);
  }
  for (unsigned c = 0; c < s.exits_by_interrupt.size(); ++c) {
    if (s.exits_by_interrupt[c]) causes += std::string(causes.empty() ? "" : ", ") + interrupt_name(c) + " " + std::to_string(s.exits_by_interrupt[c]);
  }
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  const std::string way = m.hardware_assisted ? "hardware-assisted, guest in VS-mode behind the G-stage"
                          : std::string(m.paravirtual          ? "paravirtual"
                                        : m.binary_translation ? "trap-and-emulate, kernel code binary-translated"
                                                               : "trap-and-emulate") +
                                ", shadow invalidation by " + to_string(m.shadow().strategy());
  std::fprintf(stderr,
               "vmscope: monitor (%s): %llu exits (%.0f per million guest "
               "instructions, %.0f per second): %s\n",
               way.c_str(), u(s.exits), guest ? 1e6 * static_cast<double>(s.exits) / static_cast<double>(guest) : 0.0,
               seconds > 0 ? static_cast<double>(s.exits) / seconds : 0.0, causes.c_str());
  std::fprintf(stderr,
               "vmscope: monitor: %llu instructions emulated (%llu CSR, %llu SRET, %llu WFI, %llu SFENCE.VMA, %llu SBI calls, "
               "%llu page-table writes); page faults %llu hidden, %llu reflected; %llu other exceptions reflected; "
               "%llu virtual interrupts injected%s\n",
               u(s.emulated), u(s.csr), u(s.sret), u(s.wfi), u(s.sfence), u(s.sbi_calls), u(s.page_table_writes),
               u(s.hidden_faults), u(s.reflected_page_faults), u(s.reflected_other), u(s.injected_interrupts),
               m.binary_translation ? ("; " + std::to_string(s.callouts) + " callouts from translated kernel code").c_str() : "");
  if (m.paravirtual) {
    std::string calls;
    for (unsigned f = 0; f < kPvFunctionCount; ++f)
      if (s.hypercalls_by_function[f])
        calls += std::string(calls.empty() ? "" : ", ") + pv_function_name(f) + " " + std::to_string(s.hypercalls_by_function[f]);
    std::fprintf(stderr, "vmscope: monitor: %llu hypercalls (%s); %llu page-table entries written in batches\n",
                 u(s.hypercalls), calls.empty() ? "none" : calls.c_str(), u(s.pte_updates));
  }
  if (s.device_accesses)
    std::fprintf(stderr, "vmscope: monitor: %llu device register accesses emulated (an emulated 16550's or a virtio device's, trapped one by one)\n",
                 u(s.device_accesses));
  if (m.hardware_assisted)
    std::fprintf(stderr, "vmscope: monitor: G-stage: %llu guest-page faults filled it (%u regions backed: 4 MiB of RAM or a "
                         "device page each); %llu faults injected into the guest; no shadow tables\n",
                 u(s.g_stage_fills), m.g_stage_regions(), u(s.injected_faults));
  else
  std::fprintf(stderr,
               "vmscope: monitor: shadow tables: %llu entries filled, %llu invalidated, %llu tables cleared, %llu created, "
               "%llu evicted, %llu entries write-protected; %u of %u pages in use\n",
               u(sh.fills), u(sh.invalidated_entries), u(sh.cleared_tables), u(sh.tables_created), u(sh.tables_evicted),
               u(sh.protected_entries), m.shadow().pages_in_use(), m.shadow().pool_pages());
  std::fprintf(stderr,
               "vmscope: monitor: efficiency %.4f%% of %llu guest instructions ran without the monitor (host steps %llu)%s\n",
               100.0 * s.efficiency(guest), u(guest), u(hart.steps()),
               s.checks ? (", " + std::to_string(s.checks) + " consistency checks passed").c_str() : "");
  if (!m.illusion_broken().empty()) std::fprintf(stderr, "vmscope: monitor: ILLUSION BROKEN: %s\n", m.illusion_broken().c_str());
}

void print_translator_summary(const BlockCache& c) {
  const TranslatorStats& s = c.stats;
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  const uint64_t entries = c.entries(), chained = entries - std::min(entries, s.lookups);
  std::fprintf(stderr,
               "vmscope: translator (%s, chaining %s, %u KiB, eviction %s): %llu blocks translated, %zu live "
               "(%llu KiB); %llu block entries, %.1f%% through chain links (%llu links made, %llu returns predicted); %llu invalidated "
               "by stores, %llu evicted, %llu flushes, %llu translated again after eviction; %llu instructions left to "
               "the interpreter; %llu traces made, %llu dropped, %zu live\n",
               c.backend().name(), c.options().chaining ? "on" : "off", c.options().capacity_kib,
               to_string(c.options().eviction), u(s.translated), c.block_count(), u(c.used_bytes() / 1024),
               u(entries), entries ? 100.0 * static_cast<double>(chained) / static_cast<double>(entries) : 0.0,
               u(s.links), u(c.returns.predicted), u(s.invalidated), u(s.evicted), u(s.flushes), u(s.retranslated), u(s.interpreted),
               u(s.traces), u(s.traces_dropped), c.traces().size());
}

// --lockstep: the translator and the interpreter side by side, compared after every block.
int run_lockstep(const MachineOptions& options, const std::vector<uint8_t>& file, const RunOptions& o) {
  if (!o.trace_file.empty()) {
    std::fprintf(stderr, "vmscope: --lockstep and --trace cannot be combined\n");
    return kUsage;
  }
  Lockstep lockstep(options, o.lockstep_every);
  const ElfResult loaded = lockstep.load(file, o.program);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", loaded.message.c_str());
    return exit_code_for_elf_error(static_cast<int>(loaded.error));
  }
  lockstep.on_output = write_guest_output;
  lockstep.read_stdin = read_host_stdin;
  // The board's UART gets all of a non-interactive stdin at once (both machines the same bytes).
  if (lockstep.translated().kind() == MachineKind::system && !isatty(0)) {
    std::string input;
    char buf[4096];
    for (ssize_t n; (n = ::read(0, buf, sizeof buf)) > 0;) input.append(buf, static_cast<size_t>(n));
    lockstep.feed_input(input);
  }
  const auto started = std::chrono::steady_clock::now();
  const uint64_t limit = o.max_insns ? o.max_insns : ~uint64_t{0};
  LockstepResult r = lockstep.run(limit);
  std::fflush(stdout);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Hart& hart = lockstep.translated().hart();
  if (!r.ok()) {
    std::fprintf(stderr, "vmscope: lockstep: the engines disagree: %s\n", r.difference.c_str());
    return kLockstepMismatch;
  }
  int code = exit_code_for_stop(r.run, hart);
  if (r.run.reason != StopReason::exited)
    std::fprintf(stderr, "vmscope: stopped: %s\n",
                 r.run.reason == StopReason::budget ? "instruction limit reached" : hart.stop_message.c_str());
  if (!o.quiet) {
    const Monitor* monitor = lockstep.translated().monitor();
    std::fprintf(stderr,
                 "vmscope: lockstep: translator and interpreter identical at %llu %s "
                 "(memory compared %llu times) over %llu instructions, %.2f s; exit code %d\n",
                 static_cast<unsigned long long>(r.comparisons), o.lockstep_every ? "points" : "block boundaries",
                 static_cast<unsigned long long>(r.memory_comparisons),
                 static_cast<unsigned long long>(monitor ? monitor->guest_instret() : hart.instret()), seconds, code);
    print_translator_summary(lockstep.translated().block_cache());
  }
  return code;
}

// The hottest blocks: where the guest spends its time, and where each block goes next.
// Each block's guest instructions follow its line, each with its host code (x86-64 disassembled).
void print_profile(const Machine& m, unsigned count) {
  const SymbolNamer namer(m.image());
  std::vector<const Block*> blocks = m.block_cache().blocks();
  const size_t n = std::min<size_t>(count, blocks.size());
  std::partial_sort(blocks.begin(), blocks.begin() + static_cast<std::ptrdiff_t>(n), blocks.end(),
                    [](const Block* a, const Block* b) { return a->executions > b->executions; });
  const uint64_t total = m.block_cache().entries();
  std::fprintf(stderr, "vmscope: profile: the %zu most executed of %zu live blocks (of %llu block entries)\n", n,
               blocks.size(), static_cast<unsigned long long>(total));
  for (size_t i = 0; i < n; ++i) {
    const Block& b = *blocks[i];
    char where[96] = "";
    uint32_t offset = 0;
    if (const auto a = m.program_address(b.paddr))
      if (const ElfSymbol* sym = m.symbols().lookup(*a, &offset))
        std::snprintf(where, sizeof where, offset ? " %s+0x%x" : " %s", sym->name.c_str(), offset);
    std::string exits;
    for (const BlockExit& e : b.exits) {
      if (!e.taken) continue;
      char text[96];
      const uint32_t target = e.to ? e.to->paddr : e.target >= 0 ? b.page() + static_cast<uint32_t>(e.target) : 0;
      if (target) std::snprintf(text, sizeof text, "; %s %llu x to %08x%s", e.index ? "fall-through" : "exit",
                                static_cast<unsigned long long>(e.taken), target, e.to ? " (linked)" : "");
      else std::snprintf(text, sizeof text, "; %s %llu x", e.index ? "fall-through" : "exit", static_cast<unsigned long long>(e.taken));
      exits += text;
    }
    std::fprintf(stderr, "vmscope: profile: %08x-%08x%s: %u instructions, ends in %s, entered %llu x (%.1f%%)%s\n",
                 b.paddr, b.paddr + (b.end - b.start), where, b.count, to_string(b.kind),
                 static_cast<unsigned long long>(b.executions),
                 total ? 100.0 * static_cast<double>(b.executions) / static_cast<double>(total) : 0.0, exits.c_str());
    if (const std::string summary = m.block_cache().backend().summary(b); !summary.empty())
      std::fprintf(stderr, "vmscope: profile:   (%s)\n", summary.c_str());
    for (const ListingRow& r : block_listing(m, b, namer))
      std::fprintf(stderr, "vmscope: profile:   %s%s\n", r.kind == ListingRow::Kind::host ? "    " : "", r.text.c_str());
  }
  // The traces through those blocks (each once), with their side exits.
  std::vector<const Trace*> shown;
  for (size_t i = 0; i < n; ++i)
    if (const Trace* t = m.block_cache().trace_of(*blocks[i]); t && std::find(shown.begin(), shown.end(), t) == shown.end())
      shown.push_back(t);
  for (const Trace* t : shown) {
    std::string left;
    for (size_t i = 0; i < t->left.size(); ++i)
      if (t->left[i]) left += "; left in block " + std::to_string(i) + " " + std::to_string(t->left[i]) + " x";
    if (t->loops) left += "; " + std::to_string(t->turns) + " further turns, " + std::to_string(t->turned_away) + " turned away by the budget";
    std::fprintf(stderr, "vmscope: profile: trace %s: %zu blocks, %u instructions, entered %llu x%s\n",
                 trace_path(m, *t).c_str(), t->blocks.size(), t->instructions, static_cast<unsigned long long>(t->entries),
                 left.c_str());
    std::fprintf(stderr, "vmscope: profile:   (%s)\n", m.block_cache().backend().trace_summary(*t).c_str());
    for (const ListingRow& r : trace_listing(m, *t, namer))
      std::fprintf(stderr, "vmscope: profile:   %s%s\n", r.kind == ListingRow::Kind::host ? "    " : "", r.text.c_str());
  }
}

}  // namespace

int run_command(const RunOptions& o) {
  std::vector<uint8_t> file;
  if (!read_file(o.program, file)) return kCannotRead;

  MachineKind kind;
  if (o.machine) {
    kind = *o.machine;
  } else {
    const ElfResult probe = parse_elf(file, o.program);
    if (!probe.ok()) {
      std::fprintf(stderr, "vmscope: %s\n", probe.message.c_str());
      return exit_code_for_elf_error(static_cast<int>(probe.error));
    }
    kind = guess_machine_kind(probe.image);
  }
  const ElfResult declared = parse_elf(file, o.program);
  const bool hypervisor = o.hypervisor || (declared.ok() && wants_hypervisor(declared.image));

  const bool monitored = o.virt != Virtualization::emulation;
  const bool on_sbi = o.firmware == Firmware::sbi || monitored;
  if (on_sbi && kind == MachineKind::process) {
    std::fprintf(stderr, "vmscope: %s is for the system machine; '%s' runs as a process\n",
                 monitored ? ("--virt " + std::string(to_string(o.virt))).c_str() : "--firmware sbi", o.program.c_str());
    return kUsage;
  }
  if (monitored && o.firmware == Firmware::none) {
    std::fprintf(stderr, "vmscope: --virt %s runs an S-mode kernel on SBI firmware: it cannot "
                         "be combined with --firmware none\n", to_string(o.virt));
    return kUsage;
  }
  if (!monitored && (o.check_shadows || o.shadow != ShadowInvalidation::sfence || o.shadow_pages)) {
    std::fprintf(stderr, "vmscope: --shadow, --shadow-pages and --check-shadows need --virt trap-and-emulate (or binary-translation, paravirtual)\n");
    return kUsage;
  }
  if (o.console != Console::sbi && !on_sbi) {
    std::fprintf(stderr, "vmscope: --console is for a kernel on SBI firmware (--firmware sbi or a --virt way)\n");
    return kUsage;
  }
  if (o.console == Console::emulated && !monitored) {
    std::fprintf(stderr, "vmscope: --console emulated needs a monitor to trap the device's registers: --virt "
                         "trap-and-emulate, binary-translation, paravirtual or hardware-assisted\n");
    return kUsage;
  }
  if (o.virt == Virtualization::paravirtual && o.shadow != ShadowInvalidation::sfence) {
    std::fprintf(stderr, "vmscope: --virt paravirtual: the kernel's page-table updates arrive by hypercall and its "
                         "page tables are write-protected; --shadow does not apply\n");
    return kUsage;
  }
  if (o.virt == Virtualization::hardware_assisted && (o.shadow != ShadowInvalidation::sfence || o.check_shadows || o.shadow_pages)) {
    std::fprintf(stderr, "vmscope: --virt hardware-assisted has no shadow tables (the hart walks the guest's own and the "
                         "monitor's G-stage): --shadow, --shadow-pages and --check-shadows do not apply\n");
    return kUsage;
  }
  // --balloon-target STEP:PAGES, in step order.
  std::vector<std::pair<uint64_t, uint32_t>> balloon_targets;
  for (const std::string& t : o.balloon_targets) {
    const size_t colon = t.find(':');
    uint64_t step = 0;
    uint32_t pages = 0;
    const auto parse = [](std::string_view text, auto& value) {
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      return !text.empty() && ec == std::errc() && end == text.data() + text.size();
    };
    if (colon == std::string::npos || !parse(std::string_view(t).substr(0, colon), step) ||
        !parse(std::string_view(t).substr(colon + 1), pages)) {
      std::fprintf(stderr, "vmscope: --balloon-target '%s': expected STEP:PAGES (two whole numbers, e.g. 2000000:256)\n", t.c_str());
      return kUsage;
    }
    balloon_targets.emplace_back(step, pages);
  }
  std::stable_sort(balloon_targets.begin(), balloon_targets.end(), [](auto& a, auto& b) { return a.first < b.first; });
  const bool balloon = o.balloon || !balloon_targets.empty();
  if (balloon && !on_sbi) {
    std::fprintf(stderr, "vmscope: --balloon is for a kernel on SBI firmware (--firmware sbi or a --virt way)\n");
    return kUsage;
  }
  if (o.gdb_port && (o.migrate_at || !o.trace_file.empty() || !o.record_file.empty() || !balloon_targets.empty() || o.max_insns)) {
    std::fprintf(stderr, "vmscope: --gdb cannot be combined with --migrate-at, --trace, --record, --balloon-target or "
                         "--max-insns (gdb decides how far the guest runs)\n");
    return kUsage;
  }
  if (balloon && (o.migrate_at || !o.trace_file.empty())) {
    std::fprintf(stderr, "vmscope: --balloon cannot be combined with --migrate-at or --trace\n");
    return kUsage;
  }
  MachineOptions options;
  options.kind = kind;
  options.balloon = balloon;
  options.misaligned = o.misaligned;
  if (o.pmp_entries) {
    if (kind != MachineKind::system) {
      std::fprintf(stderr, "vmscope: --pmp-entries is for the system machine's hart; '%s' runs as a process\n", o.program.c_str());
      return kUsage;
    }
    options.pmp_entries = *o.pmp_entries;
  }
  if (o.ram_mib) {
    if (kind != MachineKind::system) {
      std::fprintf(stderr, "vmscope: --ram sizes the system machine's RAM; '%s' runs as a process\n", o.program.c_str());
      return kUsage;
    }
    options.ram_size = o.ram_mib << 20;
  }
  if (!o.dirs.empty() && kind != MachineKind::process) {
    std::fprintf(stderr, "vmscope: --dir gives a process-VM guest folders; '%s' runs on the system machine\n", o.program.c_str());
    return kUsage;
  }
  if (!o.env.empty() && kind != MachineKind::process) {
    std::fprintf(stderr, "vmscope: --env gives a process-VM guest its environment; '%s' runs on the system machine\n", o.program.c_str());
    return kUsage;
  }
  for (const std::string& e : o.env) {
    if (e.find('=') == std::string::npos || e[0] == '=') {
      std::fprintf(stderr, "vmscope: --env %s: expected NAME=VALUE\n", e.c_str());
      return kUsage;
    }
  }
  options.envp = o.env;
  for (const std::string& spec : o.dirs) {
    std::optional<GuestDirectory> dir = read_guest_directory(spec);
    if (!dir) return kBadDirectory;
    options.directories.push_back(std::move(*dir));
  }
  // (Those ways of running end elsewhere than where a :rw folder is written back.)
  const bool writes_back = std::any_of(options.directories.begin(), options.directories.end(),
                                       [](const GuestDirectory& d) { return d.writable; });
  if (writes_back && (o.lockstep || o.lockstep_every || o.gdb_port)) {
    std::fprintf(stderr, "vmscope: --dir FOLDER:rw cannot be combined with --lockstep or --gdb (drop :rw: the guest's "
                         "changes then stay in memory)\n");
    return kUsage;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> write_through(nullptr, std::fclose);
  if (!o.drive.empty()) {
    const bool rw = o.drive.size() > 3 && o.drive.ends_with(":rw");
    const std::string path = rw ? o.drive.substr(0, o.drive.size() - 3) : o.drive;
    if (kind != MachineKind::system) {
      std::fprintf(stderr, "vmscope: --drive gives the system machine a disk; '%s' runs as a process\n", o.program.c_str());
      return kUsage;
    }
    if (rw && (o.lockstep || o.lockstep_every || o.migrate_at)) {  // (two machines: whose writes?)
      std::fprintf(stderr, "vmscope: --drive FILE:rw cannot be combined with --lockstep or --migrate-at (drop :rw: "
                           "writes then stay in memory)\n");
      return kUsage;
    }
    auto image = std::make_shared<std::vector<uint8_t>>();
    if (!read_file(path, *image)) return kCannotRead;
    if (const std::string problem = disk_image_problem(image->size()); !problem.empty()) {
      std::fprintf(stderr, "vmscope: --drive %s: %s\n", path.c_str(), problem.c_str());
      return kBadDiskImage;
    }
    if (rw) {
      write_through.reset(std::fopen(path.c_str(), "r+b"));
      if (!write_through) {
        std::fprintf(stderr, "vmscope: --drive %s:rw: cannot open it for writing\n", path.c_str());
        return kCannotRead;
      }
    }
    options.drive = std::move(image);
  }
  options.firmware = on_sbi ? Firmware::sbi : Firmware::none;
  options.virtualization = o.virt;
  options.console = o.console;
  options.invalidation = o.shadow;
  options.check_shadows = o.check_shadows;
  options.hypervisor = hypervisor;
  if (hypervisor && kind != MachineKind::system) {
    std::fprintf(stderr, "vmscope: --hypervisor is for the system machine; '%s' runs as a process\n", o.program.c_str());
    return kUsage;
  }
  if (o.shadow_pages) options.shadow_pages = o.shadow_pages;
  for (const Quirk q : o.quirks) {
    if (q == Quirk::status_read) options.quirks.status_read = true;
    if (q == Quirk::status_write) options.quirks.status_write = true;
    if (q == Quirk::sret_jump) options.quirks.sret_jump = true;
  }
  const bool translate = o.engine == Engine::translator;
  if (!translate && !o.lockstep && !o.lockstep_every &&
      (o.profile || o.no_chain || o.cache_kib || o.evict != Eviction::fifo || o.backend != TranslatorBackend::native ||
       o.trace_at != kDefaultTraceThreshold)) {
    std::fprintf(stderr, "vmscope: --backend, --no-chain, --cache-kib, --evict, --trace-at and --profile need --engine translate (or --lockstep)\n");
    return kUsage;
  }
  options.engine = translate || o.lockstep || o.lockstep_every ? Engine::translator : Engine::interpreter;
  options.translator.chaining = !o.no_chain;
  options.translator.backend = o.backend;
  if (o.cache_kib) options.translator.capacity_kib = o.cache_kib;
  options.translator.eviction = o.evict;
  options.translator.trace_threshold = o.trace_at;
  if (kind == MachineKind::process) {
    options.argv.push_back(o.program);
    options.argv.insert(options.argv.end(), o.guest_args.begin(), o.guest_args.end());
  }
  if (o.lockstep || o.lockstep_every) return run_lockstep(options, file, o);
  if (o.migrate_at) {
    if (!o.trace_file.empty() || !o.record_file.empty() || kind != MachineKind::system) {
      std::fprintf(stderr, "vmscope: --migrate-at moves a system machine; it cannot be combined with --trace or --record\n");
      return kUsage;
    }
    if (o.migrate == migration::Kind::live && !monitored) {
      std::fprintf(stderr, "vmscope: --migrate live needs a monitor to keep the dirty log: --virt trap-and-emulate, "
                           "binary-translation, paravirtual or hardware-assisted (or --migrate cold)\n");
      return kUsage;
    }
    return run_with_migration(options, file, o);
  }
  Machine machine(options);
  const ElfResult loaded = machine.load(file, o.program);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", loaded.message.c_str());
    return exit_code_for_elf_error(static_cast<int>(loaded.error));
  }
  machine.on_output = write_guest_output;
  machine.read_stdin = read_host_stdin;
  if (o.strace) {
    if (!machine.process()) {
      std::fprintf(stderr, "vmscope: --strace traces a process-VM guest's system calls; '%s' runs on the system machine\n",
                   o.program.c_str());
      return kUsage;
    }
    machine.process()->on_syscall = [](const LinuxProcess::SyscallRecord& r) {
      std::fflush(stdout);  // (the guest's output so far first, as a terminal would show it)
      std::fprintf(stderr, "%s\n", r.text.c_str());
    };
  }
  if (write_through) {  // --drive FILE:rw
    machine.disk()->on_write = [f = write_through.get()](uint64_t sector, const uint8_t* data, uint32_t count) {
      if (std::fseek(f, static_cast<long>(sector * kSectorSize), SEEK_SET) != 0 ||
          std::fwrite(data, kSectorSize, count, f) != count || std::fflush(f) != 0)
        std::fprintf(stderr, "vmscope: --drive: writing sector %llu through to the image failed\n",
                     static_cast<unsigned long long>(sector));
    };
  }
  if (o.gdb_port) {  // every step recorded, so that gdb can go backwards too
    TimeMachine time(machine);
    // Going back and forth replays what the guest printed: the terminal gets each byte once.
    machine.on_output = [&](int fd, std::string_view bytes) {
      if (machine.hart().steps() > time.frontier()) write_guest_output(fd, bytes);
    };
    const int code = run_with_gdb(machine, time, o, [&] {
      if (kind == MachineKind::system) forward_ready_stdin([&](std::string_view bytes) { time.feed_input(bytes); });
    });
    if (!o.quiet && code != kUsage)
      std::fprintf(stderr, "vmscope: the gdb session ended at instruction %llu: exit code %d\n",
                   static_cast<unsigned long long>(time.position()), code);
    return code;
  }
  // --record: the run goes through a time machine that logs its inputs (no snapshots needed).
  std::optional<TimeMachine> recorder;
  if (!o.record_file.empty()) recorder.emplace(machine, TimeTravelOptions{.snapshot_interval = ~uint64_t{0} >> 1});
  // A system guest's console on a terminal: keys as typed, Ctrl-A x to end the run.
  const ConsoleTerminal console(kind == MachineKind::system);
  ConsoleEscapes escapes;
  const auto feed = [&](std::string_view typed) {
    std::string notice, filtered;
    if (console.raw()) {
      filtered = escapes.filter(typed, notice);
      typed = filtered;
      std::fputs(notice.c_str(), stderr);
    }
    if (recorder) recorder->feed_input(typed);
    else machine.feed_input(typed);
  };

  std::FILE* trace = nullptr;
  if (!o.trace_file.empty()) {
    trace = std::fopen(o.trace_file.c_str(), "w");
    if (!trace) {
      std::fprintf(stderr, "vmscope: cannot write trace file '%s'\n", o.trace_file.c_str());
      return kCannotRead;
    }
  }
  isa::Disassembler disassembler(SymbolNamer(machine.image()));

  Hart& hart = machine.hart();
  const auto started = std::chrono::steady_clock::now();
  RunResult last;
  uint64_t total = 0;
  uint32_t before[32] = {};  // registers before a traced step
  uint64_t traps_before = 0;
  const bool system = kind == MachineKind::system;
  size_t next_target = 0;  // --balloon-target
  bool stdin_open = true;
  for (;;) {
    if (escapes.quit_requested()) break;
    for (; next_target < balloon_targets.size() && balloon_targets[next_target].first <= hart.steps(); ++next_target) {
      if (recorder) recorder->set_balloon_target(balloon_targets[next_target].second);
      else machine.set_balloon_target(balloon_targets[next_target].second);
    }
    uint64_t slice = trace ? 1 : (system ? 1u << 20 : 1u << 26);
    if (o.max_insns) slice = std::min<uint64_t>(slice, o.max_insns - total);
    if (next_target < balloon_targets.size()) slice = std::min(slice, balloon_targets[next_target].first - hart.steps());
    if (slice == 0) break;
    if (system && stdin_open) stdin_open = forward_ready_stdin(feed);
    const uint64_t idle_before = hart.idle_steps();
    if (trace) {
      const uint32_t pc = hart.pc();
      const uint32_t word = hart.instruction_bits(pc);
      std::fprintf(trace, "%10llu %s %08x: %s", static_cast<unsigned long long>(hart.steps()),
                   to_string(hart.priv()), pc, disassembler.disassemble(pc, word).c_str());
      for (unsigned r = 1; r < 32; ++r) before[r] = hart.reg(r);
      traps_before = hart.exceptions() + hart.interrupts();
    }
    last = recorder ? recorder->run(slice) : machine.run(slice);
    if (trace) {
      // What the step changed: registers, and any trap it took.
      for (unsigned r = 1; r < 32; ++r)
        if (hart.reg(r) != before[r]) std::fprintf(trace, "  ; %s=0x%08x", isa::kAbiRegisterNames[r], hart.reg(r));
      if (hart.exceptions() + hart.interrupts() != traps_before && !hart.trap_log().records().empty()) {
        const TrapRecord& t = hart.trap_log().records().back();
        const unsigned code = t.cause & 0x7fffffff;
        std::fprintf(trace, "  ; trap: %s (tval 0x%08x), %s -> %s",
                     t.cause >> 31 ? interrupt_name(code) : exception_name(code), t.tval, to_string(t.from),
                     to_string(t.to));
      }
      std::fputc('\n', trace);
    }
    total += last.steps;
    std::fflush(stdout);  // a slice is a few milliseconds: output appears as the guest writes it
    // A guest idling in WFI between timer ticks while someone may still type (an interactive
    // shell): its time passes no faster than the host's (at 100 MIPS, 100,000 steps a
    // millisecond), so an idle guest costs no host CPU; input wakes it at once.
    if (system && stdin_open && !trace && hart.idle_steps() > idle_before) {
      const int ms = static_cast<int>(std::min<uint64_t>((hart.idle_steps() - idle_before) / 100'000, 50));
      pollfd p{0, POLLIN, 0};
      if (ms > 0 && poll(&p, 1, ms) > 0) stdin_open = forward_ready_stdin(feed);
    }
    if (last.reason == StopReason::idle && system) {
      // A guest waiting for input: give it what stdin has, or stop at end of input.
      pollfd p{0, POLLIN, 100};
      if (poll(&p, 1, 100) > 0 && (p.revents & POLLIN)) {
        forward_ready_stdin(feed);
        continue;
      }
      if (machine.uart().input_pending() == 0 && (p.revents & POLLHUP || isatty(0) == 0)) break;
      continue;
    }
    if (last.reason != StopReason::budget) break;
  }
  std::fflush(stdout);
  if (trace) std::fclose(trace);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int code = exit_code_for_stop(last, hart);
  if (const LinuxProcess* process = machine.process()) {  // --dir ...:rw: the guest's changes go back
    for (size_t i = 0; i < o.dirs.size(); ++i) {
      const GuestDirectory& d = options.directories[i];
      const std::string at = GuestFiles::resolve("/", d.guest_path).value_or("/");
      if (d.writable && !write_back_guest_directory(host_folder_of(o.dirs[i]), process->files().contents(at)))
        code = kBadDirectory;
    }
  }
  if (o.max_insns && total >= o.max_insns && last.reason == StopReason::budget) code = kInstructionLimit;
  if (recorder) {
    Recording r{o.program, file, options, recorder->inputs(), {hart.steps(), last.reason, hart.exit_code}};
    const std::vector<uint8_t> bytes = encode_recording(r);
    std::ofstream out(o.record_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "vmscope: cannot write the recording '%s'\n", o.record_file.c_str());
      return kCannotRead;
    }
    if (!o.quiet)
      std::fprintf(stderr, "vmscope: recorded %llu steps, %zu inputs, %zu stdin reads, %zu clock reads to %s (%zu bytes)\n",
                   static_cast<unsigned long long>(hart.steps()), r.inputs.fed.size(), r.inputs.stdin_reads.size(),
                   r.inputs.clock_reads.size(), o.record_file.c_str(), bytes.size());
  }
  if (escapes.quit_requested()) {
    std::fprintf(stderr, "\r\nvmscope: stopped: Ctrl-A x at instruction %llu\n", static_cast<unsigned long long>(hart.steps()));
    code = 0;  // (as qemu's Ctrl-A x)
  } else if (last.reason != StopReason::exited) {
    std::string why = last.reason == StopReason::budget ? "instruction limit reached (--max-insns " +
                                                              std::to_string(o.max_insns) + ")"
                                                        : hart.stop_message;
    std::fprintf(stderr, "vmscope: stopped: %s\n", why.c_str());
  }
  if (!o.quiet) {
    // Under the monitor, the guest's count: what its instret reads (the hart's own count misses
    // the instructions the monitor emulated for it).
    const Monitor* monitor = machine.monitor();
    const uint64_t retired = monitor ? monitor->guest_instret() : hart.instret();
    std::fprintf(stderr,
                 "vmscope: %s machine, %s: exit code %d; %llu instructions retired in %.4f s "
                 "(%.1f MIPS); %s%llu exceptions, %llu interrupts\n",
                 to_string(kind),
                 last.reason == StopReason::exited   ? "guest exited"
                 : escapes.quit_requested()          ? "ended with Ctrl-A x"
                 : last.reason == StopReason::budget ? "instruction limit"
                                                     : to_string(last.reason),
                 code, static_cast<unsigned long long>(retired), seconds,
                 seconds > 0 ? static_cast<double>(retired) / seconds / 1e6 : 0.0, monitor ? "on the hart: " : "",
                 static_cast<unsigned long long>(hart.exceptions()),
                 static_cast<unsigned long long>(hart.interrupts()));
    if (monitor) print_monitor_summary(*monitor, hart, seconds);
    if (machine.balloon()) print_balloon_summary(machine);
    if (machine.disk()) print_disk_summary(machine, o.drive);
    if (machine.engine() == Engine::translator) print_translator_summary(machine.block_cache());
    if (machine.engine() == Engine::translator && o.profile) print_profile(machine, o.profile);
    for (unsigned q = 0; q < kQuirkCount; ++q)
      if (const uint64_t n = hart.quirk_count(static_cast<Quirk>(q)))
        std::fprintf(stderr, "vmscope: quirk %s: %llu sensitive instruction%s ran in U-mode without trapping (last at 0x%08x)\n",
                     to_string(static_cast<Quirk>(q)), static_cast<unsigned long long>(n), n == 1 ? "" : "s",
                     hart.quirk_last_pc(static_cast<Quirk>(q)));
  }
  return code;
}

}  // namespace vmscope::cli
