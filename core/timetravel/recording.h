// What makes a run reproducible: the machine's options, the program, and a log of everything
// that came from outside while it ran — bytes fed to the console at a position, the results of
// host stdin reads and host clock reads in order, settings switched mid-run. vmscope's machine
// is otherwise deterministic, so a recording replays exactly. Recordings and snapshots are
// saved in files with a checksum; a damaged file is refused with a message saying why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "machine/machine.h"
#include "timetravel/snapshot_store.h"

namespace vmscope {

// Something fed to the machine between two steps.
struct FedInput {
  enum class Kind : uint8_t { bytes, close_input, quirks, invalidation, check_shadows, balloon_target };
  uint64_t position = 0;
  Kind kind = Kind::bytes;
  std::string bytes;   // Kind::bytes
  uint32_t value = 0;  // a setting: Quirks bits (read, write, sret = 1, 2, 4), ShadowInvalidation, bool, pages
};

struct InputLog {
  std::vector<FedInput> fed;              // by position
  std::vector<std::string> stdin_reads;   // what each host stdin read returned (process VM)
  std::vector<int64_t> clock_reads;       // what each host clock read returned (process VM)
  void truncate(const LogCursors& at) {
    fed.resize(std::min<size_t>(fed.size(), at.fed));
    stdin_reads.resize(std::min<size_t>(stdin_reads.size(), at.stdin_reads));
    clock_reads.resize(std::min<size_t>(clock_reads.size(), at.clock_reads));
  }
};

// How a recorded run ended (or where recording stopped).
struct RecordedEnd {
  uint64_t position = 0;
  StopReason reason = StopReason::budget;
  int exit_code = 0;
};

struct Recording {
  std::string program_name;
  std::vector<uint8_t> program;  // the ELF file, so that a recording stands alone
  MachineOptions options;
  InputLog inputs;
  RecordedEnd end;
};

// A snapshot in a file: the recording up to it (so the program and machine can be rebuilt and
// the run can go on) and the snapshot itself, RAM included.
struct SnapshotFile {
  Recording recording;
  SnapshotStore::Snapshot snapshot;
  std::vector<uint8_t> ram;  // the whole RAM
};

// Why a file could not be read.
struct FileError {
  std::string message;  // names the file and says what is wrong
};

std::vector<uint8_t> encode_recording(const Recording& r);
std::optional<Recording> decode_recording(const std::vector<uint8_t>& bytes, const std::string& file_name, FileError& error);
std::vector<uint8_t> encode_snapshot(const SnapshotFile& s, uint32_t ram_size);
std::optional<SnapshotFile> decode_snapshot(const std::vector<uint8_t>& bytes, const std::string& file_name, FileError& error);

}  // namespace vmscope
