// `vmscope run --migrate-at N`: the program runs on a source machine; after N instructions its
// guest moves (cold or live) to a destination machine built alike, where the run finishes. The
// console shows one uninterrupted run; stderr each round of the migration.
#include <chrono>
#include <cstdio>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "migration/migration.h"
#include "vmm/monitor.h"

namespace vmscope::cli {

namespace {

std::string pages(uint64_t n) { return std::to_string(n) + (n == 1 ? " page" : " pages"); }

void print_rounds(const migration::Result& r, migration::Kind kind) {
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  for (const migration::Round& round : r.rounds) {
    if (round.stop_and_copy)
      std::fprintf(stderr,
                   "vmscope: migration (%s): stop-and-copy: %s (%llu of them zero) and the machine's state, "
                   "%llu bytes; downtime %llu guest instructions, %.2f ms on the host\n",
                   to_string(kind), pages(round.pages_sent).c_str(), u(round.zero_pages), u(round.bytes), u(round.guest_instructions),
                   round.host_ms);
    else
      std::fprintf(stderr,
                   "vmscope: migration (%s): round %u: %s sent (%llu of them zero), %llu bytes, while the guest "
                   "ran %llu instructions and dirtied %s; %.2f ms on the host\n",
                   to_string(kind), round.number, pages(round.pages_sent).c_str(), u(round.zero_pages), u(round.bytes),
                   u(round.guest_instructions), pages(round.pages_dirtied).c_str(), round.host_ms);
  }
}

}  // namespace

int run_with_migration(const MachineOptions& options, const std::vector<uint8_t>& file, const RunOptions& o) {
  const migration::Kind kind = o.migrate;
  Machine source(options), destination(options);
  for (Machine* m : {&source, &destination}) {
    const ElfResult loaded = m->load(file, o.program);
    if (!loaded.ok()) {
      std::fprintf(stderr, "vmscope: %s\n", loaded.message.c_str());
      return kBadElf;
    }
    m->on_output = write_guest_output;
  }
  const auto started = std::chrono::steady_clock::now();
  // To the switch-over, at the source.
  uint64_t total = 0;
  RunResult last;
  // The terminal's input goes to wherever the guest runs (a shell on the board reads it).
  bool stdin_open = true;
  const auto forward_input = [&](Machine& m) {
    if (stdin_open && options.kind == MachineKind::system)
      stdin_open = forward_ready_stdin([&m](std::string_view bytes) { m.feed_input(bytes); });
  };
  while (total < *o.migrate_at) {
    forward_input(source);
    last = source.run(std::min<uint64_t>(*o.migrate_at - total, 1u << 20));
    total += last.steps;
    std::fflush(stdout);
    if (last.reason != StopReason::budget) break;
  }
  Machine* running = &source;
  bool failed = false;
  if (last.reason != StopReason::budget && total < *o.migrate_at) {
    std::fprintf(stderr, "vmscope: migration: the guest stopped after %llu instructions, before --migrate-at %llu\n",
                 static_cast<unsigned long long>(total), static_cast<unsigned long long>(*o.migrate_at));
  } else {
    migration::Options mo;
    mo.kind = kind;
    mo.bytes_per_instruction = o.migrate_bandwidth;
    mo.max_rounds = o.migrate_rounds;
    mo.stop_pages = o.migrate_stop_pages;
    uint64_t sent = 0;
    const auto link = [&](std::vector<uint8_t>& bytes) {  // --migrate-corrupt: one byte flipped on the way
      if (o.migrate_corrupt && *o.migrate_corrupt >= sent && *o.migrate_corrupt - sent < bytes.size())
        bytes[*o.migrate_corrupt - sent] ^= 0x5a;
      sent += bytes.size();
    };
    const migration::Result r = migration::migrate(source, destination, mo, link);
    std::fflush(stdout);
    print_rounds(r, kind);
    auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    if (r.switched) {
      running = &destination;
      std::fprintf(stderr,
                   "vmscope: migration (%s) at instruction %llu: %zu round%s, %s and %llu bytes in all; "
                   "downtime %llu guest instructions (%.2f ms on the host); %llu dirty-page faults; guest RAM at the "
                   "switch-over identical at both ends; the guest runs on at the destination\n",
                   to_string(kind), u(total), r.rounds.size(), r.rounds.size() == 1 ? "" : "s", pages(r.total_pages).c_str(),
                   u(r.total_bytes), u(r.downtime_instructions), r.downtime_host_ms, u(r.dirty_faults));
    } else if (r.guest_ended) {
      last = r.ended;
      std::fprintf(stderr, "vmscope: migration (%s): the guest stopped at the source during pre-copy: nothing to move\n",
                   to_string(kind));
    } else {
      failed = true;
      std::fprintf(stderr, "vmscope: migration (%s) failed: %s; the guest runs on at the source\n", to_string(kind),
                   r.error.c_str());
    }
  }
  // The rest of the run, where the guest now is.
  if (!(last.reason != StopReason::budget && running == &source)) {
    for (;;) {
      forward_input(*running);
      last = running->run(1u << 20);
      std::fflush(stdout);
      if (last.reason != StopReason::budget) break;
      if (o.max_insns && running->hart().steps() >= o.max_insns) break;
    }
  }
  std::fflush(stdout);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const int code = exit_code_for_stop(last, running->hart());
  if (last.reason != StopReason::exited)
    std::fprintf(stderr, "vmscope: stopped: %s\n",
                 last.reason == StopReason::budget ? "instruction limit reached" : running->hart().stop_message.c_str());
  if (!o.quiet) {
    const Monitor* monitor = running->monitor();
    std::fprintf(stderr, "vmscope: system machine, %s: exit code %d; %llu instructions retired in %.4f s (at the %s)\n",
                 last.reason == StopReason::exited ? "guest exited" : to_string(last.reason), code,
                 static_cast<unsigned long long>(monitor ? monitor->guest_instret() : running->hart().instret()), seconds,
                 running == &destination ? "destination" : "source");
  }
  return failed ? kMigrationFailed : code;
}

}  // namespace vmscope::cli
