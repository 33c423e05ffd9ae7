/* files: the file system calls on a folder the run grants (vmscope: --dir data:/data:rw; QEMU:
   a folder "data" in its working folder), with raw system calls: openat (create, exclusive,
   truncate, append, directory), read, write, llseek, pread64, fstat, fstatat, statx,
   getdents64, mkdirat, unlinkat (files and folders), renameat2, close, a private file mapping
   (mmap), and the errors of each.
   Prints only what both machines define alike (no inode numbers or times; folder listings
   sorted). With the argument "sandbox" (vmscope only) it checks that nothing outside the
   granted folder is reachable. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmscope_process.h"

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define ENOENT 2
#define EBADF 9
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define ENOTEMPTY 39
#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000

static long sys(long n, long a0, long a1, long a2, long a3, long a4) { return vm_syscall(n, a0, a1, a2, a3, a4, 0); }
static long sys6(long n, long a0, long a1, long a2, long a3, long a4, long a5) { return vm_syscall(n, a0, a1, a2, a3, a4, a5); }
static long open_at(const char *path, int flags, int mode) { return sys(VM_SYS_openat, VM_AT_FDCWD, (long)path, flags, mode, 0); }
static long seek(int fd, int64_t offset, int whence, int64_t *result)
{
    return sys(VM_SYS_llseek, fd, (long)(offset >> 32), (long)(uint32_t)offset, (long)result, whence);
}

/* The sizes and kinds fstat and statx give. */
static void show_stat(const char *what, int fd, const char *path)
{
    struct vm_stat st;
    memset(&st, 0, sizeof st);
    long r = path ? sys(VM_SYS_fstatat, VM_AT_FDCWD, (long)path, (long)&st, 0, 0) : vm_sys_fstat(fd, &st);
    uint8_t sx[256];
    memset(sx, 0, sizeof sx);
    long rx = sys(VM_SYS_statx, path ? VM_AT_FDCWD : fd, (long)(path ? path : ""), path ? 0 : AT_EMPTY_PATH, 0x7ff, (long)sx);
    uint16_t xmode;
    uint64_t xsize;
    memcpy(&xmode, sx + 28, 2);
    memcpy(&xsize, sx + 40, 8);
    printf("%s: stat %ld %s size %ld; statx %ld %s\n", what, r,
           (st.st_mode & S_IFMT) == S_IFDIR ? "dir" : (st.st_mode & S_IFMT) == S_IFREG ? "file" : "other",
           (st.st_mode & S_IFMT) == S_IFDIR ? 0 : (long)st.st_size, rx,
           (xmode & S_IFMT) == S_IFDIR ? "dir" : (xmode & S_IFMT) == S_IFREG ? "file" : "other");
    if ((xmode & S_IFMT) == S_IFREG) CHECK_EQ(xsize, (uint64_t)st.st_size, "statx and stat give one size");
}

/* A folder's names, sorted, "." and ".." left out. */
static void list(const char *path)
{
    long fd = open_at(path, O_RDONLY | O_DIRECTORY, 0);
    char names[32][64];
    int count = 0;
    char buf[256];
    for (;;) {
        long n = sys(VM_SYS_getdents64, fd, (long)buf, sizeof buf, 0, 0);
        if (n <= 0) {
            CHECK_EQ(n, 0, "getdents64 ends with 0");
            break;
        }
        for (long at = 0; at < n;) {
            uint16_t reclen;
            memcpy(&reclen, buf + at + 16, 2);
            const char *name = buf + at + 19;
            if (strcmp(name, ".") && strcmp(name, "..") && count < 32) {
                strncpy(names[count], name, 63);
                names[count][63] = 0;
                count++;
            }
            at += reclen;
        }
    }
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[64];
            strcpy(t, names[j]);
            strcpy(names[j], names[j - 1]);
            strcpy(names[j - 1], t);
        }
    printf("%s:", path);
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
    CHECK_EQ(vm_sys_close(fd), 0, "close the folder");
}

static void test_reading(void)
{
    char buf[64];
    long fd = open_at("data/hello.txt", O_RDONLY, 0);
    CHECK(fd >= 3, "open hello.txt");
    long n = vm_sys_read(fd, buf, 5);
    printf("read %ld: %.5s\n", n, buf);
    int64_t at = -1;
    CHECK_EQ(seek(fd, 0, 1, &at), 0, "llseek SEEK_CUR");
    CHECK_EQ((uint32_t)at, 5, "the offset after reading 5");
    CHECK_EQ(seek(fd, -6, 2, &at), 0, "llseek SEEK_END");
    n = vm_sys_read(fd, buf, sizeof buf);
    printf("the last %ld bytes: %.*s", n, (int)n, buf);
    n = sys(VM_SYS_pread64, fd, (long)buf, 4, 6, 0);
    printf("pread64 at 6: %ld %.4s\n", n, buf);
    CHECK_EQ(seek(fd, 0, 1, &at), 0, "llseek");
    CHECK_EQ((uint32_t)at, 18, "pread64 leaves the offset (at the end)");
    CHECK_EQ(vm_sys_read(fd, buf, sizeof buf), 0, "read at the end: 0");
    CHECK_EQ(vm_sys_write(fd, "x", 1), -EBADF, "write to a file opened read-only");
    show_stat("hello.txt", fd, 0);
    show_stat("data/sub", -1, "data/sub");
    CHECK_EQ(vm_sys_close(fd), 0, "close");
    CHECK_EQ(vm_sys_close(fd), -EBADF, "close twice");
    fd = open_at("data/sub/nested.txt", O_RDONLY, 0);
    n = vm_sys_read(fd, buf, sizeof buf);
    printf("nested: %.*s", (int)n, buf);
    vm_sys_close(fd);
    CHECK_EQ(open_at("data/missing.txt", O_RDONLY, 0), -ENOENT, "a missing file");
    CHECK_EQ(open_at("data/hello.txt", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR, "O_DIRECTORY on a file");
    CHECK_EQ(open_at("data/sub", O_WRONLY, 0), -EISDIR, "a folder opened for writing");
    CHECK_EQ(open_at("data/hello.txt/x", O_RDONLY, 0), -ENOTDIR, "a file as a folder");
    list("data");
    /* A private file mapping: the file's bytes, then zeros; writes to it stay in memory. */
    fd = open_at("data/hello.txt", O_RDONLY, 0);
    long m = sys6(222, 0, 8192, 3, 2, fd, 0);
    CHECK(m > 0 && (m & 4095) == 0, "mmap of a file (MAP_PRIVATE)");
    printf("mapped: %.13s, then %d\n", (const char *)m, ((const char *)m)[18]);
    ((char *)m)[0] = 'J';
    CHECK_EQ(sys6(215, m, 8192, 0, 0, 0, 0), 0, "munmap");
    n = sys(VM_SYS_pread64, fd, (long)buf, 1, 0, 0);
    CHECK_EQ(buf[0], 'H', "the file did not change");
    vm_sys_close(fd);
}

static void test_writing(void)
{
    char buf[64];
    long fd = open_at("data/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 3, "create new.txt");
    CHECK_EQ(vm_sys_write(fd, "first line\n", 11), 11, "write");
    vm_sys_close(fd);
    CHECK_EQ(open_at("data/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST, "O_EXCL on an existing file");
    fd = open_at("data/new.txt", O_WRONLY | O_APPEND, 0);
    CHECK_EQ(vm_sys_write(fd, "second\n", 7), 7, "append");
    vm_sys_close(fd);
    fd = open_at("data/new.txt", O_RDWR, 0);
    int64_t at;
    seek(fd, 6, 0, &at);
    CHECK_EQ(vm_sys_write(fd, "LINE", 4), 4, "overwrite in the middle");
    seek(fd, 0, 0, &at);
    long n = vm_sys_read(fd, buf, sizeof buf);
    printf("new.txt (%ld): %.*s", n, (int)n, buf);
    vm_sys_close(fd);
    fd = open_at("data/trunc.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    vm_sys_write(fd, "will be cut", 11);
    vm_sys_close(fd);
    fd = open_at("data/trunc.txt", O_WRONLY | O_TRUNC, 0);
    vm_sys_write(fd, "cut\n", 4);
    vm_sys_close(fd);
    show_stat("trunc.txt", -1, "data/trunc.txt");

    CHECK_EQ(sys(VM_SYS_mkdirat, VM_AT_FDCWD, (long)"data/made", 0755, 0, 0), 0, "mkdirat");
    CHECK_EQ(sys(VM_SYS_mkdirat, VM_AT_FDCWD, (long)"data/made", 0755, 0, 0), -EEXIST, "mkdirat twice");
    long dir = open_at("data/made", O_RDONLY | O_DIRECTORY, 0);
    fd = sys(VM_SYS_openat, dir, (long)"inside.txt", O_WRONLY | O_CREAT, 0644, 0);
    CHECK(fd >= 3, "openat relative to a folder's descriptor");
    vm_sys_write(fd, "inside\n", 7);
    vm_sys_close(fd);
    vm_sys_close(dir);
    CHECK_EQ(sys(VM_SYS_unlinkat, VM_AT_FDCWD, (long)"data/made", AT_REMOVEDIR, 0, 0), -ENOTEMPTY, "rmdir of a full folder");
    CHECK_EQ(sys(VM_SYS_renameat2, VM_AT_FDCWD, (long)"data/made/inside.txt", VM_AT_FDCWD, (long)"data/moved.txt", 0), 0,
             "renameat2 a file");
    CHECK_EQ(sys(VM_SYS_unlinkat, VM_AT_FDCWD, (long)"data/made", AT_REMOVEDIR, 0, 0), 0, "rmdir");
    CHECK_EQ(sys(VM_SYS_unlinkat, VM_AT_FDCWD, (long)"data/sub", 0, 0, 0), -EISDIR, "unlink of a folder");
    CHECK_EQ(sys(VM_SYS_unlinkat, VM_AT_FDCWD, (long)"data/gone.txt", 0, 0, 0), 0, "unlink a file");
    CHECK_EQ(sys(VM_SYS_unlinkat, VM_AT_FDCWD, (long)"data/gone.txt", 0, 0, 0), -ENOENT, "unlink it again");
    CHECK_EQ(sys(VM_SYS_renameat2, VM_AT_FDCWD, (long)"data/sub", VM_AT_FDCWD, (long)"data/renamed", 0), 0, "rename a folder");
    fd = open_at("data/renamed/nested.txt", O_RDONLY, 0);
    CHECK(fd >= 3, "what it held moved with it");
    vm_sys_close(fd);
    list("data");
    list("data/renamed");
}

static void test_sandbox(void)
{
    /* vmscope only: the granted folder is all there is. */
    CHECK_EQ(open_at("/etc/passwd", O_RDONLY, 0), -ENOENT, "/etc/passwd is not there");
    CHECK_EQ(open_at("data/../../../../etc/passwd", O_RDONLY, 0), -ENOENT, ".. stops at /");
    CHECK_EQ(open_at("data/escape", O_RDONLY, 0), -ENOENT, "a link leading outside was left out");
    long fd = open_at("data/../data/./hello.txt", O_RDONLY, 0);
    CHECK(fd >= 3, ".. and . inside the tree");
    vm_sys_close(fd);
    list("/");
    CHECK_EQ(sys(VM_SYS_mkdirat, VM_AT_FDCWD, (long)"/outside", 0755, 0, 0), -30, "nothing can be made outside the folder (EROFS)");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "sandbox")) {
        test_sandbox();
        return VM_FINISH("files sandbox");
    }
    test_reading();
    test_writing();
    return VM_FINISH("files");
}
