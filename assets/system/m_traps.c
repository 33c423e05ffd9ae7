/* m_traps: M-mode exceptions and their mcause/mepc/mtval: ecall, ebreak (32- and
   16-bit), illegal instructions (mtval = bits), misaligned load/store (trap or not,
   detected), load/store/fetch access faults, direct and vectored mtvec. */
#include "vmscope_system.h"

/* An address with no RAM or device behind it on the board (and in QEMU's virt). */
#define UNMAPPED_ADDR 0x28000000u

static volatile uint32_t trap_count, t_cause, t_epc, t_tval, t_mstatus, t_vector;
/* nonzero: resume at this address instead of after the faulting instruction */
static volatile uint32_t resume_at;
static volatile uint32_t msip_seen;

void m_trap_handler(struct trap_frame *f)
{
    (void)f;
    uint32_t cause = csr_read(mcause);
    trap_count++;
    t_cause = cause;
    t_epc = csr_read(mepc);
    t_tval = csr_read(mtval);
    t_mstatus = csr_read(mstatus);
    t_vector = csr_read(sscratch); /* set by the vector stubs below */
    csr_write(sscratch, 0);
    if (cause & MCAUSE_INTERRUPT) {
        if ((cause & 0xff) == IRQ_M_SOFT) {
            mmio_write32(CLINT_MSIP, 0);
            msip_seen++;
        }
        return; /* interrupts resume at mepc */
    }
    if (resume_at) {
        csr_write(mepc, resume_at);
        resume_at = 0;
    } else {
        csr_write(mepc, t_epc + insn_length(t_epc));
    }
}

/* Runs `insn` (with operands) at a known address; *pc receives that address. */
#define AT(pc, insn, ...)                                                         \
    __asm__ volatile("la %0, 1f\n"                                                \
                     "1: " insn                                                   \
                     : "=&r"(pc) __VA_ARGS__)

static void expect_trap(uint32_t before, uint32_t cause, uint32_t pc, uint32_t tval,
                        const char *what)
{
    vm_checks++;
    if (trap_count != before + 1 || t_cause != cause || t_epc != pc || t_tval != tval) {
        vm_failures++;
        kprintf("FAIL: %s: traps=%u mcause=%x mepc=%x mtval=%x, want 1 trap mcause=%x "
                "mepc=%x mtval=%x\n",
                what, trap_count - before, t_cause, t_epc, t_tval, cause, pc, tval);
    }
}

static void test_ecall_ebreak(void)
{
    uint32_t pc, before = trap_count;
    AT(pc, "ecall", : : "memory");
    expect_trap(before, CAUSE_MACHINE_ECALL, pc, 0, "ecall from M");
    CHECK_EQ((t_mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, PRV_M, "ecall from M: MPP = M");

    before = trap_count;
    AT(pc, "ebreak", : : "memory");
    vm_checks++;
    if (trap_count != before + 1 || t_cause != CAUSE_BREAKPOINT || t_epc != pc ||
        (t_tval != 0 && t_tval != pc)) {
        vm_failures++;
        kprintf("FAIL: ebreak: mcause=%x mepc=%x mtval=%x\n", t_cause, t_epc, t_tval);
    }
    kprintf("ebreak: mtval = %s\n", t_tval == 0 ? "0" : "pc");

    before = trap_count;
    AT(pc, "c.ebreak", : : "memory");
    vm_checks++;
    if (trap_count != before + 1 || t_cause != CAUSE_BREAKPOINT || t_epc != pc ||
        (t_tval != 0 && t_tval != pc)) {
        vm_failures++;
        kprintf("FAIL: c.ebreak: mcause=%x mepc=%x mtval=%x\n", t_cause, t_epc, t_tval);
    }
}

static void test_illegal(void)
{
    uint32_t pc, before = trap_count;
    /* custom-0 opcode: no such instruction on this hart (objdump shows it as .4byte) */
    AT(pc, ".insn r CUSTOM_0, 0, 0, a0, a1, a2", : : "memory");
    expect_trap(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x00c5850b, "custom-0 opcode");

    before = trap_count;
    AT(pc, "csrw cycle, t0", : : "memory"); /* write to a read-only CSR */
    expect_trap(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0xc0029073, "write to read-only CSR cycle");

    before = trap_count;
    AT(pc, ".insn 0x0000", : : "memory"); /* the all-zero 16-bit word is defined illegal */
    expect_trap(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0, "all-zero 16-bit instruction");

    before = trap_count;
    AT(pc, "csrr t0, 0x7ff", : : "t0", "memory"); /* a CSR number nobody implements */
    expect_trap(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x7ff022f3, "read of unimplemented CSR 0x7ff");
}

static volatile uint8_t buf[16] __attribute__((aligned(16)));

static void test_misaligned(void)
{
    for (int i = 0; i < 16; i++)
        buf[i] = (uint8_t)(0x10 + i);
    uint32_t pc, v = 0, before = trap_count;
    volatile uint8_t *p = buf + 1;
    AT(pc, "lw %1, 0(%2)", , "=&r"(v) : "r"(p) : "memory");
    int lw_trapped = trap_count != before;
    if (lw_trapped)
        expect_trap(before, CAUSE_MISALIGNED_LOAD, pc, (uint32_t)p, "misaligned lw");
    else
        CHECK_EQ(v, 0x14131211, "misaligned lw without trap loads the right value");

    before = trap_count;
    p = buf + 3;
    AT(pc, "lh %1, 0(%2)", , "=&r"(v) : "r"(p) : "memory");
    if (trap_count != before)
        expect_trap(before, CAUSE_MISALIGNED_LOAD, pc, (uint32_t)p, "misaligned lh");
    else
        CHECK_EQ(v, 0x1413, "misaligned lh without trap loads the right value");

    before = trap_count;
    p = buf + 6;
    AT(pc, "sw %1, 0(%2)", : "r"(0xa1b2c3d4u), "r"(p) : "memory");
    int sw_trapped = trap_count != before;
    if (sw_trapped) {
        expect_trap(before, CAUSE_MISALIGNED_STORE, pc, (uint32_t)p, "misaligned sw");
        CHECK_EQ(buf[6], 0x16, "trapped misaligned sw leaves memory alone");
    } else {
        CHECK(buf[6] == 0xd4 && buf[7] == 0xc3 && buf[8] == 0xb2 && buf[9] == 0xa1,
              "misaligned sw without trap stores the right bytes");
    }

    before = trap_count;
    p = buf + 11;
    AT(pc, "sh %1, 0(%2)", : "r"(0x5566u), "r"(p) : "memory");
    if (trap_count != before)
        expect_trap(before, CAUSE_MISALIGNED_STORE, pc, (uint32_t)p, "misaligned sh");
    else
        CHECK(buf[11] == 0x66 && buf[12] == 0x55, "misaligned sh without trap stores the right bytes");

    kprintf("misaligned loads/stores: %s\n", lw_trapped && sw_trapped ? "trap (mtval = address)"
                                             : !lw_trapped && !sw_trapped ? "handled without a trap"
                                                                          : "mixed");
}

static void test_access_faults(void)
{
    uint32_t pc, v, before = trap_count;
    AT(pc, "lw %1, 0(%2)", , "=&r"(v) : "r"(UNMAPPED_ADDR) : "memory");
    expect_trap(before, CAUSE_LOAD_ACCESS, pc, UNMAPPED_ADDR, "load from unmapped address");

    before = trap_count;
    AT(pc, "sw zero, 8(%1)", : "r"(UNMAPPED_ADDR) : "memory");
    expect_trap(before, CAUSE_STORE_ACCESS, pc, UNMAPPED_ADDR + 8, "store to unmapped address");

    before = trap_count;
    AT(pc, "lbu %1, 3(%2)", , "=&r"(v) : "r"(UNMAPPED_ADDR) : "memory");
    expect_trap(before, CAUSE_LOAD_ACCESS, pc, UNMAPPED_ADDR + 3, "byte load from unmapped address");

    /* fetch from an unmapped address: mepc = mtval = target; resume at the return point */
    uint32_t ret;
    before = trap_count;
    __asm__ volatile("la %0, 1f\n\t"
                     "sw %0, 0(%1)\n\t"
                     "jalr ra, 0(%2)\n"
                     "1:"
                     : "=&r"(ret)
                     : "r"(&resume_at), "r"(UNMAPPED_ADDR + 0x100)
                     : "ra", "memory");
    expect_trap(before, CAUSE_FETCH_ACCESS, UNMAPPED_ADDR + 0x100, UNMAPPED_ADDR + 0x100,
                "fetch from unmapped address");
    kprintf("access faults: load, store and fetch at %x\n", UNMAPPED_ADDR);
}

/* Vector table: every entry records its index in sscratch and joins m_trap_vector. */
__asm__(".text\n"
        ".balign 256\n"
        ".option push\n"
        ".option norvc\n"                 /* each entry must be one 4-byte jump */
        ".globl vector_table\n"
        "vector_table:\n"
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
        "    j vector_stub_\\n\n"
        ".endr\n"
        ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
        "vector_stub_\\n:\n"
        "    csrwi sscratch, 16 + \\n\n"   /* 16..31: entry n was used */
        "    j m_trap_vector\n"
        ".endr\n"
        ".balign 4\n"
        ".globl direct_entry\n"
        "direct_entry:\n"
        "    csrwi sscratch, 1\n"          /* 1: the direct-mode entry was used */
        "    j m_trap_vector\n"
        ".option pop\n");
void vector_table(void);
void direct_entry(void);

static void raise_msip(void)
{
    uint32_t before = msip_seen;
    csr_set(mie, 1u << IRQ_M_SOFT);
    mmio_write32(CLINT_MSIP, 1);
    csr_set(mstatus, MSTATUS_MIE);
    for (int i = 0; i < 1000 && msip_seen == before; i++)
        ;
    csr_clear(mstatus, MSTATUS_MIE);
    csr_clear(mie, 1u << IRQ_M_SOFT);
}

static void test_mtvec_modes(void)
{
    uint32_t saved = csr_read(mtvec), pc, before;

    /* direct mode: exceptions and interrupts both go to BASE */
    csr_write(mtvec, (uint32_t)direct_entry);
    before = trap_count;
    AT(pc, "ecall", : : "memory");
    expect_trap(before, CAUSE_MACHINE_ECALL, pc, 0, "direct mtvec: ecall");
    CHECK_EQ(t_vector, 1, "direct mtvec: ecall enters at BASE");
    raise_msip();
    CHECK_EQ(msip_seen, 1, "direct mtvec: machine software interrupt taken");
    CHECK_EQ(t_cause, MCAUSE_INTERRUPT | IRQ_M_SOFT, "direct mtvec: mcause = interrupt 3");
    CHECK_EQ(t_vector, 1, "direct mtvec: interrupt enters at BASE");
    CHECK(t_mstatus & MSTATUS_MPIE, "interrupt: MPIE holds the old MIE");
    CHECK(!(t_mstatus & MSTATUS_MIE), "interrupt: MIE cleared in the handler");

    /* vectored mode: exceptions to BASE, interrupt n to BASE + 4n */
    csr_write(mtvec, (uint32_t)vector_table | 1);
    if ((csr_read(mtvec) & 3) != 1) {
        vm_checks++;
        vm_failures++;
        kprintf("FAIL: vectored mtvec mode not accepted\n");
    } else {
        before = trap_count;
        AT(pc, "ecall", : : "memory");
        expect_trap(before, CAUSE_MACHINE_ECALL, pc, 0, "vectored mtvec: ecall");
        CHECK_EQ(t_vector, 16 + 0, "vectored mtvec: exceptions enter at BASE");
        raise_msip();
        CHECK_EQ(msip_seen, 2, "vectored mtvec: machine software interrupt taken");
        CHECK_EQ(t_cause, MCAUSE_INTERRUPT | IRQ_M_SOFT, "vectored mtvec: mcause = interrupt 3");
        CHECK_EQ(t_vector, 16 + 3, "vectored mtvec: interrupt 3 enters at BASE + 12");
    }
    csr_write(mtvec, saved);
    kprintf("mtvec: direct and vectored modes\n");
}

int main(void)
{
    kprintf("m_traps: start\n");
    test_ecall_ebreak();
    test_illegal();
    test_misaligned();
    test_access_faults();
    test_mtvec_modes();
    return VM_FINISH("m_traps");
}
