// libFuzzer target: the destination's side of a migration fed random records. The input is a
// list of (kind, payload) pairs that this target wraps into records with correct checksums (so
// that the fuzzer gets past them to what the records say), optionally after a valid header, and
// delivers in up to three chunks. Whatever arrives, the destination must refuse it with a
// message or accept it; if it accepts a whole stream, the machine it made must run. ASan/UBSan
// watch the host.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "machine/machine.h"
#include "migration/stream.h"
#include "vmm/monitor.h"

using namespace vmscope;

namespace {
uint64_t fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}
void record(std::vector<uint8_t>& out, uint8_t kind, const uint8_t* payload, uint32_t length) {
  const size_t start = out.size();
  out.push_back(kind);
  for (unsigned i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(length >> (8 * i)));
  out.insert(out.end(), payload, payload + length);
  const uint64_t h = fnv1a(out.data() + start, out.size() - start);
  for (unsigned i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(h >> (8 * i)));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  MachineOptions o;
  o.kind = MachineKind::system;
  o.ram_size = 64u << 10;
  o.firmware = Firmware::sbi;
  o.virtualization = data[0] & 2 ? Virtualization::trap_and_emulate : Virtualization::emulation;
  Machine source(o), destination(o);
  std::vector<uint8_t> stream;
  if (data[0] & 1) {  // a valid header first (the source's)
    migration::StreamWriter w;
    w.header(source);
    stream = w.take();
  }
  size_t at = 1;
  while (at + 3 <= size) {
    const uint8_t kind = data[at];
    const uint32_t length = std::min<uint32_t>(data[at + 1] | data[at + 2] << 8, static_cast<uint32_t>(size - at - 3));
    record(stream, kind % 7, data + at + 3, length);
    at += 3 + length;
  }
  migration::Incoming in(destination);
  const size_t cut1 = stream.size() / 3, cut2 = 2 * stream.size() / 3;
  bool ok = in.apply(std::span(stream).subspan(0, cut1));
  ok = ok && in.apply(std::span(stream).subspan(cut1, cut2 - cut1));
  ok = ok && in.apply(std::span(stream).subspan(cut2));
  if (!ok && in.error().empty()) std::abort();  // a refusal always says why
  if (ok && in.complete()) destination.run(2000);
  return 0;
}
