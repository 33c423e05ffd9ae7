// The core compiled to WebAssembly, run under node: `node vmscope_node.js run PROGRAM [--machine K]`
// loads an ELF from the host file system (NODERAWFS), runs it to its end and exits with the
// guest's exit code. It accepts the same arguments as the native `vmscope run` that tests use.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "machine/machine.h"

using namespace vmscope;

int main(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[1], "run") != 0) {
    std::fprintf(stderr, "usage: vmscope_node.js run PROGRAM [--machine process|system]\n");
    return 110;
  }
  std::string kind_name;
  for (int i = 3; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--machine") == 0) kind_name = argv[i + 1];
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
  MachineOptions options;
  options.kind = kind_name == "process"  ? MachineKind::process
                 : kind_name == "system" ? MachineKind::system
                                         : guess_machine_kind(probe.image);
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
  std::fprintf(stderr, "vmscope (wasm): %s after %llu instructions%s%s\n", to_string(r.reason),
               static_cast<unsigned long long>(machine.hart().instret()),
               machine.hart().stop_message.empty() ? "" : ": ", machine.hart().stop_message.c_str());
  return r.reason == StopReason::exited ? machine.hart().exit_code : 115;
}
