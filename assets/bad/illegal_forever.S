/* illegal_forever (system): mtvec points at an illegal instruction word, then an
   illegal instruction runs: every trap lands on another illegal instruction, forever. */
    .section .text.start, "ax", @progbits
    .globl _start
_start:
    la      t0, trap_target
    csrw    mtvec, t0
    unimp                       /* illegal: csrrw x0, cycle, x0 (write to a read-only CSR) */
1:  j       1b

    .balign 4
trap_target:
    .word   0x00000000          /* all-zero word: illegal instruction */
