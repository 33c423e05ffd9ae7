/* process_illegal (process): executes an illegal instruction (SIGILL under Linux). */
    .text
    .globl _start
_start:
    .word   0x00000000          /* all-zero word: illegal instruction */
    li      a0, 0
    li      a7, 93
    ecall
