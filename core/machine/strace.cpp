#include "machine/strace.h"

#include <cstdio>
#include <cstring>
#include <span>
#include <vector>

#include "mem/bus.h"

namespace vmscope {

namespace {
// How each argument is shown (one letter each):
//   i int   u unsigned   x address (NULL for 0)   F descriptor   D directory descriptor (AT_FDCWD)
//   P path  W bytes the guest gave (length: the next argument)   R bytes the call filled (length:
//   the result)   O open flags   M mode (octal; openat: only with O_CREAT)   A AT_* flags
//   E lseek's whence   p mmap protection   m mmap flags   c clock   s signal   L a 64-bit value
//   in two arguments (low, high)   H llseek's (high, low) offset
struct SyscallSpec {
  uint32_t number;
  const char* name;
  const char* args;
  bool returns_address = false;  // the result is an address (mmap, brk): hex
};
// The generic Linux numbering that rv32 uses.
constexpr SyscallSpec kSyscalls[] = {
    {17, "getcwd", "xu"}, {23, "dup", "F"}, {24, "dup3", "FFi"}, {25, "fcntl", "Fix"}, {29, "ioctl", "Fxx"},
    {34, "mkdirat", "DPM"}, {35, "unlinkat", "DPA"}, {46, "ftruncate", "FL"}, {48, "faccessat", "DPi"},
    {49, "chdir", "P"}, {56, "openat", "DPOM"}, {57, "close", "F"}, {59, "pipe2", "xi"},
    {61, "getdents64", "Fxu"}, {62, "_llseek", "FHxE"}, {63, "read", "FRu"}, {64, "write", "FWu"},
    {65, "readv", "Fxu"}, {66, "writev", "Fxu"}, {67, "pread64", "FRuL"}, {68, "pwrite64", "FWuL"},
    {78, "readlinkat", "DPxu"}, {79, "fstatat64", "DPxA"}, {80, "fstat64", "Fx"}, {93, "exit", "i"},
    {94, "exit_group", "i"}, {96, "set_tid_address", "x"}, {98, "futex", "xiixxi"}, {99, "set_robust_list", "xu"},
    {101, "nanosleep", "xx"}, {113, "clock_gettime", "cx"}, {124, "sched_yield", ""}, {129, "kill", "is"},
    {131, "tgkill", "iis"}, {134, "rt_sigaction", "sxxu"}, {135, "rt_sigprocmask", "ixxu"}, {160, "uname", "x"},
    {169, "gettimeofday", "xx"}, {172, "getpid", ""}, {173, "getppid", ""}, {174, "getuid", ""},
    {175, "geteuid", ""}, {176, "getgid", ""}, {177, "getegid", ""}, {178, "gettid", ""}, {179, "sysinfo", "x"},
    {214, "brk", "x", true}, {215, "munmap", "xu"}, {216, "mremap", "xuui", true}, {220, "clone", "xxxxx"},
    {221, "execve", "Pxx"}, {222, "mmap2", "xupmFu", true}, {226, "mprotect", "xup"}, {233, "madvise", "xui"},
    {261, "prlimit64", "iixx"}, {276, "renameat2", "DPDPu"}, {278, "getrandom", "xuu"}, {291, "statx", "DPAux"},
    {403, "clock_gettime64", "cx"}, {407, "clock_nanosleep_time64", "cixx"}, {422, "futex_time64", "xiixxi"},
    {435, "clone3", "xu"},
};

const SyscallSpec* spec_of(uint32_t number) {
  for (const SyscallSpec& s : kSyscalls)
    if (s.number == number) return &s;
  return nullptr;
}

struct ErrnoName {
  int code;
  const char *name, *text;
};
constexpr ErrnoName kErrnos[] = {
    {1, "EPERM", "Operation not permitted"}, {2, "ENOENT", "No such file or directory"},
    {9, "EBADF", "Bad file descriptor"}, {11, "EAGAIN", "Resource temporarily unavailable"},
    {12, "ENOMEM", "Cannot allocate memory"}, {13, "EACCES", "Permission denied"}, {14, "EFAULT", "Bad address"},
    {17, "EEXIST", "File exists"}, {19, "ENODEV", "No such device"}, {20, "ENOTDIR", "Not a directory"},
    {21, "EISDIR", "Is a directory"}, {22, "EINVAL", "Invalid argument"}, {24, "EMFILE", "Too many open files"},
    {27, "EFBIG", "File too large"}, {29, "ESPIPE", "Illegal seek"}, {30, "EROFS", "Read-only file system"},
    {36, "ENAMETOOLONG", "File name too long"}, {38, "ENOSYS", "Function not implemented"},
    {39, "ENOTEMPTY", "Directory not empty"},
};

std::string hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", v);
  return text;
}

// A string of guest memory as strace quotes it: at most 32 bytes, escapes, "..." when longer.
std::string quoted(const Bus& bus, uint32_t address, uint32_t length, bool until_nul) {
  constexpr uint32_t kShown = 32;
  std::string out = "\"";
  uint32_t i = 0;
  for (; i < length && i < kShown; ++i) {
    uint8_t c;
    if (!bus.read_bytes(address + i, std::span(&c, 1))) return hex(address);
    if (until_nul && c == 0) return out + "\"";
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c >= 32 && c < 127) {
          out += static_cast<char>(c);
        } else {
          char e[8];
          std::snprintf(e, sizeof e, "\\%o", c);
          out += e;
        }
    }
  }
  out += "\"";
  if (i < length || until_nul) out += "...";
  return out;
}

std::string flags(uint32_t value, std::initializer_list<std::pair<uint32_t, const char*>> names, const char* zero) {
  std::string out;
  for (const auto& [bit, name] : names) {
    if (bit && (value & bit) == bit) {
      out += (out.empty() ? "" : "|") + std::string(name);
      value &= ~bit;
    }
  }
  if (value) out += (out.empty() ? "" : "|") + hex(value);
  return out.empty() ? zero : out;
}

std::string open_flags(uint32_t v) {
  const char* access = (v & 3) == 0 ? "O_RDONLY" : (v & 3) == 1 ? "O_WRONLY" : (v & 3) == 2 ? "O_RDWR" : "O_ACCMODE";
  const std::string rest = flags(v & ~3u, {{0100, "O_CREAT"}, {0200, "O_EXCL"}, {01000, "O_TRUNC"}, {02000, "O_APPEND"},
                                           {04000, "O_NONBLOCK"}, {0200000, "O_DIRECTORY"}, {02000000, "O_CLOEXEC"},
                                           {0400000, "O_NOFOLLOW"}, {0100000, "O_LARGEFILE"}},
                                "");
  return rest.empty() ? access : std::string(access) + "|" + rest;
}
}  // namespace

const char* linux_syscall_name(uint32_t number) {
  const SyscallSpec* s = spec_of(number);
  return s ? s->name : nullptr;
}

std::string strace_line(const Bus& bus, uint32_t number, const std::array<uint32_t, 6>& a, int32_t result) {
  const SyscallSpec* spec = spec_of(number);
  std::string line = spec ? spec->name : "syscall_" + std::to_string(number);
  line += '(';
  const std::string kinds = spec ? spec->args : "xxxxxx";
  const bool creates = number == 56 && (a[2] & 0100);
  size_t arg = 0;
  for (size_t k = 0; k < kinds.size() && arg < a.size(); ++k) {
    const char kind = kinds[k];
    const uint32_t v = a[arg];
    std::string text;
    switch (kind) {
      case 'i': text = std::to_string(static_cast<int32_t>(v)); break;
      case 'u': text = std::to_string(v); break;
      case 'x': text = v ? hex(v) : "NULL"; break;
      case 'F': text = std::to_string(static_cast<int32_t>(v)); break;
      case 'D': text = static_cast<int32_t>(v) == -100 ? "AT_FDCWD" : std::to_string(static_cast<int32_t>(v)); break;
      case 'P': text = quoted(bus, v, 4096, true); break;
      case 'W': text = quoted(bus, v, arg + 1 < a.size() ? a[arg + 1] : 0, false); break;
      case 'R': text = result >= 0 ? quoted(bus, v, static_cast<uint32_t>(result), false) : hex(v); break;
      case 'O': text = open_flags(v); break;
      case 'M': {
        if (number == 56 && !creates) break;
        char m[16];
        std::snprintf(m, sizeof m, "0%o", v);
        text = m;
        break;
      }
      case 'A': text = flags(v, {{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x1000, "AT_EMPTY_PATH"}}, "0"); break;
      case 'E': text = v == 0 ? "SEEK_SET" : v == 1 ? "SEEK_CUR" : v == 2 ? "SEEK_END" : std::to_string(v); break;
      case 'p': text = flags(v, {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}}, "PROT_NONE"); break;
      case 'm': text = flags(v, {{1, "MAP_SHARED"}, {2, "MAP_PRIVATE"}, {0x10, "MAP_FIXED"}, {0x20, "MAP_ANONYMOUS"}}, "0"); break;
      case 'c': {
        static const char* const kClocks[] = {"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
                                              "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW"};
        text = v < 5 ? kClocks[v] : std::to_string(v);
        break;
      }
      case 's': text = v == 10 ? "SIGUSR1" : v == 12 ? "SIGUSR2" : v == 2 ? "SIGINT" : v == 15 ? "SIGTERM" : std::to_string(v); break;
      case 'L': text = std::to_string(uint64_t{v} | uint64_t{arg + 1 < a.size() ? a[arg + 1] : 0} << 32); ++arg; break;
      case 'H': text = std::to_string(static_cast<int64_t>(uint64_t{v} << 32 | (arg + 1 < a.size() ? a[arg + 1] : 0))); ++arg; break;
    }
    ++arg;
    if (kind == 'M' && text.empty()) continue;
    line += (k ? ", " : "") + text;
  }
  line += ") = ";
  if (number == 93 || number == 94) return line + "?";
  if (result < 0 && result > -4096) {
    for (const ErrnoName& e : kErrnos)
      if (e.code == -result) return line + "-1 " + e.name + " (" + e.text + ")";
    return line + "-1 errno " + std::to_string(-result);
  }
  if (spec && spec->returns_address) return line + hex(static_cast<uint32_t>(result));
  return line + std::to_string(result);
}

}  // namespace vmscope
