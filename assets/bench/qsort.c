/* qsort benchmark: sorts ROUNDS arrays of 100,000 pseudo-random 32-bit integers with
   picolibc's qsort (comparison callbacks), checks order and a position-weighted checksum
   (reference computed with Python). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef ROUNDS
#define ROUNDS 14
#endif
#define N 100000
#define EXPECTED 0xf4aa515cu /* Python: sorted() and the same checksum, ROUNDS = 14 */

static int32_t data[N];
static uint32_t rng = 0x9e3779b9u; /* xorshift32 */

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static int compare(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    uint32_t checksum = 0;
    int ordered = 1;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++)
            data[i] = (int32_t)next() >> (r % 8); /* vary the value range, keep signs */
        qsort(data, N, sizeof data[0], compare);
        for (int i = 1; i < N; i++)
            if (data[i - 1] > data[i])
                ordered = 0;
        for (int i = 0; i < N; i++)
            checksum = checksum * 31u + (uint32_t)data[i] * (uint32_t)(i + 1);
    }
    int ok = ordered && checksum == EXPECTED;
    printf("qsort: %d x %d integers, checksum 0x%08lx, %s: %s\n", ROUNDS, N,
           (unsigned long)checksum, ordered ? "ordered" : "NOT ORDERED", ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
