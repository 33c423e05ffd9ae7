/* atomics: lr.w/sc.w (success, failure of a second sc, sc without a reservation,
   retry loops) and every amo*.w with .aq/.rl/.aqrl variants: old values and memory. */
#include <stdint.h>
#include <stdio.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

static volatile uint32_t word __attribute__((aligned(64)));
static volatile uint32_t far_words[2048] __attribute__((aligned(4096)));

#define AMO(insn, addr, val)                                                      \
    ({                                                                            \
        uint32_t old_;                                                            \
        __asm__ volatile(insn " %0, %2, (%1)"                                     \
                         : "=&r"(old_) : "r"(addr), "r"((uint32_t)(val)) : "memory"); \
        old_;                                                                     \
    })

/* Runs one AMO on `word` = init with operand val: checks the old value and memory. */
#define T_AMO(insn, init, val, want_mem)                                          \
    do {                                                                          \
        word = (init);                                                            \
        uint32_t old = AMO(insn, &word, val);                                     \
        CHECK_EQ(old, init, insn " " #init ", " #val ": old value");              \
        CHECK_EQ(word, want_mem, insn " " #init ", " #val ": memory");            \
    } while (0)

/* The same operation in its plain, .aq, .rl and .aqrl forms. */
#define T_AMO4(base, init, val, want_mem)                                         \
    do {                                                                          \
        T_AMO(base, init, val, want_mem);                                         \
        T_AMO(base ".aq", init, val, want_mem);                                   \
        T_AMO(base ".rl", init, val, want_mem);                                   \
        T_AMO(base ".aqrl", init, val, want_mem);                                 \
    } while (0)

static void test_amos(void)
{
    T_AMO4("amoswap.w", 0x11111111, 0x22222222, 0x22222222);
    T_AMO4("amoadd.w", 0xfffffffe, 3, 1);
    T_AMO4("amoadd.w", 0x7fffffff, 1, 0x80000000);
    T_AMO4("amoxor.w", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
    T_AMO4("amoand.w", 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
    T_AMO4("amoor.w", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);
    T_AMO4("amomin.w", 0xffffffff, 1, 0xffffffff);        /* -1 < 1 */
    T_AMO4("amomin.w", 5, 0x80000000, 0x80000000);
    T_AMO4("amomax.w", 0xffffffff, 1, 1);
    T_AMO4("amomax.w", 0x80000000, 0x7fffffff, 0x7fffffff);
    T_AMO4("amominu.w", 0xffffffff, 1, 1);
    T_AMO4("amominu.w", 3, 0x80000000, 3);
    T_AMO4("amomaxu.w", 0xffffffff, 1, 0xffffffff);
    T_AMO4("amomaxu.w", 3, 0x80000000, 0x80000000);

    /* rd = x0: memory still updated */
    word = 10;
    __asm__ volatile("amoadd.w x0, %1, (%0)" : : "r"(&word), "r"(5u) : "memory");
    CHECK_EQ(word, 15, "amoadd.w with rd = x0 updates memory");
    /* rd == rs2: old value lands in rd, memory gets the operand */
    word = 7;
    uint32_t v = 100;
    __asm__ volatile("amoswap.w %0, %0, (%1)" : "+r"(v) : "r"(&word) : "memory");
    CHECK_EQ(v, 7, "amoswap.w rd == rs2: old value");
    CHECK_EQ(word, 100, "amoswap.w rd == rs2: memory");
}

static uint32_t lr(volatile uint32_t *p)
{
    uint32_t v;
    __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
    return v;
}

/* returns sc's rd: 0 = success */
static uint32_t sc(volatile uint32_t *p, uint32_t v)
{
    uint32_t r;
    __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
    return r;
}

static void test_lr_sc(void)
{
    uint32_t r, v;

    /* lr + sc in one asm block: must succeed */
    word = 41;
    __asm__ volatile("lr.w %0, (%2)\n\t"
                     "addi %0, %0, 1\n\t"
                     "sc.w %1, %0, (%2)"
                     : "=&r"(v), "=&r"(r) : "r"(&word) : "memory");
    CHECK_EQ(r, 0, "lr.w/sc.w pair succeeds");
    CHECK_EQ(word, 42, "lr.w/sc.w pair stores");

    /* a second sc after the reservation was used: must fail and not store */
    __asm__ volatile("lr.w %0, (%2)\n\t"
                     "sc.w %1, %0, (%2)\n\t"
                     "li %0, 99\n\t"
                     "sc.w %1, %0, (%2)"
                     : "=&r"(v), "=&r"(r) : "r"(&word) : "memory");
    CHECK(r != 0, "second sc.w after a successful one fails");
    CHECK_EQ(word, 42, "failed sc.w does not store");

    /* aq/rl variants */
    __asm__ volatile("lr.w.aq %0, (%2)\n\t"
                     "addi %0, %0, 1\n\t"
                     "sc.w.rl %1, %0, (%2)"
                     : "=&r"(v), "=&r"(r) : "r"(&word) : "memory");
    CHECK_EQ(r, 0, "lr.w.aq/sc.w.rl succeeds");
    CHECK_EQ(word, 43, "lr.w.aq/sc.w.rl stores");
    __asm__ volatile("lr.w.aqrl %0, (%2)\n\t"
                     "addi %0, %0, 1\n\t"
                     "sc.w.aqrl %1, %0, (%2)"
                     : "=&r"(v), "=&r"(r) : "r"(&word) : "memory");
    CHECK_EQ(r, 0, "lr.w.aqrl/sc.w.aqrl succeeds");
    CHECK_EQ(word, 44, "lr.w.aqrl/sc.w.aqrl stores");

    /* lr.w on its own returns the current value */
    word = 0x5a5a5a5a;
    CHECK_EQ(lr(&word), 0x5a5a5a5a, "lr.w loads the value");

    /* sc to an address far from the reservation (another page) fails */
    far_words[1024] = 1;
    __asm__ volatile("lr.w %0, (%2)\n\t"
                     "sc.w %1, %3, (%4)"
                     : "=&r"(v), "=&r"(r)
                     : "r"(&far_words[0]), "r"(77u), "r"(&far_words[1024])
                     : "memory");
    CHECK(r != 0, "sc.w outside the reserved set fails");
    CHECK_EQ(far_words[1024], 1, "sc.w outside the reserved set does not store");

    /* sc with no reservation at all (the previous one was consumed) */
    r = sc(&word, 1234);
    CHECK(r != 0, "sc.w without a reservation fails");
    CHECK_EQ(word, 0x5a5a5a5a, "sc.w without a reservation does not store");

    /* the classic retry loop: atomic increment 1000 times */
    word = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t tmp, fail;
        __asm__ volatile("1: lr.w %0, (%2)\n\t"
                         "addi %0, %0, 3\n\t"
                         "sc.w %1, %0, (%2)\n\t"
                         "bnez %1, 1b"
                         : "=&r"(tmp), "=&r"(fail) : "r"(&word) : "memory");
    }
    CHECK_EQ(word, 3000, "lr/sc retry loop increments");

    /* compare-and-swap built from lr/sc: success and mismatch */
    word = 5;
    uint32_t seen, fail;
    __asm__ volatile("1: lr.w.aqrl %0, (%2)\n\t"
                     "bne %0, %3, 2f\n\t"
                     "sc.w.aqrl %1, %4, (%2)\n\t"
                     "bnez %1, 1b\n"
                     "2:"
                     : "=&r"(seen), "=&r"(fail) : "r"(&word), "r"(5u), "r"(9u) : "memory");
    CHECK_EQ(seen, 5, "cas: seen value");
    CHECK_EQ(word, 9, "cas: swapped");
    __asm__ volatile("1: lr.w.aqrl %0, (%2)\n\t"
                     "bne %0, %3, 2f\n\t"
                     "sc.w.aqrl %1, %4, (%2)\n\t"
                     "bnez %1, 1b\n"
                     "2:"
                     : "=&r"(seen), "=&r"(fail) : "r"(&word), "r"(5u), "r"(11u) : "memory");
    CHECK_EQ(seen, 9, "cas mismatch: seen value");
    CHECK_EQ(word, 9, "cas mismatch: memory unchanged");
}

int main(void)
{
    test_amos();
    test_lr_sc();
    return VM_FINISH("atomics");
}
