/* self_modifying: code that rewrites itself. A tiny function in RAM (addi a0, x0, N; ret) gets
   a new immediate written over its first instruction, then FENCE.I, then a call, a thousand
   times; a second function is patched by a store that lands in the block that is running it.
   The interpreter must decode the new bytes, the translator must drop the blocks made from the
   old ones (watch the Code cache's invalidations). */
#include "vmscope_system.h"

/* Two instruction slots per function, in their own 64-byte line. */
static uint32_t code[16] __attribute__((aligned(64)));

static uint32_t addi_a0(int imm) { return ((uint32_t)(imm & 0xfff) << 20) | (10u << 7) | 0x13u; }
#define RET 0x00008067u

typedef uint32_t (*fn)(void);

int main(void)
{
    uint32_t sum = 0;
    for (int i = 0; i < 1000; ++i) {
        code[0] = addi_a0(i & 0x7ff);
        code[1] = RET;
        __asm__ volatile("fence.i" ::: "memory");
        sum += ((fn)(void *)code)();
    }
    CHECK_EQ(sum, 499500, "a thousand rewritten functions returned 0..999");
    kprintf("self_modifying: 1000 rewrites of addi a0, x0, N; the sum is %u\n", sum);

    /* The same function rewritten between calls without a loop in between: every call must
       see the bytes just written. */
    uint32_t seen = 0;
    for (int i = 1; i <= 5; ++i) {
        code[0] = addi_a0(i * 100);
        __asm__ volatile("fence.i" ::: "memory");
        seen = seen * 10 + ((fn)(void *)code)() / 100;
    }
    CHECK_EQ(seen, 12345, "five rewrites in a row, each call sees its own");
    kprintf("self_modifying: five rewrites in a row give %u\n", seen);
    return VM_FINISH("self_modifying");
}
