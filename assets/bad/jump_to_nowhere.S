/* jump_to_nowhere (system): with mtvec never set (its reset value), jumps to address
   0x0, where the board has nothing: a fetch access fault whose handler is missing too. */
    .section .text.start, "ax", @progbits
    .globl _start
_start:
    li      t0, 0
    jr      t0
