/* sieve benchmark: sieve of Eratosthenes over a byte array up to ~2,000,000, ROUNDS
   times with slightly different limits; checks prime counts and sums (pi(2e6) = 148933;
   reference values computed with Python). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef ROUNDS
#define ROUNDS 13
#endif
#define LIMIT 2000000
#define EXPECTED_COUNTS 1930613u /* Python reference, ROUNDS = 13 */
#define EXPECTED_SUMS 0x80f9bd66u

static uint8_t composite[LIMIT];

static uint32_t sieve(uint32_t n, uint32_t *sum)
{
    memset(composite, 0, n);
    for (uint32_t i = 2; i * i < n; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j < n; j += i)
                composite[j] = 1;
    uint32_t count = 0, s = 0;
    for (uint32_t i = 2; i < n; i++)
        if (!composite[i]) {
            count++;
            s += i;
        }
    *sum = s;
    return count;
}

int main(void)
{
    uint32_t total = 0, sums = 0, first = 0, sum;
    for (int r = 0; r < ROUNDS; r++) {
        uint32_t c = sieve(LIMIT - 997u * (uint32_t)r, &sum);
        if (r == 0)
            first = c;
        total += c;
        sums = sums * 33u + sum;
    }
    int ok = first == 148933 && total == EXPECTED_COUNTS && sums == EXPECTED_SUMS;
    printf("sieve: %d rounds, primes below 2000000: %lu, total %lu, sums 0x%08lx: %s\n", ROUNDS,
           (unsigned long)first, (unsigned long)total, (unsigned long)sums, ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
