/* heapsum: grows its heap with sbrk (pages mapped on first touch), checks that new memory
   reads zero, checksums 64 KiB of pseudo-random bytes, shrinks and regrows the heap, and
   recurses through 1 KiB stack frames so that the stack grows on demand. Exits 22. */
#include "ulib.h"

#define HEAP_BYTES 65536u

static int failures;

static void check(int ok, const char *what) {
  if (!ok) {
    printf("heapsum: FAIL: %s\n", what);
    failures++;
  }
}

static int all_zero(const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static uint32_t adler32(const uint8_t *p, uint32_t n) {
  uint32_t a = 1, b = 0;
  for (uint32_t i = 0; i < n; i++) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

static uint32_t deep(uint32_t n) { /* 1 KiB of stack per level */
  volatile uint8_t frame[1024];
  for (uint32_t i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(n * 7 + i);
  uint32_t below = n ? deep(n - 1) : 0, sum = 0;
  for (uint32_t i = 0; i < sizeof frame; i++) sum += frame[i];
  return below * 31 + sum;
}

int main(void) {
  uint8_t *heap = sbrk(0);
  printf("heapsum: pid %d, the heap starts on a page boundary: %s\n", getpid(),
         ((uint32_t)heap & 0xfff) == 0 ? "yes" : "no");
  for (uint32_t i = 0; i < 4; i++)
    check(sbrk(HEAP_BYTES / 4) == heap + i * (HEAP_BYTES / 4), "sbrk returns the old break");
  check(all_zero(heap, HEAP_BYTES), "new heap memory reads zero");
  uint32_t x = 12345;
  for (uint32_t i = 0; i < HEAP_BYTES; i++) {
    x = x * 1103515245u + 12345u;
    heap[i] = (uint8_t)(x >> 24);
  }
  uint32_t sum = adler32(heap, HEAP_BYTES);
  printf("heapsum: adler32 of %u pseudo-random heap bytes: 0x%08x\n", HEAP_BYTES, sum);
  check(sum == 0xa0155541u, "adler32 is 0xa0155541");

  uint32_t low_half = adler32(heap, HEAP_BYTES / 2);
  check(sbrk(-(int32_t)HEAP_BYTES / 2) == heap + HEAP_BYTES, "sbrk shrinks");
  check(sbrk(HEAP_BYTES / 2) == heap + HEAP_BYTES / 2, "sbrk grows again");
  check(all_zero(heap + HEAP_BYTES / 2, HEAP_BYTES / 2), "regrown heap reads zero");
  check(adler32(heap, HEAP_BYTES / 2) == low_half, "the lower half is unchanged");
  printf("heapsum: shrunk by 32 KiB and regrown: the new pages read zero\n");
  check(sbrk(0x01000000) == (void *)-1, "sbrk beyond the heap limit fails");

  uint32_t r = deep(24);
  printf("heapsum: recursion 24 deep through 1 KiB frames: 0x%08x\n", r);
  check(r == 0x6e84fe00u, "recursion result is 0x6e84fe00");
  return failures ? 1 : 22;
}
