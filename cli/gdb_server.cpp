// `vmscope run PROGRAM --gdb PORT`: the run under gdb's control over TCP (gdb/). The machine
// starts stopped before its first instruction and waits for gdb; while gdb lets it run it runs in
// slices, the socket read between them for gdb's interrupt. After a detach (or if gdb goes away)
// the guest runs on and another gdb may attach; the run ends when the guest does, or when gdb
// kills it.
#include <cstdio>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "gdb/gdb_session.h"
#include "gdb/tcp_listener.h"

namespace vmscope::cli {

namespace {
constexpr uint64_t kSlice = 200'000;  // instructions between looks at the socket (well under a millisecond)
}

int run_with_gdb(Machine& machine, TimeMachine& time, const RunOptions& o, const std::function<void()>& read_input) {
  gdb::TcpListener port;
  std::string error;
  if (!port.open(o.gdb_address, *o.gdb_port, error)) {
    std::fprintf(stderr, "vmscope: --gdb %u: %s\n", *o.gdb_port, error.c_str());
    return kUsage;
  }
  std::fprintf(stderr, "vmscope: waiting for gdb on %s:%u (target remote %s:%u); the guest stands before its first instruction\n",
               o.gdb_address.c_str(), *o.gdb_port, o.gdb_address.c_str(), *o.gdb_port);
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  gdb::Target target(machine, time);
  for (bool attached_once = false;;) {
    // Waiting for gdb: before the first attach the guest stands still; after a detach it runs on.
    if (!attached_once) {
      port.accept(-1);
    } else {
      while (!target.finished() && !port.accept(0)) {
        read_input();
        target.run(kSlice);
      }
      if (target.finished()) return machine.hart().exit_code;
    }
    attached_once = true;
    std::fprintf(stderr, "vmscope: gdb attached at instruction %llu\n", u(time.position()));
    gdb::Session session(target);
    for (std::string in; !session.ended(); in.clear()) {
      if (!port.read(in, session.running() ? 0 : -1)) break;  // gdb went away: as a detach
      std::string out = session.receive(in);
      if (session.running()) {
        read_input();
        out += session.advance(kSlice);
      }
      port.write(out);
    }
    port.hang_up();
    if (session.killed()) {
      std::fprintf(stderr, "vmscope: gdb ended the run (kill) at instruction %llu\n", u(time.position()));
      return kGdbKilled;
    }
    target.forget_breakpoints();
    std::fprintf(stderr, "vmscope: gdb detached at instruction %llu; the guest runs on (gdb may attach again)\n",
                 u(time.position()));
    if (target.finished()) return machine.hart().exit_code;
  }
}

}  // namespace vmscope::cli
