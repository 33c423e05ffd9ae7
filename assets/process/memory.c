/* memory: memory-heavy loops: malloc/free of many blocks (brk-backed heap), large
   memcpy/memset/memmove, a linked list, signed/unsigned byte/half/word accesses, checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state;
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void test_malloc(void)
{
    enum { NBLOCKS = 2000 };
    static uint8_t *blocks[NBLOCKS];
    static uint16_t sizes[NBLOCKS];
    int alloc_failures = 0, corrupt = 0;
    /* three rounds: allocate all, free every other, reallocate with other sizes */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < NBLOCKS; i++) {
            if (blocks[i])
                continue;
            sizes[i] = (uint16_t)(1 + rng() % 700);
            blocks[i] = malloc(sizes[i]);
            if (!blocks[i]) {
                alloc_failures++;
                continue;
            }
            memset(blocks[i], (uint8_t)i, sizes[i]);
        }
        for (int i = 0; i < NBLOCKS; i++) {
            if (!blocks[i])
                continue;
            for (unsigned j = 0; j < sizes[i]; j++)
                if (blocks[i][j] != (uint8_t)i) {
                    corrupt++;
                    break;
                }
            if ((i + round) % 2 == 0) {
                free(blocks[i]);
                blocks[i] = NULL;
            }
        }
    }
    for (int i = 0; i < NBLOCKS; i++)
        free(blocks[i]);
    CHECK_EQ(alloc_failures, 0, "malloc of 2000 blocks");
    CHECK_EQ(corrupt, 0, "malloc'd blocks keep their contents");

    /* one large block, calloc and realloc */
    uint32_t *big = malloc(1 << 20);
    CHECK(big != NULL, "malloc(1 MiB)");
    if (big) {
        for (uint32_t i = 0; i < (1 << 18); i++)
            big[i] = i * 2654435761u;
        uint32_t sum = 0;
        for (uint32_t i = 0; i < (1 << 18); i++)
            sum += big[i] ^ i;
        CHECK_EQ(sum, 0x0cd00000, "1 MiB block checksum");
        free(big);
    }
    uint8_t *z = calloc(1000, 3);
    int nonzero = 0;
    for (int i = 0; z && i < 3000; i++)
        nonzero += z[i] != 0;
    CHECK(z != NULL && nonzero == 0, "calloc returns zeroed memory");
    char *s = malloc(8);
    strcpy(s, "vmscope");
    s = realloc(s, 4000);
    CHECK(s != NULL && strcmp(s, "vmscope") == 0, "realloc keeps contents");
    free(s);
    free(z);
}

static uint8_t buf_a[256 * 1024], buf_b[256 * 1024];

static void test_bulk(void)
{
    for (size_t i = 0; i < sizeof buf_a; i++)
        buf_a[i] = (uint8_t)(rng() >> 24);
    uint32_t h_a = fnv1a(buf_a, sizeof buf_a);
    CHECK_EQ(h_a, 0x57ae357d, "FNV-1a of 256 KiB of LCG bytes");

    memcpy(buf_b, buf_a, sizeof buf_a);
    CHECK_EQ(fnv1a(buf_b, sizeof buf_b), h_a, "memcpy 256 KiB");
    CHECK(memcmp(buf_a, buf_b, sizeof buf_a) == 0, "memcmp after memcpy");

    memset(buf_b + 1001, 0xa5, 100000);
    int ok = 1;
    for (size_t i = 0; i < sizeof buf_b; i++) {
        uint8_t want = (i >= 1001 && i < 101001) ? 0xa5 : buf_a[i];
        if (buf_b[i] != want) {
            ok = 0;
            break;
        }
    }
    CHECK(ok, "memset of an unaligned 100000-byte range");

    /* overlapping moves in both directions, unaligned */
    memcpy(buf_b, buf_a, sizeof buf_a);
    memmove(buf_b + 3, buf_b, 150000);
    CHECK(memcmp(buf_b + 3, buf_a, 150000) == 0, "memmove forward overlap");
    memcpy(buf_b, buf_a, sizeof buf_a);
    memmove(buf_b, buf_b + 7, 150000);
    CHECK(memcmp(buf_b, buf_a + 7, 150000) == 0, "memmove backward overlap");
    printf("bulk checksum: %08lx\n", (unsigned long)h_a);
}

struct node {
    struct node *next;
    uint32_t value;
};

static void test_list(void)
{
    struct node *head = NULL;
    for (uint32_t i = 0; i < 10000; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = i * i;
        n->next = head;
        head = n;
    }
    /* reverse in place */
    struct node *prev = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    head = prev;
    uint32_t count = 0, ordered = 1;
    uint64_t sum = 0;
    for (struct node *n = head; n; n = n->next) {
        if (n->value != count * count)
            ordered = 0;
        sum += n->value;
        count++;
    }
    CHECK_EQ(count, 10000, "linked list length");
    CHECK(ordered, "linked list order after reversal");
    CHECK_EQ((uint32_t)sum, 0x993c1b58u, "linked list sum (low word)");
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
}

static void test_widths(void)
{
    static union {
        uint32_t w[4];
        uint16_t h[8];
        uint8_t b[16];
        int16_t sh[8];
        int8_t sb[16];
    } u;
    u.w[0] = 0x80ff7f01;
    u.w[1] = 0xfedcba98;
    volatile int8_t *vsb = u.sb;
    volatile uint8_t *vb = u.b;
    volatile int16_t *vsh = u.sh;
    volatile uint16_t *vh = u.h;
    CHECK_EQ((int32_t)vsb[3], -128, "signed byte load 0x80");
    CHECK_EQ(vb[3], 0x80, "unsigned byte load 0x80");
    CHECK_EQ((int32_t)vsb[2], -1, "signed byte load 0xff");
    CHECK_EQ((int32_t)vsb[1], 127, "signed byte load 0x7f");
    CHECK_EQ((int32_t)vsh[1], (int32_t)0xffff80ff, "signed half load");
    CHECK_EQ(vh[1], 0x80ff, "unsigned half load");
    CHECK_EQ((int32_t)vsh[3], (int32_t)0xfffffedc, "signed half load, upper half");
    vb[4] = 0x11;
    vh[3] = 0x2233;
    CHECK_EQ(u.w[1], 0x2233ba11, "byte and half stores");

    /* a strided read-modify-write loop over all widths */
    uint32_t sum = 0;
    for (size_t i = 0; i < sizeof buf_a; i += 3) {
        buf_a[i] = (uint8_t)(buf_a[i] + (uint8_t)i);
        sum += (int8_t)buf_a[i];
    }
    uint16_t *h = (uint16_t *)buf_a;
    for (size_t i = 0; i < sizeof buf_a / 2; i += 5) {
        h[i] ^= (uint16_t)i;
        sum += (int16_t)h[i];
    }
    uint32_t *w = (uint32_t *)buf_a;
    for (size_t i = 0; i < sizeof buf_a / 4; i += 7) {
        w[i] = w[i] * 3 + 1;
        sum += w[i];
    }
    CHECK_EQ(sum, 0x2d0d3d09, "strided byte/half/word read-modify-write checksum");
    printf("width checksum: %08lx\n", (unsigned long)sum);
}

int main(void)
{
    test_malloc();
    test_bulk();
    test_list();
    test_widths();
    return VM_FINISH("memory");
}
