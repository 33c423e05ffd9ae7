// The core compiled to WebAssembly, run under node:
//   node vmscope_node.js run PROGRAM [--machine K] [--firmware sbi|none]
//        [--virt emulation|trap-and-emulate|binary-translation|paravirtual|hardware-assisted] [--shadow sfence|write-protect]
//        [--quirk NAME]... [--check-shadows] [--engine interp|translate] [--lockstep] [--lockstep-every N]
//        [--backend wasm|threaded] [--hot N] [--max-modules N] [--fail-compiles] [--max-insns N]
//        [--profile N]
// loads an ELF from the host file system (NODERAWFS), runs it to its end and exits with the
// guest's exit code (115 for any other stop, 116 at --max-insns, 120 when a shadow check failed;
// a process reads stdin, a system machine's UART gets all of it at once). It accepts the
// same arguments as the native `vmscope run` that tests use, and like it reports on stderr
// "N instructions retired": under the monitor, the guest's own count (what its instret reads).
// The translator's WebAssembly backend (the default) compiles modules at once here: the run
// never returns to node's event loop, where a background compile would finish. --hot sets the
// entries after which a block is compiled, --max-modules how many modules live at once,
// --fail-compiles makes every module fail to compile (the fallback to threaded code); --profile N
// lists the N most entered blocks at the end, guest instructions beside their WebAssembly.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <emscripten.h>
#include <unistd.h>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "machine/block_listing.h"
#include "machine/lockstep.h"
#include "machine/machine.h"
#include "vmm/monitor.h"

using namespace vmscope;

namespace {

int usage(const char* why) {
  if (why) std::fprintf(stderr, "vmscope: %s\n", why);
  std::fprintf(stderr,
               "usage: vmscope_node.js run PROGRAM [--machine process|system] [--firmware sbi|none]\n"
               "         [--virt emulation|trap-and-emulate|binary-translation|paravirtual|hardware-assisted] [--shadow sfence|write-protect]\n"
               "         [--quirk status-read|status-write|sret-jump]... [--check-shadows]\n"
               "         [--engine interp|translate] [--lockstep] [--lockstep-every N]\n"
               "         [--backend wasm|threaded] [--hot N] [--max-modules N] [--fail-compiles] [--max-insns N]\n"
               "         [--profile N]\n");
  return 110;
}

// A process's reads of stdin, and all of it for a system machine's UART.
size_t read_stdin(uint8_t* buffer, size_t size) {
  std::fflush(stdout);
  const ssize_t n = ::read(0, buffer, size);
  return n > 0 ? static_cast<size_t>(n) : 0;
}
std::string all_of_stdin() {
  std::string input;
  char buf[4096];
  for (ssize_t n; (n = ::read(0, buf, sizeof buf)) > 0;) input.append(buf, static_cast<size_t>(n));
  return input;
}

// The most entered blocks, each with its guest instructions and host form.
void print_profile(const Machine& m, uint64_t count) {
  std::vector<const Block*> blocks = m.block_cache().blocks();
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block* a, const Block* b) { return a->executions > b->executions; });
  if (blocks.size() > count) blocks.resize(count);
  for (const Block* b : blocks) {
    std::fprintf(stderr, "vmscope (wasm): profile: %08x-%08x: %u instructions, entered %llu x\n", b->paddr,
                 b->paddr + (b->end - b->start), b->count, static_cast<unsigned long long>(b->executions));
    std::fprintf(stderr, "vmscope (wasm): profile:   (%s)\n", m.block_cache().backend().summary(*b).c_str());
    for (const ListingRow& r : block_listing(m, *b))
      std::fprintf(stderr, "vmscope (wasm): profile:   %s%s\n", r.kind == ListingRow::Kind::host ? "    " : "", r.text.c_str());
  }
}

// The translator's figures, and what its backend logged (a module that failed to compile).
void report_translator(const BlockCache& cache) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(stderr, "vmscope (wasm): translator (%s): %zu blocks, %llu entries\n", cache.backend().name(),
               cache.block_count(), u(cache.entries()));
  if (const TierStats* t = cache.backend().tiers())
    std::fprintf(stderr,
                 "vmscope (wasm): WebAssembly modules: %llu made, %llu live, %llu evicted, %llu dropped, %llu failed; "
                 "%llu blocks compiled, %llu bytes, %.1f ms compiling\n",
                 u(t->modules_made), u(t->modules_live), u(t->modules_evicted), u(t->modules_dropped), u(t->failures),
                 u(t->blocks_compiled), u(t->bytes), t->compile_ms);
  for (const std::string& line : cache.log) std::fprintf(stderr, "vmscope (wasm): %s\n", line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[1], "run") != 0) return usage(nullptr);
  std::string kind_name, firmware = "", virt = "emulation", shadow = "sfence";
  std::vector<std::string> quirks;
  bool check_shadows = false, lockstep = false, fail_compiles = false;
  std::string engine = "interp", backend = "wasm";
  uint64_t lockstep_every = 0, max_insns = ~uint64_t{0}, profile = 0;
  TieringOptions tiering;
  tiering.synchronous = true;
  auto number = [](const char* text, uint64_t& value) {
    char* end = nullptr;
    value = std::strtoull(text, &end, 10);
    return *text && !*end;
  };
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--lockstep") {
      lockstep = true;
    } else if (arg == "--engine" && has_value) {
      engine = argv[++i];
    } else if (arg == "--backend" && has_value) {
      backend = argv[++i];
    } else if (arg == "--fail-compiles") {
      fail_compiles = true;
    } else if ((arg == "--hot" || arg == "--max-modules" || arg == "--lockstep-every" || arg == "--max-insns" ||
                arg == "--profile") &&
               has_value) {
      uint64_t value = 0;
      if (!number(argv[++i], value) || value == 0 || value > 0xffffffffu)
        return usage((arg + " wants a number from 1 to 4294967295").c_str());
      if (arg == "--hot") tiering.hot_threshold = static_cast<uint32_t>(value);
      if (arg == "--max-modules") tiering.max_modules = static_cast<uint32_t>(value);
      if (arg == "--lockstep-every") lockstep = true, lockstep_every = value;
      if (arg == "--max-insns") max_insns = value;
      if (arg == "--profile") profile = value;
    } else if (arg == "--check-shadows") {
      check_shadows = true;
    } else if ((arg == "--machine" || arg == "--firmware" || arg == "--virt" || arg == "--shadow" ||
                arg == "--quirk") && has_value) {
      const std::string value = argv[++i];
      if (arg == "--machine") kind_name = value;
      if (arg == "--firmware") firmware = value;
      if (arg == "--virt") virt = value;
      if (arg == "--shadow") shadow = value;
      if (arg == "--quirk") quirks.push_back(value);
    } else {
      return usage(("unknown or incomplete argument '" + arg + "'").c_str());
    }
  }
  if (!kind_name.empty() && kind_name != "process" && kind_name != "system") return usage("bad --machine");
  if (!firmware.empty() && firmware != "sbi" && firmware != "none") return usage("bad --firmware");
  if (!parse_virtualization(virt)) return usage("bad --virt");
  if (shadow != "sfence" && shadow != "write-protect") return usage("bad --shadow");
  if (engine != "interp" && engine != "translate") return usage("bad --engine");
  if (backend != "wasm" && backend != "threaded") return usage("bad --backend (wasm or threaded)");
  for (const std::string& q : quirks)
    if (q != "status-read" && q != "status-write" && q != "sret-jump") return usage("bad --quirk");

  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "vmscope: cannot open '%s'\n", argv[2]);
    return 111;
  }
  const std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const ElfResult probe = parse_elf(file, argv[2]);
  if (!probe.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", probe.message.c_str());
    return 112;
  }

  // The same mapping and checks as cli/run_command.cpp.
  MachineOptions options;
  options.kind = kind_name == "process"  ? MachineKind::process
                 : kind_name == "system" ? MachineKind::system
                                         : guess_machine_kind(probe.image);
  const bool monitored = virt != "emulation";
  if ((firmware == "sbi" || monitored) && options.kind == MachineKind::process)
    return usage("--firmware sbi and --virt trap-and-emulate are for the system machine");
  if (monitored && firmware == "none") return usage("--virt trap-and-emulate cannot be combined with --firmware none");
  if (!monitored && (check_shadows || shadow != "sfence"))
    return usage("--shadow and --check-shadows need --virt trap-and-emulate");
  options.firmware = firmware == "sbi" || monitored ? Firmware::sbi : Firmware::none;
  options.virtualization = *parse_virtualization(virt);
  options.hypervisor = wants_hypervisor(probe.image);  // (a program that asks for the H extension)
  options.invalidation = shadow == "write-protect" ? ShadowInvalidation::write_protect : ShadowInvalidation::sfence;
  options.check_shadows = check_shadows;
  for (const std::string& q : quirks) {
    if (q == "status-read") options.quirks.status_read = true;
    if (q == "status-write") options.quirks.status_write = true;
    if (q == "sret-jump") options.quirks.sret_jump = true;
  }

  options.engine = engine == "translate" ? Engine::translator : Engine::interpreter;
  options.translator.backend = backend == "wasm" ? TranslatorBackend::native : TranslatorBackend::threaded;
  tiering.simulate_failures = fail_compiles;
  options.translator.tiering = tiering;
  if (lockstep) {  // the translator against the interpreter, after every block (or every N steps)
    Lockstep both(options, lockstep_every);
    if (!both.load(file, argv[2]).ok()) return 114;
    both.on_output = [](int fd, std::string_view bytes) {
      std::fwrite(bytes.data(), 1, bytes.size(), fd == 2 ? stderr : stdout);
    };
    both.read_stdin = read_stdin;
    if (both.translated().kind() == MachineKind::system) both.feed_input(all_of_stdin());
    const LockstepResult r = both.run(max_insns);
    std::fflush(stdout);
    report_translator(both.translated().block_cache());
    if (!r.ok()) {
      std::fprintf(stderr, "vmscope (wasm): lockstep: the engines disagree: %s\n", r.difference.c_str());
      return 121;
    }
    std::fprintf(stderr, "vmscope (wasm): lockstep: translator (%s) and interpreter identical at %llu block boundaries\n",
                 both.translated().block_cache().backend().name(), static_cast<unsigned long long>(r.comparisons));
    if (r.run.reason == StopReason::exited) return both.translated().hart().exit_code;
    return r.run.reason == StopReason::budget ? 116 : 115;
  }
  Machine machine(options);
  const ElfResult loaded = machine.load(file, argv[2]);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", loaded.message.c_str());
    return 114;
  }
  machine.on_output = [](int fd, std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), fd == 2 ? stderr : stdout);
  };
  machine.read_stdin = read_stdin;
  if (machine.kind() == MachineKind::system) machine.feed_input(all_of_stdin());
  RunResult r;
  uint64_t left = max_insns;
  const double started = emscripten_get_now();
  do {
    const uint64_t before = machine.hart().steps();
    r = machine.run(std::min(left, uint64_t{1} << 24));
    left -= std::min(left, machine.hart().steps() - before);
  } while (r.reason == StopReason::budget && left);
  const double seconds = (emscripten_get_now() - started) / 1000;
  std::fflush(stdout);

  const Hart& hart = machine.hart();
  const Monitor* monitor = machine.monitor();
  const uint64_t retired = monitor ? monitor->guest_instret() : hart.instret();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (machine.engine() == Engine::translator) {
    report_translator(machine.block_cache());
    print_profile(machine, profile);
  }
  std::fprintf(stderr, "vmscope (wasm): %s after %llu instructions on the hart; %llu instructions retired%s%s\n",
               to_string(r.reason), u(hart.instret()), u(retired), hart.stop_message.empty() ? "" : ": ",
               hart.stop_message.c_str());
  // (the run alone: node's start and the runner's own compilation are not in it)
  std::fprintf(stderr, "vmscope (wasm): ran in %.4f s (%.1f MIPS)\n", seconds,
               seconds > 0 ? static_cast<double>(hart.steps()) / seconds / 1e6 : 0.0);
  if (monitor) {
    const MonitorStats& s = monitor->stats();
    std::fprintf(stderr,
                 "vmscope (wasm): monitor (shadow invalidation by %s): %llu exits, %llu instructions emulated, "
                 "%llu page faults hidden, %llu reflected, %llu consistency checks\n",
                 to_string(monitor->shadow().strategy()), u(s.exits), u(s.emulated), u(s.hidden_faults),
                 u(s.reflected_page_faults), u(s.checks));
    if (!monitor->illusion_broken().empty())
      std::fprintf(stderr, "vmscope (wasm): monitor: ILLUSION BROKEN: %s\n", monitor->illusion_broken().c_str());
  }
  if (r.reason == StopReason::exited) return hart.exit_code;
  if (r.reason == StopReason::budget) return 116;
  return r.reason == StopReason::check_failed ? 120 : 115;
}
