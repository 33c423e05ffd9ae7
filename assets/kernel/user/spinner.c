/* spinner: finds the longest Collatz chain below 10000 without any system call, then spins
   until the timer has ticked 3 times: it never yields, so only preemption shares the
   processor while it runs. Exits 44. */
#include "ulib.h"

int main(void) {
  printf("spinner: pid %d, the longest Collatz chain below 10000\n", getpid());
  uint32_t best = 0, best_steps = 0;
  for (uint32_t n = 1; n < 10000; n++) {
    uint32_t steps = 0;
    for (uint32_t m = n; m != 1; steps++) m = (m & 1) ? 3 * m + 1 : m / 2;
    if (steps > best_steps) {
      best = n;
      best_steps = steps;
    }
  }
  printf("spinner: it starts at %u and takes %u steps\n", best, best_steps);
  uint32_t start = uptime();
  while (uptime() - start < 3)
    for (volatile int i = 0; i < 1000; i++) {}
  printf("spinner: spun until the clock had ticked 3 times\n");
  return best == 6171 && best_steps == 261 ? 44 : 1;
}
