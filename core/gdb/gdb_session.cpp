// One gdb connection's conversation (gdb_session.h).
#include "gdb/gdb_session.h"

namespace vmscope::gdb {

std::string Session::send(const std::string& payload) {
  last_ = frame(payload);
  return last_;
}

std::string Session::receive(std::string_view bytes) {
  reader_.feed(bytes);
  std::string out;
  while (std::optional<Incoming> in = reader_.next()) {
    switch (in->kind) {
      case Incoming::Kind::ack: break;
      case Incoming::Kind::nak: out += last_; break;
      case Incoming::Kind::bad_checksum:
        if (!target_.no_ack()) out += '-';
        break;
      case Incoming::Kind::interrupt:
        if (running_) {
          running_ = false;
          out += send(target_.interrupted());
        }
        break;
      case Incoming::Kind::packet: {
        if (!target_.no_ack()) out += '+';
        if (running_) break;  // (gdb sends nothing but Ctrl-C while the guest runs)
        const Action a = target_.handle(in->payload);
        if (a.reply) out += send(*a.reply);
        using R = Action::Resume;
        switch (a.resume) {
          case R::none: break;
          case R::forward:
            if (target_.finished()) out += send(target_.stop_reply());  // nothing left to run
            else running_ = true;
            break;
          case R::step: out += send(target_.step()); break;
          case R::reverse_step: out += send(target_.reverse_step()); break;
          case R::reverse_continue: out += send(target_.reverse_continue()); break;
        }
        if (a.kill) killed_ = true;
        if (a.detach) detached_ = true;
        if (ended()) return out;
        break;
      }
    }
  }
  return out;
}

std::string Session::advance(uint64_t steps) {
  if (!running_) return {};
  const std::optional<std::string> stop = target_.run(steps);
  if (!stop) return {};
  running_ = false;
  return send(*stop);
}

}  // namespace vmscope::gdb
