// vmscope's command line: parses arguments and hands over to a subcommand.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <string>

#include "commands.h"
#include "enum_options.h"
#include "exit_codes.h"

using namespace vmscope;
using namespace vmscope::cli;

namespace {
// The engines' names on the command line (shorter than to_string's, which the summaries print).
const CLI::Validator kEngineNames = enum_names<Engine>({{"interp", Engine::interpreter}, {"translate", Engine::translator}});
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vmscope - a visual laboratory for virtual machines (RISC-V RV32IMAC)"};
  app.require_subcommand(1);
  std::string exit_codes = "Exit codes: the guest's own when it exits by itself; otherwise vmscope's:\n";
  for (const ExitCodeMeaning& e : kExitCodeMeanings) exit_codes += "  " + std::to_string(e.code) + " " + e.meaning + "\n";
  app.footer(exit_codes);

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a RISC-V ELF program and print a summary");
  run_cmd->footer(
      "The guest's output goes to stdout, vmscope's summary and messages to stderr. Standard\n"
      "input is the process's stdin, or what the board's UART receives.");
  run_cmd->add_option("program", run.program, "RV32 ELF executable")->required();
  run_cmd->add_option("--machine", run.machine,
                      "process: a static Linux program, system calls served by vmscope;\n"
                      "system: bare metal on the virt-like board (RAM at 0x80000000, UART at\n"
                      "0x10000000, CLINT at 0x02000000, test device at 0x00100000).\n"
                      "Default: system if the entry point is in the board's RAM, else process.")
      ->transform(enum_names({MachineKind::process, MachineKind::system}));
  run_cmd->add_option("--firmware", run.firmware,
                      "system machine: none (the program starts in M-mode) or sbi (vmscope's SBI\n"
                      "firmware: the program starts in S-mode and calls it for console, timer, shutdown)")
      ->transform(enum_names({Firmware::none, Firmware::sbi}));
  run_cmd->add_option("--virt", run.virt,
                      "How an S-mode guest kernel runs (system machine, SBI firmware):\n"
                      "emulation: its S-mode is the hart's S-mode;\n"
                      "trap-and-emulate: deprivileged in U-mode under vmscope's monitor, with shadow\n"
                      "page tables and guest RAM at an offset in host RAM (implies --firmware sbi;\n"
                      "the summary adds the monitor's statistics);\n"
                      "binary-translation: the same, with the kernel's code translated so that every\n"
                      "sensitive instruction becomes a callout to the monitor (quirks cannot break it);\n"
                      "paravirtual: a kernel built to call the monitor (hypercalls, a shared page) instead\n"
                      "of executing privileged instructions, deprivileged the same way (kernel-pv.elf);\n"
                      "hardware-assisted: the unmodified kernel in the hart's VS-mode (the H extension) behind\n"
                      "the monitor's G-stage table; the monitor sees SBI calls, guest-page faults and its timer")
      ->transform(enum_names({Virtualization::emulation, Virtualization::trap_and_emulate, Virtualization::binary_translation,
                              Virtualization::paravirtual, Virtualization::hardware_assisted}));
  run_cmd->add_option("--console", run.console,
                      "How a kernel on SBI firmware reaches its console: sbi (default: the firmware's DBCN\n"
                      "calls), pass-through (it drives the board's 16550 itself, directly) or emulated (it\n"
                      "drives the 16550, and under a monitor every register access traps and is carried out) or\n"
                      "virtio (a paravirtual virtio-console: one exit per string, at its notification)")
      ->transform(enum_names({Console::sbi, Console::pass_through, Console::emulated, Console::virtio}));
  run_cmd->add_option("--shadow", run.shadow,
                      "trap-and-emulate: how shadow page tables follow the guest's: sfence (dropped on\n"
                      "the guest's SFENCE.VMA) or write-protect (guest page-table pages write-protected,\n"
                      "entries dropped when the guest writes them)")
      ->transform(enum_names({ShadowInvalidation::sfence, ShadowInvalidation::write_protect}));
  run_cmd->add_flag("--hypervisor", run.hypervisor,
                    "system machine: the hart has the hypervisor extension (misa.H: HS/VS/VU modes, two-stage\n"
                    "translation, HLV/HSV, HFENCE). Off by default, as in QEMU's rv32 CPU (-cpu rv32,h=true)");
  run_cmd->add_option("--quirk", run.quirks,
                      "Make a sensitive instruction unprivileged in U-mode (repeatable, or comma-separated):\n"
                      "status-read (reading sstatus does not trap: x86 PUSHF/SMSW), status-write (writing\n"
                      "sstatus is silently ignored: x86 POPF), sret-jump (SRET jumps to sepc without\n"
                      "changing mode: PDP-10 JRST 1)")
      ->delimiter(',')
      ->transform(enum_names({Quirk::status_read, Quirk::status_write, Quirk::sret_jump}));
  run_cmd->add_option("--shadow-pages", run.shadow_pages,
                      "trap-and-emulate: size of the monitor's shadow-table pool in 4 KiB pages (8..2048,\n"
                      "default 2048); a small pool makes it evict shadow tables")
      ->check(CLI::Range(8, 2048));
  run_cmd->add_flag("--check-shadows", run.check_shadows,
                    "trap-and-emulate: after every monitor exit, verify every shadow entry against the\n"
                    "guest's page table and physical map; stop with exit code 120 on the first problem");
  run_cmd->add_option("--engine", run.engine,
                      "interp: the interpreter (instructions predecoded once per page); translate: the\n"
                      "block translator (basic blocks translated to threaded code in a code cache,\n"
                      "chained together; the summary adds the cache's statistics)")
      ->transform(kEngineNames);
  run_cmd->add_option("--backend", run.backend,
                      "translate: native (x86-64 machine code; threaded code where the host has no\n"
                      "native backend) or threaded (portable threaded code)")
      ->transform(enum_names({TranslatorBackend::native, TranslatorBackend::threaded}));
  run_cmd->add_flag("--no-chain", run.no_chain, "translate: do not chain blocks (every block exit looks the next one up)");
  run_cmd->add_option("--cache-kib", run.cache_kib,
                      "translate: bound on the code cache in KiB (4..1048576, default 8192)")
      ->check(CLI::Range(4, 1 << 20));
  run_cmd->add_option("--evict", run.evict,
                      "translate: what a full code cache drops: fifo (the oldest blocks, an eighth of the\n"
                      "cache at a time), lru (the least recently entered, as much) or flush (everything)")
      ->transform(enum_names({Eviction::fifo, Eviction::lru, Eviction::flush}));
  run_cmd->add_option("--trace-at", run.trace_at,
                      "translate: block entries before a hot path starting at a block becomes a trace (a\n"
                      "superblock: blocks of one page compiled as one piece, with side exits), native code only\n"
                      "(0..1073741824; default 4000; 0: no traces)")
      ->check(CLI::Range(0u, kMaxTraceThreshold));
  run_cmd->add_option("--profile", run.profile,
                      "translate: after the run, print the N most executed blocks with their exits (edge\n"
                      "counts, chain links) from the translator's profile, each with its guest instructions and the\n"
                      "host code made from each (x86-64 disassembled by capstone)")
      ->check(CLI::Range(1, 1000));
  run_cmd->add_flag("--lockstep", run.lockstep,
                    "Run the program on the translator and on the interpreter side by side and compare\n"
                    "registers, CSRs, counters, output (and memory, now and then) after every translated\n"
                    "block; stop with exit code 121 at the first difference");
  run_cmd->add_option("--lockstep-every", run.lockstep_every,
                      "Like --lockstep, but compare every N instructions (native code then jumps from\n"
                      "block to block as in a normal run)")
      ->check(CLI::Range(uint64_t{1}, ~uint64_t{0}));
  run_cmd->add_option("--max-insns", run.max_insns, "Stop after N instructions (0 = no limit)");
  run_cmd->add_option("--trace", run.trace_file,
                      "Write every executed instruction to FILE: step, privilege, pc, disassembly,\n"
                      "then the registers it changed and any trap it took");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Do not print the summary");
  run_cmd->add_option("--record", run.record_file,
                      "Write a recording of the run to FILE: the program, the machine's settings and every\n"
                      "input from outside (console bytes with the step they arrived at, stdin reads, clock\n"
                      "reads), so that `vmscope replay FILE` reproduces the run exactly");
  run_cmd->add_option("--migrate-at", run.migrate_at,
                      "Migrate the running guest after N instructions to a second machine side by side (its\n"
                      "own RAM and monitor) and finish the run there; prints each round");
  run_cmd->add_option("--migrate", run.migrate,
                      "cold: stop, send everything, resume at the destination; live (default): pre-copy, the\n"
                      "guest runs on while its memory is sent, then the pages it dirtied, round by round")
      ->transform(enum_names({migration::Kind::cold, migration::Kind::live}));
  run_cmd->add_option("--migrate-bandwidth", run.migrate_bandwidth,
                      "The link: bytes of migration stream sent per guest instruction (default 4)")
      ->check(CLI::Range(0.001, 1e9));
  run_cmd->add_option("--migrate-rounds", run.migrate_rounds, "Live: at most N pre-copy rounds (default 30)")
      ->check(CLI::Range(1u, 1000u));
  run_cmd->add_option("--migrate-stop-pages", run.migrate_stop_pages,
                      "Live: stop and copy once a round leaves at most N dirty pages (default 16)");
  run_cmd->add_option("--migrate-corrupt", run.migrate_corrupt,
                      "Flip byte N of the migration stream on the way: the destination must refuse it and the\n"
                      "guest run on at the source");
  run_cmd->add_flag("--balloon", run.balloon,
                    "Give the system machine a virtio-balloon (virtio-mmio slot 1): the host can ask the guest\n"
                    "kernel's driver for pages back, and releases the memory of the pages it gives");
  run_cmd->add_option("--balloon-target", run.balloon_targets,
                      "STEP:PAGES: after STEP instructions, ask the balloon to hold PAGES pages (4 KiB each;\n"
                      "0 deflates it). Repeatable; implies --balloon. Prints what the balloon did at the end")
      ->allow_extra_args(false);
  run_cmd->add_option("--gdb", run.gdb_port,
                      "Debug the run with gdb: listen on 127.0.0.1:PORT (gdb-multiarch: target remote :PORT),\n"
                      "the guest stopped before its first instruction. Breakpoints, watchpoints, stepping,\n"
                      "reverse-stepi/-continue (the run is recorded), `monitor help`")
      ->check(CLI::Range(1u, 65535u));
  run_cmd->add_option("--gdb-address", run.gdb_address,
                      "With --gdb: the address to listen on (default 127.0.0.1; 0.0.0.0 lets other hosts in)");
  run_cmd->add_option("--pmp-entries", run.pmp_entries,
                      "The hart's PMP entries, 0 to 16 (default 16, as QEMU's virt hart): an OS written for\n"
                      "QEMU's pmp=false, which never programs PMP, needs 0 (else S and U reach no memory)")
      ->check(CLI::Range(0u, 16u));
  run_cmd->add_option("--misaligned", run.misaligned,
                      "Misaligned loads and stores: emulate (default: carried out, as on QEMU's virt and under\n"
                      "Linux) or trap (an address-misaligned exception, mtval = the address, as Spike does).\n"
                      "Misaligned atomics always raise the exception")
      ->transform(enum_names({Misaligned::emulate, Misaligned::trap}));
  run_cmd->add_option("--ram", run.ram_mib, "The system machine's RAM in MiB (default 128, at most 1024), as QEMU's -m")
      ->check(CLI::Range(1u, 1024u));
  run_cmd->add_option("--drive", run.drive,
                      "FILE[:rw]: a virtio-blk disk (virtio-mmio slot 0, 0x10001000) with this raw image.\n"
                      "The file is never changed: writes go to an overlay in memory, unless :rw writes them\n"
                      "through to it");
  run_cmd->add_option("--dir", run.dirs,
                      "HOST[:GUEST][:rw]: a host folder the process VM's guest may use, at GUEST (default /NAME,\n"
                      "NAME the folder's name; the guest's working folder is /). Read-only unless :rw, which\n"
                      "writes the guest's changes back when the run ends. Nothing else of the host is\n"
                      "reachable: .. stops at /, symbolic links are followed only to files inside the folder")
      ->allow_extra_args(false);  // (one folder per --dir: the program follows)
  run_cmd->add_flag("--strace", run.strace,
                    "Process VM: print every system call on stderr as strace does: its arguments (paths,\n"
                    "buffers, flags by name) and its result or error");
  run_cmd->add_option("--env", run.env, "NAME=VALUE: a variable of the process VM guest's environment (empty by default)")
      ->allow_extra_args(false);
  run_cmd->add_option("args", run.guest_args, "Arguments for a process-VM guest (after --)");

  ReplayOptions replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Replay a recording (vmscope run --record) or go on from a snapshot, with no input from outside");
  replay_cmd->footer(
      "Without --to: prints the same guest output as the recorded run and exits with its exit code\n"
      "(123 if the replay ended differently). With --to N: stops at step N (instructions attempted)\n"
      "and prints the machine's state to stderr.");
  replay_cmd->add_option("file", replay.file, "A recording or snapshot file")->required();
  replay_cmd->add_option("--to", replay.to, "Stop at step N and print the state");
  replay_cmd->add_option("--save-snapshot", replay.save_snapshot,
                         "At the end (or at --to N), write a snapshot file: the whole machine and its recording,\n"
                         "from which `vmscope replay` goes on");
  replay_cmd->add_flag("-q,--quiet", replay.quiet, "Do not print the summary or the state");

  CompareWaysOptions compare;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare-ways", "Run a guest kernel to the end in every way (emulation, trap-and-emulate with either shadow\n"
                      "strategy, binary translation, paravirtual) and print their figures side by side");
  compare_cmd->footer(
      "Exit code: 0 when every way printed the same console output and ended alike, 124 when not.\n"
      "The paravirtual way runs the kernel's paravirtual build (NAME-pv.elf beside it, or --pv).");
  compare_cmd->add_option("kernel", compare.kernel, "The guest kernel (S-mode, on SBI firmware)")->required();
  compare_cmd->add_option("--pv", compare.pv, "Its paravirtual build (default: NAME-pv.elf beside it)");
  compare_cmd->add_option("--engine", compare.engine, "interp or translate (every way)")
      ->transform(kEngineNames);
  compare_cmd->add_option("--max-insns", compare.max_insns, "Stop each way after N instructions (default 300 million)");
  compare_cmd->add_flag("--consoles", compare.consoles,
                        "Compare the kernel's console four ways instead: by SBI call, the 16550 passed through,\n"
                        "the 16550 emulated by the monitor, a virtio-console (exits per console byte)");
  compare_cmd->add_option("--virt", compare.virt, "With --consoles: the way of running (default trap-and-emulate)")
      ->transform(enum_names({Virtualization::trap_and_emulate, Virtualization::binary_translation,
                              Virtualization::hardware_assisted}));

  DisasmOptions disasm;
  CLI::App* disasm_cmd = app.add_subcommand(
      "disasm", "Disassemble the executable sections, in the format of objdump -d -M no-aliases");
  disasm_cmd->add_option("program", disasm.program, "RV32 ELF executable")->required();

  DtbOptions dtb;
  CLI::App* dtb_cmd = app.add_subcommand(
      "dtb", "Print the system machine's device tree (what a0/a1 hand a booting OS) as source, or write the blob");
  dtb_cmd->add_option("--ram", dtb.ram_mib, "RAM in MiB (default 128), as for run")->check(CLI::Range(1u, 1024u));
  dtb_cmd->add_flag("--hypervisor", dtb.hypervisor, "A hart with the H extension (its ISA string says so)");
  dtb_cmd->add_option("-o,--output", dtb.output, "Write the flattened tree (DTB) to FILE instead");

  AnalyzeOptions analyze;
  CLI::App* analyze_cmd = app.add_subcommand(
      "analyze", "Popek-Goldberg analysis of ISA descriptions (isa-specs/*.toml, docs/isa-spec-format.md)");
  analyze_cmd->footer(
      "Exit codes of analyze: 0 Theorem 1's condition holds (with --search: in some combination of\n"
      "  settings), 1 it does not, 2 an invalid description, setting, instruction name or baseline;\n"
      "  with --oracle: 0 the description agrees with the hart, 3 it does not;\n"
      "  with --baseline: 0 verdicts and critical sets as in the baseline, 4 they changed.");
  analyze_cmd->add_option("spec", analyze.specs, "ISA description(s) in TOML")->required();
  analyze_cmd->add_option("--set", analyze.settings, "Evaluate with setting NAME=VALUE (repeatable)");
  analyze_cmd->add_flag("--search", analyze.search,
                        "Try every combination of the declared settings and report where Theorem 1 holds");
  analyze_cmd->add_option("--format", analyze.format,
                          "Output format: text, json, sarif (SARIF 2.1.0 for code scanning), markdown, html")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown", "html"}));
  analyze_cmd->add_option("--baseline", analyze.baseline,
                          "A committed JSON report (--format json): exit 4 only when a verdict or a set of\n"
                          "critical, user-sensitive or guest-critical instructions changed, else 0");
  analyze_cmd->add_flag("--oracle", analyze.oracle,
                        "Execute every instruction form the description names (every CSR number too) on\n"
                        "vmscope's own hart, in pairs of states differing only in mode, relocation or other\n"
                        "control state, and report where the description disagrees (exit code 3); the hart's\n"
                        "quirks are the description's quirk.* settings (--set quirk.status_read=1)");
  analyze_cmd->add_option("--explain", analyze.explain,
                          "Explain one instruction: its facts per mode and every class with the fact deciding it");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }
  if (*run_cmd) return run_command(run);
  if (*replay_cmd) return replay_command(replay);
  if (*compare_cmd) return compare_ways_command(compare);
  if (*disasm_cmd) return disasm_command(disasm);
  if (*dtb_cmd) return dtb_command(dtb);
  if (*analyze_cmd) return analyze_command(analyze);
  return kUsage;
}
