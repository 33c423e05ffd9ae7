// Spike's host-target interface (HTIF), as riscv-tests and most conformance suites use it: the
// program has a 64-bit word `tohost` (and `fromhost`), found by their ELF symbols, and writes
// commands to it. vmscope acts when the word's upper half is written (a 32-bit hart writes the
// lower half first), as QEMU's spike machine does:
//   device 0, command 0, payload odd:  exit with code payload >> 1 (riscv-tests: 0 = pass,
//                                      else the number of the failing test)
//   device 0, command 0, payload even: a system call proxied to the host; the payload is the
//                                      address of eight 64-bit words (number, arguments): write
//                                      (64) to stdout/stderr and exit (93); others answer -ENOSYS
//   device 1, command 1:               print the payload's low byte (the console)
// The host then clears tohost and acknowledges in fromhost, as Spike's front end does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "devices/device.h"

namespace vmscope {

class Htif {
 public:
  Htif(PhysicalMemory& memory, uint32_t tohost, std::optional<uint32_t> fromhost) : memory_(memory), tohost_(tohost), fromhost_(fromhost) {}
  uint32_t tohost() const { return tohost_; }
  // A store of `size` bytes at paddr touched tohost.
  void on_store(uint32_t paddr, unsigned size);

  std::function<void(int exit_code)> on_exit;
  std::function<void(std::string_view bytes)> on_output;
  // A command vmscope does not carry out (the run stops with this message).
  std::function<void(const std::string& message)> on_unsupported;
  uint64_t commands() const { return commands_; }

 private:
  void system_call(uint32_t magic);
  void acknowledge(uint64_t value);

  PhysicalMemory& memory_;
  uint32_t tohost_;
  std::optional<uint32_t> fromhost_;
  uint64_t commands_ = 0;
};

}  // namespace vmscope
