/* unknown_syscall (process): ecall with a7 = 999, which no Linux ABI defines. If the
   call returns (Linux and qemu-riscv32 return -ENOSYS), exits with status 38 (ENOSYS)
   when a0 = -38, else 1. */
    .text
    .globl _start
_start:
    li      a7, 999
    ecall
    li      t0, -38
    li      a1, 38
    beq     a0, t0, 1f
    li      a1, 1
1:  mv      a0, a1
    li      a7, 93
    ecall
