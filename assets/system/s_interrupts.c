/* s_interrupts: supervisor interrupts as a kernel on SBI firmware sees them (built only as
   s_interrupts_sbi): a software interrupt taken at once when enabled and held while sstatus.SIE
   is clear, the SBI timer taken from a WFI loop, WFI waking without a trap when SIE is clear,
   and the counters readable in S and U. Under vmscope's monitor the same checks exercise the
   injection of virtual interrupts. */
#include "vmscope_system.h"

#define SBI_TIME 0x54494D45u
#define SIP_SSIP (1u << IRQ_S_SOFT)
#define SIP_STIP (1u << IRQ_S_TIMER)

static void sbi_set_timer(uint64_t when)
{
    register uint32_t a0 asm("a0") = (uint32_t)when, a1 asm("a1") = (uint32_t)(when >> 32);
    register uint32_t a6 asm("a6") = 0, a7 asm("a7") = SBI_TIME;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}


static volatile uint32_t taken, last_cause, last_epc;

void s_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(scause);
    if (cause == CAUSE_USER_ECALL && f->regs[REG_A7] == ECALL_RETURN) {
        s_return_from_user(f);
        return;
    }
    taken++;
    last_cause = cause;
    last_epc = csr_read(sepc);
    if (cause == (MCAUSE_INTERRUPT | IRQ_S_SOFT))
        csr_clear(sip, SIP_SSIP);
    else if (cause == (MCAUSE_INTERRUPT | IRQ_S_TIMER))
        sbi_set_timer(~0ull); /* no more timer: STIP drops */
    else {
        kprintf("FAIL: unexpected trap scause=%x sepc=%x stval=%x\n", cause, last_epc, csr_read(stval));
        vm_exit(3);
    }
}

static uint32_t read_counters(uint32_t unused)
{
    (void)unused;
    uint32_t a = csr_read(instret);
    uint32_t b = csr_read(instret);
    return b - a; /* one instruction retired in between: the first csrr itself */
}

int main(void)
{
    kprintf("s_interrupts: start\n");
    uint32_t epc;

    /* a software interrupt, enabled: taken right after the instruction that raises it */
    csr_set(sie, SIP_SSIP);
    csr_set(sstatus, MSTATUS_SIE);
    __asm__ volatile("la %0, 1f\n csrs sip, %1\n 1: nop" : "=&r"(epc) : "r"(SIP_SSIP) : "memory");
    CHECK_EQ(taken, 1, "a software interrupt is taken at once");
    CHECK_EQ(last_cause, MCAUSE_INTERRUPT | IRQ_S_SOFT, "scause says supervisor software interrupt");
    CHECK_EQ(last_epc, epc, "sepc is the instruction after the one that raised it");

    /* held while SIE is clear, taken when SIE is set again */
    csr_clear(sstatus, MSTATUS_SIE);
    csr_set(sip, SIP_SSIP);
    CHECK_EQ(taken, 1, "held while sstatus.SIE is clear");
    CHECK(csr_read(sip) & SIP_SSIP, "sip shows it pending");
    csr_set(sstatus, MSTATUS_SIE);
    CHECK_EQ(taken, 2, "taken when sstatus.SIE is set");
    csr_clear(sie, SIP_SSIP);

    /* the SBI timer, taken from a WFI loop */
    csr_set(sie, SIP_STIP);
    uint64_t start = time_now();
    sbi_set_timer(start + 500);
    while (taken == 2)
        __asm__ volatile("wfi");
    CHECK_EQ(last_cause, MCAUSE_INTERRUPT | IRQ_S_TIMER, "the timer interrupt arrives");
    CHECK(time_now() >= start + 500, "not before its time");

    /* WFI with SIE clear: wakes when the timer is pending, without a trap */
    csr_clear(sstatus, MSTATUS_SIE);
    sbi_set_timer(time_now() + 300);
    while (!(csr_read(sip) & SIP_STIP))
        __asm__ volatile("wfi");
    CHECK_EQ(taken, 3, "WFI with SIE clear woke up without a trap");
    csr_set(sstatus, MSTATUS_SIE);
    CHECK_EQ(taken, 4, "the pending timer is taken once SIE is set");
    csr_clear(sie, SIP_STIP);

    /* counters: instret counts exactly, in S and (scounteren) in U */
    CHECK_EQ(read_counters(0), 1, "instret in S-mode");
    csr_write(scounteren, 7);
    CHECK_EQ(s_enter_user(read_counters, 0), 1, "instret in U-mode");
    kprintf("s_interrupts: %u interrupts taken\n", taken);
    return VM_FINISH("s_interrupts");
}
