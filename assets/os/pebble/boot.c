/* Pebble's M-mode part: what firmware does before a kernel. Opens physical memory to S-mode
   (PMP), delegates exceptions and supervisor interrupts, starts the machine timer (each tick
   becomes a supervisor software interrupt), and drops to S-mode at kernel_main with the hart
   id and the device tree it was given. */
#include "pebble.h"

static uint32_t timer_scratch[5];
void timer_vector(void);

static void pmp_open(void)
{
    /* NAPOT over everything, RWX. (A hart without PMP traps here: skip the writes.) */
    uint32_t old = csr_read(mtvec);
    __asm__ volatile("la t0, 1f\n csrw mtvec, t0\n li t0, -1\n csrw pmpaddr0, t0\n li t0, 0x1f\n"
                     " csrw pmpcfg0, t0\n .balign 4\n1:" ::: "t0", "memory");
    csr_write(mtvec, old);
}

void machine_start(uint32_t hartid, const uint8_t *device_tree)
{
    pmp_open();
    csr_write(medeleg, 0xb1ff);                          /* every exception but ECALL from S/M */
    csr_write(mideleg, (1u << 1) | (1u << 5) | (1u << 9)); /* SSI, STI, SEI */
    csr_write(satp, 0);

    volatile uint32_t *mtimecmp = (volatile uint32_t *)(CLINT + 0x4000);
    volatile uint32_t *mtime = (volatile uint32_t *)(CLINT + 0xbff8);
    mtimecmp[1] = ~0u;
    mtimecmp[0] = mtime[0] + TICK;
    mtimecmp[1] = mtime[1] + (mtimecmp[0] < TICK);
    timer_scratch[3] = (uint32_t)mtimecmp;
    timer_scratch[4] = TICK;
    csr_write(mscratch, (uint32_t)timer_scratch);
    csr_write(mtvec, (uint32_t)timer_vector);
    csr_set(mstatus, 1u << 3); /* MIE: the timer reaches M even while S runs */
    csr_set(mie, 1u << 7);     /* MTIE */

    uint32_t mstatus = csr_read(mstatus);
    csr_write(mstatus, (mstatus & ~(3u << 11)) | (1u << 11)); /* MPP = S */
    csr_write(mepc, (uint32_t)kernel_main);
    register uint32_t a0 __asm__("a0") = hartid;
    register const uint8_t *a1 __asm__("a1") = device_tree;
    __asm__ volatile("mret" : : "r"(a0), "r"(a1));
    for (;;)
        ;
}
