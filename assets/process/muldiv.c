/* muldiv: M extension corner cases in inline asm (div/rem by zero, INT_MIN / -1,
   mulh/mulhsu/mulhu with mixed signs) against constants from the RISC-V spec rules;
   built with -march=rv32im (no compressed code). */
#include <stdint.h>
#include <stdio.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

enum { MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, NOPS };
static const char *const op_names[NOPS] = {"mul", "mulh", "mulhsu", "mulhu",
                                           "div", "divu", "rem", "remu"};

struct md_case {
    uint32_t a, b;
    uint32_t want[NOPS];
};

/* Expected results (per the spec: x/0 = -1 (all ones), x%0 = x, INT_MIN/-1 = INT_MIN,
   INT_MIN%-1 = 0; mulh* are the upper 32 bits of the 64-bit product). */
static const struct md_case cases[] = {
    {0x00000000, 0x00000000, {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xffffffff, 0xffffffff, 0x00000000, 0x00000000}},
    {0x00000001, 0x00000000, {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xffffffff, 0xffffffff, 0x00000001, 0x00000001}},
    {0xffffffff, 0x00000000, {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
    {0x80000000, 0x00000000, {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xffffffff, 0xffffffff, 0x80000000, 0x80000000}},
    {0x00bc614e, 0x00000000, {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0xffffffff, 0xffffffff, 0x00bc614e, 0x00bc614e}},
    {0x80000000, 0xffffffff, {0x80000000, 0x00000000, 0x80000000, 0x7fffffff, 0x80000000, 0x00000000, 0x00000000, 0x80000000}},
    {0x80000000, 0x00000001, {0x80000000, 0xffffffff, 0xffffffff, 0x00000000, 0x80000000, 0x80000000, 0x00000000, 0x00000000}},
    {0x7fffffff, 0xffffffff, {0x80000001, 0xffffffff, 0x7ffffffe, 0x7ffffffe, 0x80000001, 0x00000000, 0x00000000, 0x7fffffff}},
    {0x00000007, 0x00000002, {0x0000000e, 0x00000000, 0x00000000, 0x00000000, 0x00000003, 0x00000003, 0x00000001, 0x00000001}},
    {0xfffffff9, 0x00000002, {0xfffffff2, 0xffffffff, 0xffffffff, 0x00000001, 0xfffffffd, 0x7ffffffc, 0xffffffff, 0x00000001}},
    {0x00000007, 0xfffffffe, {0xfffffff2, 0xffffffff, 0x00000006, 0x00000006, 0xfffffffd, 0x00000000, 0x00000001, 0x00000007}},
    {0xfffffff9, 0xfffffffe, {0x0000000e, 0x00000000, 0xfffffff9, 0xfffffff7, 0x00000003, 0x00000000, 0xffffffff, 0xfffffff9}},
    {0xffffffff, 0xffffffff, {0x00000001, 0x00000000, 0xffffffff, 0xfffffffe, 0x00000001, 0x00000001, 0x00000000, 0x00000000}},
    {0x80000000, 0x80000000, {0x00000000, 0x40000000, 0xc0000000, 0x40000000, 0x00000001, 0x00000001, 0x00000000, 0x00000000}},
    {0x7fffffff, 0x7fffffff, {0x00000001, 0x3fffffff, 0x3fffffff, 0x3fffffff, 0x00000001, 0x00000001, 0x00000000, 0x00000000}},
    {0x80000000, 0x7fffffff, {0x80000000, 0xc0000000, 0xc0000000, 0x3fffffff, 0xffffffff, 0x00000001, 0xffffffff, 0x00000001}},
    {0xffffffff, 0x00000001, {0xffffffff, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff, 0xffffffff, 0x00000000, 0x00000000}},
    {0x00000001, 0xffffffff, {0xffffffff, 0xffffffff, 0x00000000, 0x00000000, 0xffffffff, 0x00000000, 0x00000000, 0x00000001}},
    {0x12345678, 0x9abcdef0, {0x242d2080, 0xf8cc93d6, 0x0b00ea4e, 0x0b00ea4e, 0x00000000, 0x00000000, 0x12345678, 0x12345678}},
    {0xdeadbeef, 0x00001000, {0xdbeef000, 0xfffffdea, 0xfffffdea, 0x00000dea, 0xfffdeadc, 0x000deadb, 0xfffffeef, 0x00000eef}},
    {0x00000064, 0x00000007, {0x000002bc, 0x00000000, 0x00000000, 0x00000000, 0x0000000e, 0x0000000e, 0x00000002, 0x00000002}},
    {0xffffff9c, 0x00000007, {0xfffffd44, 0xffffffff, 0xffffffff, 0x00000006, 0xfffffff2, 0x24924916, 0xfffffffe, 0x00000002}},
    {0x00000003, 0x00000005, {0x0000000f, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000003, 0x00000003}},
};

#define OP(insn, a, b)                                                            \
    ({                                                                            \
        uint32_t r_;                                                              \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b));         \
        r_;                                                                       \
    })

static uint32_t run_op(int op, uint32_t a, uint32_t b)
{
    switch (op) {
    case MUL: return OP("mul", a, b);
    case MULH: return OP("mulh", a, b);
    case MULHSU: return OP("mulhsu", a, b);
    case MULHU: return OP("mulhu", a, b);
    case DIV: return OP("div", a, b);
    case DIVU: return OP("divu", a, b);
    case REM: return OP("rem", a, b);
    default: return OP("remu", a, b);
    }
}

static void test_table(void)
{
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int op = 0; op < NOPS; op++) {
            uint32_t got = run_op(op, cases[i].a, cases[i].b);
            vm_checks++;
            if (got != cases[i].want[op]) {
                vm_failures++;
                printf("FAIL: %s 0x%08lx, 0x%08lx: got 0x%08lx, want 0x%08lx\n", op_names[op],
                       (unsigned long)cases[i].a, (unsigned long)cases[i].b,
                       (unsigned long)got, (unsigned long)cases[i].want[op]);
            }
        }
    }
}

static void test_register_aliasing(void)
{
    uint32_t x = 0xfffffff9; /* -7 */
    __asm__ volatile("div %0, %0, %0" : "+r"(x));
    CHECK_EQ(x, 1, "div rd == rs1 == rs2");
    x = 0x10000;
    __asm__ volatile("mulhu %0, %0, %0" : "+r"(x));
    CHECK_EQ(x, 1, "mulhu rd == rs1 == rs2");
    uint32_t zero;
    __asm__ volatile("mul x0, %1, %1\n\tmv %0, x0" : "=r"(zero) : "r"(x));
    CHECK_EQ(zero, 0, "mul to x0 is discarded");
}

/* 64-bit arithmetic compiled by gcc (inline mul/mulhu, libgcc for division). */
static void test_wide(void)
{
    volatile uint64_t a = 0x123456789abcdef0ull, b = 0x0fedcba987654321ull;
    volatile int64_t sa = -0x123456789abcdefll, sb = 12345;
    CHECK_EQ((uint32_t)(a * b), 0xe5618cf0u, "u64 multiply, low word");
    CHECK_EQ((uint32_t)((a * b) >> 32), 0x2236d88fu, "u64 multiply, high word");
    CHECK_EQ((uint32_t)(a / 1000003u), 0x6b424bcau, "u64 divide, low word");
    CHECK_EQ((uint32_t)((a / 1000003u) >> 32), 0x131u, "u64 divide, high word");
    CHECK_EQ((uint32_t)(a % 1000003u), 0x2f512u, "u64 remainder");
    CHECK_EQ((uint32_t)(sa / sb), 0xba0adf83u, "s64 divide, low word");
    CHECK_EQ((uint32_t)((uint64_t)(sa / sb) >> 32), 0xfffff9f5u, "s64 divide, high word");
    CHECK_EQ((uint32_t)(sa % sb), (uint32_t)-8730, "s64 remainder");
}

int main(void)
{
    test_table();
    test_register_aliasing();
    test_wide();
    return VM_FINISH("muldiv");
}
