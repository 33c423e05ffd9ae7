/* Linux-ABI process entry point: sets gp, reads argc/argv/envp from the initial
   stack the Linux way, and hands over to __vmscope_process_main (process_rt.c). */
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    lw      a0, 0(sp)           /* argc */
    addi    a1, sp, 4           /* argv */
    slli    t0, a0, 2
    add     a2, a1, t0
    addi    a2, a2, 4           /* envp = argv + argc + 1 */
    andi    sp, sp, -16
    li      ra, 0
    call    __vmscope_process_main
1:  j       1b                  /* not reached: __vmscope_process_main exits */
    .size _start, . - _start
