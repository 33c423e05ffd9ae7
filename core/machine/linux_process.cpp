// Linux system-call emulation for static rv32 programs: stdio, the heap, clocks, and the files of
// the folders the user granted (guest_files.h: an in-memory tree, nothing else of the host);
// any other call stops the run with its name and number.
#include "csr_numbers.h"
#include "machine/linux_process.h"

#include <chrono>
#include <cstdio>
#include <cstring>

#include "machine/machine.h"

namespace vmscope {

namespace {
using namespace guest_errno;
constexpr int32_t kEbadf = 9, kEfault = 14, kEmfile = 24, kEspipe = 29;

enum Syscall : uint32_t {
  kMkdirat = 34, kUnlinkat = 35, kOpenat = 56, kClose = 57, kGetdents64 = 61, kLlseek = 62, kRead = 63,
  kWrite = 64, kWritev = 66, kPread64 = 67, kFstatat = 79, kFstat = 80, kExit = 93, kExitGroup = 94,
  kClockGettime = 113, kBrk = 214, kRenameat2 = 276, kStatx = 291, kClockGettime64 = 403,
};
// open flags (asm-generic), AT_* values.
constexpr uint32_t kAccmode = 3, kWronly = 1, kRdwr = 2, kCreat = 0100, kExcl = 0200, kTrunc = 01000,
                   kAppend = 02000, kDirectory = 0200000;
constexpr int32_t kAtFdcwd = -100;
constexpr uint32_t kAtRemovedir = 0x200, kAtEmptyPath = 0x1000;
constexpr uint32_t kIfdir = 0040000, kIfreg = 0100000, kIfchr = 0020000;

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
  files_.clear();
  for (const GuestDirectory& d : directories_) files_.mount(d);
  fds_.assign(3, OpenFile{"", 0, 0, true});  // stdin, stdout, stderr

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
    case kWrite: result = a0 <= 2 ? sys_write(a0, a1, a2) : file_write(a0, a1, a2); break;
    case kWritev: result = sys_writev(a0, a1, a2); break;
    case kOpenat: result = sys_openat(static_cast<int32_t>(a0), a1, a2, h.reg(13)); break;
    case kClose: result = sys_close(a0); break;
    case kFstat: result = sys_fstatat(static_cast<int32_t>(a0), 0, a1, kAtEmptyPath); break;
    case kFstatat: result = sys_fstatat(static_cast<int32_t>(a0), a1, a2, h.reg(13)); break;
    case kStatx: result = sys_statx(static_cast<int32_t>(a0), a1, a2, h.reg(13), h.reg(14)); break;
    case kLlseek: result = sys_llseek(a0, a1, a2, h.reg(13), h.reg(14)); break;
    case kPread64: result = file_read(a0, a1, a2, uint64_t{h.reg(13)} | uint64_t{h.reg(14)} << 32); break;
    case kGetdents64: result = sys_getdents64(a0, a1, a2); break;
    case kMkdirat: result = sys_mkdirat(static_cast<int32_t>(a0), a1, a2); break;
    case kUnlinkat: result = sys_unlinkat(static_cast<int32_t>(a0), a1, a2); break;
    case kRenameat2: result = sys_renameat2(static_cast<int32_t>(a0), a1, static_cast<int32_t>(a2), h.reg(13), h.reg(14)); break;
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
  if (fd > 2) return file_read(fd, buf, count, std::nullopt);
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
  if (iovcnt > 1024) return -kInval;
  int32_t total = 0;
  for (uint32_t i = 0; i < iovcnt; ++i) {
    uint32_t vec[2];
    if (!bus_.read_bytes(iov + 8 * i, std::span(reinterpret_cast<uint8_t*>(vec), 8))) return -kEfault;
    const int32_t r = fd <= 2 ? sys_write(fd, vec[0], vec[1]) : file_write(fd, vec[0], vec[1]);
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
    return -kInval;
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

// ---- files ------------------------------------------------------------------------------------

// The path a call names: a NUL-terminated string in guest memory, seen from `dirfd` (AT_FDCWD:
// the root, the process's working folder).
std::optional<std::string> LinuxProcess::guest_path(int32_t dirfd, uint32_t address, int32_t& error) const {
  std::string text;
  for (;; ++address) {
    uint8_t c;
    if (!bus_.read_bytes(address, std::span(&c, 1))) {
      error = -kEfault;
      return std::nullopt;
    }
    if (c == 0) break;
    if (text.size() >= GuestFiles::kMaxPath) {
      error = -kNametoolong;
      return std::nullopt;
    }
    text += static_cast<char>(c);
  }
  if (text.empty()) {
    error = -kNoent;
    return std::nullopt;
  }
  std::string base = "/";
  if (text[0] != '/' && dirfd != kAtFdcwd) {
    const OpenFile* dir = dirfd >= 3 ? open_file(static_cast<uint32_t>(dirfd)) : nullptr;
    if (!dir) {
      error = -kEbadf;
      return std::nullopt;
    }
    const GuestFiles::Node* node = files_.find(dir->path);
    if (!node || !node->directory) {
      error = -kNotdir;
      return std::nullopt;
    }
    base = dir->path;
  }
  auto path = GuestFiles::resolve(base, text);
  if (!path) error = -kNametoolong;
  return path;
}

int32_t LinuxProcess::sys_openat(int32_t dirfd, uint32_t path_address, uint32_t flags, uint32_t mode) {
  int32_t error = 0;
  const auto path = guest_path(dirfd, path_address, error);
  if (!path) return error;
  const GuestFiles::Node* node = files_.find(*path);
  const bool writes = (flags & kAccmode) == kWronly || (flags & kAccmode) == kRdwr;
  if (!node) {
    if (!(flags & kCreat)) return files_.missing(*path);
    if (const int r = files_.create_file(*path, mode)) return r;
  } else {
    if ((flags & kCreat) && (flags & kExcl)) return -kExist;
    if ((flags & kDirectory) && !node->directory) return -kNotdir;
    if (node->directory && (writes || (flags & kTrunc))) return -kIsdir;
    if ((writes || (flags & kTrunc)) && !node->writable) return -kRofs;
  }
  GuestFiles::Node* file = files_.find(*path);
  if ((flags & kTrunc) && writes) file->data.clear();
  size_t fd = 3;
  while (fd < fds_.size() && fds_[fd].open) ++fd;
  if (fd >= kMaxFiles) return -kEmfile;
  if (fd == fds_.size()) fds_.emplace_back();
  fds_[fd] = OpenFile{*path, 0, flags & (kAccmode | kAppend), true};
  return static_cast<int32_t>(fd);
}

int32_t LinuxProcess::sys_close(uint32_t fd) {
  if (fd >= fds_.size() || !fds_[fd].open) return -kEbadf;
  if (fd > 2) fds_[fd] = OpenFile{};
  return 0;
}

int32_t LinuxProcess::file_read(uint32_t fd, uint32_t buf, uint32_t count, std::optional<uint64_t> at) {
  if (fd <= 2) return at ? -kEspipe : -kEbadf;
  OpenFile* f = fd < fds_.size() && fds_[fd].open ? &fds_[fd] : nullptr;
  if (!f || (f->flags & kAccmode) == kWronly) return -kEbadf;
  const GuestFiles::Node* node = files_.find(f->path);
  if (!node) return -kNoent;  // (removed while open)
  if (node->directory) return -kIsdir;
  if (at && *at > 0x7fffffffffffffffull) return -kInval;
  const uint64_t from = at ? *at : f->offset;
  const uint64_t n = from >= node->data.size() ? 0 : std::min<uint64_t>(count, node->data.size() - from);
  if (n && !bus_.write_bytes(buf, std::span(node->data.data() + from, n))) return -kEfault;
  if (!at) f->offset = from + n;
  return static_cast<int32_t>(n);
}

int32_t LinuxProcess::file_write(uint32_t fd, uint32_t buf, uint32_t count) {
  OpenFile* f = fd < fds_.size() && fds_[fd].open ? &fds_[fd] : nullptr;
  if (!f || (f->flags & kAccmode) == 0) return -kEbadf;
  GuestFiles::Node* node = files_.find(f->path);
  if (!node) return -kNoent;
  std::vector<uint8_t> bytes(count);
  if (count && !bus_.read_bytes(buf, bytes)) return -kEfault;
  const uint64_t at = (f->flags & kAppend) ? node->data.size() : f->offset;
  if (at + count > (uint64_t{1} << 30)) return -27;  // EFBIG: a file of the tree stays below 1 GiB
  if (node->data.size() < at + count) node->data.resize(at + count);
  std::copy(bytes.begin(), bytes.end(), node->data.begin() + static_cast<std::ptrdiff_t>(at));
  f->offset = at + count;
  return static_cast<int32_t>(count);
}

int32_t LinuxProcess::sys_llseek(uint32_t fd, uint32_t high, uint32_t low, uint32_t result, uint32_t whence) {
  if (fd <= 2) return fd < fds_.size() ? -kEspipe : -kEbadf;
  OpenFile* f = fd < fds_.size() && fds_[fd].open ? &fds_[fd] : nullptr;
  if (!f) return -kEbadf;
  const GuestFiles::Node* node = files_.find(f->path);
  if (!node) return -kNoent;
  const auto offset = static_cast<int64_t>(uint64_t{high} << 32 | low);
  int64_t base;
  switch (whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<int64_t>(f->offset); break;
    case 2: base = static_cast<int64_t>(node->data.size()); break;
    default: return -kInval;
  }
  const int64_t to = base + offset;
  if (to < 0) return -kInval;
  const uint64_t value = static_cast<uint64_t>(to);
  if (!bus_.write_bytes(result, std::span(reinterpret_cast<const uint8_t*>(&value), 8))) return -kEfault;
  f->offset = value;
  return 0;
}

bool LinuxProcess::stat_of(const std::string& path, uint32_t& mode, uint64_t& size, uint64_t& inode) const {
  const GuestFiles::Node* node = files_.find(path);
  if (!node) return false;
  mode = (node->directory ? kIfdir : kIfreg) | node->mode;
  size = node->directory ? 4096 : node->data.size();
  inode = node->inode;
  return true;
}

// fstat and fstatat (calls 80 and 79 on rv32: the asm-generic struct stat64, 104 bytes).
int32_t LinuxProcess::sys_fstatat(int32_t dirfd, uint32_t path_address, uint32_t statbuf, uint32_t flags) {
  uint32_t mode = kIfchr | 0620;  // the standard streams: a terminal
  uint64_t size = 0, inode = 0;
  if (flags & kAtEmptyPath) {
    const OpenFile* f = dirfd >= 0 ? open_file(static_cast<uint32_t>(dirfd)) : nullptr;
    if (!f) return -kEbadf;
    if (!f->path.empty() && !stat_of(f->path, mode, size, inode)) return -kNoent;
  } else {
    int32_t error = 0;
    const auto path = guest_path(dirfd, path_address, error);
    if (!path) return error;
    if (!stat_of(*path, mode, size, inode)) return files_.missing(*path);
  }
  uint32_t st[26] = {};
  st[2] = static_cast<uint32_t>(inode);
  st[4] = mode;
  st[5] = 1;  // st_nlink
  st[12] = static_cast<uint32_t>(size);
  st[13] = static_cast<uint32_t>(size >> 32);
  st[14] = 4096;  // st_blksize
  st[16] = static_cast<uint32_t>((size + 511) / 512);
  if (!bus_.write_bytes(statbuf, std::span(reinterpret_cast<const uint8_t*>(st), sizeof st))) return -kEfault;
  return 0;
}

// statx: struct statx (256 bytes): mask, blksize, attributes, nlink, uid, gid, mode, ino, size,
// blocks, ... (times 0: the tree keeps none).
int32_t LinuxProcess::sys_statx(int32_t dirfd, uint32_t path_address, uint32_t flags, uint32_t, uint32_t buf) {
  uint32_t mode = kIfchr | 0620;
  uint64_t size = 0, inode = 0;
  int32_t error = 0;
  uint8_t first = 0;
  const bool empty_path = (flags & kAtEmptyPath) && bus_.read_bytes(path_address, std::span(&first, 1)) && first == 0;
  if (empty_path) {
    const OpenFile* f = dirfd >= 0 ? open_file(static_cast<uint32_t>(dirfd)) : nullptr;
    if (!f) return -kEbadf;
    if (!f->path.empty() && !stat_of(f->path, mode, size, inode)) return -kNoent;
  } else {
    const auto path = guest_path(dirfd, path_address, error);
    if (!path) return error;
    if (!stat_of(*path, mode, size, inode)) return files_.missing(*path);
  }
  uint8_t sx[256] = {};
  auto put32 = [&sx](size_t at, uint32_t v) { std::memcpy(sx + at, &v, 4); };
  auto put64 = [&sx](size_t at, uint64_t v) { std::memcpy(sx + at, &v, 8); };
  put32(0, 0x7ff);  // STATX_BASIC_STATS
  put32(4, 4096);   // stx_blksize
  put32(16, 1);     // stx_nlink
  const uint16_t mode16 = static_cast<uint16_t>(mode);
  std::memcpy(sx + 28, &mode16, 2);
  put64(32, inode);
  put64(40, size);
  put64(48, (size + 511) / 512);
  if (!bus_.write_bytes(buf, std::span(sx, sizeof sx))) return -kEfault;
  return 0;
}

// getdents64: struct linux_dirent64 records (d_ino, d_off, d_reclen, d_type, d_name), "." and
// ".." first, then the names in sorted order; d_off is the index of the next entry.
int32_t LinuxProcess::sys_getdents64(uint32_t fd, uint32_t buf, uint32_t count) {
  OpenFile* f = fd > 2 && fd < fds_.size() && fds_[fd].open ? &fds_[fd] : nullptr;
  if (!f) return -kEbadf;
  const GuestFiles::Node* dir = files_.find(f->path);
  if (!dir) return -kNoent;
  if (!dir->directory) return -kNotdir;
  std::vector<std::string> names = {".", ".."};
  for (std::string& n : files_.list(f->path)) names.push_back(std::move(n));
  std::vector<uint8_t> out;
  uint64_t index = f->offset;
  for (; index < names.size(); ++index) {
    const std::string& name = names[index];
    const size_t reclen = (19 + name.size() + 1 + 7) & ~size_t{7};
    if (out.size() + reclen > count) break;
    std::vector<uint8_t> rec(reclen, 0);
    const std::string full = name == "." ? f->path : name == ".." ? *GuestFiles::resolve(f->path, "..") : (f->path == "/" ? "/" : f->path + "/") + name;
    const GuestFiles::Node* node = files_.find(full);
    const uint64_t ino = node ? node->inode : 0, next = index + 1;
    const uint16_t len16 = static_cast<uint16_t>(reclen);
    std::memcpy(rec.data(), &ino, 8);
    std::memcpy(rec.data() + 8, &next, 8);
    std::memcpy(rec.data() + 16, &len16, 2);
    rec[18] = node && node->directory ? 4 : 8;  // DT_DIR, DT_REG
    std::memcpy(rec.data() + 19, name.data(), name.size());
    out.insert(out.end(), rec.begin(), rec.end());
  }
  if (out.empty() && index < names.size()) return -kInval;  // the buffer holds not even one
  if (!out.empty() && !bus_.write_bytes(buf, out)) return -kEfault;
  f->offset = index;
  return static_cast<int32_t>(out.size());
}

int32_t LinuxProcess::sys_mkdirat(int32_t dirfd, uint32_t path_address, uint32_t mode) {
  int32_t error = 0;
  const auto path = guest_path(dirfd, path_address, error);
  return path ? files_.make_directory(*path, mode) : error;
}

int32_t LinuxProcess::sys_unlinkat(int32_t dirfd, uint32_t path_address, uint32_t flags) {
  int32_t error = 0;
  const auto path = guest_path(dirfd, path_address, error);
  return path ? files_.remove(*path, flags & kAtRemovedir) : error;
}

int32_t LinuxProcess::sys_renameat2(int32_t olddirfd, uint32_t oldpath, int32_t newdirfd, uint32_t newpath, uint32_t flags) {
  if (flags) return -kInval;  // (RENAME_NOREPLACE, _EXCHANGE: not offered)
  int32_t error = 0;
  const auto from = guest_path(olddirfd, oldpath, error);
  if (!from) return error;
  const auto to = guest_path(newdirfd, newpath, error);
  if (!to) return error;
  return files_.rename(*from, *to);
}

}  // namespace vmscope
