/* User-side library of the teaching kernel's programs: system call wrappers (numbers in
   ../syscalls.h) and printf(), which writes each formatted line with a single write(). */
#ifndef VMSCOPE_KERNEL_ULIB_H
#define VMSCOPE_KERNEL_ULIB_H
#include "../lib.h"
#include "../syscalls.h"

static inline int32_t syscall3(uint32_t n, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2, r7 asm("a7") = n;
  asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
  return (int32_t)r0;
}

static inline int write(int fd, const void *buf, uint32_t len) {
  return syscall3(SYS_WRITE, (uint32_t)fd, (uint32_t)buf, len);
}
static inline int getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
static inline void yield(void) { syscall3(SYS_YIELD, 0, 0, 0); }
static inline void sleep(uint32_t ticks) { syscall3(SYS_SLEEP, ticks, 0, 0); }
static inline void *sbrk(int32_t increment) {
  return (void *)syscall3(SYS_SBRK, (uint32_t)increment, 0, 0);
}
static inline uint32_t uptime(void) { return (uint32_t)syscall3(SYS_UPTIME, 0, 0, 0); }
__attribute__((noreturn)) static inline void exit(int code) {
  syscall3(SYS_EXIT, (uint32_t)code, 0, 0);
  for (;;) {}
}

/* printf into a line buffer, then one write(1, ...). */
static inline int printf(const char *format, ...) {
  char line[160];
  va_list ap;
  va_start(ap, format);
  int n = vfmt(line, sizeof line, format, ap);
  va_end(ap);
  return write(1, line, (uint32_t)n);
}

int main(void);

#endif
