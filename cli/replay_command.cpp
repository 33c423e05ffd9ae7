// `vmscope replay`: re-runs a recording (or goes on from a snapshot) with no input from outside,
// printing the same guest output and ending with the same exit code; or stops at a position
// and prints the machine's state there.
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "exit_codes.h"
#include "isa/isa_table.h"
#include "machine/machine.h"
#include "state/archive.h"
#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

namespace vmscope::cli {

namespace {
void print_state(const Machine& m) {
  const Hart& h = m.hart();
  std::fprintf(stderr, "vmscope: at step %llu: pc=0x%08x priv=%s instret=%llu\n",
               static_cast<unsigned long long>(h.steps()), h.pc(), to_string(h.priv()),
               static_cast<unsigned long long>(h.instret()));
  for (unsigned r = 1; r < 32; ++r)
    std::fprintf(stderr, "%s%s=0x%08x%s", r % 8 == 1 ? "vmscope:  " : " ", isa::kAbiRegisterNames[r], h.reg(r),
                 r % 8 == 0 || r == 31 ? "\n" : "");
  if (const Monitor* mon = m.monitor())
    std::fprintf(stderr, "vmscope: guest: mode=%s satp=0x%08x, %llu monitor exits so far\n", to_string(mon->vcpu().mode),
                 mon->vcpu().s.atp, static_cast<unsigned long long>(mon->stats().exits));
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}
}  // namespace

int replay_command(const ReplayOptions& o) {
  std::vector<uint8_t> bytes;
  if (!read_file(o.file, bytes)) return kCannotRead;
  // A recording, or a snapshot (which carries its recording).
  FileError error;
  std::optional<Recording> recording;
  std::optional<SnapshotFile> snapshot;
  if (bytes.size() >= 8 && std::string_view(reinterpret_cast<const char*>(bytes.data()), 8) == "VMSCSNP\n") {
    snapshot = decode_snapshot(bytes, o.file, error);
    if (snapshot) recording = snapshot->recording;
  } else {
    recording = decode_recording(bytes, o.file, error);
  }
  if (!recording) {
    std::fprintf(stderr, "vmscope: %s\n", error.message.c_str());
    return kBadRecording;
  }
  Machine machine(recording->options);
  const ElfResult loaded = machine.load(recording->program, recording->program_name);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vmscope: %s: the recorded program does not load: %s\n", o.file.c_str(), loaded.message.c_str());
    return kBadRecording;
  }
  machine.on_output = write_guest_output;
  // No snapshots along the way: a replay runs straight through.
  TimeMachine tm(machine, TimeTravelOptions{.snapshot_interval = ~uint64_t{0} >> 1});
  if (snapshot) {
    if (!tm.resume_from(snapshot->snapshot, snapshot->ram, recording->inputs, recording->end)) {
      std::fprintf(stderr, "vmscope: %s: the snapshot does not fit its machine (malformed state)\n", o.file.c_str());
      return kBadRecording;
    }
  } else {
    tm.adopt(recording->inputs, recording->end);
  }
  const uint64_t target = o.to ? *o.to : recording->end.position;
  if (target < tm.position()) {
    std::fprintf(stderr, "vmscope: --to %llu is before the snapshot (step %llu)\n",
                 static_cast<unsigned long long>(target), static_cast<unsigned long long>(tm.position()));
    return kUsage;
  }
  if (target > recording->end.position) {
    std::fprintf(stderr, "vmscope: --to %llu is beyond the recording's end (step %llu)\n",
                 static_cast<unsigned long long>(target), static_cast<unsigned long long>(recording->end.position));
    return kUsage;
  }
  RunResult last;
  while (tm.position() < target) {
    last = tm.run(std::min<uint64_t>(target - tm.position(), uint64_t{1} << 24));
    std::fflush(stdout);
    if (last.reason != StopReason::budget && last.reason != StopReason::breakpoint) break;
  }
  std::fflush(stdout);
  Hart& hart = machine.hart();
  if (o.to || !o.save_snapshot.empty()) {
    if (!o.quiet) print_state(machine);
    if (!o.save_snapshot.empty()) {
      SnapshotFile file{*recording, tm.snapshot_now(), {}};
      if (!write_file(o.save_snapshot, encode_snapshot(file, machine.bus().ram_size()))) {
        std::fprintf(stderr, "vmscope: cannot write the snapshot '%s'\n", o.save_snapshot.c_str());
        return kCannotRead;
      }
    }
    if (tm.position() != target) {
      std::fprintf(stderr, "vmscope: replay diverged: stopped at step %llu (%s) before %llu\n",
                   static_cast<unsigned long long>(tm.position()), to_string(last.reason),
                   static_cast<unsigned long long>(target));
      return kReplayDiverged;
    }
    return 0;
  }
  // The whole recording: it must end where and as it ended.
  const RecordedEnd& end = recording->end;
  const bool final = end.reason != StopReason::budget && end.reason != StopReason::breakpoint;
  if (tm.position() != end.position || (final && (last.reason != end.reason || hart.exit_code != end.exit_code))) {
    std::fprintf(stderr, "vmscope: replay diverged: the recording ended at step %llu (%s, exit code %d), the replay at "
                 "step %llu (%s, exit code %d)\n",
                 static_cast<unsigned long long>(end.position), to_string(end.reason), end.exit_code,
                 static_cast<unsigned long long>(tm.position()), to_string(last.reason), hart.exit_code);
    return kReplayDiverged;
  }
  if (!o.quiet)
    std::fprintf(stderr, "vmscope: replayed %llu steps of %s: %s, exit code %d, as recorded\n",
                 static_cast<unsigned long long>(end.position), recording->program_name.c_str(), to_string(end.reason),
                 final ? end.exit_code : 0);
  if (!final) return kInstructionLimit;
  RunResult r;
  r.reason = end.reason;
  return exit_code_for_stop(r, hart);
}

}  // namespace vmscope::cli
