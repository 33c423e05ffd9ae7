// The debugger's gdb link: a gdb attaches to the running session (File > Debug with gdb..., or
// `vmscope-debugger --gdb PORT`), without a restart. While gdb is attached it has control (the
// session's own commands wait, every view keeps showing the machine); a detach hands the machine
// back, paused where gdb left it. Natively over TCP; the browser's page reaches gdb through
// scripts/gdb-bridge.
#pragma once

#include <memory>
#include <string>

#include "gdb/gdb_session.h"
#include "session.h"

namespace vmscope::ui {

class GdbLink {
 public:
  enum class State : uint8_t { off, listening, attached, running };
  GdbLink();
  ~GdbLink();
  // Starts listening on 127.0.0.1:port; false with `error` saying why.
  bool listen(unsigned port, std::string& error);
  void close(DebugSession& s);
  // Once per frame: takes gdb's connection, answers it, and runs the guest while gdb lets it,
  // for about `seconds`.
  void tick(DebugSession& s, double seconds);
  State state() const;
  unsigned port() const { return port_; }
  std::string describe() const;  // "gdb: waiting on :1234", "gdb attached (:1234)", ...

 private:
  void end(DebugSession& s, const char* why, bool machine_alive = true);
  struct Transport;
  std::unique_ptr<Transport> transport_;  // (TCP natively; in the browser, the bridge's WebSocket)
  std::unique_ptr<gdb::Target> target_;
  std::unique_ptr<gdb::Session> session_;
  const Machine* machine_ = nullptr;  // the machine and history gdb was given (another: gdb is let go)
  const TimeMachine* time_ = nullptr;
  unsigned port_ = 0;
};

}  // namespace vmscope::ui
