// Recording and snapshot files: a magic word, a format version, the archive of the contents,
// and an FNV-1a checksum of everything before it, so that truncation and corruption are caught.
#include "timetravel/recording.h"

#include <cstring>
#include <iterator>
#include <memory>
#include <type_traits>

#include "state/archive.h"

namespace vmscope {

namespace {
constexpr char kRecordingMagic[8] = {'V', 'M', 'S', 'C', 'R', 'E', 'C', '\n'};
constexpr char kSnapshotMagic[8] = {'V', 'M', 'S', 'C', 'S', 'N', 'P', '\n'};
constexpr uint32_t kFormatVersion = 8;  // 2: the monitor's paravirtual state; 3: emulated devices, the console kind; 4: the balloon; 5: the disk image; 6: PMP entries; 7: misaligned accesses; 8: debug triggers, the process VM's files

uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}
}  // namespace

template <class Ar>
void transfer_state(Ar& ar, TranslatorOptions& t) {
  ar(t.backend, t.chaining, t.capacity_kib, t.eviction);
}

template <class Ar>
void transfer_state(Ar& ar, GuestFileEntry& e) {
  ar(e.path, e.directory, e.data, e.mode);
}

template <class Ar>
void transfer_state(Ar& ar, GuestDirectory& d) {
  ar(d.guest_path, d.writable, d.entries);
}

template <class Ar>
void transfer_state(Ar& ar, MachineOptions& o) {
  ar(o.kind, o.ram_size, o.argv, o.firmware, o.virtualization, o.invalidation, o.check_shadows, o.shadow_pages);
  ar(o.hypervisor, o.console, o.balloon, o.pmp_entries, o.misaligned);
  // The disk's image travels whole (a replay must read what the run read).
  if constexpr (std::is_same_v<Ar, StateReader>) {
    std::vector<uint8_t> image;
    ar(image);
    o.drive = image.empty() ? nullptr : std::make_shared<const std::vector<uint8_t>>(std::move(image));
  } else {
    ar(o.drive ? *o.drive : std::vector<uint8_t>{});
  }
  ar(o.quirks.status_read, o.quirks.status_write, o.quirks.sret_jump, o.engine, o.translator);
  ar(o.directories, o.envp);  // (the granted folders travel whole too)
}

template <class Ar>
void transfer_state(Ar& ar, FedInput& f) {
  ar(f.position, f.kind, f.bytes, f.value);
}

template <class Ar>
void transfer_state(Ar& ar, InputLog& l) {
  ar(l.fed, l.stdin_reads, l.clock_reads);
}

template <class Ar>
void transfer_state(Ar& ar, Recording& r) {
  ar(r.program_name, r.program, r.options, r.inputs, r.end.position, r.end.reason, r.end.exit_code);
}

namespace {
std::vector<uint8_t> seal(const char (&magic)[8], std::vector<uint8_t> body) {
  StateWriter out;
  out.raw(magic, 8);
  out(kFormatVersion);
  out.raw(body.data(), body.size());
  const uint64_t sum = fnv1a(out.bytes().data(), out.bytes().size());
  out(sum);
  return out.take();
}

// The body between header and checksum, or nothing (and why).
std::optional<std::span<const uint8_t>> unseal(const char (&magic)[8], const char* what, const std::vector<uint8_t>& bytes,
                                              const std::string& file_name, FileError& error) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), magic, 8) != 0) {
    const bool recording = &magic[0] == &kRecordingMagic[0];
    const char* other = bytes.size() >= 8 && std::memcmp(bytes.data(), recording ? kSnapshotMagic : kRecordingMagic, 8) == 0
                            ? (recording ? " (it is a vmscope snapshot)" : " (it is a vmscope recording)")
                            : "";
    error.message = file_name + ": not a vmscope " + what + other;
    return std::nullopt;
  }
  if (bytes.size() < 8 + 4 + 8) {
    error.message = file_name + ": truncated (" + std::to_string(bytes.size()) + " bytes)";
    return std::nullopt;
  }
  uint32_t version;
  std::memcpy(&version, bytes.data() + 8, 4);
  if (version != kFormatVersion) {
    error.message = file_name + ": a " + what + " in format version " + std::to_string(version) +
                    "; this vmscope reads version " + std::to_string(kFormatVersion);
    return std::nullopt;
  }
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != fnv1a(bytes.data(), bytes.size() - 8)) {
    error.message = file_name + ": corrupt or truncated (checksum mismatch over " + std::to_string(bytes.size()) + " bytes)";
    return std::nullopt;
  }
  return std::span<const uint8_t>(bytes.data() + 12, bytes.size() - 20);
}
}  // namespace

namespace {
// A file can pass its checksum and still hold values no vmscope wrote (it was made by hand).
bool valid(const Recording& r) {
  const MachineOptions& o = r.options;
  if (static_cast<unsigned>(o.kind) > 1 || static_cast<unsigned>(o.firmware) > 1 ||
      static_cast<unsigned>(o.virtualization) >= std::size(kVirtualizations) || static_cast<unsigned>(o.invalidation) > 1 ||
      static_cast<unsigned>(o.engine) > 1 || static_cast<unsigned>(o.translator.backend) > 1 ||
      static_cast<unsigned>(o.translator.eviction) > 1 || o.ram_size % 4096 != 0 || o.ram_size > (1u << 30) ||
      static_cast<unsigned>(r.end.reason) > static_cast<unsigned>(StopReason::check_failed))
    return false;
  uint64_t last = 0;
  for (const FedInput& f : r.inputs.fed) {
    if (static_cast<unsigned>(f.kind) > static_cast<unsigned>(FedInput::Kind::balloon_target) || f.position < last) return false;
    last = f.position;
  }
  return true;
}
}  // namespace

std::vector<uint8_t> encode_recording(const Recording& r) {
  StateWriter body;
  body(r);
  return seal(kRecordingMagic, body.take());
}

std::optional<Recording> decode_recording(const std::vector<uint8_t>& bytes, const std::string& file_name,
                                          FileError& error) {
  const auto body = unseal(kRecordingMagic, "recording", bytes, file_name, error);
  if (!body) return std::nullopt;
  StateReader in(*body);
  Recording r;
  in(r);
  if (in.failed() || !in.at_end() || !valid(r)) {
    error.message = file_name + ": malformed recording (its contents do not parse)";
    return std::nullopt;
  }
  return r;
}

std::vector<uint8_t> encode_snapshot(const SnapshotFile& s, uint32_t ram_size) {
  StateWriter body;
  body(const_cast<Recording&>(s.recording));
  body(s.snapshot.position, s.snapshot.cursors.fed, s.snapshot.cursors.stdin_reads, s.snapshot.cursors.clock_reads);
  body(s.snapshot.state);
  // RAM: the non-zero pages, each with its number.
  std::vector<uint8_t> ram(ram_size);
  SnapshotStore::copy_ram(s.snapshot, ram.data(), ram_size);
  body(ram_size);
  const uint32_t pages = ram_size / SnapshotStore::kPageSize;
  std::vector<uint32_t> used;
  for (uint32_t p = 0; p < pages; ++p) {
    const uint8_t* page = ram.data() + size_t{p} * SnapshotStore::kPageSize;
    for (unsigned i = 0; i < SnapshotStore::kPageSize; ++i)
      if (page[i]) {
        used.push_back(p);
        break;
      }
  }
  body(static_cast<uint32_t>(used.size()));
  for (uint32_t p : used) {
    body(p);
    body.raw(ram.data() + size_t{p} * SnapshotStore::kPageSize, SnapshotStore::kPageSize);
  }
  return seal(kSnapshotMagic, body.take());
}

std::optional<SnapshotFile> decode_snapshot(const std::vector<uint8_t>& bytes, const std::string& file_name,
                                            FileError& error) {
  const auto body = unseal(kSnapshotMagic, "snapshot", bytes, file_name, error);
  if (!body) return std::nullopt;
  StateReader in(*body);
  SnapshotFile s;
  in(s.recording);
  in(s.snapshot.position, s.snapshot.cursors.fed, s.snapshot.cursors.stdin_reads, s.snapshot.cursors.clock_reads);
  in(s.snapshot.state);
  uint32_t ram_size = 0, used = 0;
  in(ram_size, used);
  const uint32_t pages = ram_size / SnapshotStore::kPageSize;
  if (!in.failed() && in.plausible(used, SnapshotStore::kPageSize) && used <= pages) {
    s.ram.assign(ram_size, 0);
    for (uint32_t n = 0; n < used && !in.failed(); ++n) {
      uint32_t p = 0;
      in(p);
      if (p >= pages) {
        in.fail();
        break;
      }
      in.raw(s.ram.data() + size_t{p} * SnapshotStore::kPageSize, SnapshotStore::kPageSize);
    }
  } else {
    in.fail();
  }
  if (in.failed() || !in.at_end() || !valid(s.recording)) {
    error.message = file_name + ": malformed snapshot (its contents do not parse)";
    return std::nullopt;
  }
  return s;
}

}  // namespace vmscope
