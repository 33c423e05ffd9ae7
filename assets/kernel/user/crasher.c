/* crasher: prints a line and stores to address 0x10, which no process may touch: the
   kernel must kill it with a message (its expected status is "killed"). */
#include "ulib.h"

int main(void) {
  printf("crasher: pid %d, storing to address 0x10\n", getpid());
  volatile uint32_t *volatile bad = (volatile uint32_t *)0x10;
  *bad = 1;
  printf("crasher: FAIL: still running after the bad store\n");
  return 1;
}
