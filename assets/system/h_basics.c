/* h_basics: the hypervisor extension seen from M-mode: misa.H and the H CSRs' WARL fields,
   entering VS-mode (mstatush.MPV and MRET), the S CSRs aliased to the VS ones there, ECALL
   from VS, virtual-instruction exceptions, two-stage translation (Sv32 over Sv32x4) with page
   faults and guest-page faults (mtval2, mstatush.GVA), a page fault delegated to the guest's
   own handler (medeleg + hedeleg), HLV/HSV from M-mode and a VS-level interrupt injected
   through hvip. Run with --hypervisor (qemu-system-riscv32: -cpu rv32,h=true). */
#include "vmscope_system.h"

/* Says to vmscope that this program wants a hart with the hypervisor extension (vmscope then
   gives it one without --hypervisor). Referenced below, so that the linker keeps it. */
const volatile char vmscope_needs_hypervisor[] = "H";

/* CSR numbers (the assembler need not know the H extension's names). */
#define mstatush 0x310
#define mtinst 0x34a
#define mtval2 0x34b
#define hstatus 0x600
#define hedeleg 0x602
#define hideleg 0x603
#define hie 0x604
#define hcounteren 0x606
#define hip 0x644
#define hvip 0x645
#define hgatp 0x680
#define vsstatus 0x200
#define vstvec 0x205
#define vsscratch 0x240
#define vsepc 0x241
#define vscause 0x242
#define vstval 0x243
#define vsatp 0x280

#define MSTATUSH_GVA (1u << 6)
#define MSTATUSH_MPV (1u << 7)
#define HSTATUS_SPVP (1u << 8)
#define HSTATUS_HU (1u << 9)
#define HSTATUS_VTSR (1u << 22)
#define MISA_H (1u << 7)
#define CAUSE_VS_ECALL 10
#define CAUSE_LOAD_GUEST_PAGE_FAULT 21
#define CAUSE_VIRTUAL_INSTRUCTION 22
#define CAUSE_STORE_GUEST_PAGE_FAULT 23
#define IRQ_VS_SOFT 2

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define LEAF_PTE(pa, flags) ((((uint32_t)(pa)) >> 12) << 10 | (flags) | PTE_V | PTE_A | PTE_D)
#define TABLE_PTE(pa) ((((uint32_t)(pa)) >> 12) << 10 | PTE_V)

/* The guest's addresses: VA 0x40000000 -> GPA 0xc0000000 -> the host page `guest_data`;
   VA 0x40001000 -> GPA 0xd0000000, which the G-stage does not map; VA 0x40002000 unmapped. */
#define VA_DATA 0x40000000u
#define VA_NO_GPA 0x40001000u
#define VA_UNMAPPED 0x40002000u
#define GPA_DATA 0xc0000000u
#define GPA_NONE 0xd0000000u

static uint32_t g_root[4096] __attribute__((aligned(16384))); /* Sv32x4: a 16 KiB root */
static uint32_t g_l0[1024] __attribute__((aligned(4096)));
static uint32_t vs_root[1024] __attribute__((aligned(4096)));
static uint32_t vs_l0[1024] __attribute__((aligned(4096)));
static volatile uint32_t guest_data[1024] __attribute__((aligned(4096)));

/* ---- M-mode trap handler: records the trap; skips an expected faulting instruction ---- */
static volatile uint32_t m_traps, m_cause, m_tval, m_tval2, m_mstatush, m_mpp;

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    if ((cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL || cause == CAUSE_VS_ECALL) &&
        f->regs[REG_A7] == ECALL_RETURN) {
        csr_clear(mstatush, MSTATUSH_MPV); /* back to M: not into the guest */
        m_return_from_lower(f);
        return;
    }
    m_traps++;
    m_cause = cause;
    m_tval = csr_read(mtval);
    m_tval2 = csr_read(mtval2);
    m_mstatush = csr_read(mstatush);
    m_mpp = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    if (cause & MCAUSE_INTERRUPT) {
        kprintf("FAIL: unexpected interrupt in M: mcause=%08x\n", cause);
        vm_exit(3);
    }
    uint32_t epc = csr_read(mepc);
    csr_write(mepc, epc + insn_length(epc));
}

/* ---- the guest's own handler (VS-mode, through vstvec = s_trap_vector) ---- */
static volatile uint32_t vs_traps, vs_cause, vs_tval;

void s_trap_handler(struct trap_frame *f)
{
    (void)f;
    vs_traps++;
    vs_cause = csr_read(scause); /* in VS-mode: vscause */
    vs_tval = csr_read(stval);
    if (vs_cause & MCAUSE_INTERRUPT) {
        csr_clear(sip, 1u << IRQ_S_SOFT); /* vsip.SSIP: hvip.VSSIP */
        return;
    }
    csr_write(sepc, csr_read(sepc) + 4);
}

/* Runs fn(arg) in VS-mode and returns its result. */
static uint32_t in_vs(uint32_t (*fn)(uint32_t), uint32_t arg)
{
    csr_set(mstatush, MSTATUSH_MPV);
    return m_enter_lower(PRV_S, fn, arg);
}

/* ---- code that runs in VS-mode ---- */
static uint32_t vs_read_csrs(uint32_t value)
{
    csr_write(sscratch, value); /* vsscratch */
    return csr_read(sstatus);   /* vsstatus */
}
static uint32_t vs_read_hstatus(uint32_t unused)
{
    (void)unused;
    return csr_read(hstatus);
}
static uint32_t vs_read_mstatus(uint32_t unused)
{
    (void)unused;
    return csr_read(mstatus);
}
static uint32_t vs_sret(uint32_t unused)
{
    (void)unused;
    __asm__ volatile("sret");
    return 0;
}
static uint32_t vs_ecall(uint32_t unused)
{
    (void)unused;
    register uint32_t a7 __asm__("a7") = 0x123;
    __asm__ volatile("ecall" : : "r"(a7));
    return 0;
}
static uint32_t vs_load(uint32_t va) { return *(volatile uint32_t *)va; }
static uint32_t vs_store(uint32_t value)
{
    *(volatile uint32_t *)VA_DATA = value;
    return 0;
}
static uint32_t vs_store_no_gpa(uint32_t value)
{
    *(volatile uint32_t *)VA_NO_GPA = value;
    return 0;
}
static uint32_t vs_take_interrupt(uint32_t unused)
{
    (void)unused;
    csr_set(sie, 1u << IRQ_S_SOFT);   /* vsie.SSIE: mie.VSSIE */
    csr_set(sstatus, MSTATUS_SIE);    /* vsstatus.SIE: the interrupt is taken here */
    csr_clear(sstatus, MSTATUS_SIE);
    return vs_traps;
}

/* ---- the tests, from M-mode ---- */
static void test_csrs(void)
{
    CHECK(csr_read(misa) & MISA_H, "misa.H is set");
    csr_write(hedeleg, 0xffffffffu);
    kprintf("hedeleg after writing all ones: 0x%08x\n", csr_read(hedeleg));
    CHECK_EQ(csr_read(hedeleg), 0xb1ff, "hedeleg: ECALLs from HS/VS/M, guest-page faults and virtual instruction stay with HS");
    csr_write(hedeleg, 0);
    csr_write(hideleg, 0xffffffffu);
    CHECK_EQ(csr_read(hideleg), 0x444, "hideleg: only the VS-level interrupts");
    csr_write(hideleg, 0);
    csr_write(hvip, 0xffffffffu);
    CHECK_EQ(csr_read(hvip), 0x444, "hvip: VSSIP, VSTIP, VSEIP");
    csr_write(hvip, 0);
    csr_write(hstatus, HSTATUS_VTSR | HSTATUS_HU | HSTATUS_SPVP);
    CHECK_EQ(csr_read(hstatus), HSTATUS_VTSR | HSTATUS_HU | HSTATUS_SPVP, "hstatus keeps VTSR, HU, SPVP");
    csr_write(hstatus, 0);
    csr_write(mideleg, 0x222); /* as firmware does */
    CHECK_EQ(csr_read(mideleg) & 0x444, 0x444, "mideleg: the VS-level interrupts are always delegated to HS");
    csr_write(hcounteren, 7);
    CHECK_EQ(csr_read(hcounteren) & 7, 7, "hcounteren holds CY, TM, IR");
    csr_write(vsscratch, 0x1234);
    CHECK_EQ(csr_read(vsscratch), 0x1234, "vsscratch from M");
    kprintf("H CSRs: WARL fields as the spec says\n");
}

static void test_vs_mode(void)
{
    csr_write(vsstatus, MSTATUS_SUM);
    uint32_t s = in_vs(vs_read_csrs, 0xcafe);
    CHECK_EQ(s, MSTATUS_SUM, "in VS, sstatus is vsstatus");
    CHECK_EQ(csr_read(vsscratch), 0xcafe, "in VS, sscratch is vsscratch");
    CHECK(csr_read(sscratch) != 0xcafe, "HS's sscratch untouched");
    csr_write(vsstatus, 0);

    m_traps = 0;
    in_vs(vs_read_hstatus, 0);
    CHECK_EQ(m_cause, CAUSE_VIRTUAL_INSTRUCTION, "hstatus read in VS: virtual instruction");
    CHECK_EQ(m_mstatush & MSTATUSH_MPV, MSTATUSH_MPV, "the trap came from V=1 (mstatush.MPV)");
    CHECK_EQ(m_mpp, PRV_S, "... from VS (MPP = S)");
    in_vs(vs_read_mstatus, 0);
    CHECK_EQ(m_cause, CAUSE_ILLEGAL_INSTRUCTION, "mstatus read in VS: illegal instruction");
    csr_write(hstatus, HSTATUS_VTSR);
    in_vs(vs_sret, 0);
    CHECK_EQ(m_cause, CAUSE_VIRTUAL_INSTRUCTION, "SRET in VS with hstatus.VTSR: virtual instruction");
    csr_write(hstatus, 0);
    in_vs(vs_ecall, 0);
    CHECK_EQ(m_cause, CAUSE_VS_ECALL, "ECALL in VS: environment call from VS-mode");
    CHECK_EQ(m_traps, 4, "four traps to M");
    kprintf("VS-mode: aliased S CSRs, virtual-instruction exceptions, ECALL from VS\n");
}

static void build_tables(void)
{
    /* G-stage (every leaf U): identity for the devices and the program's RAM, GPA_DATA to guest_data. */
    g_root[0x000] = LEAF_PTE(0x00000000u, PTE_R | PTE_W | PTE_U);
    g_root[0x040] = LEAF_PTE(0x10000000u, PTE_R | PTE_W | PTE_U);
    g_root[0x200] = LEAF_PTE(0x80000000u, PTE_R | PTE_W | PTE_X | PTE_U);
    g_root[GPA_DATA >> 22] = TABLE_PTE(g_l0);
    g_l0[(GPA_DATA >> 12) & 0x3ff] = LEAF_PTE(guest_data, PTE_R | PTE_W | PTE_U);
    /* VS-stage: identity for the program's RAM (the guest's kernel pages), VA_DATA and VA_NO_GPA. */
    vs_root[0x200] = LEAF_PTE(0x80000000u, PTE_R | PTE_W | PTE_X);
    vs_root[VA_DATA >> 22] = TABLE_PTE(vs_l0);
    vs_l0[(VA_DATA >> 12) & 0x3ff] = LEAF_PTE(GPA_DATA, PTE_R | PTE_W);
    vs_l0[(VA_NO_GPA >> 12) & 0x3ff] = LEAF_PTE(GPA_NONE, PTE_R | PTE_W);
    csr_write(hgatp, (1u << 31) | (1u << 22) | ((uint32_t)g_root >> 12)); /* Sv32x4, VMID 1 */
    csr_write(vsatp, (1u << 31) | ((uint32_t)vs_root >> 12));             /* Sv32 */
    __asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");    /* hfence.gvma */
}

static void test_two_stage(void)
{
    build_tables();
    guest_data[0] = 0x600d0001;
    CHECK_EQ(in_vs(vs_load, VA_DATA), 0x600d0001, "VS load through both stages");
    in_vs(vs_store, 0x600d0002);
    CHECK_EQ(guest_data[0], 0x600d0002, "VS store through both stages");

    m_traps = 0;
    in_vs(vs_load, VA_NO_GPA);
    CHECK_EQ(m_cause, CAUSE_LOAD_GUEST_PAGE_FAULT, "no G-stage mapping: load guest-page fault");
    CHECK_EQ(m_tval, VA_NO_GPA, "mtval: the guest virtual address");
    CHECK_EQ(m_tval2, GPA_NONE >> 2, "mtval2: the guest physical address >> 2");
    CHECK_EQ(m_mstatush & MSTATUSH_GVA, MSTATUSH_GVA, "mstatush.GVA: mtval is a guest virtual address");
    in_vs(vs_store_no_gpa, 1);
    CHECK_EQ(m_cause, CAUSE_STORE_GUEST_PAGE_FAULT, "... store guest-page fault");
    CHECK_EQ(m_tval2, GPA_NONE >> 2, "... mtval2");
    in_vs(vs_load, VA_UNMAPPED);
    CHECK_EQ(m_cause, CAUSE_LOAD_PAGE_FAULT, "no VS-stage mapping: the guest's own load page fault");
    CHECK_EQ(m_tval, VA_UNMAPPED, "... mtval");
    CHECK_EQ(m_tval2, 0, "... mtval2 = 0");
    CHECK_EQ(m_traps, 3, "three traps to M");

    /* Delegated to HS (medeleg), then on to VS (hedeleg): the guest's handler sees it. */
    csr_write(medeleg, 1u << CAUSE_LOAD_PAGE_FAULT);
    csr_write(hedeleg, 1u << CAUSE_LOAD_PAGE_FAULT);
    csr_write(vstvec, (uint32_t)s_trap_vector);
    extern char __s_trap_stack_top[];
    csr_write(vsscratch, (uint32_t)__s_trap_stack_top);
    m_traps = vs_traps = 0;
    in_vs(vs_load, VA_UNMAPPED);
    CHECK_EQ(vs_traps, 1, "the guest's handler took its page fault");
    CHECK_EQ(vs_cause, CAUSE_LOAD_PAGE_FAULT, "vscause");
    CHECK_EQ(vs_tval, VA_UNMAPPED, "vstval");
    CHECK_EQ(m_traps, 0, "M saw nothing");
    csr_write(medeleg, 0);
    csr_write(hedeleg, 0);
    kprintf("two-stage translation: loads, stores, page faults and guest-page faults\n");
}

static void test_hlv_hsv(void)
{
    guest_data[1] = 0x11223344;
    csr_write(hstatus, HSTATUS_SPVP); /* as VS-mode */
    uint32_t v, addr = VA_DATA + 4;
    __asm__ volatile(".insn r 0x73, 4, 0x34, %0, %1, x0" : "=r"(v) : "r"(addr) : "memory"); /* hlv.w */
    CHECK_EQ(v, 0x11223344, "HLV.W from M reads through the guest's two stages");
    __asm__ volatile(".insn r 0x73, 4, 0x32, %0, %1, x1" : "=r"(v) : "r"(addr) : "memory"); /* hlv.hu */
    CHECK_EQ(v, 0x3344, "HLV.HU");
    __asm__ volatile(".insn r 0x73, 4, 0x30, %0, %1, x0" : "=r"(v) : "r"(addr + 3) : "memory"); /* hlv.b */
    CHECK_EQ(v, 0x11, "HLV.B");
    uint32_t w = 0xa5a5f00d;
    __asm__ volatile(".insn r 0x73, 4, 0x35, x0, %0, %1" : : "r"(addr), "r"(w) : "memory"); /* hsv.w */
    CHECK_EQ(guest_data[1], 0xa5a5f00d, "HSV.W writes through them");
    csr_write(hstatus, 0);
    kprintf("HLV/HSV: M-mode reads and writes the guest's memory as the guest sees it\n");
}

static void test_vs_interrupt(void)
{
    csr_write(hideleg, 1u << IRQ_VS_SOFT);
    csr_set(hie, 1u << IRQ_VS_SOFT);
    csr_write(hvip, 1u << IRQ_VS_SOFT); /* the hypervisor injects it */
    vs_traps = m_traps = 0;
    uint32_t taken = in_vs(vs_take_interrupt, 0);
    CHECK_EQ(taken, 1, "the guest took the injected interrupt");
    CHECK_EQ(vs_cause, MCAUSE_INTERRUPT | IRQ_S_SOFT, "as a supervisor software interrupt (vscause)");
    CHECK_EQ(csr_read(hvip), 0, "the guest cleared it through sip (hvip.VSSIP)");
    CHECK_EQ(m_traps, 0, "M saw nothing");
    csr_set(hie, 1u << IRQ_VS_SOFT);
    csr_write(hvip, 1u << IRQ_VS_SOFT);
    CHECK_EQ(csr_read(sie) & 0x1444, 0, "sie shows none of the VS-level enables (they are hie's)");
    CHECK_EQ(csr_read(sip) & 0x1444, 0, "sip shows none of the VS-level pending bits (they are hip's)");
    CHECK_EQ(csr_read(hip) & 0x444, 1u << IRQ_VS_SOFT, "hip shows the injected one");
    csr_write(hvip, 0);
    csr_write(hideleg, 0);
    csr_clear(hie, 1u << IRQ_VS_SOFT);
    kprintf("VS-level interrupt: injected through hvip, delegated with hideleg\n");
}

int main(void)
{
    kprintf("h_basics: start\n");
    if (vmscope_needs_hypervisor[0] != 'H' || !(csr_read(misa) & MISA_H)) {
        kprintf("h_basics: this hart has no hypervisor extension (misa.H = 0)\n");
        return 2;
    }
    test_csrs();
    test_vs_mode();
    test_two_stage();
    test_hlv_hsv();
    test_vs_interrupt();
    return VM_FINISH("h_basics");
}
