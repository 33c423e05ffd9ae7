/* Shared declarations for vmscope's Linux-ABI guest process programs: system-call
   numbers and wrappers (rv32 Linux ABI: a7 = number, a0..a5 = arguments). */
#ifndef VMSCOPE_PROCESS_H
#define VMSCOPE_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#define VM_SYS_mkdirat 34
#define VM_SYS_unlinkat 35
#define VM_SYS_openat 56
#define VM_SYS_close 57
#define VM_SYS_getdents64 61
#define VM_SYS_llseek 62
#define VM_SYS_read 63
#define VM_SYS_write 64
#define VM_SYS_writev 66
#define VM_SYS_pread64 67
#define VM_SYS_fstatat 79
#define VM_SYS_fstat 80
#define VM_SYS_exit 93
#define VM_SYS_exit_group 94
#define VM_SYS_brk 214
#define VM_SYS_renameat2 276
#define VM_SYS_statx 291
#define VM_SYS_clock_gettime64 403

#define VM_AT_FDCWD (-100)
#define VM_CLOCK_REALTIME 0
#define VM_CLOCK_MONOTONIC 1

struct vm_iovec {
    const void *base;
    size_t len;
};

struct vm_timespec64 {
    int64_t tv_sec;
    int64_t tv_nsec;
};

/* Layout of the asm-generic struct stat (as used by rv32 Linux and qemu-riscv32). */
struct vm_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t pad1;
    int64_t st_size;
    int32_t st_blksize;
    int32_t pad2;
    int64_t st_blocks;
    int32_t st_atime_sec;
    uint32_t st_atime_nsec;
    int32_t st_mtime_sec;
    uint32_t st_mtime_nsec;
    int32_t st_ctime_sec;
    uint32_t st_ctime_nsec;
    uint32_t unused4;
    uint32_t unused5;
};

/* Raw system call: returns the kernel's a0 (negative errno on failure). */
static inline long vm_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a4 __asm__("a4") = a4;
    register long r_a5 __asm__("a5") = a5;
    register long r_a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

static inline long vm_sys_read(int fd, void *buf, size_t n)
{
    return vm_syscall(VM_SYS_read, fd, (long)buf, (long)n, 0, 0, 0);
}
static inline long vm_sys_write(int fd, const void *buf, size_t n)
{
    return vm_syscall(VM_SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
}
static inline long vm_sys_writev(int fd, const struct vm_iovec *iov, int cnt)
{
    return vm_syscall(VM_SYS_writev, fd, (long)iov, cnt, 0, 0, 0);
}
static inline long vm_sys_fstat(int fd, struct vm_stat *st)
{
    return vm_syscall(VM_SYS_fstat, fd, (long)st, 0, 0, 0, 0);
}
static inline long vm_sys_openat(int dirfd, const char *path, int flags, int mode)
{
    return vm_syscall(VM_SYS_openat, dirfd, (long)path, flags, mode, 0, 0);
}
static inline long vm_sys_close(int fd)
{
    return vm_syscall(VM_SYS_close, fd, 0, 0, 0, 0, 0);
}
static inline long vm_sys_brk(uintptr_t addr)
{
    return vm_syscall(VM_SYS_brk, (long)addr, 0, 0, 0, 0, 0);
}
static inline long vm_sys_clock_gettime64(int clk, struct vm_timespec64 *ts)
{
    return vm_syscall(VM_SYS_clock_gettime64, clk, (long)ts, 0, 0, 0, 0);
}

/* Flushes the runtime's stdout buffer (also done on '\n', when full, and at exit). */
void vm_flush_stdout(void);

#endif
