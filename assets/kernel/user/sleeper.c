/* sleeper: sleeps and yields in a loop, checking each time that the clock advanced and that
   its own data survived other processes running at the same virtual addresses. Exits 33. */
#include "ulib.h"

static volatile uint32_t marker; /* at the same virtual address in every run of this program */

int main(void) {
  int pid = getpid();
  marker = 0x5eed0000u | (uint32_t)pid;
  printf("sleeper: pid %d, 5 rounds of sleep(2) and yield()\n", pid);
  for (int round = 1; round <= 5; round++) {
    uint32_t before = uptime();
    sleep(2);
    uint32_t slept = uptime() - before;
    yield();
    if (slept < 2 || marker != (0x5eed0000u | (uint32_t)pid) || getpid() != pid) {
      printf("sleeper: FAIL in round %d\n", round);
      return 1;
    }
    printf("sleeper: round %d: slept at least 2 ticks\n", round);
  }
  return 33;
}
