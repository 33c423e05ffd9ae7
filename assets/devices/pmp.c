/* pmp: physical memory protection as QEMU's virt hart has it (16 entries): the CSRs, NAPOT,
   TOR and NA4 regions, the lowest-numbered matching entry deciding, U-mode loads, stores and
   fetches refused with access faults (mtval the address), an S/U access no entry matches refused,
   M-mode bound only by locked entries, and a locked entry ignoring writes. Prints only what the
   program controls, so that vmscope and qemu-system-riscv32 -M virt -bios none print the same. */
#include "vmscope_system.h"

#define NAPOT 0x18u
#define TOR 0x08u
#define NA4 0x10u
#define R 1u
#define W 2u
#define X 4u
#define L 0x80u
#define FAULTED 0xfau

static volatile uint32_t last_cause, last_tval;
static uint32_t data_a[1024] __attribute__((aligned(4096)));
static uint32_t data_b[1024] __attribute__((aligned(4096)));

/* A function alone in its 4 KiB page, for execute permission. */
__attribute__((noinline, aligned(4096), section(".text.xpage"))) static uint32_t in_x_page(uint32_t v) { return v + 1; }

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    if ((cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL) && f->regs[REG_A7] == ECALL_RETURN) {
        m_return_from_lower(f);
        return;
    }
    last_cause = cause;
    last_tval = csr_read(mtval);
    if (cause == 1 || cause == 5 || cause == 7) {
        if ((csr_read(mstatus) & MSTATUS_MPP) == 0) { /* from U: back to the test */
            f->regs[REG_A0] = FAULTED;
            m_return_from_lower(f);
            return;
        }
        csr_write(mepc, csr_read(mepc) + insn_length(csr_read(mepc))); /* from M: skip it */
        return;
    }
    kprintf("FAIL: unexpected trap mcause=%x mepc=%x\n", cause, csr_read(mepc));
    vm_exit(3);
}

static uint32_t u_load(uint32_t addr) { return *(volatile uint32_t *)addr; }
static uint32_t u_store(uint32_t addr)
{
    *(volatile uint32_t *)addr = 0x55;
    return 0;
}
static uint32_t u_call(uint32_t v) { return in_x_page(v); }

#ifdef PMP_GRANULES
/* A page of straight-line code for a PMP boundary inside it: a0 += 1 at +0, +4, +8 and +12; a
   compressed add at +16 and a 32-bit one at +18, whose upper half lies in the granule at +20. */
__attribute__((naked, aligned(4096), section(".text.split"))) static uint32_t split_page(__attribute__((unused)) uint32_t v)
{
    __asm__ volatile(".option push\n.option norvc\n"
                     "addi a0, a0, 1\naddi a0, a0, 1\naddi a0, a0, 1\naddi a0, a0, 1\n"
                     ".option rvc\nc.addi a0, 1\n.option norvc\naddi a0, a0, 1\n"
                     "addi a0, a0, 1\nret\n.option pop\n");
}
static uint32_t u_split(uint32_t v) { return split_page(v); }
#endif

static uint32_t napot(const void *base, uint32_t size) { return ((uint32_t)base >> 2) | ((size >> 3) - 1); }
static void set_cfg(unsigned entry, uint32_t cfg)
{
    uint32_t shift = 8 * (entry % 4);
    switch (entry / 4) {
    case 0: csr_write(pmpcfg0, (csr_read(pmpcfg0) & ~(0xffu << shift)) | cfg << shift); break;
    case 1: csr_write(pmpcfg1, (csr_read(pmpcfg1) & ~(0xffu << shift)) | cfg << shift); break;
    case 2: csr_write(pmpcfg2, (csr_read(pmpcfg2) & ~(0xffu << shift)) | cfg << shift); break;
    default: csr_write(pmpcfg3, (csr_read(pmpcfg3) & ~(0xffu << shift)) | cfg << shift); break;
    }
    __asm__ volatile("sfence.vma" ::: "memory");
}

static void test_csrs(void)
{
    csr_write(pmpaddr15, 0xffffffffu); /* the catch-all, last: everything RWX */
    set_cfg(15, NAPOT | R | W | X);
    set_cfg(0, 0);
    CHECK_EQ(csr_read(pmpcfg3) >> 24, NAPOT | R | W | X, "pmpcfg3 holds entry 15");
    CHECK_EQ(csr_read(pmpaddr15), 0xffffffffu, "pmpaddr15 reads back");
    csr_write(pmpaddr1, 0x12345678u);
    CHECK_EQ(csr_read(pmpaddr1), 0x12345678u, "pmpaddr1 reads back");
    csr_write(pmpcfg1, 0x1f1f1f1fu);
    CHECK_EQ(csr_read(pmpcfg1), 0x1f1f1f1fu, "pmpcfg1 reads back");
    csr_write(pmpcfg1, 0);
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)data_a), 0, "U loads through the catch-all");
    kprintf("pmp: 16 entries, the catch-all last\n");
}

static void test_napot_and_priority(void)
{
    data_a[0] = 7;
    csr_write(pmpaddr0, napot(data_a, 4096));
    set_cfg(0, NAPOT | R); /* page A: read-only */
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)data_a), 7, "U reads the read-only page");
    CHECK_EQ(m_enter_lower(PRV_U, u_store, (uint32_t)&data_a[3]), FAULTED, "U may not write it");
    CHECK_EQ(last_cause, CAUSE_STORE_ACCESS, "a store access fault");
    CHECK_EQ(last_tval, (uint32_t)&data_a[3], "mtval: the address");
    CHECK_EQ(m_enter_lower(PRV_U, u_store, (uint32_t)data_b), 0, "page B: the catch-all allows it");
    ((volatile uint32_t *)data_a)[5] = 1;
    CHECK_EQ(((volatile uint32_t *)data_a)[5], 1, "M ignores an unlocked entry");
    csr_write(pmpaddr1, napot(data_a, 8192)); /* entry 1 would allow A and B: entry 0 still decides A */
    set_cfg(1, NAPOT | R | W);
    CHECK_EQ(m_enter_lower(PRV_U, u_store, (uint32_t)data_a), FAULTED, "the lowest matching entry decides");
    set_cfg(1, 0);
    set_cfg(0, 0);
    kprintf("pmp: NAPOT read-only page, priority by entry number\n");
}

static void test_tor_and_na4(void)
{
    csr_write(pmpaddr2, (uint32_t)&data_b[0] >> 2);
    csr_write(pmpaddr3, (uint32_t)&data_b[64] >> 2); /* TOR: [B, B + 256) */
    set_cfg(2, 0);
    set_cfg(3, TOR); /* no permissions */
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)&data_b[63]), FAULTED, "inside the TOR range: refused");
    CHECK_EQ(last_cause, CAUSE_LOAD_ACCESS, "a load access fault");
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)&data_b[64]), 0, "its top is outside");
    set_cfg(3, 0);
    csr_write(pmpaddr4, (uint32_t)&data_b[10] >> 2);
    set_cfg(4, NA4 | W | R);
    set_cfg(5, 0);
    csr_write(pmpaddr5, (uint32_t)&data_b[11] >> 2);
    set_cfg(5, NA4);
    CHECK_EQ(m_enter_lower(PRV_U, u_store, (uint32_t)&data_b[10]), 0, "NA4: that word writable");
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)&data_b[11]), FAULTED, "NA4: the next word refused");
    CHECK_EQ(last_tval, (uint32_t)&data_b[11], "mtval: that word");
    set_cfg(4, 0);
    set_cfg(5, 0);
    kprintf("pmp: a TOR range and NA4 words\n");
}

static void test_execute_and_no_match(void)
{
    csr_write(pmpaddr0, napot((const void *)in_x_page, 4096));
    set_cfg(0, NAPOT | R); /* readable, not executable */
    CHECK_EQ(m_enter_lower(PRV_U, u_call, 1), FAULTED, "U may not execute a page without X");
    CHECK_EQ(last_cause, CAUSE_FETCH_ACCESS, "an instruction access fault");
    CHECK_EQ(last_tval, (uint32_t)in_x_page, "mtval: the function");
    set_cfg(0, NAPOT | R | X);
    CHECK_EQ(m_enter_lower(PRV_U, u_call, 1), 2, "with X it runs");
    csr_write(pmpaddr1, napot(data_b, 4096)); /* (one rule stays: QEMU refuses MRET to U with none) */
    set_cfg(1, NAPOT | R);
    set_cfg(0, 0);
    set_cfg(15, 0); /* no entry matches the program's code now */
    CHECK_EQ(m_enter_lower(PRV_U, u_load, (uint32_t)data_a), FAULTED, "U matching no entry: refused");
    CHECK_EQ(last_cause, CAUSE_FETCH_ACCESS, "(its first fetch)");
    ((volatile uint32_t *)data_a)[1] = 3;
    CHECK_EQ(((volatile uint32_t *)data_a)[1], 3, "M matching no entry: allowed");
    set_cfg(15, NAPOT | R | W | X);
    set_cfg(1, 0);
    kprintf("pmp: execute permission; no match refuses U, allows M\n");
}

#ifdef PMP_GRANULES
/* PMP's granule is 4 bytes, not a page: execute permission ends inside a page of code (the
   privileged spec, 3.7.1; Spike). Built apart (pmp_granules.elf): qemu-system-riscv32 7.2 lets
   all of a page run once its first instruction passed, so pmp.elf leaves this out. */
static void test_execute_boundary_in_a_page(void)
{
    const uint32_t page = (uint32_t)split_page;
    csr_write(pmpaddr1, napot((const void *)page, 4096));
    set_cfg(1, NAPOT | R); /* the page: readable, not executable ... */
    csr_write(pmpaddr0, (page + 16) >> 2);
    set_cfg(0, TOR | R | W | X); /* ... but for all below page + 16 */
    CHECK_EQ(m_enter_lower(PRV_U, u_split, 10), FAULTED, "U runs into the end of X inside a page");
    CHECK_EQ(last_cause, CAUSE_FETCH_ACCESS, "an instruction access fault");
    CHECK_EQ(last_tval, page + 16, "mtval: the first instruction past the boundary");
    csr_write(pmpaddr0, (page + 20) >> 2);
    set_cfg(0, TOR | R | W | X);
    CHECK_EQ(m_enter_lower(PRV_U, u_split, 10), FAULTED, "a 32-bit instruction half past the boundary");
    CHECK_EQ(last_cause, CAUSE_FETCH_ACCESS, "an instruction access fault");
    CHECK_EQ(last_tval, page + 20, "mtval: its upper half (the fetch that failed)");
    csr_write(pmpaddr0, (page + 4096) >> 2);
    set_cfg(0, TOR | R | W | X);
    CHECK_EQ(m_enter_lower(PRV_U, u_split, 10), 17, "with the whole page executable all of it runs");
    set_cfg(0, 0);
    set_cfg(1, 0);
    kprintf("pmp: execute permission ends inside a page\n");
}
#endif

static void test_lock(void)
{
    csr_write(pmpaddr0, napot(data_b, 4096));
    set_cfg(0, NAPOT | R | L); /* locked, read-only: now binding on M too, until reset */
    ((volatile uint32_t *)data_b)[2] = 9; /* faults and is skipped */
    CHECK_EQ(last_cause, CAUSE_STORE_ACCESS, "M's store to a locked read-only entry faults");
    CHECK(((volatile uint32_t *)data_b)[2] != 9, "... and does not happen");
    set_cfg(0, NAPOT | R | W);
    CHECK_EQ(csr_read(pmpcfg0) & 0xff, NAPOT | R | L, "a locked entry ignores its configuration's writes");
    csr_write(pmpaddr0, 0);
    CHECK_EQ(csr_read(pmpaddr0), napot(data_b, 4096), "... and its address's");
    kprintf("pmp: a locked entry binds M and keeps its settings\n");
}

int main(void)
{
    csr_write(medeleg, 0); /* every trap to M */
    test_csrs();
    test_napot_and_priority();
    test_tor_and_na4();
    test_execute_and_no_match();
#ifdef PMP_GRANULES
    test_execute_boundary_in_a_page();
#endif
    test_lock();
    return VM_FINISH("pmp");
}
