// Linux system-call emulation for static rv32 programs: stdio, the heap, clocks, and the files of
// the folders the user granted (guest_files.h: an in-memory tree, nothing else of the host);
// any other call stops the run with its name and number.
#include "csr_numbers.h"
#include "machine/linux_process.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "machine/machine.h"
#include "machine/strace.h"

namespace vmscope {

namespace {
using namespace guest_errno;
constexpr int32_t kEbadf = 9, kEfault = 14, kEmfile = 24, kEspipe = 29, kEnomem = 12, kEnodev = 19;
constexpr uint32_t kMapShared = 0x01, kMapFixed = 0x10, kMapAnonymous = 0x20, kMremapMaymove = 1;
constexpr uint32_t kPid = 1;  // the process's pid and tid (there is one thread)

enum Syscall : uint32_t {
  kSetTidAddress = 96, kSchedYield = 124, kRtSigaction = 134, kRtSigprocmask = 135, kUname = 160, kGetpid = 172,
  kGetppid = 173, kGetuid = 174, kGeteuid = 175, kGetgid = 176, kGetegid = 177, kGettid = 178, kMunmap = 215,
  kMremap = 216, kMmap = 222, kMprotect = 226, kGetrandom = 278,
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

}  // namespace

void LinuxProcess::start(const Start& start) {
  const uint32_t top = bus_.ram_base() + bus_.ram_size();
  brk_start_ = brk_ = (start.image_end + kPageSize - 1) & ~(kPageSize - 1);
  brk_limit_ = top - process_layout::kStackSize;
  stdin_.clear();
  stdin_eof_ = false;
  files_.clear();
  for (const GuestDirectory& d : directories_) files_.mount(d);
  fds_.assign(3, OpenFile{"", 0, 0, true});  // stdin, stdout, stderr
  maps_.clear();
  random_state_ = 0x766d73636f706521ull;  // "vmscope!"

  // As Linux lays a new process out (fs/binfmt_elf.c): the file name and the argument and
  // environment strings at the very top, 16 random bytes for AT_RANDOM (fixed: runs are
  // reproducible), then, 16-byte aligned, argc, argv[], NULL, envp[], NULL, the auxv pairs.
  uint32_t sp = top;
  auto push_string = [&](const std::string& text) {
    sp -= static_cast<uint32_t>(text.size() + 1);
    bus_.write_bytes(sp, std::span(reinterpret_cast<const uint8_t*>(text.c_str()), text.size() + 1));
    return sp;
  };
  const uint32_t execfn = push_string(start.argv.empty() ? std::string() : start.argv[0]);
  std::vector<uint32_t> env_ptrs, arg_ptrs;
  for (auto it = start.envp.rbegin(); it != start.envp.rend(); ++it) env_ptrs.insert(env_ptrs.begin(), push_string(*it));
  for (auto it = start.argv.rbegin(); it != start.argv.rend(); ++it) arg_ptrs.insert(arg_ptrs.begin(), push_string(*it));
  sp = (sp - 16) & ~15u;
  const uint32_t random_ptr = sp;
  static constexpr uint8_t kRandom[16] = {0x76, 0x6d, 0x73, 0x63, 0x6f, 0x70, 0x65, 0x21,
                                          0x5e, 0x11, 0x2f, 0x93, 0xa4, 0x07, 0xc2, 0x3b};
  bus_.write_bytes(random_ptr, kRandom);
  std::vector<uint32_t> words;
  words.push_back(static_cast<uint32_t>(arg_ptrs.size()));
  words.insert(words.end(), arg_ptrs.begin(), arg_ptrs.end());
  words.push_back(0);  // end of argv
  words.insert(words.end(), env_ptrs.begin(), env_ptrs.end());
  words.push_back(0);  // end of envp
  constexpr uint32_t kHwcap = 1u << ('I' - 'A') | 1u << ('M' - 'A') | 1u << ('A' - 'A') | 1u << ('C' - 'A');
  const uint32_t auxv[] = {
      3, start.phdr, 4, 32, 5, start.phnum,       // AT_PHDR, AT_PHENT, AT_PHNUM
      6, kPageSize, 7, 0, 8, 0, 9, start.entry,   // AT_PAGESZ, AT_BASE (no interpreter), AT_FLAGS, AT_ENTRY
      11, 0, 12, 0, 13, 0, 14, 0,                 // AT_UID, AT_EUID, AT_GID, AT_EGID: root, as under QEMU in a container
      16, kHwcap, 17, 100, 23, 0,                 // AT_HWCAP (misa's letters), AT_CLKTCK, AT_SECURE
      25, random_ptr, 31, execfn, 0, 0};          // AT_RANDOM, AT_EXECFN, AT_NULL
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

void LinuxProcess::log_call(uint64_t step, uint32_t number, const std::array<uint32_t, 6>& args, int32_t result,
                            const char* note) {
  SyscallRecord r{step, strace_line(bus_, number, args, result) + note};
  while (!syscall_log_.empty() && syscall_log_.back().step >= step) syscall_log_.pop_back();  // (a replay)
  if (syscall_log_.size() == kSyscallLogSize) syscall_log_.pop_front();
  syscall_log_.push_back(r);
  if (on_syscall) on_syscall(syscall_log_.back());
}

EcallAction LinuxProcess::handle_ecall(Hart& h) {
  const uint32_t number = h.reg(17);
  if (h.on_event) h.on_event({h.steps() + 1, EventKind::syscall, number, h.pc(), h.reg(10)});
  const uint32_t a0 = h.reg(10), a1 = h.reg(11), a2 = h.reg(12);
  const std::array<uint32_t, 6> args = {a0, a1, a2, h.reg(13), h.reg(14), h.reg(15)};
  const uint64_t step = h.steps();
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
    case kMmap: result = sys_mmap(a0, a1, a2, h.reg(13), static_cast<int32_t>(h.reg(14)), h.reg(15)); break;
    case kMunmap: result = sys_munmap(a0, a1); break;
    case kMprotect: result = sys_mprotect(a0, a1, a2); break;
    case kMremap: result = sys_mremap(a0, a1, a2, h.reg(13)); break;
    case kGetrandom: result = sys_getrandom(a0, a1); break;
    case kUname: result = sys_uname(a0); break;
    case kGetpid: case kGettid: case kSetTidAddress: result = kPid; break;
    case kGetppid: case kGetuid: case kGeteuid: case kGetgid: case kGetegid: case kSchedYield: result = 0; break;
    // Signals: accepted, and never delivered (nothing sends one); the old action or mask reads empty.
    case kRtSigaction: result = a2 && !zero_fill(a2, 20) ? -kEfault : 0; break;
    case kRtSigprocmask: result = a2 && !zero_fill(a2, 8) ? -kEfault : 0; break;
    case kRenameat2: result = sys_renameat2(static_cast<int32_t>(a0), a1, static_cast<int32_t>(a2), h.reg(13), h.reg(14)); break;
    case kBrk: result = sys_brk(a0); break;
    case kClockGettime: result = sys_clock_gettime(a0, a1, false); break;
    case kClockGettime64: result = sys_clock_gettime(a0, a1, true); break;
    case kExit:
    case kExitGroup:
      log_call(step, number, args, 0, "");
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
      log_call(step, number, args, -38, " (vmscope does not provide it: the run stops)");
      return EcallAction::stop;
    }
  }
  log_call(step, number, args, result, "");
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
  const uint32_t limit = maps_.empty() ? brk_limit_ : std::min(brk_limit_, maps_.front().start);
  if (addr >= brk_start_ && addr <= limit) {
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

// ---- memory maps ------------------------------------------------------------------------------
// mmap'd memory comes from the room between the heap's top and the stack, highest first, as
// Linux's top-down layout does. There is no paging in the process VM: protections are accepted
// and not enforced, and unmapped memory stays reachable (as it was before being mapped).

// As Linux merges neighbouring areas of one protection into one.
void LinuxProcess::sort_and_merge_maps() {
  std::sort(maps_.begin(), maps_.end(), [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  std::vector<Mapping> merged;
  for (const Mapping& m : maps_) {
    if (!merged.empty() && merged.back().start + merged.back().length == m.start && merged.back().prot == m.prot)
      merged.back().length += m.length;
    else
      merged.push_back(m);
  }
  maps_ = std::move(merged);
}

bool LinuxProcess::zero_fill(uint32_t addr, uint32_t length) {
  std::vector<uint8_t> zeros(length);
  return bus_.write_bytes(addr, zeros);
}

bool LinuxProcess::is_free(uint32_t start, uint32_t length) const {
  if (start < brk_ || uint64_t{start} + length > brk_limit_) return false;
  for (const Mapping& m : maps_)
    if (start < m.start + m.length && m.start < start + length) return false;
  return true;
}

uint32_t LinuxProcess::find_free(uint32_t length) const {
  uint32_t ceiling = brk_limit_;
  for (auto it = maps_.rbegin(); it != maps_.rend(); ++it) {
    if (ceiling - (it->start + it->length) >= length && it->start + it->length >= brk_) return ceiling - length;
    ceiling = std::min(ceiling, it->start);
  }
  return ceiling >= brk_ && ceiling - brk_ >= length ? ceiling - length : 0;
}

void LinuxProcess::unmap(uint32_t start, uint32_t length) {
  const uint32_t end = start + length;
  std::vector<Mapping> kept;
  for (const Mapping& m : maps_) {
    const uint32_t m_end = m.start + m.length;
    if (m_end <= start || m.start >= end) {
      kept.push_back(m);
      continue;
    }
    if (m.start < start) kept.push_back({m.start, start - m.start, m.prot});
    if (m_end > end) kept.push_back({end, m_end - end, m.prot});
  }
  maps_ = std::move(kept);
}

int32_t LinuxProcess::sys_mmap(uint32_t addr, uint32_t length, uint32_t prot, uint32_t flags, int32_t fd, uint32_t pgoff) {
  if (length == 0 || (addr & (kPageSize - 1))) return -kInval;
  const uint32_t size = (length + kPageSize - 1) & ~(kPageSize - 1);
  if (size < length) return -kEnomem;
  const GuestFiles::Node* file = nullptr;
  if (!(flags & kMapAnonymous)) {
    const OpenFile* f = fd > 2 ? open_file(static_cast<uint32_t>(fd)) : nullptr;
    if (!f) return -kEbadf;
    if (flags & kMapShared) return -kEnodev;  // (a shared file mapping would write the file: not offered)
    file = files_.find(f->path);
    if (!file || file->directory) return -kEnodev;
  }
  uint32_t at;
  if (flags & kMapFixed) {
    if (addr < brk_ || uint64_t{addr} + size > brk_limit_) return -kEnomem;
    unmap(addr, size);
    at = addr;
  } else if (addr && is_free(addr, size)) {
    at = addr;
  } else {
    at = find_free(size);
    if (!at) return -kEnomem;
  }
  maps_.push_back({at, size, prot});
  sort_and_merge_maps();
  zero_fill(at, size);
  if (file) {
    const uint64_t from = uint64_t{pgoff} * kPageSize;
    if (from < file->data.size())
      bus_.write_bytes(at, std::span(file->data.data() + from, std::min<uint64_t>(length, file->data.size() - from)));
  }
  return static_cast<int32_t>(at);
}

int32_t LinuxProcess::sys_munmap(uint32_t addr, uint32_t length) {
  if ((addr & (kPageSize - 1)) || length == 0) return -kInval;
  unmap(addr, (length + kPageSize - 1) & ~(kPageSize - 1));
  return 0;
}

int32_t LinuxProcess::sys_mprotect(uint32_t addr, uint32_t length, uint32_t prot) {
  if (addr & (kPageSize - 1)) return -kInval;
  const uint32_t size = (length + kPageSize - 1) & ~(kPageSize - 1);
  const uint64_t end = uint64_t{addr} + size;
  if (addr < bus_.ram_base() || end > uint64_t{bus_.ram_base()} + bus_.ram_size()) return -kEnomem;
  // The mapped parts of the range take the new protection (their areas split at its edges).
  std::vector<Mapping> changed;
  for (const Mapping& m : maps_) {
    const uint32_t from = std::max(m.start, addr);
    const uint64_t to = std::min<uint64_t>(uint64_t{m.start} + m.length, end);
    if (from < to) changed.push_back({from, static_cast<uint32_t>(to - from), prot});
  }
  for (const Mapping& c : changed) unmap(c.start, c.length);
  maps_.insert(maps_.end(), changed.begin(), changed.end());
  sort_and_merge_maps();
  return 0;
}

int32_t LinuxProcess::sys_mremap(uint32_t old_addr, uint32_t old_length, uint32_t new_length, uint32_t flags) {
  if ((old_addr & (kPageSize - 1)) || new_length == 0) return -kInval;
  const uint32_t old_size = (old_length + kPageSize - 1) & ~(kPageSize - 1);
  const uint32_t new_size = (new_length + kPageSize - 1) & ~(kPageSize - 1);
  // The old range must be one area (Linux: one VMA, so one protection), from its start or inside.
  const auto it = std::find_if(maps_.begin(), maps_.end(), [&](const Mapping& m) {
    return m.start <= old_addr && old_addr < m.start + m.length;
  });
  if (it == maps_.end() || uint64_t{old_addr} + old_size > uint64_t{it->start} + it->length) return -kEfault;
  const uint32_t prot = it->prot;
  if (new_size <= old_size) {
    unmap(old_addr + new_size, old_size - new_size);
    return static_cast<int32_t>(old_addr);
  }
  if (is_free(old_addr + old_size, new_size - old_size) && it->start + it->length == old_addr + old_size) {  // grow in place
    it->length = new_size;
    zero_fill(old_addr + old_size, new_size - old_size);
    return static_cast<int32_t>(old_addr);
  }
  if (!(flags & kMremapMaymove)) return -kEnomem;
  const uint32_t to = find_free(new_size);
  if (!to) return -kEnomem;
  std::vector<uint8_t> bytes(old_size);
  bus_.read_bytes(old_addr, bytes);
  unmap(old_addr, old_size);
  maps_.push_back({to, new_size, prot});
  sort_and_merge_maps();
  zero_fill(to, new_size);
  bus_.write_bytes(to, bytes);
  return static_cast<int32_t>(to);
}

// ---- the rest ---------------------------------------------------------------------------------

// Seeded (splitmix64): the same bytes every run, so runs replay and compare.
int32_t LinuxProcess::sys_getrandom(uint32_t buf, uint32_t length) {
  const uint32_t n = std::min<uint32_t>(length, 1u << 25);
  std::vector<uint8_t> bytes(n);
  for (uint32_t i = 0; i < n; i += 8) {
    uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::memcpy(bytes.data() + i, &z, std::min<uint32_t>(8, n - i));
  }
  if (n && !bus_.write_bytes(buf, bytes)) return -kEfault;
  return static_cast<int32_t>(n);
}

int32_t LinuxProcess::sys_uname(uint32_t buf) {
  char u[6][65] = {"Linux", "vmscope", "6.1.0-vmscope", "#1 vmscope process VM", "riscv32", "(none)"};
  return bus_.write_bytes(buf, std::span(reinterpret_cast<const uint8_t*>(u), sizeof u)) ? 0 : -kEfault;
}

}  // namespace vmscope
