/* timer_interrupt: CLINT machine timer (pending vs enabled, N interrupts by spinning
   and by wfi), a supervisor timer forwarded through mip.STIP the SBI way, machine
   software interrupts via msip, and a supervisor software interrupt via sip.SSIP.
   Prints only counts the program controls. */
#include "vmscope_system.h"

#define DELTA 2000           /* mtime ticks between interrupts */
#define SPIN_LIMIT 200000000u /* give up (and fail) after this many loop iterations */
enum { SBI_SET_TIMER = 1, SBI_CLEAR_TIMER = 2 };

static volatile uint32_t m_timer_count, m_timer_target, s_timer_mode;
static volatile uint32_t msip_count, s_timer_count, s_soft_count, last_mcause, last_scause;

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    last_mcause = cause;
    if (cause == (MCAUSE_INTERRUPT | IRQ_M_TIMER)) {
        m_timer_count++;
        if (s_timer_mode) {
            csr_set(mip, 1u << IRQ_S_TIMER); /* forward to S */
            clint_set_mtimecmp(~0ull);
        } else if (m_timer_count < m_timer_target) {
            clint_set_mtimecmp(clint_mtime() + DELTA);
        } else {
            clint_set_mtimecmp(~0ull);
        }
        return;
    }
    if (cause == (MCAUSE_INTERRUPT | IRQ_M_SOFT)) {
        msip_count++;
        mmio_write32(CLINT_MSIP, 0);
        return;
    }
    if (cause == CAUSE_SUPERVISOR_ECALL) {
        switch (f->regs[REG_A7]) {
        case ECALL_RETURN:
            m_return_from_lower(f);
            return;
        case SBI_SET_TIMER:
            csr_clear(mip, 1u << IRQ_S_TIMER);
            clint_set_mtimecmp(clint_mtime() + f->regs[REG_A0]);
            break;
        case SBI_CLEAR_TIMER:
            csr_clear(mip, 1u << IRQ_S_TIMER);
            clint_set_mtimecmp(~0ull);
            break;
        }
        csr_write(mepc, csr_read(mepc) + 4);
        return;
    }
    kprintf("FAIL: unexpected M trap mcause=%x mepc=%x\n", cause, csr_read(mepc));
    vm_exit(3);
}

static void sbi_call(uint32_t which, uint32_t arg)
{
    register uint32_t a0 __asm__("a0") = arg;
    register uint32_t a7 __asm__("a7") = which;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}

void s_trap_handler(struct trap_frame *f)
{
    (void)f;
    uint32_t cause = csr_read(scause);
    last_scause = cause;
    if (cause == (MCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        s_timer_count++;
        /* S cannot clear STIP itself: ask M to, and to re-arm (or stop) the timer */
        if (s_timer_count < 6)
            sbi_call(SBI_SET_TIMER, DELTA);
        else
            sbi_call(SBI_CLEAR_TIMER, 0);
        return;
    }
    if (cause == (MCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        s_soft_count++;
        csr_clear(sip, 1u << IRQ_S_SOFT);
        return;
    }
    kprintf("FAIL: unexpected S trap scause=%x sepc=%x\n", cause, csr_read(sepc));
    vm_exit(3);
}

static void test_pending_not_taken(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    csr_set(mie, 1u << IRQ_M_TIMER);
    clint_set_mtimecmp(0); /* due at once */
    uint32_t pending = 0;
    for (uint32_t i = 0; i < 100000 && !pending; i++)
        pending = csr_read(mip) & (1u << IRQ_M_TIMER);
    CHECK(pending, "mtimecmp <= mtime: mip.MTIP set");
    CHECK_EQ(m_timer_count, 0, "MTIP pending with mstatus.MIE = 0: no interrupt");
    clint_set_mtimecmp(~0ull);
    for (uint32_t i = 0; i < 100000 && pending; i++)
        pending = csr_read(mip) & (1u << IRQ_M_TIMER);
    CHECK(!pending, "mtimecmp in the future: mip.MTIP clear");
    uint64_t t1 = clint_mtime();
    for (volatile int i = 0; i < 10000; i++)
        ;
    CHECK(clint_mtime() > t1, "mtime advances");
    kprintf("timer: pending without enable is not taken\n");
}

static void test_m_timer(void)
{
    /* by spinning */
    m_timer_count = 0;
    m_timer_target = 5;
    clint_set_mtimecmp(clint_mtime() + DELTA);
    csr_set(mie, 1u << IRQ_M_TIMER);
    csr_set(mstatus, MSTATUS_MIE);
    for (uint32_t i = 0; i < SPIN_LIMIT && m_timer_count < 5; i++)
        ;
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(m_timer_count, 5, "5 machine timer interrupts while spinning");
    CHECK_EQ(last_mcause, MCAUSE_INTERRUPT | IRQ_M_TIMER, "mcause = interrupt 7");
    kprintf("timer: %u machine timer interrupts while spinning\n", m_timer_count);

    /* by wfi: check with MIE clear, wfi (wakes on pending even so), then enable */
    m_timer_count = 0;
    m_timer_target = 5;
    clint_set_mtimecmp(clint_mtime() + DELTA);
    for (uint32_t i = 0; i < SPIN_LIMIT && m_timer_count < 5; i++) {
        csr_clear(mstatus, MSTATUS_MIE);
        if (m_timer_count < 5)
            __asm__ volatile("wfi");
        csr_set(mstatus, MSTATUS_MIE);
    }
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(m_timer_count, 5, "5 machine timer interrupts with wfi");
    kprintf("timer: %u machine timer interrupts with wfi\n", m_timer_count);
}

static void test_msip(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    csr_set(mie, 1u << IRQ_M_SOFT);
    mmio_write32(CLINT_MSIP, 1);
    CHECK(csr_read(mip) & (1u << IRQ_M_SOFT), "msip = 1: mip.MSIP set");
    CHECK_EQ(mmio_read32(CLINT_MSIP), 1, "msip reads back 1");
    CHECK_EQ(msip_count, 0, "MSIP pending with MIE = 0: no interrupt");
    for (int k = 0; k < 3; k++) {
        mmio_write32(CLINT_MSIP, 1);
        csr_set(mstatus, MSTATUS_MIE);
        for (uint32_t i = 0; i < 100000 && msip_count < (uint32_t)k + 1; i++)
            ;
        csr_clear(mstatus, MSTATUS_MIE);
    }
    CHECK_EQ(msip_count, 3, "3 machine software interrupts");
    CHECK_EQ(last_mcause, MCAUSE_INTERRUPT | IRQ_M_SOFT, "mcause = interrupt 3");
    CHECK(!(csr_read(mip) & (1u << IRQ_M_SOFT)), "msip = 0: mip.MSIP clear");
    csr_clear(mie, 1u << IRQ_M_SOFT);
    kprintf("msip: %u machine software interrupts\n", msip_count);
}

/* ---- S-mode part ---- */
static uint32_t s_main(uint32_t unused)
{
    (void)unused;
    csr_set(sie, (1u << IRQ_S_TIMER) | (1u << IRQ_S_SOFT));

    /* supervisor software interrupt raised by S itself */
    csr_set(sstatus, MSTATUS_SIE);
    csr_set(sip, 1u << IRQ_S_SOFT);
    for (uint32_t i = 0; i < 100000 && s_soft_count == 0; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    CHECK_EQ(s_soft_count, 1, "supervisor software interrupt via sip.SSIP");
    CHECK_EQ(last_scause, MCAUSE_INTERRUPT | IRQ_S_SOFT, "scause = interrupt 1");

    /* supervisor timer: 3 while spinning, 3 with wfi */
    sbi_call(SBI_SET_TIMER, DELTA);
    csr_set(sstatus, MSTATUS_SIE);
    for (uint32_t i = 0; i < SPIN_LIMIT && s_timer_count < 3; i++)
        ;
    for (uint32_t i = 0; i < SPIN_LIMIT && s_timer_count < 6; i++) {
        csr_clear(sstatus, MSTATUS_SIE);
        if (s_timer_count < 6)
            __asm__ volatile("wfi");
        csr_set(sstatus, MSTATUS_SIE);
    }
    csr_clear(sstatus, MSTATUS_SIE);
    CHECK_EQ(s_timer_count, 6, "6 supervisor timer interrupts (3 spinning, 3 wfi)");
    CHECK_EQ(last_scause, MCAUSE_INTERRUPT | IRQ_S_TIMER, "scause = interrupt 5");
    CHECK(!(csr_read(sip) & (1u << IRQ_S_TIMER)), "sip.STIP cleared by M");
    csr_clear(sie, (1u << IRQ_S_TIMER) | (1u << IRQ_S_SOFT));
    return s_timer_count;
}

static void test_s_timer(void)
{
    csr_write(mideleg, (1u << IRQ_S_TIMER) | (1u << IRQ_S_SOFT));
    csr_set(mie, (1u << IRQ_M_TIMER) | (1u << IRQ_S_TIMER) | (1u << IRQ_S_SOFT));
    m_timer_count = 0;
    s_timer_mode = 1;
    clint_set_mtimecmp(~0ull);
    uint32_t n = m_enter_lower(PRV_S, s_main, 0);
    s_timer_mode = 0;
    CHECK_EQ(m_timer_count, 6, "each supervisor timer tick came from one machine timer interrupt");
    kprintf("supervisor: %u timer interrupts forwarded through mip.STIP, %u software\n", n,
            s_soft_count);
    csr_clear(mie, (1u << IRQ_M_TIMER) | (1u << IRQ_S_TIMER) | (1u << IRQ_S_SOFT));
    csr_write(mideleg, 0);
}

int main(void)
{
    kprintf("timer_interrupt: start\n");
    test_pending_not_taken();
    test_m_timer();
    test_msip();
    test_s_timer();
    return VM_FINISH("timer_interrupt");
}
