/* A minimal environment in the riscv-tests convention (riscv-tests' env/p, the "physical
   memory, M-mode only" one): the test number lives in gp (TESTNUM), RVTEST_PASS writes 1 to
   tohost, RVTEST_FAIL writes (TESTNUM << 1) | 1, so a host that speaks HTIF (Spike, QEMU's spike
   machine, vmscope) ends the run with exit code 0 or the failing test's number. Written for
   vmscope; programs written against riscv-tests' own macros run the same way. */
#ifndef HTIF_TEST_H
#define HTIF_TEST_H

#define TESTNUM gp

#define RVTEST_CODE_BEGIN                                   \
        .section .text.init;                                \
        .globl _start;                                      \
_start:                                                     \
        la      t0, trap_vector;                            \
        csrw    mtvec, t0;                                  \
        la      sp, _stack_top;                             \
        li      TESTNUM, 0;                                 \
        j       test_body;                                  \
        .align  2;                                          \
trap_vector:                                                \
        /* an unexpected trap: fail with the test number */ \
        j       fail;                                       \
        .text;                                              \
test_body:

#define RVTEST_CODE_END                                     \
        j       pass;                                       \
fail:                                                       \
        fence;                                              \
1:      beqz    TESTNUM, 1b;                                \
        sll     TESTNUM, TESTNUM, 1;                        \
        or      TESTNUM, TESTNUM, 1;                        \
        la      t5, tohost;                                 \
        sw      TESTNUM, 0(t5);                             \
        sw      zero, 4(t5);                                \
        j       .;                                          \
pass:                                                       \
        fence;                                              \
        li      TESTNUM, 1;                                 \
        la      t5, tohost;                                 \
        sw      TESTNUM, 0(t5);                             \
        sw      zero, 4(t5);                                \
        j       .;

#define RVTEST_DATA_BEGIN                                   \
        .pushsection .tohost, "aw", @progbits;              \
        .align  6; .globl tohost; .type tohost, @object;    \
        .size   tohost, 8; tohost: .dword 0;                \
        .align  6; .globl fromhost; .type fromhost, @object; \
        .size   fromhost, 8; fromhost: .dword 0;            \
        .popsection;                                        \
        .data;

#define RVTEST_DATA_END

/* TEST_RR(n, op, expected, a, b): test n checks that op on a and b gives expected. */
#define TEST_RR(n, inst, expected, a, b)                    \
        li      TESTNUM, n;                                 \
        li      x11, a;                                     \
        li      x12, b;                                     \
        inst    x14, x11, x12;                              \
        li      x7, expected;                               \
        bne     x14, x7, fail;

#endif
