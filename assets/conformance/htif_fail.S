# A failing test in the riscv-tests convention: test 3 expects the wrong sum, so the run ends
# through tohost with exit code 3 (the failing test's number), as Spike reports it.
#include "htif_test.h"

RVTEST_CODE_BEGIN
        TEST_RR(2, add, 3, 1, 2)
        TEST_RR(3, add, 4, 1, 2)
        TEST_RR(4, add, 5, 2, 3)
RVTEST_CODE_END

RVTEST_DATA_BEGIN
RVTEST_DATA_END
