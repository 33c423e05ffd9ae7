/* nostdlib_hello: pure assembly Linux-ABI program, no libc: write(1, msg) + exit(0)
   with raw ecalls (a7 = 64 write, 93 exit). */
    .section .rodata
msg:
    .ascii  "Hello from nostdlib assembly!\n"
msg_end:
    .equ    MSG_LEN, msg_end - msg

    .section .text
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    li      a0, 1               /* fd = stdout */
    la      a1, msg
    li      a2, MSG_LEN
    li      a7, 64              /* write */
    ecall
    li      t0, MSG_LEN
    bne     a0, t0, fail        /* the whole message must have been written */
    li      a0, 0
    li      a7, 93              /* exit */
    ecall
fail:
    li      a0, 1
    li      a7, 93
    ecall
