// A TCP port gdb connects to (native builds only: the browser reaches gdb through
// scripts/gdb-bridge): one connection at a time, nothing blocking unless asked to wait.
#pragma once

#include <string>

namespace vmscope::gdb {

class TcpListener {
 public:
  TcpListener() = default;
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // Listens on address:port (IPv4); false, with `error` saying why, if it cannot.
  bool open(const std::string& address, unsigned port, std::string& error);
  bool listening() const { return listener_ >= 0; }
  // Takes a connection if one waits (up to `timeout_ms`; -1: until one comes). True if connected.
  bool accept(int timeout_ms);
  bool connected() const { return connection_ >= 0; }
  // Appends what arrived (waiting up to `timeout_ms`); false once the peer has gone.
  bool read(std::string& into, int timeout_ms);
  void write(const std::string& bytes);
  void hang_up();

 private:
  int listener_ = -1, connection_ = -1;
};

}  // namespace vmscope::gdb
