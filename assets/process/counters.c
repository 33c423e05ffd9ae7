/* counters: user-mode rdcycle/rdtime/rdinstret and their h variants; 64-bit reads are
   consistent and monotonic, and the counters advance over a loop. Prints nothing variable. */
#include <stdint.h>
#include <stdio.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

/* 64-bit read of a counter pair: re-read if the high half changed. */
#define READ64(lo, hi)                                                            \
    static uint64_t read_##lo(void)                                               \
    {                                                                             \
        uint32_t h1, l, h2;                                                       \
        do {                                                                      \
            __asm__ volatile("rd" #hi " %0" : "=r"(h1));                          \
            __asm__ volatile("rd" #lo " %0" : "=r"(l));                           \
            __asm__ volatile("rd" #hi " %0" : "=r"(h2));                          \
        } while (h1 != h2);                                                       \
        return ((uint64_t)h1 << 32) | l;                                          \
    }
READ64(cycle, cycleh)
READ64(time, timeh)
READ64(instret, instreth)

static void spin(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        ;
}

int main(void)
{
    /* the csrr forms of the same counters */
    uint32_t c0, t0, i0;
    __asm__ volatile("csrr %0, cycle" : "=r"(c0));
    __asm__ volatile("csrr %0, time" : "=r"(t0));
    __asm__ volatile("csrr %0, instret" : "=r"(i0));
    (void)c0; (void)t0; (void)i0;

    uint64_t c_prev = read_cycle(), t_prev = read_time(), i_prev = read_instret();
    const uint64_t c_start = c_prev, t_start = t_prev, i_start = i_prev;
    int c_mono = 1, t_mono = 1, i_mono = 1;
    for (int k = 0; k < 1000; k++) {
        uint64_t c = read_cycle(), t = read_time(), i = read_instret();
        c_mono &= c >= c_prev;
        t_mono &= t >= t_prev;
        i_mono &= i >= i_prev;
        c_prev = c;
        t_prev = t;
        i_prev = i;
    }
    CHECK(c_mono, "cycle is monotonic");
    CHECK(t_mono, "time is monotonic");
    CHECK(i_mono, "instret is monotonic");

    spin(1000000);
    uint64_t c_end = read_cycle(), t_end = read_time(), i_end = read_instret();
    CHECK(c_end > c_start, "cycle advances over a 1M-iteration loop");
    CHECK(t_end > t_start, "time advances over a 1M-iteration loop");
    CHECK(i_end > i_start, "instret advances over a 1M-iteration loop");

    /* two back-to-back reads of instret differ by a small amount */
    uint32_t a, b;
    __asm__ volatile("rdinstret %0\n\trdinstret %1" : "=r"(a), "=r"(b));
    CHECK(b - a < 0x80000000u, "rdinstret back to back does not go backwards");

    printf("counters: cycle, time and instret are readable from user mode\n");
    return VM_FINISH("counters");
}
