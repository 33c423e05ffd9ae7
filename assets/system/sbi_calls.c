/* sbi_calls: every SBI extension an S-mode OS built for OpenSBI calls, as the SBI
   specification v2.0 documents their results (built only as sbi_calls_sbi, run with
   --firmware sbi and under the monitor's ways): Base (version 2.0, probing), TIME (a timer
   interrupt), IPI (a software interrupt; hart masks naming absent harts refused), RFENCE (a
   page remapped, seen after remote_sfence_vma), HSM (hart 0 started, suspend as WFI, no other
   harts), DBCN (write, write_byte, read from the input fed), the legacy calls, SRST's checks,
   and a clean shutdown through SRST at the end. Fed assets/system/sbi_calls.input ("xy"). */
#include "vmscope_system.h"

#define BASE 0x10u
#define TIME 0x54494D45u
#define IPI 0x735049u
#define RFENCE 0x52464E43u
#define HSM 0x48534Du
#define SRST 0x53525354u
#define DBCN 0x4442434Eu
enum { OK = 0, NOT_SUPPORTED = -2, INVALID_PARAM = -3, ALREADY_AVAILABLE = -6 };
#define SIP_SSIP (1u << IRQ_S_SOFT)
#define SPIN_LIMIT 20000000u

struct sbiret { int32_t error; uint32_t value; };

static struct sbiret sbi(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
    register uint32_t r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2, r3 asm("a3") = a3, r4 asm("a4") = a4;
    register uint32_t r6 asm("a6") = fid, r7 asm("a7") = eid;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){(int32_t)r0, r1};
}
static uint32_t legacy(uint32_t eid, uint32_t a0, uint32_t a1, uint32_t a2)
{
    return (uint32_t)sbi(eid, 0, a0, a1, a2, 0, 0).error;
}


static volatile uint32_t soft_taken, timer_taken;

void s_trap_handler(struct trap_frame *f)
{
    (void)f;
    uint32_t cause = csr_read(scause);
    if (cause == (MCAUSE_INTERRUPT | IRQ_S_SOFT)) {
        soft_taken++;
        csr_clear(sip, SIP_SSIP);
    } else if (cause == (MCAUSE_INTERRUPT | IRQ_S_TIMER)) {
        timer_taken++;
        sbi(TIME, 0, ~0u, ~0u, 0, 0, 0); /* no more timer: STIP drops */
    } else {
        kprintf("FAIL: unexpected trap scause=%x sepc=%x stval=%x\n", cause, csr_read(sepc), csr_read(stval));
        vm_exit(3);
    }
}

static void test_base(void)
{
    CHECK_EQ(sbi(BASE, 0, 0, 0, 0, 0, 0).value, 0x02000000, "get_spec_version: 2.0");
    static const uint32_t extensions[] = {BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t present = 0;
    for (unsigned i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
        present += sbi(BASE, 3, extensions[i], 0, 0, 0, 0).value != 0;
    CHECK_EQ(present, 16, "probe_extension: all 16 present");
    CHECK_EQ(sbi(BASE, 3, 0x12345678, 0, 0, 0, 0).value, 0, "probe_extension: an unknown one absent");
    CHECK_EQ(sbi(BASE, 4, 0, 0, 0, 0, 0).error, OK, "get_mvendorid");
    CHECK_EQ(sbi(BASE, 9, 0, 0, 0, 0, 0).error, NOT_SUPPORTED, "an unknown Base function");
    CHECK_EQ(sbi(0x0a000000, 0, 0, 0, 0, 0, 0).error, NOT_SUPPORTED, "an unknown extension");
    kprintf("base: SBI 2.0, %u extensions\n", present);
}

static void test_time_and_ipi(void)
{
    csr_set(sie, (1u << IRQ_S_SOFT) | (1u << IRQ_S_TIMER));
    csr_set(sstatus, MSTATUS_SIE);
    CHECK_EQ(sbi(TIME, 0, (uint32_t)(time_now() + 500), (uint32_t)((time_now() + 500) >> 32), 0, 0, 0).error, OK, "set_timer");
    for (uint32_t i = 0; i < SPIN_LIMIT && !timer_taken; i++)
        ;
    CHECK_EQ(timer_taken, 1, "the timer interrupt came");
    CHECK_EQ(sbi(IPI, 0, 1, 0, 0, 0, 0).error, OK, "send_ipi to hart 0");
    CHECK_EQ(soft_taken, 1, "a software interrupt, at once");
    CHECK_EQ(sbi(IPI, 0, 0, ~0u, 0, 0, 0).error, OK, "send_ipi to every hart (base -1)");
    CHECK_EQ(soft_taken, 2, "another");
    CHECK_EQ(sbi(IPI, 0, 2, 0, 0, 0, 0).error, INVALID_PARAM, "hart 1 does not exist");
    CHECK_EQ(sbi(IPI, 0, 1, 1, 0, 0, 0).error, INVALID_PARAM, "nor does hart 1 by base");
    CHECK_EQ(soft_taken, 2, "no interrupt for them");
    csr_clear(sstatus, MSTATUS_SIE);
    legacy(4, 0, 0, 0); /* legacy send_ipi: pending, held while SIE is clear */
    CHECK_EQ(csr_read(sip) & SIP_SSIP, SIP_SSIP, "legacy send_ipi: sip.SSIP");
    legacy(3, 0, 0, 0);
    CHECK_EQ(csr_read(sip) & SIP_SSIP, 0, "legacy clear_ipi");
    kprintf("time and ipi: %u timer, %u software interrupts\n", timer_taken, soft_taken);
}

/* Sv32: the program's 4 MiB of RAM and the devices by identity megapages, and one page at
   0xc0000000 that the test points at frame A, then at frame B. */
static uint32_t root[1024] __attribute__((aligned(4096)));
static uint32_t leaf[1024] __attribute__((aligned(4096)));
static uint32_t frame_a[1024] __attribute__((aligned(4096)));
static uint32_t frame_b[1024] __attribute__((aligned(4096)));
#define PTE_V 1u
#define PTE_RWX 0xeu
#define PTE_AD 0xc0u
#define LEAF(pa) ((((uint32_t)(pa)) >> 12) << 10 | PTE_V | PTE_RWX | PTE_AD)

static void test_rfence(void)
{
    root[0x000] = LEAF(0x00000000);  /* test device */
    root[0x040] = LEAF(0x10000000);  /* UART */
    root[0x200] = LEAF(0x80000000);  /* the program */
    root[0x300] = ((uint32_t)leaf >> 12) << 10 | PTE_V;
    frame_a[0] = 0xaaaa;
    frame_b[0] = 0xbbbb;
    leaf[0] = LEAF(frame_a);
    csr_write(satp, (1u << 31) | ((uint32_t)root >> 12));
    __asm__ volatile("sfence.vma" ::: "memory");
    volatile uint32_t *page = (volatile uint32_t *)0xc0000000u;
    CHECK_EQ(*page, 0xaaaa, "the page shows frame A");
    leaf[0] = LEAF(frame_b);
    CHECK_EQ(sbi(RFENCE, 1, 1, 0, 0xc0000000u, 4096, 0).error, OK, "remote_sfence_vma");
    CHECK_EQ(*page, 0xbbbb, "after the fence: frame B");
    leaf[0] = LEAF(frame_a);
    CHECK_EQ(sbi(RFENCE, 2, 1, 0, 0, 0, 0).error, OK, "remote_sfence_vma_asid, everything");
    CHECK_EQ(*page, 0xaaaa, "frame A again");
    leaf[0] = LEAF(frame_b);
    legacy(6, 0, 0xc0000000u, 4096); /* legacy remote_sfence_vma */
    CHECK_EQ(*page, 0xbbbb, "legacy remote_sfence_vma");
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
    CHECK_EQ(sbi(RFENCE, 0, 1, 0, 0, 0, 0).error, OK, "remote_fence_i");
    CHECK_EQ(sbi(RFENCE, 1, 4, 0, 0, 0, 0).error, INVALID_PARAM, "a fence for hart 2");
    CHECK_EQ(sbi(RFENCE, 3, 1, 0, 0, 0, 0).error, NOT_SUPPORTED, "hfence_gvma_vmid: not for this firmware");
    kprintf("rfence: a remapped page seen after each fence\n");
}

static void test_hsm(void)
{
    struct sbiret r = sbi(HSM, 2, 0, 0, 0, 0, 0);
    CHECK_EQ(r.error, OK, "hart_get_status(0)");
    CHECK_EQ(r.value, 0, "hart 0: STARTED");
    CHECK_EQ(sbi(HSM, 2, 1, 0, 0, 0, 0).error, INVALID_PARAM, "hart 1: no such hart");
    CHECK_EQ(sbi(HSM, 0, 0, 0x80000000u, 0, 0, 0).error, ALREADY_AVAILABLE, "hart_start(0): already running");
    CHECK_EQ(sbi(HSM, 0, 5, 0x80000000u, 0, 0, 0).error, INVALID_PARAM, "hart_start(5): no such hart");
    CHECK_EQ(sbi(HSM, 3, 0x80000000u, 0, 0, 0, 0).error, NOT_SUPPORTED, "non-retentive suspend: optional, absent");
    CHECK_EQ(sbi(HSM, 3, 1, 0, 0, 0, 0).error, INVALID_PARAM, "a reserved suspend type");
    /* default retentive suspend: like WFI, back when the timer is pending (SIE clear: no trap) */
    uint32_t before = timer_taken;
    sbi(TIME, 0, (uint32_t)(time_now() + 300), (uint32_t)((time_now() + 300) >> 32), 0, 0, 0);
    r = sbi(HSM, 3, 0, 0, 0, 0, 0);
    CHECK_EQ(r.error, OK, "hart_suspend: back");
    CHECK_EQ(csr_read(sip) & (1u << IRQ_S_TIMER), 1u << IRQ_S_TIMER, "woken by the pending timer");
    csr_set(sstatus, MSTATUS_SIE);
    csr_clear(sstatus, MSTATUS_SIE);
    CHECK_EQ(timer_taken, before + 1, "taken once SIE allowed it");
    kprintf("hsm: hart 0 started, suspended and woken\n");
}

static void test_dbcn(void)
{
    static const char text[] = "dbcn: console_write\n";
    struct sbiret r = sbi(DBCN, 0, sizeof text - 1, (uint32_t)text, 0, 0, 0);
    CHECK_EQ(r.error, OK, "console_write");
    CHECK_EQ(r.value, sizeof text - 1, "console_write: every byte");
    CHECK_EQ(sbi(DBCN, 2, '!', 0, 0, 0, 0).error, OK, "console_write_byte");
    legacy(1, '\n', 0, 0); /* legacy putchar */
    static char in[8];
    r = sbi(DBCN, 1, 1, (uint32_t)in, 0, 0, 0);
    CHECK_EQ(r.value, 1, "console_read: one byte asked, one read");
    CHECK_EQ(in[0], 'x', "the first byte fed");
    CHECK_EQ(legacy(2, 0, 0, 0), 'y', "legacy getchar: the next");
    CHECK_EQ(legacy(2, 0, 0, 0), 0xffffffffu, "legacy getchar: nothing left (-1)");
    r = sbi(DBCN, 1, 8, (uint32_t)in, 0, 0, 0);
    CHECK_EQ(r.error, OK, "console_read with nothing to read");
    CHECK_EQ(r.value, 0, "... reads 0 bytes");
    CHECK_EQ(sbi(DBCN, 0, 4, 0x1000, 0, 0, 0).error, INVALID_PARAM, "console_write from no memory");
    CHECK_EQ(sbi(DBCN, 0, 4, (uint32_t)text, 1, 0, 0).error, INVALID_PARAM, "an address above 4 GiB");
    kprintf("dbcn: read '%c', then '%c' by legacy getchar\n", in[0], 'y');
}

int main(void)
{
    test_base();
    test_time_and_ipi();
    test_rfence();
    test_hsm();
    test_dbcn();
    CHECK_EQ(sbi(SRST, 0, 3, 0, 0, 0, 0).error, INVALID_PARAM, "system_reset: a reserved type");
    CHECK_EQ(sbi(SRST, 0, 0xf0000000u, 0, 0, 0, 0).error, NOT_SUPPORTED, "system_reset: a platform type");
    CHECK_EQ(sbi(SRST, 0, 0, 2, 0, 0, 0).error, INVALID_PARAM, "system_reset: a reserved reason");
    int failed = VM_FINISH("sbi_calls");
    if (failed)
        return failed;
    sbi(SRST, 0, 0, 0, 0, 0, 0); /* shutdown, no reason: exit code 0 */
    kprintf("FAIL: system_reset returned\n");
    return 2;
}
