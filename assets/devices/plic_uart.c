/* plic_uart: the board's PLIC and 16550 as drivers written for QEMU's virt use them.
   PLIC registers (priorities WARL 0..7, thresholds, enables, claim/complete), the UART's
   registers (divisor latch, any LCR, MCR, SCR, IIR, FIFO bits), its THR-empty interrupt
   through context 0 (M) — masked by the threshold and the enables, a string sent by
   interrupt — the same through context 1 (S) to an S-mode handler, and a line received by
   interrupt (fed assets/system/plic_uart.input). Prints only what the program controls,
   so that vmscope and qemu-system-riscv32 -M virt -bios none print the same bytes. */
#include "vmscope_system.h"

#define PLIC_BASE 0x0c000000u
#define PLIC_PRIORITY(s) (PLIC_BASE + 4u * (s))
#define PLIC_PENDING (PLIC_BASE + 0x1000u)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004u + 0x1000u * (ctx))
#define UART_IRQ 10
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
enum { IER_RX = 1, IER_TX = 2 };
#define SPIN_LIMIT 10000000u

static volatile uint8_t *const uart = (volatile uint8_t *)UART_BASE;
static volatile uint32_t m_ext_count, s_ext_count, wrong_source, rx_len;
static const char *volatile tx_next;
static char rx_line[128];
static volatile int rx_done;

static uint32_t meip(void) { return (csr_read(mip) >> IRQ_M_EXT) & 1; }
static uint32_t seip(void) { return (csr_read(mip) >> IRQ_S_EXT) & 1; }
static uint32_t uart_pending(void) { return (mmio_read32(PLIC_PENDING) >> UART_IRQ) & 1; }

/* One UART interrupt: the THR-empty one sends the next byte of tx_next (or stops asking);
   the receive one takes every byte there is. */
static void serve_uart(void)
{
    uint8_t iir = uart[IIR] & 0x0f;
    if (iir == 0x02) {
        if (tx_next && *tx_next)
            uart[THR] = (uint8_t)*tx_next++;
        else
            uart[IER] = uart[IER] & ~IER_TX;
    }
    while ((iir == 0x04 || iir == 0x0c) && (uart[LSR] & UART_LSR_DR)) {
        char c = (char)uart[RBR];
        if (c == '\n' || c == '\r') {
            rx_done = 1;
            uart[IER] = 0;
            break;
        }
        if (rx_len < sizeof rx_line - 1)
            rx_line[rx_len++] = c;
    }
}

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    if (cause == (MCAUSE_INTERRUPT | IRQ_M_EXT)) {
        uint32_t source = mmio_read32(PLIC_CLAIM(0));
        m_ext_count++;
        if (source == UART_IRQ)
            serve_uart();
        else
            wrong_source++;
        mmio_write32(PLIC_CLAIM(0), source);
        return;
    }
    if (cause == CAUSE_SUPERVISOR_ECALL && f->regs[REG_A7] == ECALL_RETURN) {
        m_return_from_lower(f);
        return;
    }
    kprintf("FAIL: unexpected M trap mcause=%x mepc=%x\n", cause, csr_read(mepc));
    vm_exit(3);
}

void s_trap_handler(struct trap_frame *f)
{
    (void)f;
    uint32_t cause = csr_read(scause);
    if (cause == (MCAUSE_INTERRUPT | IRQ_S_EXT)) {
        uint32_t source = mmio_read32(PLIC_CLAIM(1));
        s_ext_count++;
        if (source == UART_IRQ)
            serve_uart();
        else
            wrong_source++;
        mmio_write32(PLIC_CLAIM(1), source);
        return;
    }
    kprintf("FAIL: unexpected S trap scause=%x sepc=%x\n", cause, csr_read(sepc));
    vm_exit(3);
}

static void test_plic_registers(void)
{
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 0xffffffffu);
    CHECK_EQ(mmio_read32(PLIC_PRIORITY(UART_IRQ)), 7, "priority keeps 3 bits (WARL)");
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 0);
    CHECK_EQ(mmio_read32(PLIC_PRIORITY(UART_IRQ)), 0, "priority 0: never interrupts");
    mmio_write32(PLIC_THRESHOLD(0), 3);
    CHECK_EQ(mmio_read32(PLIC_THRESHOLD(0)), 3, "threshold written");
    mmio_write32(PLIC_THRESHOLD(0), 9);
    CHECK_EQ(mmio_read32(PLIC_THRESHOLD(0)), 1, "a threshold keeps 3 bits too");
    mmio_write32(PLIC_THRESHOLD(0), 0);
    mmio_write32(PLIC_ENABLE(1), 0x00000402u);
    CHECK_EQ(mmio_read32(PLIC_ENABLE(1)), 0x00000402u, "context 1 enables read back");
    mmio_write32(PLIC_ENABLE(1), 0);
    CHECK_EQ(mmio_read32(PLIC_CLAIM(0)), 0, "claim with nothing pending: 0");
    kprintf("plic: priorities, thresholds, enables\n");
}

static void test_uart_registers(void)
{
    uart[LCR] = 0x80; /* DLAB: the divisor latch */
    uart[DLL] = 0x03;
    uart[DLM] = 0x00;
    CHECK_EQ(uart[DLL], 0x03, "divisor latch low");
    CHECK_EQ(uart[DLM], 0x00, "divisor latch high");
    uart[LCR] = 0x00; /* 5 data bits: accepted like any word length */
    CHECK_EQ(uart[LCR], 0x00, "a 5-bit LCR reads back");
    uart[LCR] = 0x03;
    CHECK_EQ(uart[LCR], 0x03, "8N1");
    CHECK_EQ(uart[IER], 0, "DLAB off: IER again");
    uart[MCR] = 0xff;
    CHECK_EQ(uart[MCR], 0x1f, "MCR keeps 5 bits");
    uart[MCR] = 0x0b; /* DTR, RTS, OUT2 */
    uart[SCR] = 0x5a;
    CHECK_EQ(uart[SCR], 0x5a, "scratch register");
    CHECK_EQ(uart[LSR] & 0x60, 0x60, "LSR: transmitter empty");
    CHECK_EQ(uart[MSR] & 0xb0, 0xb0, "MSR: CTS, DSR, DCD");
    CHECK_EQ(uart[IIR], 0x01, "IIR: no interrupt pending, FIFOs off");
    kprintf("uart: divisor latch, LCR, MCR, SCR, LSR, IIR\n");
}

static void test_thr_empty_through_plic(void)
{
    csr_clear(mstatus, MSTATUS_MIE);
    csr_set(mie, 1u << IRQ_M_EXT);
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 1);
    mmio_write32(PLIC_ENABLE(0), 1u << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(0), 0);
    CHECK_EQ(meip(), 0, "nothing pending: MEIP clear");
    uart[IER] = IER_TX;
    CHECK_EQ(uart_pending(), 1, "THR empty enabled: source 10 pending");
    CHECK_EQ(meip(), 1, "the PLIC raises MEIP");
    CHECK_EQ(uart[IIR], 0x02, "IIR: THR empty");
    CHECK_EQ(uart[IIR], 0x01, "reading IIR acknowledged it");
    CHECK_EQ(uart_pending(), 1, "the PLIC keeps the request until a claim takes it");
    uart[THR] = '.'; /* sent at once: THR empty again */
    CHECK_EQ(uart[IIR], 0x02, "a byte sent: THR empty again");
    mmio_write32(PLIC_THRESHOLD(0), 1);
    CHECK_EQ(meip(), 0, "threshold 1 masks priority 1");
    CHECK_EQ(uart_pending(), 1, "... still pending");
    mmio_write32(PLIC_THRESHOLD(0), 0);
    CHECK_EQ(meip(), 1, "threshold 0 again: MEIP");
    mmio_write32(PLIC_ENABLE(0), 0);
    CHECK_EQ(mmio_read32(PLIC_CLAIM(0)), 0, "not enabled for context 0: nothing to claim");
    mmio_write32(PLIC_ENABLE(0), 1u << UART_IRQ);
    CHECK_EQ(mmio_read32(PLIC_CLAIM(0)), UART_IRQ, "claim: source 10");
    CHECK_EQ(uart_pending(), 0, "claimed: no longer pending");
    CHECK_EQ(meip(), 0, "claimed: MEIP clear");
    CHECK_EQ(mmio_read32(PLIC_CLAIM(0)), 0, "a second claim: nothing");
    uart[IER] = 0;
    (void)uart[IIR];
    mmio_write32(PLIC_CLAIM(0), UART_IRQ);
    CHECK_EQ(meip(), 0, "completed with the line low: quiet");
    kprintf("\nplic: THR empty pending, masked, claimed, completed\n");
}

static void test_send_by_interrupt(void)
{
    static const char text[] = "sent one byte per interrupt\n";
    m_ext_count = 0;
    tx_next = text;
    csr_set(mstatus, MSTATUS_MIE);
    uart[IER] = IER_TX;
    for (uint32_t i = 0; i < SPIN_LIMIT && (uart[IER] & IER_TX); i++)
        ;
    csr_clear(mstatus, MSTATUS_MIE);
    CHECK_EQ(m_ext_count, sizeof text, "one interrupt per byte, and one to stop");
    CHECK_EQ(wrong_source, 0, "every claim was the UART's");
    kprintf("uart: %u interrupts for %u bytes\n", m_ext_count, (uint32_t)(sizeof text - 1));
}

static uint32_t s_mode_wait(uint32_t arg)
{
    (void)arg;
    csr_set(sie, 1u << IRQ_S_EXT);
    csr_set(sstatus, MSTATUS_SIE);
    uart[IER] = IER_TX;
    for (uint32_t i = 0; i < SPIN_LIMIT && s_ext_count == 0; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return s_ext_count;
}

static void test_supervisor_context(void)
{
    mmio_write32(PLIC_ENABLE(0), 0);
    mmio_write32(PLIC_ENABLE(1), 1u << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(1), 0);
    csr_set(mideleg, 1u << IRQ_S_EXT);
    tx_next = 0;
    uart[IER] = IER_TX;
    CHECK_EQ(seip(), 1, "context 1 raises SEIP");
    CHECK_EQ(meip(), 0, "... and not MEIP");
    CHECK_EQ(mmio_read32(PLIC_CLAIM(1)), UART_IRQ, "claimed through context 1");
    CHECK_EQ(seip(), 0, "claimed: SEIP clear");
    (void)uart[IIR];
    uart[IER] = 0;
    mmio_write32(PLIC_CLAIM(1), UART_IRQ);
    uint32_t taken = m_enter_lower(PRV_S, s_mode_wait, 0);
    CHECK_EQ(taken, 1, "an S-mode handler claimed it from context 1");
    CHECK_EQ(m_ext_count, sizeof "sent one byte per interrupt\n", "no M interrupt meanwhile");
    csr_clear(mideleg, 1u << IRQ_S_EXT);
    mmio_write32(PLIC_ENABLE(1), 0);
    kprintf("plic: supervisor context: %u interrupt in S-mode\n", taken);
}

static void test_receive_by_interrupt(void)
{
    mmio_write32(PLIC_ENABLE(0), 1u << UART_IRQ);
    kprintf("uart: type a line> ");
    csr_set(mstatus, MSTATUS_MIE);
    uart[IER] = IER_RX;
    for (uint32_t i = 0; i < 200 * SPIN_LIMIT && !rx_done; i++)
        __asm__ volatile("wfi");
    csr_clear(mstatus, MSTATUS_MIE);
    rx_line[rx_len] = 0;
    CHECK(rx_done, "a whole line arrived by interrupt");
    kprintf("\nuart: received \"%s\" (%u bytes) by interrupt\n", rx_line, rx_len);
    uart[FCR] = 0x07; /* FIFOs on (after the input: enabling them clears them) */
    CHECK_EQ(uart[IIR], 0xc1, "IIR: FIFOs enabled, nothing pending");
    uart[FCR] = 0x00;
    CHECK_EQ(uart[IIR], 0x01, "IIR: FIFOs off");
}

/* What the board hands a program at entry, as QEMU's boot code does: the hart id in a0 and
   a flattened device tree in a1 (big-endian magic 0xd00dfeed, version 17). */
static void test_boot_arguments(uint32_t hartid, const uint8_t *fdt)
{
    uint32_t magic = (uint32_t)fdt[0] << 24 | fdt[1] << 16 | fdt[2] << 8 | fdt[3];
    uint32_t version = (uint32_t)fdt[20] << 24 | fdt[21] << 16 | fdt[22] << 8 | fdt[23];
    CHECK_EQ(hartid, 0, "a0: hart 0");
    CHECK_EQ(magic, 0xd00dfeed, "a1: a device tree");
    CHECK_EQ(version, 17, "device tree version 17");
    kprintf("boot: hart %u, device tree at %p\n", hartid, fdt);
}

int main(uint32_t hartid, const uint8_t *fdt)
{
    test_boot_arguments(hartid, fdt);
    test_plic_registers();
    test_uart_registers();
    test_thr_empty_through_plic();
    test_send_by_interrupt();
    test_supervisor_context();
    test_receive_by_interrupt();
    return VM_FINISH("plic_uart");
}
