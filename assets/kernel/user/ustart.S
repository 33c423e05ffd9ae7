/* Entry point of the teaching kernel's user programs: sets gp, calls main() and exits
   with its result. The kernel starts it in U-mode with sp at the top of the stack. */
    .section .text._start, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    main
    li      a7, 6               /* SYS_EXIT, a0 = main's result */
    ecall
1:  j       1b
