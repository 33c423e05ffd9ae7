// The GDB Remote Serial Protocol's framing (rsp.h).
#include "gdb/rsp.h"

#include <cstdio>

namespace vmscope::gdb {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

void PacketReader::feed(std::string_view bytes) { buffer_.append(bytes); }

std::optional<Incoming> PacketReader::next() {
  while (!buffer_.empty()) {
    const char c = buffer_[0];
    if (c == '+' || c == '-' || c == '\x03') {
      buffer_.erase(0, 1);
      return Incoming{c == '+' ? Incoming::Kind::ack : c == '-' ? Incoming::Kind::nak : Incoming::Kind::interrupt, {}};
    }
    if (c != '$') {  // noise between packets
      buffer_.erase(0, 1);
      continue;
    }
    const size_t hash = buffer_.find('#');
    if (hash == std::string::npos || buffer_.size() < hash + 3) return std::nullopt;  // not all here yet
    const std::string_view body(buffer_.data() + 1, hash - 1);
    unsigned sum = 0;
    for (const char b : body) sum += static_cast<unsigned char>(b);
    const int hi = hex_digit(buffer_[hash + 1]), lo = hex_digit(buffer_[hash + 2]);
    const bool good = hi >= 0 && lo >= 0 && static_cast<unsigned>(hi * 16 + lo) == (sum & 0xff);
    std::string payload;
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '}' && i + 1 < body.size()) {
        payload += static_cast<char>(body[++i] ^ 0x20);
      } else if (body[i] == '*' && i + 1 < body.size() && !payload.empty()) {  // run-length: repeat the last
        const int count = static_cast<unsigned char>(body[++i]) - 29;
        payload.append(static_cast<size_t>(std::max(count, 0)), payload.back());
      } else {
        payload += body[i];
      }
    }
    buffer_.erase(0, hash + 3);
    return Incoming{good ? Incoming::Kind::packet : Incoming::Kind::bad_checksum, good ? payload : std::string()};
  }
  return std::nullopt;
}

std::string frame(std::string_view payload) {
  std::string out = "$";
  unsigned sum = 0;
  for (const char c : payload) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      out += '}';
      sum += '}';
      out += static_cast<char>(c ^ 0x20);
      sum += static_cast<unsigned char>(c ^ 0x20);
    } else {
      out += c;
      sum += static_cast<unsigned char>(c);
    }
  }
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
  return out + tail;
}

std::string to_hex(const uint8_t* data, size_t size) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string hex_le32(uint32_t value) {
  const uint8_t bytes[4] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value >> 16),
                            static_cast<uint8_t>(value >> 24)};
  return to_hex(bytes, 4);
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

std::optional<uint64_t> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (const char c : text) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<unsigned>(d);
  }
  return v;
}

}  // namespace vmscope::gdb
