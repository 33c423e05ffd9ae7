/* System call numbers of vmscope's teaching kernel, shared by the kernel and its user
   programs: ecall with a7 = number, arguments in a0..a2, result in a0 (-1 = error). */
#ifndef VMSCOPE_KERNEL_SYSCALLS_H
#define VMSCOPE_KERNEL_SYSCALLS_H

#define SYS_WRITE 1   /* write(fd = 1 or 2, buf, len) -> bytes written */
#define SYS_GETPID 2  /* getpid() -> pid (1, 2, ...) */
#define SYS_YIELD 3   /* yield() -> 0: let the next runnable process run */
#define SYS_SLEEP 4   /* sleep(ticks) -> 0: wait for that many timer ticks */
#define SYS_SBRK 5    /* sbrk(increment) -> old break, or -1 */
#define SYS_EXIT 6    /* exit(code): does not return */
#define SYS_UPTIME 7  /* uptime() -> timer ticks since boot */

#endif
