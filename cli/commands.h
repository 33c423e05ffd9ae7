// The subcommands of the vmscope command line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "machine/machine.h"
#include "migration/migration.h"
#include "timetravel/time_machine.h"

namespace vmscope {
struct RunResult;
class Hart;
}  // namespace vmscope

namespace vmscope::cli {

struct RunOptions {
  std::string program;
  std::optional<MachineKind> machine;  // guessed from the ELF when absent
  std::optional<Firmware> firmware;    // system machine: none unless given (or a monitor needs SBI)
  Virtualization virt = Virtualization::emulation;
  ShadowInvalidation shadow = ShadowInvalidation::sfence;
  Console console = Console::sbi;      // how a kernel on SBI firmware reaches its console
  std::vector<Quirk> quirks;
  bool hypervisor = false;             // the hart has the H extension
  bool check_shadows = false;
  unsigned shadow_pages = 0;           // 0: the default pool
  Engine engine = Engine::interpreter;
  TranslatorBackend backend = TranslatorBackend::native;  // translator: x86-64 code, or portable threaded code
  bool no_chain = false;               // translator: no chain links between blocks
  uint32_t cache_kib = 0;              // translator: code cache bound (0: the default)
  Eviction evict = Eviction::fifo;     // translator: what a full cache drops
  uint32_t trace_at = kDefaultTraceThreshold;  // translator: block entries before a trace may start there (0: none)
  unsigned profile = 0;                // translator: print the N hottest blocks and their exits
  bool lockstep = false;               // run both engines, compare at every translated block
  uint64_t lockstep_every = 0;         // ... or every N steps, native code chaining freely
  uint64_t max_insns = 0;              // 0: no limit
  std::string trace_file;
  bool quiet = false;
  std::string record_file;             // write a recording of the run here
  std::vector<std::string> guest_args;
  // Migration to a second machine side by side (migration_run.cpp).
  std::optional<uint64_t> migrate_at;  // after this many instructions
  migration::Kind migrate = migration::Kind::live;
  double migrate_bandwidth = 4.0;      // bytes of stream per guest instruction
  unsigned migrate_rounds = 30;        // live: pre-copy rounds at most
  uint32_t migrate_stop_pages = 16;    // live: stop and copy at this many dirty pages or fewer
  std::optional<uint64_t> migrate_corrupt;  // flip this byte of the stream (the destination must refuse it)
  // Ballooning: the machine has a virtio-balloon; the host sets its target at these steps.
  bool balloon = false;
  std::vector<std::string> balloon_targets;  // "STEP:PAGES"
  // A gdb remote stub (gdb_server.cpp): listen here and wait for gdb before the first instruction.
  std::optional<unsigned> gdb_port;
  std::string gdb_address = "127.0.0.1";
  // The board: its RAM (MiB; 0 = the default) and a virtio-blk disk ("FILE" or "FILE:rw").
  uint32_t ram_mib = 0;
  std::string drive;
  std::vector<std::string> dirs;  // --dir HOST[:GUEST][:rw]
  std::vector<std::string> env;   // --env NAME=VALUE
  bool strace = false;
  std::optional<unsigned> pmp_entries;  // the hart's PMP entries (default 16)
  Misaligned misaligned = Misaligned::emulate;
};
int run_command(const RunOptions& options);

// `vmscope dtb`: the board's device tree.
struct DtbOptions {
  uint32_t ram_mib = 0;
  bool hypervisor = false;
  std::string output;  // the blob to this file; otherwise source text on stdout
};
int dtb_command(const DtbOptions& options);
// `vmscope run --migrate-at N`: the run, moved to a second machine on the way.
int run_with_migration(const MachineOptions& machine, const std::vector<uint8_t>& file, const RunOptions& options);
// `vmscope run --gdb PORT`: the loaded machine under gdb's control (its exit code, or kGdbKilled).
// `read_input` is called between slices: it hands what the terminal typed to the guest.
int run_with_gdb(Machine& machine, TimeMachine& time, const RunOptions& options, const std::function<void()>& read_input);

struct ReplayOptions {
  std::string file;                     // a recording, or a snapshot (replay goes on from it)
  std::optional<uint64_t> to;           // stop at this position (hart steps) and print the state
  std::string save_snapshot;            // then write a snapshot file of that moment
  bool quiet = false;
};
int replay_command(const ReplayOptions& options);

struct CompareWaysOptions {
  std::string kernel;     // the native kernel
  std::string pv;         // its paravirtual build (default: NAME-pv.elf beside it)
  Engine engine = Engine::interpreter;
  uint64_t max_insns = 0;  // per way (0: 300 million)
  bool consoles = false;   // the console three ways instead (under `virt`)
  Virtualization virt = Virtualization::trap_and_emulate;
};
int compare_ways_command(const CompareWaysOptions& options);

struct DisasmOptions {
  std::string program;
};
int disasm_command(const DisasmOptions& options);

struct AnalyzeOptions {
  std::vector<std::string> specs;
  std::vector<std::string> settings;  // NAME=VALUE
  bool search = false;
  std::string format = "text";        // text, json, sarif, markdown, html
  std::string baseline;               // a committed JSON report to compare verdicts with
  std::string explain;                // an instruction's name
  bool oracle = false;                // run the forms on vmscope's hart and compare
};
int analyze_command(const AnalyzeOptions& options);

// Shared by the subcommands: reads a whole file, or prints why not and returns false.
bool read_file(const std::string& path, std::vector<uint8_t>& bytes);
// The exit code for an ELF that failed to load.
int exit_code_for_elf_error(int elf_error);
// Feeds what the host's stdin has ready (without waiting); false once stdin has ended.
bool forward_ready_stdin(const std::function<void(std::string_view)>& feed);
// The exit code for a run that stopped (the guest's own when it exited).
int exit_code_for_stop(const RunResult& r, const Hart& h);
// The guest's console: its stdout and stderr are vmscope's.
void write_guest_output(int fd, std::string_view bytes);

}  // namespace vmscope::cli
