/* Runtime for vmscope's Linux-ABI guest processes: TLS setup for picolibc's errno,
   brk-based sbrk, read/write/_exit, and picolibc tinystdio streams on fds 0/1/2
   (stdout buffered and flushed on newline, when full and at exit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "vmscope_process.h"

int main(int argc, char **argv, char **envp);

char **environ;

/* ---- thread-local storage (picolibc keeps errno in .tbss) ------------------- */

struct elf32_ehdr {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
#define PT_TLS 7

extern const struct elf32_ehdr __ehdr_start;

static unsigned char tls_block[256] __attribute__((aligned(64)));

static void init_tls(void)
{
    const struct elf32_ehdr *eh = &__ehdr_start;
    const unsigned char *base = (const unsigned char *)eh;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const struct elf32_phdr *ph =
            (const struct elf32_phdr *)(base + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type != PT_TLS)
            continue;
        if (ph->p_memsz > sizeof tls_block || ph->p_align > 64) {
            static const char msg[] = "FAIL: runtime: TLS segment too large\n";
            vm_sys_write(2, msg, sizeof msg - 1);
            vm_syscall(VM_SYS_exit_group, 127, 0, 0, 0, 0, 0);
        }
        memcpy(tls_block, (const void *)ph->p_vaddr, ph->p_filesz);
    }
    /* RISC-V TLS variant I, local-exec: tp points at the start of the TLS block. */
    __asm__ volatile("mv tp, %0" : : "r"(tls_block));
}

/* ---- stdio --------------------------------------------------------------- */

static char out_buf[1024];
static unsigned out_len;

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        long r = vm_sys_write(fd, p, n);
        if (r <= 0)
            return;
        p += r;
        n -= (size_t)r;
    }
}

void vm_flush_stdout(void)
{
    if (out_len) {
        write_all(1, out_buf, out_len);
        out_len = 0;
    }
}

static int stdout_put(char c, FILE *f)
{
    (void)f;
    out_buf[out_len++] = c;
    if (c == '\n' || out_len == sizeof out_buf)
        vm_flush_stdout();
    return (unsigned char)c;
}

static int stdout_flush(FILE *f)
{
    (void)f;
    vm_flush_stdout();
    return 0;
}

static int stderr_put(char c, FILE *f)
{
    (void)f;
    vm_flush_stdout(); /* keep stdout/stderr order as written */
    write_all(2, &c, 1);
    return (unsigned char)c;
}

static unsigned char in_buf[256];
static unsigned in_pos, in_len;

static int stdin_get(FILE *f)
{
    (void)f;
    if (in_pos == in_len) {
        vm_flush_stdout(); /* prompt before blocking */
        long r = vm_sys_read(0, in_buf, sizeof in_buf);
        if (r <= 0)
            return r == 0 ? _FDEV_EOF : _FDEV_ERR;
        in_pos = 0;
        in_len = (unsigned)r;
    }
    return in_buf[in_pos++];
}

static FILE vm_stdin = FDEV_SETUP_STREAM(NULL, stdin_get, NULL, _FDEV_SETUP_READ);
static FILE vm_stdout = FDEV_SETUP_STREAM(stdout_put, NULL, stdout_flush, _FDEV_SETUP_WRITE);
static FILE vm_stderr = FDEV_SETUP_STREAM(stderr_put, NULL, NULL, _FDEV_SETUP_WRITE);

FILE *const stdin = &vm_stdin;
FILE *const stdout = &vm_stdout;
FILE *const stderr = &vm_stderr;

/* ---- POSIX-ish hooks used by picolibc ------------------------------------- */

ssize_t read(int fd, void *buf, size_t n)
{
    long r = vm_sys_read(fd, buf, n);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd == 1)
        vm_flush_stdout();
    long r = vm_sys_write(fd, buf, n);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

void _exit(int status)
{
    vm_flush_stdout();
    for (;;)
        vm_syscall(VM_SYS_exit_group, status, 0, 0, 0, 0, 0);
}

static uintptr_t cur_brk;

void *sbrk(ptrdiff_t incr)
{
    if (cur_brk == 0)
        cur_brk = (uintptr_t)vm_sys_brk(0);
    uintptr_t old = cur_brk;
    uintptr_t want = old + (uintptr_t)incr;
    if ((uintptr_t)vm_sys_brk(want) != want) {
        errno = ENOMEM;
        return (void *)-1;
    }
    cur_brk = want;
    return (void *)old;
}

/* ---- entry ------------------------------------------------------------------ */

void __vmscope_process_main(int argc, char **argv, char **envp)
    __attribute__((noreturn, used));

void __vmscope_process_main(int argc, char **argv, char **envp)
{
    init_tls();
    environ = envp;
    exit(main(argc, argv, envp));
}
