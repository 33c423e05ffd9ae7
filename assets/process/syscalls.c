/* syscalls: raw Linux system calls: writev, fstat(1), clock_gettime64 (monotonic and
   plausible), brk growth/shrink, openat of a missing file (-ENOENT), bad-fd errors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmscope_process.h"

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

#define VM_ENOENT 2
#define VM_EBADF 9
#define S_IFMT_ 0170000
#define S_IFCHR_ 0020000
#define S_IFIFO_ 0010000
#define S_IFREG_ 0100000

static void test_writev(void)
{
    static const char a[] = "writev: part one, ";
    static const char b[] = "part two, ";
    static const char c[] = "part three\n";
    vm_flush_stdout();
    struct vm_iovec iov[4] = {
        {a, sizeof a - 1}, {b, sizeof b - 1}, {"", 0}, {c, sizeof c - 1}};
    long r = vm_sys_writev(1, iov, 4);
    CHECK_EQ(r, sizeof a + sizeof b + sizeof c - 3, "writev returns the total length");
    r = vm_sys_write(1, "write: ok\n", 10);
    CHECK_EQ(r, 10, "write returns the length");
    r = vm_sys_write(1, "", 0);
    CHECK_EQ(r, 0, "write of 0 bytes returns 0");
}

static void test_fstat(void)
{
    struct vm_stat st;
    memset(&st, 0xee, sizeof st);
    long r = vm_sys_fstat(1, &st);
    CHECK_EQ(r, 0, "fstat(1) succeeds");
    uint32_t type = st.st_mode & S_IFMT_;
    CHECK(type == S_IFCHR_ || type == S_IFIFO_ || type == S_IFREG_,
          "fstat(1): stdout is a character device, pipe or regular file");
    r = vm_sys_fstat(12345, &st);
    CHECK_EQ(r, -VM_EBADF, "fstat of a bad fd returns -EBADF");
    printf("fstat: ok\n");
}

static int64_t ts_ns(const struct vm_timespec64 *t)
{
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void test_clock(void)
{
    struct vm_timespec64 m1, m2, rt;
    memset(&m1, 0xee, sizeof m1);
    long r1 = vm_sys_clock_gettime64(VM_CLOCK_MONOTONIC, &m1);
    for (volatile int i = 0; i < 200000; i++)
        ;
    long r2 = vm_sys_clock_gettime64(VM_CLOCK_MONOTONIC, &m2);
    long r3 = vm_sys_clock_gettime64(VM_CLOCK_REALTIME, &rt);
    CHECK_EQ(r1, 0, "clock_gettime64(MONOTONIC) succeeds");
    CHECK_EQ(r2, 0, "clock_gettime64(MONOTONIC) succeeds again");
    CHECK_EQ(r3, 0, "clock_gettime64(REALTIME) succeeds");
    CHECK(m1.tv_nsec >= 0 && m1.tv_nsec < 1000000000, "monotonic tv_nsec in [0, 1e9)");
    CHECK(m1.tv_sec >= 0, "monotonic tv_sec >= 0");
    CHECK(ts_ns(&m2) >= ts_ns(&m1), "monotonic clock does not go backwards");
    CHECK(ts_ns(&m2) - ts_ns(&m1) < 60LL * 1000000000LL, "monotonic delta is under a minute");
    CHECK(rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000, "realtime tv_nsec in [0, 1e9)");
    CHECK(rt.tv_sec > 1577836800LL, "realtime is after 2020-01-01");
    printf("clock_gettime64: ok\n");
}

static void test_brk(void)
{
    uintptr_t start = (uintptr_t)vm_sys_brk(0);
    CHECK(start != 0 && start % 4 == 0, "brk(0) returns the current break");
    uintptr_t grown = (uintptr_t)vm_sys_brk(start + 256 * 1024);
    CHECK_EQ(grown, start + 256 * 1024, "brk grows by 256 KiB");
    if (grown == start + 256 * 1024) {
        volatile uint32_t *p = (volatile uint32_t *)start;
        uint32_t n = 256 * 1024 / 4, bad = 0;
        for (uint32_t i = 0; i < n; i += 97)
            p[i] = i ^ 0x5a5a5a5a;
        for (uint32_t i = 0; i < n; i += 97)
            bad += p[i] != (i ^ 0x5a5a5a5a);
        CHECK_EQ(bad, 0, "grown brk memory is usable");
    }
    uintptr_t shrunk = (uintptr_t)vm_sys_brk(start + 4096);
    CHECK_EQ(shrunk, start + 4096, "brk shrinks");
    uintptr_t now = (uintptr_t)vm_sys_brk(0);
    CHECK_EQ(now, start + 4096, "brk(0) after shrinking");
    uintptr_t back = (uintptr_t)vm_sys_brk(start);
    CHECK_EQ(back, start, "brk back to the start");
    printf("brk: ok\n");
}

static void test_files(void)
{
    long r = vm_sys_openat(VM_AT_FDCWD, "/nonexistent-vmscope-dir/no-such-file", 0, 0);
    CHECK_EQ(r, -VM_ENOENT, "openat of a missing file returns -ENOENT");
    r = vm_sys_close(9999);
    CHECK_EQ(r, -VM_EBADF, "close of a bad fd returns -EBADF");
    r = vm_sys_write(9999, "x", 1);
    CHECK_EQ(r, -VM_EBADF, "write to a bad fd returns -EBADF");
    char c;
    r = vm_sys_read(9999, &c, 1);
    CHECK_EQ(r, -VM_EBADF, "read from a bad fd returns -EBADF");
    printf("openat/close: ok\n");
}

int main(void)
{
    test_writev();
    test_fstat();
    test_clock();
    test_brk();
    test_files();
    return VM_FINISH("syscalls");
}
