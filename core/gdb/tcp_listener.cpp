// A TCP port gdb connects to (tcp_listener.h).
#include "gdb/tcp_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmscope::gdb {

TcpListener::~TcpListener() {
  hang_up();
  if (listener_ >= 0) close(listener_);
}

bool TcpListener::open(const std::string& address, unsigned port, std::string& error) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) {
    error = "'" + address + "' is not an IPv4 address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)";
    return false;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1) != 0) {
    error = "cannot listen on " + address + ":" + std::to_string(port) + " (" + std::strerror(errno) + ")";
    if (fd >= 0) close(fd);
    return false;
  }
  listener_ = fd;
  return true;
}

bool TcpListener::accept(int timeout_ms) {
  if (connection_ >= 0) return true;
  if (listener_ < 0) return false;
  pollfd p{listener_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  connection_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (connection_ < 0) return false;
  const int one = 1;
  setsockopt(connection_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // packets are small and awaited
  return true;
}

bool TcpListener::read(std::string& into, int timeout_ms) {
  if (connection_ < 0) return false;
  pollfd p{connection_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return true;
  char buffer[4096];
  const ssize_t n = ::read(connection_, buffer, sizeof buffer);
  if (n <= 0) return false;
  into.append(buffer, static_cast<size_t>(n));
  return true;
}

void TcpListener::write(const std::string& bytes) {
  for (size_t done = 0; connection_ >= 0 && done < bytes.size();) {
    const ssize_t n = ::send(connection_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // gone: the next read says so
    done += static_cast<size_t>(n);
  }
}

void TcpListener::hang_up() {
  if (connection_ >= 0) close(connection_);
  connection_ = -1;
}

}  // namespace vmscope::gdb
