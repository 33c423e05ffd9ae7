/* matmul benchmark: 128x128 32-bit integer matrix products (wrapping arithmetic),
   ROUNDS times, each round feeding the product back into the left operand; checks a
   checksum of the final matrix (reference: the same code built natively on the host). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef ROUNDS
#define ROUNDS 26
#endif
#define N 128
#define EXPECTED 0x05687489u /* host gcc -O0 and -O2 build of this file, ROUNDS = 26 */

static uint32_t A[N][N], B[N][N], C[N][N];

static void multiply(void)
{
    memset(C, 0, sizeof C);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            uint32_t a = A[i][k];
            for (int j = 0; j < N; j++)
                C[i][j] += a * B[k][j];
        }
}

int main(void)
{
    uint32_t x = 1u; /* LCG */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            x = x * 1103515245u + 12345u;
            A[i][j] = x >> 16;
            x = x * 1103515245u + 12345u;
            B[i][j] = (x >> 16) ^ (uint32_t)(i * j);
        }
    uint32_t checksum = 0;
    for (int r = 0; r < ROUNDS; r++) {
        multiply();
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                checksum = (checksum ^ C[i][j]) * 16777619u;
                A[i][j] = (C[i][j] >> 8) ^ (uint32_t)r;
            }
    }
    int ok = checksum == EXPECTED;
    printf("matmul: %d x %dx%d products, checksum 0x%08lx: %s\n", ROUNDS, N, N,
           (unsigned long)checksum, ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
