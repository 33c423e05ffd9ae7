/* crc32 benchmark: table-driven CRC-32 (IEEE, reflected 0xEDB88320) of a 64 KiB
   pseudo-random buffer fed ROUNDS times as one stream; checked against zlib's value. */
#include <stdint.h>
#include <stdio.h>

#ifndef ROUNDS
#define ROUNDS 640
#endif
#define EXPECTED 0x0d009330u /* zlib.crc32(buffer * 640) */

static uint32_t table[256];
static uint8_t buffer[64 * 1024];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(void)
{
    uint32_t x = 2463534242u; /* xorshift32 */
    for (size_t i = 0; i < sizeof buffer; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buffer[i] = (uint8_t)x;
    }
    make_table();
    uint32_t crc = 0;
    for (int r = 0; r < ROUNDS; r++)
        crc = crc32_update(crc, buffer, sizeof buffer);
    int ok = crc == EXPECTED;
    printf("crc32: %d x 64 KiB, crc 0x%08lx: %s\n", ROUNDS, (unsigned long)crc,
           ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
