/* infinite_loop (process): spins on `j .` forever; for run limits and stop requests. */
    .text
    .globl _start
_start:
1:  j       1b
