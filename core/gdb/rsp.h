// The GDB Remote Serial Protocol's framing (GDB manual, "Remote Protocol": Overview): packets
// `$payload#cc` with a two-digit checksum, `}`-escaping of `$ # } *` in what vmscope sends, run-length
// encoding in what gdb sends (never used by gdb 13 toward a stub, but legal), `+`/`-`
// acknowledgements until QStartNoAckMode, and a lone 0x03 byte: "interrupt the target".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmscope::gdb {

// What arrived: a packet (checksum good), a packet with a bad checksum (to be NAKed), an
// interrupt request, or an acknowledgement.
struct Incoming {
  enum class Kind : uint8_t { packet, bad_checksum, interrupt, ack, nak };
  Kind kind;
  std::string payload;  // packet: unescaped
};

// Splits a byte stream into what arrived; bytes between packets that mean nothing are dropped.
class PacketReader {
 public:
  void feed(std::string_view bytes);
  std::optional<Incoming> next();

 private:
  std::string buffer_;
};

// `$payload#cc`, with the characters that must be escaped escaped.
std::string frame(std::string_view payload);

// Hex helpers: target memory and registers travel as hex bytes (registers little-endian).
std::string to_hex(const uint8_t* data, size_t size);
std::string hex_le32(uint32_t value);
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);
std::optional<uint64_t> parse_hex(std::string_view text);  // a number in hex, whole text

}  // namespace vmscope::gdb
