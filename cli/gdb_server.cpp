// `vmscope run PROGRAM --gdb PORT`: the run under gdb's control over TCP (the GDB Remote Serial
// Protocol, gdb/). The machine starts stopped before its first instruction and waits for gdb; a
// continue runs it in slices, reading the socket between them for gdb's interrupt. After a
// detach (or if gdb goes away) the guest runs on and another gdb may attach; the run ends when
// the guest does, or when gdb kills it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "gdb/gdb_target.h"
#include "gdb/rsp.h"

namespace vmscope::cli {

namespace {

constexpr uint64_t kSlice = 200'000;  // instructions between looks at the socket (well under a millisecond)

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { close(fd_); }
  // Reads what has arrived, waiting at most `timeout_ms` (-1: until something does). False once
  // gdb has gone.
  bool receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    const ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    reader.feed(std::string_view(buffer, static_cast<size_t>(n)));
    return true;
  }
  void send(const std::string& payload) {
    last_ = gdb::frame(payload);
    write_all(last_);
  }
  void resend() { write_all(last_); }
  void ack() { write_all("+"); }
  void nak() { write_all("-"); }
  gdb::PacketReader reader;

 private:
  void write_all(const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      const ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return;  // gdb went away: the next read says so
      done += static_cast<size_t>(n);
    }
  }
  int fd_;
  std::string last_;
};

}  // namespace

int run_with_gdb(Machine& machine, TimeMachine& time, const RunOptions& o, const std::function<void()>& read_input) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(*o.gdb_port));
  if (inet_pton(AF_INET, o.gdb_address.c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "vmscope: --gdb-address '%s' is not an IPv4 address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)\n",
                 o.gdb_address.c_str());
    close(listener);
    return kUsage;
  }
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener, 1) != 0) {
    std::fprintf(stderr, "vmscope: --gdb %u: cannot listen on %s:%u (%s)\n", *o.gdb_port, o.gdb_address.c_str(), *o.gdb_port,
                 std::strerror(errno));
    close(listener);
    return kUsage;
  }
  std::fprintf(stderr, "vmscope: waiting for gdb on %s:%u (target remote %s:%u); the guest stands before its first instruction\n",
               o.gdb_address.c_str(), *o.gdb_port, o.gdb_address.c_str(), *o.gdb_port);
  gdb::Target target(machine, time);
  int code = -1;
  bool attached_once = false;
  while (code < 0) {
    // Waiting for gdb: before the first attach the guest stands still; after a detach it runs on.
    pollfd p{listener, POLLIN, 0};
    if (attached_once && !target.finished()) {
      while (poll(&p, 1, 0) == 0) {
        read_input();
        if (const std::optional<std::string> stop = target.run(kSlice); stop && target.finished()) break;
      }
      if (target.finished()) {
        code = machine.hart().exit_code;
        break;
      }
    } else if (poll(&p, 1, -1) <= 0) {
      continue;
    }
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    attached_once = true;
    std::fprintf(stderr, "vmscope: gdb attached at instruction %llu\n", static_cast<unsigned long long>(time.position()));
    Connection c(fd);
    bool connected = true, running = false;
    while (connected) {
      if (running) {  // the guest runs; gdb's interrupt arrives between slices
        read_input();
        std::optional<std::string> stop = target.run(kSlice);
        if (!c.receive(0)) break;
        for (auto in = c.reader.next(); in; in = c.reader.next())
          if (in->kind == gdb::Incoming::Kind::interrupt && !stop) stop = target.interrupted();
        if (stop) {
          c.send(*stop);
          running = false;
        }
        continue;
      }
      if (!c.receive(-1)) break;
      while (auto in = c.reader.next()) {
        if (in->kind == gdb::Incoming::Kind::nak) c.resend();
        if (in->kind == gdb::Incoming::Kind::bad_checksum && !target.no_ack()) c.nak();
        if (in->kind != gdb::Incoming::Kind::packet) continue;
        if (!target.no_ack()) c.ack();
        const gdb::Action a = target.handle(in->payload);
        if (a.reply) c.send(*a.reply);
        using R = gdb::Action::Resume;
        if (a.resume == R::forward) running = !target.finished();
        if (a.resume == R::forward && target.finished()) c.send(target.stop_reply());
        if (a.resume == R::step) c.send(target.step());
        if (a.resume == R::reverse_step) c.send(target.reverse_step());
        if (a.resume == R::reverse_continue) c.send(target.reverse_continue());
        if (a.kill) {
          std::fprintf(stderr, "vmscope: gdb ended the run (kill) at instruction %llu\n",
                       static_cast<unsigned long long>(time.position()));
          code = kGdbKilled;
          connected = false;
          break;
        }
        if (a.detach) {
          connected = false;
          break;
        }
      }
    }
    if (code < 0) {
      target.forget_breakpoints();
      std::fprintf(stderr, "vmscope: gdb detached at instruction %llu; the guest runs on (gdb may attach again)\n",
                   static_cast<unsigned long long>(time.position()));
      if (target.finished()) code = machine.hart().exit_code;
    }
  }
  close(listener);
  std::fflush(stdout);
  return code;
}

}  // namespace vmscope::cli
