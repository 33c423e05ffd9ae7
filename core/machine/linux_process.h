// The process VM's operating system: the initial stack of a Linux process and the system calls
// of the rv32 Linux ABI (a7 = number, a0..a5 = arguments, a0 = result or -errno).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hart/hart.h"
#include "machine/guest_files.h"
#include "mem/bus.h"

namespace vmscope {

class LinuxProcess {
 public:
  LinuxProcess(Hart& hart, Bus& bus) : hart_(hart), bus_(bus) {}

  // What the process starts with, as execve gives it.
  struct Start {
    uint32_t image_end = 0;  // the heap starts on the next page
    uint32_t entry = 0, phdr = 0, phnum = 0;
    std::vector<std::string> argv, envp;
  };
  // Builds argc/argv/envp/auxv at the top of memory as Linux does and sets sp.
  void start(const Start& s);
  EcallAction handle_ecall(Hart& hart);
  void push_stdin(std::string_view bytes);

  std::function<void(int fd, std::string_view bytes)> on_output;
  // Every system call, as strace shows it (machine/strace.h), at the step of its ECALL: the last
  // ones are kept for the debugger, and each is handed to on_syscall (`vmscope run --strace`).
  // Not machine state: a replay writes the calls it makes again over the ones after it.
  struct SyscallRecord {
    uint64_t step = 0;
    std::string text;
  };
  static constexpr size_t kSyscallLogSize = 2000;
  const std::deque<SyscallRecord>& syscall_log() const { return syscall_log_; }
  std::function<void(const SyscallRecord&)> on_syscall;
  std::function<size_t(uint8_t* buffer, size_t size)> read_stdin;
  // The host's wall clock (true) or monotonic clock (false) in ns; a replay can stand in for it.
  std::function<int64_t(bool realtime)> host_clock;
  static int64_t read_host_clock(bool realtime);
  // When true, a read() of empty stdin waits for push_stdin() (a debugger's console) instead of
  // asking read_stdin (a terminal) or seeing end of input.
  bool wait_for_input = false;
  void close_stdin() { stdin_eof_ = true; }

  uint32_t brk() const { return brk_; }

  // The granted folders (MachineOptions::directories), mounted again at every start.
  void set_directories(std::vector<GuestDirectory> directories) { directories_ = std::move(directories); }
  const GuestFiles& files() const { return files_; }

  // An open file: its path in the tree, where reads and writes go, how it was opened.
  struct OpenFile {
    std::string path;
    uint64_t offset = 0;
    uint32_t flags = 0;   // O_ACCMODE, O_APPEND
    bool open = false;

    template <class Ar>
    void transfer_state(Ar& ar) {
      ar(path, offset, flags, open);
    }
  };
  static constexpr unsigned kMaxFiles = 64;
  // mmap'd memory: [start, start + length), page-aligned, between the heap's top and the stack,
  // with its protection (recorded, as Linux splits its areas by it; not enforced: no paging).
  struct Mapping {
    uint32_t start = 0, length = 0, prot = 0;
    template <class Ar>
    void transfer_state(Ar& ar) {
      ar(start, length, prot);
    }
  };
  const std::vector<Mapping>& mappings() const { return maps_; }

  // Snapshots: the heap, what stdin holds, the files and the open ones (wait_for_input is the
  // front end's setting).
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(brk_start_, brk_, brk_limit_, stdin_, stdin_eof_, files_, fds_, maps_, random_state_);
  }

 private:
  int32_t sys_read(uint32_t fd, uint32_t buf, uint32_t count);
  static constexpr int32_t kWouldBlock = -11;  // EAGAIN: internal, never returned to the guest
  int32_t sys_write(uint32_t fd, uint32_t buf, uint32_t count);
  int32_t sys_writev(uint32_t fd, uint32_t iov, uint32_t iovcnt);
  int32_t sys_brk(uint32_t addr);
  int32_t sys_clock_gettime(uint32_t clock, uint32_t ts, bool time64);
  // Files (guest_files.h).
  std::optional<std::string> guest_path(int32_t dirfd, uint32_t address, int32_t& error) const;
  int32_t sys_openat(int32_t dirfd, uint32_t path, uint32_t flags, uint32_t mode);
  int32_t sys_close(uint32_t fd);
  int32_t file_read(uint32_t fd, uint32_t buf, uint32_t count, std::optional<uint64_t> at);
  int32_t file_write(uint32_t fd, uint32_t buf, uint32_t count);
  int32_t sys_llseek(uint32_t fd, uint32_t high, uint32_t low, uint32_t result, uint32_t whence);
  int32_t sys_fstatat(int32_t dirfd, uint32_t path, uint32_t statbuf, uint32_t flags);
  int32_t sys_statx(int32_t dirfd, uint32_t path, uint32_t flags, uint32_t mask, uint32_t statxbuf);
  int32_t sys_getdents64(uint32_t fd, uint32_t buf, uint32_t count);
  int32_t sys_mkdirat(int32_t dirfd, uint32_t path, uint32_t mode);
  int32_t sys_unlinkat(int32_t dirfd, uint32_t path, uint32_t flags);
  int32_t sys_renameat2(int32_t olddirfd, uint32_t oldpath, int32_t newdirfd, uint32_t newpath, uint32_t flags);
  const OpenFile* open_file(uint32_t fd) const { return fd < fds_.size() && fds_[fd].open ? &fds_[fd] : nullptr; }
  // Memory maps.
  int32_t sys_mmap(uint32_t addr, uint32_t length, uint32_t prot, uint32_t flags, int32_t fd, uint32_t pgoff);
  int32_t sys_munmap(uint32_t addr, uint32_t length);
  int32_t sys_mprotect(uint32_t addr, uint32_t length, uint32_t prot);
  int32_t sys_mremap(uint32_t old_addr, uint32_t old_length, uint32_t new_length, uint32_t flags);
  uint32_t find_free(uint32_t length) const;  // 0: none
  bool is_free(uint32_t start, uint32_t length) const;
  void unmap(uint32_t start, uint32_t length);
  void sort_and_merge_maps();
  // The rest.
  void log_call(uint64_t step, uint32_t number, const std::array<uint32_t, 6>& args, int32_t result, const char* note);
  int32_t sys_getrandom(uint32_t buf, uint32_t length);
  int32_t sys_uname(uint32_t buf);
  bool zero_fill(uint32_t addr, uint32_t length);
  // What stat reports for a path ("" and fd <= 2: the terminal).
  bool stat_of(const std::string& path, uint32_t& mode, uint64_t& size, uint64_t& inode) const;

  Hart& hart_;
  Bus& bus_;
  uint32_t brk_start_ = 0, brk_ = 0, brk_limit_ = 0;
  std::deque<uint8_t> stdin_;
  bool stdin_eof_ = false;
  std::vector<GuestDirectory> directories_;
  GuestFiles files_;
  std::vector<OpenFile> fds_;  // by descriptor; 0, 1, 2 are the standard streams
  std::vector<Mapping> maps_;  // sorted by start
  uint64_t random_state_ = 0;
  std::deque<SyscallRecord> syscall_log_;  // getrandom's generator: seeded the same every run (runs stay reproducible)
};


}  // namespace vmscope
