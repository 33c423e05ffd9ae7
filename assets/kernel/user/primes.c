/* primes: counts the primes below 30000 by trial division, yielding every 5000 numbers;
   prints the first ten, the count and the sum, and exits 11 if they are the known values. */
#include "ulib.h"

#define LIMIT 30000u

static int is_prime(uint32_t n) {
  for (uint32_t d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

int main(void) {
  printf("primes: pid %d, counting the primes below %u\n", getpid(), LIMIT);
  char first[64];
  int len = 0;
  uint32_t count = 0, sum = 0;
  for (uint32_t n = 2; n < LIMIT; n++) {
    if (n % 5000 == 0) yield();
    if (!is_prime(n)) continue;
    if (++count <= 10) len += fmt(first + len, (int)sizeof first - len, " %u", n);
    sum += n;
  }
  printf("primes: the first ten:%s\n", first);
  printf("primes: %u primes below %u, their sum is %u\n", count, LIMIT, sum);
  if (count != 3245 || sum != 45675864) {
    printf("primes: FAIL: expected 3245 primes with sum 45675864\n");
    return 1;
  }
  return 11;
}
