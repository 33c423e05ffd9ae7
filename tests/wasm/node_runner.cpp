// The core compiled to WebAssembly, run under node:
//   node vmscope_node.js run PROGRAM [--machine K] [--firmware sbi|none]
//        [--virt emulation|trap-and-emulate|binary-translation|paravirtual|hardware-assisted] [--shadow sfence|write-protect]
//        [--quirk NAME]... [--check-shadows] [--engine interp|translate] [--lockstep]
// loads an ELF from the host file system (NODERAWFS), runs it to its end and exits with the
// guest's exit code (115 for any other stop, 120 when a shadow check failed). It accepts the
// same arguments as the native `vmscope run` that tests use, and like it reports on stderr
// "N instructions retired": under the monitor, the guest's own count (what its instret reads).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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
               "         [--engine interp|translate] [--lockstep]\n");
  return 110;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[1], "run") != 0) return usage(nullptr);
  std::string kind_name, firmware = "", virt = "emulation", shadow = "sfence";
  std::vector<std::string> quirks;
  bool check_shadows = false, lockstep = false;
  std::string engine = "interp";
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--lockstep") {
      lockstep = true;
    } else if (arg == "--engine" && has_value) {
      engine = argv[++i];
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
  if (lockstep) {  // the translator (threaded code here) against the interpreter, block by block
    Lockstep both(options);
    if (!both.load(file, argv[2]).ok()) return 114;
    both.on_output = [](int fd, std::string_view bytes) {
      std::fwrite(bytes.data(), 1, bytes.size(), fd == 2 ? stderr : stdout);
    };
    const LockstepResult r = both.run(~uint64_t{0});
    std::fflush(stdout);
    if (!r.ok()) {
      std::fprintf(stderr, "vmscope (wasm): lockstep: the engines disagree: %s\n", r.difference.c_str());
      return 121;
    }
    std::fprintf(stderr, "vmscope (wasm): lockstep: translator (%s) and interpreter identical at %llu block boundaries\n",
                 both.translated().block_cache().backend().name(), static_cast<unsigned long long>(r.comparisons));
    return r.run.reason == StopReason::exited ? both.translated().hart().exit_code : 115;
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
  RunResult r;
  do {
    r = machine.run(uint64_t{1} << 24);
  } while (r.reason == StopReason::budget);
  std::fflush(stdout);

  const Hart& hart = machine.hart();
  const Monitor* monitor = machine.monitor();
  const uint64_t retired = monitor ? monitor->guest_instret() : hart.instret();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (machine.engine() == Engine::translator)
    std::fprintf(stderr, "vmscope (wasm): translator (%s): %zu blocks, %llu entries\n",
                 machine.block_cache().backend().name(), machine.block_cache().block_count(),
                 static_cast<unsigned long long>(machine.block_cache().entries()));
  std::fprintf(stderr, "vmscope (wasm): %s after %llu instructions on the hart; %llu instructions retired%s%s\n",
               to_string(r.reason), u(hart.instret()), u(retired), hart.stop_message.empty() ? "" : ": ",
               hart.stop_message.c_str());
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
  return r.reason == StopReason::check_failed ? 120 : 115;
}
