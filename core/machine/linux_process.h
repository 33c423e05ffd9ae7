// The process VM's operating system: the initial stack of a Linux process and the system calls
// of the rv32 Linux ABI (a7 = number, a0..a5 = arguments, a0 = result or -errno).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hart/hart.h"
#include "mem/bus.h"

namespace vmscope {

class LinuxProcess {
 public:
  LinuxProcess(Hart& hart, Bus& bus) : hart_(hart), bus_(bus) {}

  // Builds argc/argv/envp/auxv at the top of memory and sets sp; the heap starts after `image_end`.
  void start(uint32_t image_end, const std::vector<std::string>& argv);
  EcallAction handle_ecall(Hart& hart);
  void push_stdin(std::string_view bytes);

  std::function<void(int fd, std::string_view bytes)> on_output;
  std::function<size_t(uint8_t* buffer, size_t size)> read_stdin;
  // The host's wall clock (true) or monotonic clock (false) in ns; a replay can stand in for it.
  std::function<int64_t(bool realtime)> host_clock;
  static int64_t read_host_clock(bool realtime);
  // When true, a read() of empty stdin waits for push_stdin() (a debugger's console) instead of
  // asking read_stdin (a terminal) or seeing end of input.
  bool wait_for_input = false;
  void close_stdin() { stdin_eof_ = true; }

  uint32_t brk() const { return brk_; }

  // Snapshots: the heap and what stdin holds (wait_for_input is the front end's setting).
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(brk_start_, brk_, brk_limit_, stdin_, stdin_eof_);
  }

 private:
  int32_t sys_read(uint32_t fd, uint32_t buf, uint32_t count);
  static constexpr int32_t kWouldBlock = -11;  // EAGAIN: internal, never returned to the guest
  int32_t sys_write(uint32_t fd, uint32_t buf, uint32_t count);
  int32_t sys_writev(uint32_t fd, uint32_t iov, uint32_t iovcnt);
  int32_t sys_brk(uint32_t addr);
  int32_t sys_fstat(uint32_t fd, uint32_t statbuf);
  int32_t sys_clock_gettime(uint32_t clock, uint32_t ts, bool time64);

  Hart& hart_;
  Bus& bus_;
  uint32_t brk_start_ = 0, brk_ = 0, brk_limit_ = 0;
  std::deque<uint8_t> stdin_;
  bool stdin_eof_ = false;
};

const char* linux_syscall_name(uint32_t number);  // null if vmscope does not know the number

}  // namespace vmscope
