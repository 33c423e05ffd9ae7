/* posix: what a Linux process gets besides files, with raw system calls: its argv, envp and
   auxiliary vector as Linux lays them out; anonymous memory maps (mmap, munmap, mremap growing
   and moving, mprotect); getrandom; uname; getpid/gettid/set_tid_address; rt_sigaction and
   rt_sigprocmask. Prints only what both vmscope and qemu-riscv32 define alike: no addresses,
   no random bytes, no pid, no kernel release. Run with the arguments "one two" and the
   environment VMSCOPE_TEST=42 alone. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vmscope_process.h"

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

#define SYS_set_tid_address 96
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_uname 160
#define SYS_getpid 172
#define SYS_gettid 178
#define SYS_munmap 215
#define SYS_mremap 216
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_getrandom 278
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define AT_PHDR 3
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_RANDOM 25
#define AT_EXECFN 31

extern char _start[];

static long sys(long n, long a0, long a1, long a2, long a3, long a4, long a5) { return vm_syscall(n, a0, a1, a2, a3, a4, a5); }

static void test_start(int argc, char **argv)
{
    printf("argc %d:", argc);
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    char **envp = argv + argc + 1;
    int envc = 0;
    while (envp[envc]) envc++;
    printf("environment: %d variable(s): %s\n", envc, envc ? envp[0] : "-");
    uint32_t *aux = (uint32_t *)(envp + envc + 1);
    uint32_t phdr = 0, phnum = 0, pagesz = 0, entry = 0, random = 0, execfn = 0;
    for (; aux[0]; aux += 2) {
        if (aux[0] == AT_PHDR) phdr = aux[1];
        if (aux[0] == AT_PHNUM) phnum = aux[1];
        if (aux[0] == AT_PAGESZ) pagesz = aux[1];
        if (aux[0] == AT_ENTRY) entry = aux[1];
        if (aux[0] == AT_RANDOM) random = aux[1];
        if (aux[0] == AT_EXECFN) execfn = aux[1];
    }
    printf("auxv: page size %u, %u program headers\n", (unsigned)pagesz, (unsigned)phnum);
    CHECK_EQ(entry, (uint32_t)_start, "AT_ENTRY is the program's entry");
    int loads = 0;
    for (uint32_t i = 0; phdr && i < phnum; i++) {
        const uint32_t *ph = (const uint32_t *)(phdr + 32 * i);
        if (ph[0] == 1 && ph[2] <= entry && entry < ph[2] + ph[5]) loads++;
    }
    CHECK_EQ(loads, 1, "AT_PHDR: the program headers, one PT_LOAD holding the entry");
    CHECK(random != 0, "AT_RANDOM points at 16 bytes");
    CHECK(execfn != 0 && strstr((const char *)execfn, "posix") != 0, "AT_EXECFN names the program");
}

static void test_maps(void)
{
    long a = sys(SYS_mmap, 0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a > 0 && (a & 4095) == 0, "mmap: anonymous, page-aligned");
    unsigned char *p = (unsigned char *)a;
    int zero = 1;
    for (int i = 0; i < 3 * 4096; i++) zero &= p[i] == 0;
    CHECK(zero, "mmap: zero-filled");
    memset(p, 0x5a, 3 * 4096);
    CHECK_EQ(sys(SYS_mprotect, a, 4096, PROT_READ, 0, 0, 0), 0, "mprotect");
    CHECK_EQ(sys(SYS_munmap, a + 2 * 4096, 4096, 0, 0, 0, 0), 0, "munmap the last page");
    CHECK_EQ(sys(SYS_mremap, a, 2 * 4096, 8 * 4096, MREMAP_MAYMOVE, 0, 0), -14,
             "mremap over two protections (two areas): EFAULT, as Linux");
    CHECK_EQ(sys(SYS_munmap, a, 2 * 4096, 0, 0, 0, 0), 0, "munmap the rest");
    a = sys(SYS_mmap, 0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset((void *)a, 0x5a, 2 * 4096);
    long b = sys(SYS_mremap, a, 2 * 4096, 8 * 4096, MREMAP_MAYMOVE, 0, 0);
    CHECK(b > 0, "mremap: grow an area of 2 pages to 8");
    unsigned char *q = (unsigned char *)b;
    CHECK(q[0] == 0x5a && q[2 * 4096 - 1] == 0x5a, "mremap: the contents came along");
    CHECK(q[2 * 4096] == 0, "mremap: the new part reads zero");
    CHECK_EQ(sys(SYS_munmap, b, 8 * 4096, 0, 0, 0, 0), 0, "munmap it all");
    CHECK_EQ(sys(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -22, "mmap of 0 bytes: EINVAL");
    CHECK_EQ(sys(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 99, 0), -9, "mmap of a bad descriptor: EBADF");
    printf("maps: anonymous, mprotect, munmap, mremap\n");
}

static void test_rest(void)
{
    unsigned char r1[32], r2[32];
    CHECK_EQ(sys(SYS_getrandom, (long)r1, sizeof r1, 0, 0, 0, 0), 32, "getrandom fills the buffer");
    CHECK_EQ(sys(SYS_getrandom, (long)r2, sizeof r2, 0, 0, 0, 0), 32, "getrandom again");
    CHECK(memcmp(r1, r2, sizeof r1) != 0, "two getrandom calls differ");
    char u[6][65];
    CHECK_EQ(sys(SYS_uname, (long)u, 0, 0, 0, 0, 0), 0, "uname");
    printf("uname: %s %s\n", u[0], u[4]);
    long pid = sys(SYS_getpid, 0, 0, 0, 0, 0, 0), tid = sys(SYS_gettid, 0, 0, 0, 0, 0, 0);
    CHECK(pid > 0 && pid == tid, "one thread: tid == pid");
    int tid_word;
    CHECK_EQ(sys(SYS_set_tid_address, (long)&tid_word, 0, 0, 0, 0, 0), tid, "set_tid_address returns the tid");
    uint32_t old_action[5];
    CHECK_EQ(sys(SYS_rt_sigaction, 10, 0, (long)old_action, 8, 0, 0), 0, "rt_sigaction reads SIGUSR1's action");
    CHECK_EQ(old_action[0], 0, "SIG_DFL");
    uint32_t mask[2] = {1, 1};
    CHECK_EQ(sys(SYS_rt_sigprocmask, 0, 0, (long)mask, 8, 0, 0), 0, "rt_sigprocmask reads the mask");
    CHECK_EQ(mask[0] | mask[1], 0, "nothing blocked");
    printf("getrandom, uname, pid and tid, signals\n");
}

int main(int argc, char **argv)
{
    test_start(argc, argv);
    test_maps();
    test_rest();
    return VM_FINISH("posix");
}
