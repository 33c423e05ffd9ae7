// One gdb connection's conversation, whatever carries its bytes (a TCP socket on the command
// line or in the native debugger, a WebSocket through scripts/gdb-bridge in the browser): the
// bytes gdb sent go in, the bytes to send back come out (acknowledgements until no-ack mode,
// replies, and stop replies once a running guest stops); while gdb lets the guest run, the
// owner calls advance() in slices, and an interrupt byte (Ctrl-C) stops it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gdb/gdb_target.h"
#include "gdb/rsp.h"

namespace vmscope::gdb {

class Session {
 public:
  explicit Session(Target& target) : target_(target) { target_.on_attach(); }

  // Bytes from gdb; returns the bytes to send back.
  std::string receive(std::string_view bytes);
  // While running(): runs at most `steps` instructions; returns the bytes to send (the stop
  // reply) once the guest stops, else nothing.
  std::string advance(uint64_t steps);

  bool running() const { return running_; }
  bool ended() const { return detached_ || killed_; }  // the connection is over
  bool killed() const { return killed_; }

 private:
  std::string send(const std::string& payload);
  Target& target_;
  PacketReader reader_;
  std::string last_;  // the last packet sent, for a NAK
  bool running_ = false, detached_ = false, killed_ = false;
};

}  // namespace vmscope::gdb
