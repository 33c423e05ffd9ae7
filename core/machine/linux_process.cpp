// Linux system-call emulation for static rv32 programs. Only what a C library needs for stdio,
// the heap and clocks is provided; any other call stops the run with its name and number.
// There is deliberately no access to host files: openat always answers ENOENT.
#include "csr_numbers.h"
#include "machine/linux_process.h"

#include <chrono>
#include <cstdio>
#include <cstring>

#include "machine/machine.h"

namespace vmscope {

namespace {
constexpr int32_t kEbadf = 9, kEfault = 14, kEinval = 22, kEnoent = 2;

enum Syscall : uint32_t {
  kOpenat = 56, kClose = 57, kRead = 63, kWrite = 64, kWritev = 66, kFstat = 80, kExit = 93,
  kExitGroup = 94, kClockGettime = 113, kBrk = 214, kClockGettime64 = 403,
};

struct SyscallName {
  uint32_t number;
  const char* name;
};
// The generic Linux numbering that rv32 uses; names make "unsupported system call" readable.
constexpr SyscallName kSyscallNames[] = {
    {17, "getcwd"}, {23, "dup"}, {24, "dup3"}, {25, "fcntl"}, {29, "ioctl"}, {34, "mkdirat"},
    {35, "unlinkat"}, {46, "ftruncate"}, {48, "faccessat"}, {49, "chdir"}, {56, "openat"},
    {57, "close"}, {59, "pipe2"}, {61, "getdents64"}, {62, "lseek"}, {63, "read"}, {64, "write"},
    {65, "readv"}, {66, "writev"}, {67, "pread64"}, {68, "pwrite64"}, {78, "readlinkat"},
    {79, "newfstatat"}, {80, "fstat64"}, {93, "exit"}, {94, "exit_group"}, {96, "set_tid_address"},
    {98, "futex"}, {99, "set_robust_list"}, {101, "nanosleep"}, {113, "clock_gettime"},
    {124, "sched_yield"}, {129, "kill"}, {131, "tgkill"}, {134, "rt_sigaction"},
    {135, "rt_sigprocmask"}, {160, "uname"}, {169, "gettimeofday"}, {172, "getpid"},
    {173, "getppid"}, {174, "getuid"}, {175, "geteuid"}, {176, "getgid"}, {177, "getegid"},
    {178, "gettid"}, {179, "sysinfo"}, {214, "brk"}, {215, "munmap"}, {216, "mremap"},
    {220, "clone"}, {221, "execve"}, {222, "mmap"}, {226, "mprotect"}, {233, "madvise"},
    {261, "prlimit64"}, {278, "getrandom"}, {291, "statx"}, {403, "clock_gettime64"},
    {407, "clock_nanosleep_time64"}, {422, "futex_time64"}, {435, "clone3"},
};
}  // namespace

const char* linux_syscall_name(uint32_t number) {
  for (const SyscallName& s : kSyscallNames)
    if (s.number == number) return s.name;
  return nullptr;
}

void LinuxProcess::start(uint32_t image_end, const std::vector<std::string>& argv) {
  const uint32_t top = bus_.ram_base() + bus_.ram_size();
  brk_start_ = brk_ = (image_end + kPageSize - 1) & ~(kPageSize - 1);
  brk_limit_ = top - process_layout::kStackSize;
  stdin_.clear();
  stdin_eof_ = false;

  // Strings at the very top, then 16 random bytes for AT_RANDOM (fixed: runs are reproducible),
  // then the aligned vector area: argc, argv[], NULL, envp NULL, auxv pairs.
  uint32_t sp = top;
  std::vector<uint32_t> arg_ptrs;
  for (const std::string& a : argv) {
    sp -= static_cast<uint32_t>(a.size() + 1);
    bus_.write_bytes(sp, std::span(reinterpret_cast<const uint8_t*>(a.c_str()), a.size() + 1));
    arg_ptrs.push_back(sp);
  }
  sp = (sp - 16) & ~15u;
  const uint32_t random_ptr = sp;
  static constexpr uint8_t kRandom[16] = {0x76, 0x6d, 0x73, 0x63, 0x6f, 0x70, 0x65, 0x21,
                                          0x5e, 0x11, 0x2f, 0x93, 0xa4, 0x07, 0xc2, 0x3b};
  bus_.write_bytes(random_ptr, kRandom);
  std::vector<uint32_t> words;
  words.push_back(static_cast<uint32_t>(arg_ptrs.size()));
  words.insert(words.end(), arg_ptrs.begin(), arg_ptrs.end());
  words.push_back(0);  // end of argv
  words.push_back(0);  // empty envp
  const uint32_t auxv[] = {6, kPageSize, 25, random_ptr, 0, 0};  // AT_PAGESZ, AT_RANDOM, AT_NULL
  words.insert(words.end(), std::begin(auxv), std::end(auxv));
  sp = (sp - static_cast<uint32_t>(words.size() * 4)) & ~15u;
  bus_.write_bytes(sp, std::span(reinterpret_cast<const uint8_t*>(words.data()), words.size() * 4));
  hart_.set_reg(2, sp);
  // A process runs in user mode, with the counters readable as on Linux.
  hart_.debug_write_csr(csr::mcounteren, 0x7);
  hart_.debug_write_csr(csr::scounteren, 0x7);
  uint32_t mstatus;
  hart_.debug_read_csr(csr::mstatus, mstatus);
  hart_.debug_write_csr(csr::mstatus, mstatus & ~kMstatusMpp);
  hart_.debug_write_csr(csr::mepc, hart_.pc());
  hart_.set_priv(Priv::U);
}

void LinuxProcess::push_stdin(std::string_view bytes) {
  for (char c : bytes) stdin_.push_back(static_cast<uint8_t>(c));
}

EcallAction LinuxProcess::handle_ecall(Hart& h) {
  const uint32_t number = h.reg(17);
  if (h.on_event) h.on_event({h.steps() + 1, EventKind::syscall, number, h.pc(), h.reg(10)});
  const uint32_t a0 = h.reg(10), a1 = h.reg(11), a2 = h.reg(12);
  int32_t result;
  switch (number) {
    case kRead:
      result = sys_read(a0, a1, a2);
      if (result == kWouldBlock) {
        h.stop_message = "waiting for input on stdin";
        return EcallAction::wait;
      }
      break;
    case kWrite: result = sys_write(a0, a1, a2); break;
    case kWritev: result = sys_writev(a0, a1, a2); break;
    case kOpenat: result = -kEnoent; break;
    case kClose: result = a0 <= 2 ? 0 : -kEbadf; break;
    case kFstat: result = sys_fstat(a0, a1); break;
    case kBrk: result = sys_brk(a0); break;
    case kClockGettime: result = sys_clock_gettime(a0, a1, false); break;
    case kClockGettime64: result = sys_clock_gettime(a0, a1, true); break;
    case kExit:
    case kExitGroup:
      h.exit_code = static_cast<int>(a0 & 0xff);
      h.stop_message = "the guest called " + std::string(number == kExit ? "exit" : "exit_group");
      h.request_stop(StopReason::exited);
      return EcallAction::stop;
    default: {
      const char* name = linux_syscall_name(number);
      char text[160];
      std::snprintf(text, sizeof text, "unsupported system call %u (%s) at pc 0x%08x", number,
                    name ? name : "unknown to vmscope", h.pc());
      h.stop_message = text;
      h.request_stop(StopReason::unsupported);
      return EcallAction::stop;
    }
  }
  h.set_reg(10, static_cast<uint32_t>(result));
  return EcallAction::handled;
}

int32_t LinuxProcess::sys_read(uint32_t fd, uint32_t buf, uint32_t count) {
  if (fd != 0) return -kEbadf;
  if (count == 0) return 0;
  if (!bus_.in_ram(buf, count)) return -kEfault;
  if (stdin_.empty() && !stdin_eof_ && wait_for_input) return kWouldBlock;
  if (stdin_.empty() && !stdin_eof_ && read_stdin) {
    std::vector<uint8_t> chunk(std::min<uint32_t>(count, 1u << 16));
    const size_t n = read_stdin(chunk.data(), chunk.size());
    if (n == 0) stdin_eof_ = true;
    stdin_.insert(stdin_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
  const auto n = static_cast<uint32_t>(std::min<size_t>(count, stdin_.size()));
  std::vector<uint8_t> bytes(stdin_.begin(), stdin_.begin() + n);
  stdin_.erase(stdin_.begin(), stdin_.begin() + n);
  bus_.write_bytes(buf, bytes);
  return static_cast<int32_t>(n);
}

int32_t LinuxProcess::sys_write(uint32_t fd, uint32_t buf, uint32_t count) {
  if (fd != 1 && fd != 2) return -kEbadf;
  if (count == 0) return 0;
  std::string bytes(count, '\0');
  if (!bus_.read_bytes(buf, std::span(reinterpret_cast<uint8_t*>(bytes.data()), count))) return -kEfault;
  if (on_output) on_output(static_cast<int>(fd), bytes);
  return static_cast<int32_t>(count);
}

int32_t LinuxProcess::sys_writev(uint32_t fd, uint32_t iov, uint32_t iovcnt) {
  if (iovcnt > 1024) return -kEinval;
  int32_t total = 0;
  for (uint32_t i = 0; i < iovcnt; ++i) {
    uint32_t vec[2];
    if (!bus_.read_bytes(iov + 8 * i, std::span(reinterpret_cast<uint8_t*>(vec), 8))) return -kEfault;
    const int32_t r = sys_write(fd, vec[0], vec[1]);
    if (r < 0) return r;
    total += r;
  }
  return total;
}

int32_t LinuxProcess::sys_brk(uint32_t addr) {
  if (addr >= brk_start_ && addr <= brk_limit_) {
    if (addr > brk_) {  // memory handed back and taken again must read as zero, as on Linux
      std::vector<uint8_t> zeros(addr - brk_);
      bus_.write_bytes(brk_, zeros);
    }
    brk_ = addr;
  }
  return static_cast<int32_t>(brk_);
}

int32_t LinuxProcess::sys_fstat(uint32_t fd, uint32_t statbuf) {
  if (fd > 2) return -kEbadf;
  // On 32-bit Linux, call 80 is fstat64: asm-generic struct stat64 (104 bytes). Report a
  // character device, as a terminal would.
  uint32_t st[26] = {};
  st[4] = 0020620;  // st_mode: S_IFCHR | 0620
  st[5] = 1;        // st_nlink
  st[14] = 1024;    // st_blksize
  if (!bus_.in_ram(statbuf, sizeof st)) return -kEfault;
  bus_.write_bytes(statbuf, std::span(reinterpret_cast<const uint8_t*>(st), sizeof st));
  return 0;
}

int64_t LinuxProcess::read_host_clock(bool realtime) {
  using namespace std::chrono;
  return realtime ? duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count()
                  : duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

int32_t LinuxProcess::sys_clock_gettime(uint32_t clock, uint32_t ts, bool time64) {
  int64_t ns;
  if (clock == 0 || clock == 1 || clock == 4 || clock == 7) {  // REALTIME; MONOTONIC, MONOTONIC_RAW, BOOTTIME
    ns = host_clock ? host_clock(clock == 0) : read_host_clock(clock == 0);
  } else if (clock == 2 || clock == 3) {  // process/thread CPU time: the guest's own steps at 100 MHz
    ns = static_cast<int64_t>(hart_.steps()) * 10;
  } else {
    return -kEinval;
  }
  if (time64) {
    const int64_t v[2] = {ns / 1000000000, ns % 1000000000};
    if (!bus_.in_ram(ts, sizeof v)) return -kEfault;
    bus_.write_bytes(ts, std::span(reinterpret_cast<const uint8_t*>(v), sizeof v));
  } else {
    const int32_t v[2] = {static_cast<int32_t>(ns / 1000000000), static_cast<int32_t>(ns % 1000000000)};
    if (!bus_.in_ram(ts, sizeof v)) return -kEfault;
    bus_.write_bytes(ts, std::span(reinterpret_cast<const uint8_t*>(v), sizeof v));
  }
  return 0;
}

}  // namespace vmscope
