// The debugger's gdb link (gdb_link.h).
#include "gdb_link.h"

#include <chrono>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#include <emscripten/websocket.h>
#else
#include "gdb/tcp_listener.h"
#endif

namespace vmscope::ui {

#ifdef __EMSCRIPTEN__
// The browser cannot listen: the page connects to scripts/gdb-bridge (ws://127.0.0.1:PORT),
// which pairs it with the gdb that connects to the bridge by TCP; the bridge closes the page's
// WebSocket when gdb goes, and the page connects again for the next one.
struct GdbLink::Transport {
  EMSCRIPTEN_WEBSOCKET_T socket = 0;
  unsigned port = 0;
  std::string inbox;
  bool open_now = false, closed = false, heard = false;
  // A bridge that dropped us (gdb left) is tried again soon; one that is not there every few
  // seconds, not every frame (each failed attempt is a line in the browser's console).
  double closed_at = 0;  // (ms)
  bool last_opened = false;

  bool open(unsigned p, std::string& error) {
    port = p;
    if (!emscripten_websocket_is_supported()) {
      error = "this browser has no WebSockets";
      return false;
    }
    return connect(error);
  }
  bool connect(std::string& error) {
    const std::string url = "ws://127.0.0.1:" + std::to_string(port);
    EmscriptenWebSocketCreateAttributes a;
    emscripten_websocket_init_create_attributes(&a);
    a.url = url.c_str();
    socket = emscripten_websocket_new(&a);
    if (socket <= 0) {
      error = "cannot open a WebSocket to " + url;
      return false;
    }
    open_now = closed = heard = last_opened = false;
    inbox.clear();
    emscripten_websocket_set_onopen_callback(socket, this, [](int, const EmscriptenWebSocketOpenEvent*, void* self) {
      static_cast<Transport*>(self)->open_now = true;
      static_cast<Transport*>(self)->last_opened = true;
      return EM_TRUE;
    });
    emscripten_websocket_set_onmessage_callback(socket, this, [](int, const EmscriptenWebSocketMessageEvent* e, void* self) {
      auto* t = static_cast<Transport*>(self);
      t->inbox.append(reinterpret_cast<const char*>(e->data), e->numBytes - (e->isText ? 1 : 0));
      t->heard = true;
      return EM_TRUE;
    });
    emscripten_websocket_set_onclose_callback(socket, this, [](int, const EmscriptenWebSocketCloseEvent*, void* self) {
      static_cast<Transport*>(self)->closed = true;
      return EM_TRUE;
    });
    emscripten_websocket_set_onerror_callback(socket, this, [](int, const EmscriptenWebSocketErrorEvent*, void* self) {
      static_cast<Transport*>(self)->closed = true;
      return EM_TRUE;
    });
    return true;
  }
  bool accept() {
    if (closed) {  // the bridge went or dropped us (gdb left): connect again, not too often
      if (closed_at == 0) closed_at = emscripten_get_now();
      if (emscripten_get_now() - closed_at < (last_opened ? 200 : 3000)) return false;
      std::string ignored;
      hang_up();
      connect(ignored);
      closed_at = 0;
    }
    return open_now && heard;  // gdb is there once its first bytes arrive
  }
  bool read(std::string& into) {
    into += inbox;
    inbox.clear();
    return !closed;
  }
  void write(const std::string& bytes) {
    if (socket > 0 && open_now && !closed) emscripten_websocket_send_binary(socket, const_cast<char*>(bytes.data()), bytes.size());
  }
  void hang_up() {
    if (socket > 0) {
      if (open_now && !closed) emscripten_websocket_close(socket, 1000, "");
      emscripten_websocket_delete(socket);
    }
    socket = 0;
    open_now = heard = false;
    closed = true;
  }
};
#else
struct GdbLink::Transport {
  gdb::TcpListener tcp;
  bool open(unsigned port, std::string& error) { return tcp.open("127.0.0.1", port, error); }
  bool accept() { return tcp.accept(0); }
  bool read(std::string& into) { return tcp.read(into, 0); }
  void write(const std::string& bytes) { tcp.write(bytes); }
  void hang_up() { tcp.hang_up(); }
};
#endif

GdbLink::GdbLink() = default;
GdbLink::~GdbLink() = default;

bool GdbLink::listen(unsigned port, std::string& error) {
  auto t = std::make_unique<Transport>();
  if (!t->open(port, error)) return false;
  transport_ = std::move(t);
  port_ = port;
  return true;
}

void GdbLink::close(DebugSession& s) {
  if (session_) end(s, "closed");
  transport_.reset();
  port_ = 0;
}

GdbLink::State GdbLink::state() const {
  if (!transport_) return State::off;
  if (!session_) return State::listening;
  return session_->running() ? State::running : State::attached;
}

std::string GdbLink::describe() const {
  const std::string where = ":" + std::to_string(port_);
  switch (state()) {
    case State::off: return "";
#ifdef __EMSCRIPTEN__
    case State::listening: return "gdb: waiting (bridge " + where + ")";
#else
    case State::listening: return "gdb: waiting on " + where;
#endif
    case State::attached: return "gdb attached (" + where + ")";
    case State::running: return "gdb attached (" + where + "), running";
  }
  return "";
}

void GdbLink::end(DebugSession& s, const char* why, bool machine_alive) {
  transport_->hang_up();
  if (target_ && machine_alive) target_->forget_breakpoints();
  session_.reset();
  target_.reset();
  machine_ = nullptr;
  time_ = nullptr;
  s.set_controller("");
  s.set_status(std::string("gdb: ") + why);
}

void GdbLink::tick(DebugSession& s, double seconds) {
  if (!transport_) return;
  if (session_ && (s.machine() != machine_ || s.time() != time_)) {  // another program was loaded: gdb's target is gone
    end(s, "the program changed", false);  // (gdb's machine is gone: nothing of it to touch)
    return;
  }
  if (!session_) {
    if (!s.loaded() || !s.time() || !transport_->accept()) return;
    s.set_controller("gdb");
    machine_ = s.machine();
    time_ = s.time();
    target_ = std::make_unique<gdb::Target>(*s.machine(), *s.time());
    session_ = std::make_unique<gdb::Session>(*target_);
  }
  std::string in;
  if (!transport_->read(in)) {
    end(s, "it went away; the machine is the debugger's again");
    return;
  }
  std::string out = session_->receive(in);
  // While gdb lets the guest run: slices until this frame's share of time is used.
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  while (session_->running() && std::chrono::duration<double>(Clock::now() - t0).count() < seconds)
    out += session_->advance(100'000);
  if (!out.empty()) transport_->write(out);
  if (session_->ended()) end(s, session_->killed() ? "gdb killed the run; the machine is the debugger's again" : "detached; the machine is the debugger's again");
}

}  // namespace vmscope::ui
