// The migration stream's records (stream.h): kind (1 byte), payload length (4), payload,
// checksum (8: FNV-1a over the three before), little-endian.
#include "migration/stream.h"

#include <cstring>

#include "state/archive.h"
#include "vmm/monitor.h"

namespace vmscope::migration {

namespace {

constexpr uint32_t kMagic = 0x474d'4d56;  // "VMMG"
constexpr uint16_t kVersion = 3;  // 2: the console in the header; 3: the balloon
enum : uint8_t { kHeader = 1, kPage = 2, kZeroRun = 3, kState = 4, kEnd = 5 };

uint64_t fnv1a(uint64_t h, std::span<const uint8_t> bytes) {
  for (const uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

void put(std::vector<uint8_t>& out, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get(std::span<const uint8_t> in, size_t at, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(in[at + i]) << (8 * i);
  return v;
}

struct Fingerprint {
  uint8_t kind, virtualization, hypervisor, console, balloon;
  uint32_t ram_size, guest_pages;
  bool operator==(const Fingerprint&) const = default;
};

Fingerprint fingerprint(const Machine& m) {
  return {static_cast<uint8_t>(m.kind()), static_cast<uint8_t>(m.options().virtualization),
          static_cast<uint8_t>(m.options().hypervisor), static_cast<uint8_t>(m.options().console),
          static_cast<uint8_t>(m.options().balloon), m.bus().ram_size(), guest_ram(m).pages};
}

std::string describe(const Fingerprint& f) {
  return std::string(to_string(static_cast<MachineKind>(f.kind))) + " machine, " +
         to_string(static_cast<Virtualization>(f.virtualization)) + (f.hypervisor ? ", hypervisor extension" : "") +
         ", console " + to_string(static_cast<Console>(f.console)) + (f.balloon ? ", a balloon" : "") + ", " +
         std::to_string(f.ram_size >> 20) + " MiB of RAM";
}

}  // namespace

GuestRam guest_ram(const Machine& m) {
  const uint32_t reserved = m.monitor() ? vmm_layout::kMonitorMemory : 0;
  return {m.bus().ram_base() + reserved, (m.bus().ram_size() - reserved) / kPageSize};
}

// ---- writing

void StreamWriter::record(uint8_t kind, std::span<const uint8_t> payload) {
  const size_t start = out_.size();
  out_.push_back(kind);
  put(out_, payload.size(), 4);
  out_.insert(out_.end(), payload.begin(), payload.end());
  put(out_, fnv1a(1469598103934665603ull, std::span(out_).subspan(start)), 8);
}

void StreamWriter::header(const Machine& m) {
  const Fingerprint f = fingerprint(m);
  std::vector<uint8_t> p;
  put(p, kMagic, 4);
  put(p, kVersion, 2);
  put(p, f.kind, 1);
  put(p, f.virtualization, 1);
  put(p, f.hypervisor, 1);
  put(p, f.console, 1);
  put(p, f.balloon, 1);
  put(p, f.ram_size, 4);
  put(p, f.guest_pages, 4);
  record(kHeader, p);
}

void StreamWriter::flush_zero_run() {
  if (!zero_count_) return;
  std::vector<uint8_t> p;
  put(p, zero_first_, 4);
  put(p, zero_count_, 4);
  record(kZeroRun, p);
  zero_count_ = 0;
}

void StreamWriter::page(uint32_t index, const uint8_t* data) {
  ++pages_;
  static const uint8_t kZero[kPageSize] = {};
  if (std::memcmp(data, kZero, kPageSize) == 0) {
    ++zero_pages_;
    if (zero_count_ && zero_first_ + zero_count_ == index) {
      ++zero_count_;
      return;
    }
    flush_zero_run();
    zero_first_ = index;
    zero_count_ = 1;
    return;
  }
  flush_zero_run();
  std::vector<uint8_t> p;
  p.reserve(4 + kPageSize);
  put(p, index, 4);
  p.insert(p.end(), data, data + kPageSize);
  record(kPage, p);
}

void StreamWriter::state(const Machine& m) {
  flush_zero_run();
  StateWriter w;
  m.save_state(w);
  record(kState, w.bytes());
}

void StreamWriter::end() {
  flush_zero_run();
  std::vector<uint8_t> p;
  put(p, pages_, 8);
  record(kEnd, p);
}

std::vector<uint8_t> StreamWriter::take() {
  flush_zero_run();
  return std::exchange(out_, {});
}

// ---- reading

bool Incoming::fail(const std::string& what) {
  error_ = "migration stream, record " + std::to_string(records_ + 1) + " at byte " + std::to_string(offset_) + ": " + what;
  return false;
}

bool Incoming::apply(std::span<const uint8_t> bytes) {
  if (!error_.empty()) return false;
  size_t at = 0;
  while (at < bytes.size()) {
    if (ended_) return fail("data after the end record");
    if (bytes.size() - at < 5) return fail("truncated (a record header cut short)");
    const uint8_t kind = bytes[at];
    const uint64_t length = get(bytes, at + 1, 4);
    if (length > bytes.size() - at - 5 || bytes.size() - at - 5 - length < 8)
      return fail("truncated (a record of " + std::to_string(length) + " bytes does not fit in what arrived)");
    const auto whole = bytes.subspan(at, 5 + length);
    if (fnv1a(1469598103934665603ull, whole) != get(bytes, at + 5 + length, 8)) return fail("checksum mismatch (corrupt)");
    if (!apply_record(kind, whole.subspan(5))) return false;
    at += 5 + length + 8;
    offset_ += 5 + length + 8;
    ++records_;
  }
  return true;
}

bool Incoming::apply_record(uint8_t kind, std::span<const uint8_t> p) {
  const GuestRam ram = guest_ram(m_);
  if (!started_ && kind != kHeader) return fail("the stream does not start with a header");
  switch (kind) {
    case kHeader: {
      if (started_) return fail("a second header");
      if (p.size() < 6 || get(p, 0, 4) != kMagic) return fail("not a vmscope migration stream");
      if (get(p, 4, 2) != kVersion) return fail("stream version " + std::to_string(get(p, 4, 2)) + ", expected " + std::to_string(kVersion));
      if (p.size() != 19) return fail("a header of " + std::to_string(p.size()) + " bytes, expected 19");
      const Fingerprint f{p[6], p[7], p[8], p[9], p[10], static_cast<uint32_t>(get(p, 11, 4)), static_cast<uint32_t>(get(p, 15, 4))};
      if (!(f == fingerprint(m_)))
        return fail("the stream is of a " + describe(f) + "; the destination is a " + describe(fingerprint(m_)));
      started_ = true;
      return true;
    }
    case kPage: {
      if (p.size() != 4 + kPageSize) return fail("a page record of " + std::to_string(p.size()) + " bytes");
      const auto index = static_cast<uint32_t>(get(p, 0, 4));
      if (index >= ram.pages) return fail("page " + std::to_string(index) + " is outside guest RAM");
      m_.bus().write_bytes(ram.host_base + index * kPageSize, p.subspan(4));
      ++pages_;
      return true;
    }
    case kZeroRun: {
      if (p.size() != 8) return fail("a zero-page record of " + std::to_string(p.size()) + " bytes");
      const auto first = static_cast<uint32_t>(get(p, 0, 4)), count = static_cast<uint32_t>(get(p, 4, 4));
      if (first >= ram.pages || count > ram.pages - first) return fail("zero pages outside guest RAM");
      static const uint8_t kZero[kPageSize] = {};
      for (uint32_t i = 0; i < count; ++i) {  // (a page zero already stays untouched: RAM is allocated lazily)
        const uint32_t at = ram.host_base + (first + i) * kPageSize;
        if (std::memcmp(m_.bus().ram_pointer(at, kPageSize), kZero, kPageSize) != 0) m_.bus().write_bytes(at, kZero);
      }
      pages_ += count;
      return true;
    }
    case kState: {
      if (has_state_) return fail("a second machine state");
      StateReader r(p);
      if (!m_.load_state(r)) return fail("the machine state does not load (truncated, or of another machine)");
      if (Monitor* monitor = m_.monitor()) monitor->drop_translations();
      has_state_ = true;
      return true;
    }
    case kEnd:
      if (!has_state_) return fail("the end record before the machine state");
      if (p.size() != 8) return fail("an end record of " + std::to_string(p.size()) + " bytes");
      if (get(p, 0, 8) != pages_)
        return fail("the source sent " + std::to_string(get(p, 0, 8)) + " pages, " + std::to_string(pages_) + " arrived");
      ended_ = true;
      return true;
    default:
      return fail("unknown record kind " + std::to_string(kind));
  }
}

}  // namespace vmscope::migration
