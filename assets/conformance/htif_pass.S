# Integer tests in the riscv-tests convention: every one holds, so the run ends through tohost
# with exit code 0 (vmscope, and QEMU's spike machine, alike).
#include "htif_test.h"

RVTEST_CODE_BEGIN
        TEST_RR(2, add, 0x00000003, 1, 2)
        TEST_RR(3, sub, 0xffffffff, 1, 2)
        TEST_RR(4, mul, 0x00000006, 2, 3)
        TEST_RR(5, divu, 0x00000003, 10, 3)
        TEST_RR(6, sra, 0xfffffff0, 0x80000000, 27)
        TEST_RR(7, sltu, 1, 1, 0xffffffff)
        # misaligned data (as riscv-tests' ma_data): a word loaded and stored across two words
        li      TESTNUM, 8
        la      x11, data
        lw      x14, 1(x11)
        li      x7, 0x44332211 >> 8 | 0x55 << 24
        bne     x14, x7, fail
        li      TESTNUM, 9
        li      x12, 0xa1b2c3d4
        sw      x12, 3(x11)
        lw      x14, 3(x11)
        bne     x14, x12, fail
RVTEST_CODE_END

RVTEST_DATA_BEGIN
        .align 4
data:   .word 0x44332211, 0x88776655
RVTEST_DATA_END
