/* compressed: C code built with the C extension plus an assembly routine that runs
   every RV32C instruction (c.ebreak is assembled but never executed) and records
   results for C to check. */
#include <stdint.h>
#include <stdio.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

enum {
    R_ADDI4SPN, R_LW, R_SW, R_NOP, R_ADDI, R_ADDI_NEG, R_JAL_LINK, R_JAL_PC, R_LI,
    R_LI_NEG, R_ADDI16SP, R_LUI, R_LUI_NEG, R_SRLI, R_SRAI, R_ANDI, R_SUB, R_XOR, R_OR,
    R_AND, R_J, R_BEQZ_TAKEN, R_BEQZ_NOT, R_BNEZ_TAKEN, R_BNEZ_NOT, R_SLLI, R_LWSP,
    R_JR, R_MV, R_JALR_LINK, R_JALR_PC, R_ADD, R_SWSP, R_SP_RESTORED, R_COUNT
};

/* run_rvc(uint32_t *out): a0 = results array. Only compressed instructions are used
   for the operations under test; `.option rvc` keeps the assembler from choosing. */
__asm__(
    "    .text\n"
    "    .balign 4\n"
    "    .globl run_rvc\n"
    "    .type run_rvc, @function\n"
    "run_rvc:\n"
    "    .option push\n"
    "    .option rvc\n"
    "    addi sp, sp, -32\n"
    "    sw ra, 28(sp)\n"
    "    sw s0, 24(sp)\n"
    "    sw s1, 20(sp)\n"
    "    mv s1, a0\n"                      /* s1 = results (x9, usable by CL/CS forms) */
    "    mv t6, sp\n"                      /* t6 = sp at entry, to check sp is restored */
    /* c.addi4spn: a2 = sp + 16 -> record a2 - sp */
    "    c.addi4spn a2, sp, 16\n"
    "    sub a3, a2, sp\n"
    "    sw a3, 0*4(s1)\n"
    /* c.sw / c.lw through s0-relative addressing into the stack frame */
    "    mv s0, sp\n"
    "    li a4, 0x1234abcd\n"
    "    c.sw a4, 8(s0)\n"
    "    lw a3, 8(sp)\n"
    "    sw a3, 2*4(s1)\n"                 /* R_SW: value seen by a normal lw */
    "    li a5, 0x0badf00d\n"
    "    sw a5, 12(sp)\n"
    "    c.lw a5, 12(s0)\n"
    "    sw a5, 1*4(s1)\n"                 /* R_LW */
    /* c.nop */
    "    li a0, 5\n"
    "    c.nop\n"
    "    sw a0, 3*4(s1)\n"
    /* c.addi positive and negative */
    "    li a0, 100\n"
    "    c.addi a0, 31\n"
    "    sw a0, 4*4(s1)\n"
    "    li a0, 100\n"
    "    c.addi a0, -32\n"
    "    sw a0, 5*4(s1)\n"
    /* c.jal: ra = address of the next instruction (pc + 2) */
    "    c.jal 1f\n"
    "2:  j 3f\n"
    "1:  sw ra, 6*4(s1)\n"
    "    la a1, 2b\n"
    "    sw a1, 7*4(s1)\n"
    "    c.jr ra\n"
    "3:\n"
    /* c.li */
    "    c.li a0, 31\n"
    "    sw a0, 8*4(s1)\n"
    "    c.li a0, -32\n"
    "    sw a0, 9*4(s1)\n"
    /* c.addi16sp: down and back up */
    "    mv a1, sp\n"
    "    c.addi16sp sp, -64\n"
    "    sub a2, a1, sp\n"
    "    c.addi16sp sp, 64\n"
    "    sw a2, 10*4(s1)\n"
    /* c.lui positive and negative (sign-extended) */
    "    c.lui a0, 0x1f\n"
    "    sw a0, 11*4(s1)\n"
    "    c.lui a0, 0xfffe0\n"
    "    sw a0, 12*4(s1)\n"
    /* c.srli / c.srai on a negative value */
    "    li a0, 0x80000000\n"
    "    c.srli a0, 4\n"
    "    sw a0, 13*4(s1)\n"
    "    li a0, 0x80000000\n"
    "    c.srai a0, 4\n"
    "    sw a0, 14*4(s1)\n"
    /* c.andi with a negative immediate */
    "    li a0, 0x12345678\n"
    "    c.andi a0, -16\n"
    "    sw a0, 15*4(s1)\n"
    /* c.sub / c.xor / c.or / c.and */
    "    li a0, 10\n"
    "    li a1, 25\n"
    "    c.sub a0, a1\n"
    "    sw a0, 16*4(s1)\n"
    "    li a0, 0xff00ff00\n"
    "    li a1, 0x0ff00ff0\n"
    "    c.xor a0, a1\n"
    "    sw a0, 17*4(s1)\n"
    "    li a0, 0xff00ff00\n"
    "    c.or a0, a1\n"
    "    sw a0, 18*4(s1)\n"
    "    li a0, 0xff00ff00\n"
    "    c.and a0, a1\n"
    "    sw a0, 19*4(s1)\n"
    /* c.j skips over a store */
    "    li a0, 1\n"
    "    c.j 4f\n"
    "    li a0, 0\n"
    "4:  sw a0, 20*4(s1)\n"
    /* c.beqz / c.bnez taken and not taken: result 1 = taken */
    "    li a2, 0\n"
    "    li a0, 1\n"
    "    c.beqz a2, 5f\n"
    "    li a0, 0\n"
    "5:  sw a0, 21*4(s1)\n"
    "    li a2, 7\n"
    "    li a0, 1\n"
    "    c.beqz a2, 6f\n"
    "    li a0, 0\n"
    "6:  sw a0, 22*4(s1)\n"
    "    li a2, 7\n"
    "    li a0, 1\n"
    "    c.bnez a2, 7f\n"
    "    li a0, 0\n"
    "7:  sw a0, 23*4(s1)\n"
    "    li a2, 0\n"
    "    li a0, 1\n"
    "    c.bnez a2, 8f\n"
    "    li a0, 0\n"
    "8:  sw a0, 24*4(s1)\n"
    /* c.slli */
    "    li t0, 3\n"
    "    c.slli t0, 30\n"
    "    sw t0, 25*4(s1)\n"
    /* c.swsp / c.lwsp */
    "    li t1, 0x55aa33cc\n"
    "    c.swsp t1, 4(sp)\n"
    "    lw t2, 4(sp)\n"
    "    sw t2, 32*4(s1)\n"                /* R_SWSP */
    "    li t1, 0x600dcafe\n"
    "    sw t1, 0(sp)\n"
    "    c.lwsp t2, 0(sp)\n"
    "    sw t2, 26*4(s1)\n"                /* R_LWSP */
    /* c.jr: jump through a register */
    "    li a0, 1\n"
    "    la t0, 9f\n"
    "    c.jr t0\n"
    "    li a0, 0\n"
    "9:  sw a0, 27*4(s1)\n"
    /* c.mv */
    "    li t3, 0x31415926\n"
    "    c.mv t4, t3\n"
    "    sw t4, 28*4(s1)\n"
    /* c.jalr: ra = pc + 2 */
    "    la t0, 10f\n"
    "    c.jalr t0\n"
    "11: j 12f\n"
    "10: sw ra, 29*4(s1)\n"
    "    la a1, 11b\n"
    "    sw a1, 30*4(s1)\n"
    "    c.jr ra\n"
    "12:\n"
    /* c.add */
    "    li t3, 0x7fffffff\n"
    "    li t4, 2\n"
    "    c.add t3, t4\n"
    "    sw t3, 31*4(s1)\n"
    /* sp restored? */
    "    sub a0, t6, sp\n"
    "    sw a0, 33*4(s1)\n"
    "    j 13f\n"
    /* c.ebreak is only assembled (cannot be executed in a process) */
    "    c.ebreak\n"
    "13: lw ra, 28(sp)\n"
    "    lw s0, 24(sp)\n"
    "    lw s1, 20(sp)\n"
    "    c.addi sp, 16\n"
    "    c.addi sp, 16\n"
    "    c.jr ra\n"
    "    .option pop\n"
    "    .size run_rvc, . - run_rvc\n");

void run_rvc(uint32_t *out);

static const char *const names[R_COUNT] = {
    "c.addi4spn", "c.lw", "c.sw", "c.nop", "c.addi +31", "c.addi -32", "c.jal link",
    "c.jal link target", "c.li 31", "c.li -32", "c.addi16sp", "c.lui 0x1f", "c.lui 0xfffe0",
    "c.srli", "c.srai", "c.andi -16", "c.sub", "c.xor", "c.or", "c.and", "c.j",
    "c.beqz taken", "c.beqz not taken", "c.bnez taken", "c.bnez not taken", "c.slli",
    "c.lwsp", "c.jr", "c.mv", "c.jalr link", "c.jalr link target", "c.add", "c.swsp",
    "sp restored"};

/* plain C code compiled with -march=rv32imac: the compiler uses compressed forms */
static uint32_t __attribute__((noinline)) c_mix(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc += i << 3;
        acc ^= acc >> 5;
        acc -= i & 7;
    }
    return acc;
}

int main(void)
{
    uint32_t r[R_COUNT];
    for (int i = 0; i < R_COUNT; i++)
        r[i] = 0xdeadbeef;
    run_rvc(r);

    const uint32_t want[R_COUNT] = {
        [R_ADDI4SPN] = 16, [R_LW] = 0x0badf00d, [R_SW] = 0x1234abcd, [R_NOP] = 5,
        [R_ADDI] = 131, [R_ADDI_NEG] = 68, [R_LI] = 31, [R_LI_NEG] = 0xffffffe0,
        [R_ADDI16SP] = 64, [R_LUI] = 0x1f000, [R_LUI_NEG] = 0xfffe0000,
        [R_SRLI] = 0x08000000, [R_SRAI] = 0xf8000000, [R_ANDI] = 0x12345670,
        [R_SUB] = 0xfffffff1, [R_XOR] = 0xf0f0f0f0, [R_OR] = 0xfff0fff0,
        [R_AND] = 0x0f000f00, [R_J] = 1, [R_BEQZ_TAKEN] = 1, [R_BEQZ_NOT] = 0,
        [R_BNEZ_TAKEN] = 1, [R_BNEZ_NOT] = 0, [R_SLLI] = 0xc0000000, [R_LWSP] = 0x600dcafe,
        [R_JR] = 1, [R_MV] = 0x31415926, [R_ADD] = 0x80000001, [R_SWSP] = 0x55aa33cc,
        [R_SP_RESTORED] = 0,
    };
    for (int i = 0; i < R_COUNT; i++) {
        if (i == R_JAL_LINK || i == R_JAL_PC || i == R_JALR_LINK || i == R_JALR_PC)
            continue;
        CHECK_EQ(r[i], want[i], names[i]);
    }
    CHECK_EQ(r[R_JAL_LINK], r[R_JAL_PC], "c.jal: ra = pc + 2");
    CHECK_EQ(r[R_JALR_LINK], r[R_JALR_PC], "c.jalr: ra = pc + 2");

    CHECK_EQ(c_mix(1000), 0x002d014d, "compiled C with compressed code");
    return VM_FINISH("compressed");
}
