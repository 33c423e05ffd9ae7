/* rv32i_alu: every RV32I computational instruction (edge cases: shifts by 0/31, sign
   extension, slt/sltu with negatives, lui/auipc, x0), loads/stores, jal/jalr and every
   branch taken and not taken. Built with -march=rv32i: no compressed instructions. */
#include <stdint.h>
#include <stdio.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

#define RR(op, a, b)                                                              \
    ({                                                                            \
        uint32_t r_;                                                              \
        __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); \
        r_;                                                                       \
    })
#define RI(op, a, imm)                                                            \
    ({                                                                            \
        uint32_t r_;                                                              \
        __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "i"(imm)); \
        r_;                                                                       \
    })
/* 1 if the branch is taken, 0 if it falls through. */
#define BR(op, a, b)                                                              \
    ({                                                                            \
        uint32_t r_;                                                              \
        __asm__ volatile("li %0, 1\n\t" op " %1, %2, 1f\n\t"                      \
                         "li %0, 0\n"                                             \
                         "1:"                                                     \
                         : "=&r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b)));   \
        r_;                                                                       \
    })

#define T_RR(op, a, b, want) CHECK_EQ(RR(op, a, b), want, op " " #a ", " #b)
#define T_RI(op, a, imm, want) CHECK_EQ(RI(op, a, imm), want, op " " #a ", " #imm)
#define T_BR(op, a, b, want) CHECK_EQ(BR(op, a, b), want, op " " #a ", " #b)

static void test_reg_reg(void)
{
    T_RR("add", 1, 2, 3);
    T_RR("add", 0xffffffff, 1, 0);
    T_RR("add", 0x7fffffff, 1, 0x80000000);
    T_RR("sub", 1, 2, 0xffffffff);
    T_RR("sub", 0x80000000, 1, 0x7fffffff);
    T_RR("sub", 0, 0x80000000, 0x80000000);
    T_RR("and", 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
    T_RR("or", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);
    T_RR("xor", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
    T_RR("sll", 0x12345678, 0, 0x12345678);
    T_RR("sll", 0x12345678, 4, 0x23456780);
    T_RR("sll", 1, 31, 0x80000000);
    T_RR("sll", 1, 32, 1);            /* only the low 5 bits of rs2 count */
    T_RR("sll", 3, 0xffffffe1, 6);    /* shamt = 1 */
    T_RR("srl", 0x80000000, 0, 0x80000000);
    T_RR("srl", 0x80000000, 31, 1);
    T_RR("srl", 0x80000000, 4, 0x08000000);
    T_RR("srl", 0x80000000, 33, 0x40000000);
    T_RR("sra", 0x80000000, 0, 0x80000000);
    T_RR("sra", 0x80000000, 31, 0xffffffff);
    T_RR("sra", 0x80000000, 4, 0xf8000000);
    T_RR("sra", 0x7fffffff, 31, 0);
    T_RR("sra", 0x80000000, 63, 0xffffffff);
    T_RR("slt", 0xffffffff, 1, 1);    /* -1 < 1 */
    T_RR("slt", 1, 0xffffffff, 0);
    T_RR("slt", 0x80000000, 0x7fffffff, 1);
    T_RR("slt", 5, 5, 0);
    T_RR("sltu", 0xffffffff, 1, 0);
    T_RR("sltu", 1, 0xffffffff, 1);
    T_RR("sltu", 0, 1, 1);
    T_RR("sltu", 7, 7, 0);
}

static void test_reg_imm(void)
{
    T_RI("addi", 1, 2047, 2048);
    T_RI("addi", 1, -2048, 0xfffff801);
    T_RI("addi", 0xffffffff, 1, 0);
    T_RI("andi", 0x12345678, -1, 0x12345678);   /* imm sign-extends to 0xffffffff */
    T_RI("andi", 0x12345678, 0x7ff, 0x678);
    T_RI("andi", 0xffffffff, -2048, 0xfffff800);
    T_RI("ori", 0x12340000, -2048, 0xfffff800);
    T_RI("ori", 0x12340000, 0x5a5, 0x123405a5);
    T_RI("xori", 0x12345678, -1, 0xedcba987);   /* xori -1 == not */
    T_RI("xori", 0x0000ff00, 0x0f0, 0x0000fff0);
    T_RI("slti", 0xffffffff, 0, 1);
    T_RI("slti", 0, -1, 0);
    T_RI("slti", 0x80000000, -2048, 1);
    T_RI("sltiu", 0, 1, 1);                     /* seqz */
    T_RI("sltiu", 5, 1, 0);
    T_RI("sltiu", 0x7fffffff, -1, 1);           /* imm -1 compares as 0xffffffff */
    T_RI("sltiu", 0xffffffff, -1, 0);
    T_RI("slli", 0x12345678, 0, 0x12345678);
    T_RI("slli", 0xffffffff, 31, 0x80000000);
    T_RI("slli", 0x00000001, 16, 0x00010000);
    T_RI("srli", 0xffffffff, 0, 0xffffffff);
    T_RI("srli", 0xffffffff, 31, 1);
    T_RI("srli", 0x80000000, 16, 0x00008000);
    T_RI("srai", 0x80000000, 0, 0x80000000);
    T_RI("srai", 0x80000000, 31, 0xffffffff);
    T_RI("srai", 0x80000000, 16, 0xffff8000);
    T_RI("srai", 0x40000000, 30, 1);
}

static void test_upper(void)
{
    uint32_t r, here, there;
    __asm__ volatile("lui %0, 0x12345" : "=r"(r));
    CHECK_EQ(r, 0x12345000, "lui 0x12345");
    __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
    CHECK_EQ(r, 0xfffff000, "lui 0xfffff");
    __asm__ volatile("lui %0, 0x80000" : "=r"(r));
    CHECK_EQ(r, 0x80000000, "lui 0x80000");
    __asm__ volatile("lui %0, 0" : "=r"(r));
    CHECK_EQ(r, 0, "lui 0");
    __asm__ volatile("1: auipc %0, 0\n\tla %1, 1b" : "=r"(here), "=r"(there));
    CHECK_EQ(here, there, "auipc 0 == pc");
    __asm__ volatile("1: auipc %0, 1\n\tla %1, 1b" : "=r"(here), "=r"(there));
    CHECK_EQ(here - there, 0x1000, "auipc 1 == pc + 0x1000");
    __asm__ volatile("1: auipc %0, 0xfffff\n\tla %1, 1b" : "=r"(here), "=r"(there));
    CHECK_EQ(here - there, 0xfffff000, "auipc 0xfffff == pc - 0x1000");
}

static void test_x0(void)
{
    uint32_t r;
    __asm__ volatile("addi x0, x0, 5\n\tlui x0, 0x12345\n\tmv %0, x0" : "=r"(r));
    CHECK_EQ(r, 0, "x0 stays zero after writes");
    __asm__ volatile("add %0, x0, x0" : "=r"(r));
    CHECK_EQ(r, 0, "add x0, x0");
}

static void test_branches(void)
{
    T_BR("beq", 5, 5, 1);
    T_BR("beq", 5, 6, 0);
    T_BR("bne", 5, 6, 1);
    T_BR("bne", 5, 5, 0);
    T_BR("blt", 0xffffffff, 0, 1);
    T_BR("blt", 0, 0xffffffff, 0);
    T_BR("blt", 3, 3, 0);
    T_BR("bge", 0, 0xffffffff, 1);
    T_BR("bge", 3, 3, 1);
    T_BR("bge", 0x80000000, 0, 0);
    T_BR("bltu", 0, 0xffffffff, 1);
    T_BR("bltu", 0xffffffff, 0, 0);
    T_BR("bltu", 9, 9, 0);
    T_BR("bgeu", 0xffffffff, 0, 1);
    T_BR("bgeu", 9, 9, 1);
    T_BR("bgeu", 0, 0x80000000, 0);

    /* a backward branch: count down a loop */
    uint32_t n = 10, iters;
    __asm__ volatile("li %0, 0\n"
                     "1: addi %0, %0, 1\n\t"
                     "addi %1, %1, -1\n\t"
                     "bnez %1, 1b"
                     : "=&r"(iters), "+r"(n));
    CHECK_EQ(iters, 10, "backward bnez loop count");
}

static void test_jumps(void)
{
    uint32_t link, target, r;
    /* jal: rd = pc + 4 */
    __asm__ volatile("jal %0, 1f\n"
                     "2: j 3f\n"
                     "1: la %1, 2b\n"
                     "3:"
                     : "=&r"(link), "=&r"(target));
    CHECK_EQ(link, target, "jal link == pc+4");

    /* jalr with a nonzero offset, and bit 0 of the target cleared */
    __asm__ volatile("la t0, 1f\n\t"
                     "addi t0, t0, -3\n\t"     /* target-3: jalr adds 4 -> target+1, bit 0 cleared */
                     "li %0, 0\n\t"
                     "jalr %1, 4(t0)\n\t"
                     "li %0, 99\n"             /* skipped */
                     "1: addi %0, %0, 7"
                     : "=&r"(r), "=&r"(link) : : "t0");
    CHECK_EQ(r, 7, "jalr clears bit 0 of the target");
    __asm__ volatile("la %0, 1f\n\t"
                     "jalr %1, 0(%0)\n"
                     "1:"
                     : "=&r"(target), "=&r"(link));
    CHECK_EQ(link, target, "jalr link == pc+4");

    /* jalr with rd == rs1: target computed from the old value */
    __asm__ volatile("la %0, 1f\n\t"
                     "jalr %0, 0(%0)\n\t"
                     "nop\n"
                     "1: la %1, 1b\n\t"
                     "addi %1, %1, -4"
                     : "=&r"(link), "=&r"(target));
    CHECK_EQ(link, target, "jalr rd == rs1");
}

static uint8_t mem[16] __attribute__((aligned(8)));

static void test_loads_stores(void)
{
    uint32_t r;
    uint8_t *p = mem;
    __asm__ volatile("sw %1, 0(%0)" : : "r"(p), "r"(0x8081f2f3u) : "memory");
    __asm__ volatile("sw %1, 4(%0)" : : "r"(p), "r"(0x01020304u) : "memory");
    __asm__ volatile("lb %0, 3(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0xffffff80, "lb sign-extends");
    __asm__ volatile("lbu %0, 3(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x80, "lbu zero-extends");
    __asm__ volatile("lb %0, 4(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x04, "lb positive");
    __asm__ volatile("lh %0, 2(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0xffff8081, "lh sign-extends");
    __asm__ volatile("lhu %0, 2(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x8081, "lhu zero-extends");
    __asm__ volatile("lh %0, 0(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0xfffff2f3, "lh low half");
    __asm__ volatile("lw %0, 4(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x01020304, "lw");
    __asm__ volatile("lw %0, -4(%1)" : "=r"(r) : "r"(p + 8) : "memory");
    CHECK_EQ(r, 0x01020304, "lw negative offset");
    __asm__ volatile("sb %1, 1(%0)" : : "r"(p), "r"(0xaabbccddu) : "memory");
    __asm__ volatile("lw %0, 0(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x8081ddf3, "sb stores the low byte only");
    __asm__ volatile("sh %1, 6(%0)" : : "r"(p), "r"(0x11223344u) : "memory");
    __asm__ volatile("lw %0, 4(%1)" : "=r"(r) : "r"(p) : "memory");
    CHECK_EQ(r, 0x33440304, "sh stores the low half only");
    /* little-endian byte order */
    CHECK_EQ(mem[0], 0xf3, "little-endian byte 0");
    CHECK_EQ(mem[7], 0x33, "little-endian byte 7");
}

static void test_misc(void)
{
    uint32_t r = 1;
    __asm__ volatile("fence\n\tfence rw, rw\n\tfence.i\n\taddi %0, %0, 1" : "+r"(r) : : "memory");
    CHECK_EQ(r, 2, "fence/fence.i are harmless");
    __asm__ volatile("nop\n\taddi x0, x0, 0\n\taddi %0, %0, 1" : "+r"(r));
    CHECK_EQ(r, 3, "nop");
}

int main(void)
{
    test_reg_reg();
    test_reg_imm();
    test_upper();
    test_x0();
    test_branches();
    test_jumps();
    test_loads_stores();
    test_misc();
    return VM_FINISH("rv32i_alu");
}
