#include "devices/htif.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

namespace vmscope {

namespace {
constexpr uint64_t kSysWrite = 64, kSysExit = 93;
constexpr int64_t kEnosys = -38, kEbadf = -9, kEfault = -14;
constexpr uint32_t kMaxWrite = 1u << 20;  // a write call's bytes at most (a guest cannot make the host copy more)

bool read64(const PhysicalMemory& memory, uint32_t paddr, uint64_t& value) {
  uint8_t bytes[8];
  if (!memory.read_bytes(paddr, bytes)) return false;
  std::memcpy(&value, bytes, 8);
  return true;
}

void write64(PhysicalMemory& memory, uint32_t paddr, uint64_t value) {
  uint8_t bytes[8];
  std::memcpy(bytes, &value, 8);
  memory.write_bytes(paddr, bytes);
}
}  // namespace

void Htif::on_store(uint32_t paddr, unsigned size) {
  if (paddr + size <= tohost_ + 4) return;  // the lower half: the command is not complete yet
  uint64_t command = 0;
  if (!read64(memory_, tohost_, command) || command == 0) return;
  ++commands_;
  write64(memory_, tohost_, 0);  // taken
  const unsigned device = static_cast<unsigned>(command >> 56), cmd = static_cast<unsigned>(command >> 48) & 0xff;
  const uint64_t payload = command & ((uint64_t{1} << 48) - 1);
  if (device == 0 && cmd == 0) {
    if (payload & 1) {
      if (on_exit) on_exit(static_cast<int>(payload >> 1));
    } else {
      system_call(static_cast<uint32_t>(payload));
    }
    return;
  }
  if (device == 1 && cmd == 1) {
    const char c = static_cast<char>(payload & 0xff);
    if (on_output) on_output(std::string_view(&c, 1));
    acknowledge(uint64_t{1} << 56 | uint64_t{1} << 48);
    return;
  }
  char text[128];
  std::snprintf(text, sizeof text, "HTIF: device %u command %u (tohost = 0x%016llx) is not supported", device, cmd,
                static_cast<unsigned long long>(command));
  if (on_unsupported) on_unsupported(text);
}

// The proxied system call: magic_mem[0] = number, [1..] = arguments; the result goes to
// magic_mem[0] and fromhost says it is there.
void Htif::system_call(uint32_t magic) {
  std::array<uint64_t, 4> words{};
  for (unsigned i = 0; i < words.size(); ++i) {
    if (!read64(memory_, magic + 8 * i, words[i])) {
      char text[96];
      std::snprintf(text, sizeof text, "HTIF: a system call's arguments at 0x%08x are outside RAM", magic);
      if (on_unsupported) on_unsupported(text);
      return;
    }
  }
  int64_t result = kEnosys;
  if (words[0] == kSysExit) {
    if (on_exit) on_exit(static_cast<int>(words[1]));
    return;
  }
  if (words[0] == kSysWrite) {
    const uint64_t fd = words[1], buffer = words[2], length = words[3];
    if (fd != 1 && fd != 2) {
      result = kEbadf;
    } else {
      std::vector<uint8_t> bytes(length <= kMaxWrite ? length : 0);
      if (length > kMaxWrite || buffer > 0xffffffffull || !memory_.read_bytes(static_cast<uint32_t>(buffer), bytes)) {
        result = kEfault;
      } else {
        if (on_output) on_output(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        result = static_cast<int64_t>(length);
      }
    }
  }
  write64(memory_, magic, static_cast<uint64_t>(result));
  acknowledge(1);
}

void Htif::acknowledge(uint64_t value) {
  if (fromhost_) write64(memory_, *fromhost_, value);
}

}  // namespace vmscope
