/* Bare-metal runtime for vmscope's system programs: UART output and input, a small
   kprintf, the test-device exit, CLINT helpers, default trap handlers and the
   return path of m_enter_lower / s_enter_user. */
#include <stdarg.h>

#include "vmscope_system.h"

VM_CHECK_STORAGE;

/* ---- UART (16550) ------------------------------------------------------- */

void uart_putc(char c)
{
    volatile uint8_t *u = (volatile uint8_t *)UART_BASE;
    while ((u[UART_LSR] & UART_LSR_THRE) == 0)
        ;
    u[UART_THR] = (uint8_t)c;
}

int uart_getc(void)
{
    volatile uint8_t *u = (volatile uint8_t *)UART_BASE;
    while ((u[UART_LSR] & UART_LSR_DR) == 0)
        ;
    return u[UART_RBR];
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void print_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4)
        uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

static void put_padded(const char *s, int len, int width, int left, char pad)
{
    if (!left)
        for (; width > len; width--)
            uart_putc(pad);
    for (int i = 0; i < len; i++)
        uart_putc(s[i]);
    if (left)
        for (; width > len; width--)
            uart_putc(' ');
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            uart_putc(*p);
            continue;
        }
        p++;
        int left = 0, width = 0;
        char pad = ' ';
        if (*p == '-') {
            left = 1;
            p++;
        }
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l')
            p++;
        char buf[12];
        int len = 0;
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n])
                n++;
            put_padded(s, n, width, left, ' ');
            continue;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            put_padded(buf, 1, width, left, ' ');
            continue;
        case 'd':
        case 'u': {
            uint32_t v = va_arg(ap, uint32_t);
            int neg = *p == 'd' && (int32_t)v < 0;
            if (neg)
                v = -v;
            char tmp[12];
            int n = 0;
            do {
                tmp[n++] = (char)('0' + v % 10);
                v /= 10;
            } while (v);
            if (neg)
                tmp[n++] = '-';
            while (n)
                buf[len++] = tmp[--n];
            break;
        }
        case 'p':
            pad = '0';
            width = 8;
            /* fall through */
        case 'x': {
            uint32_t v = va_arg(ap, uint32_t);
            char tmp[8];
            int n = 0;
            do {
                tmp[n++] = "0123456789abcdef"[v & 15];
                v >>= 4;
            } while (v);
            while (n)
                buf[len++] = tmp[--n];
            break;
        }
        case '%':
            uart_putc('%');
            continue;
        default:
            uart_putc('%');
            uart_putc(*p);
            continue;
        }
        put_padded(buf, len, width, left, pad);
    }
    va_end(ap);
    return 0;
}

/* ---- exit --------------------------------------------------------------- */

void vm_exit(uint32_t code)
{
    mmio_write32(TEST_DEV_BASE, code == 0 ? TEST_DEV_PASS : (code << 16) | TEST_DEV_FAIL);
    for (;;)
        ;
}

/* ---- CLINT -------------------------------------------------------------- */

uint64_t clint_mtime(void)
{
    uint32_t hi, lo, hi2;
    do {
        hi = mmio_read32(CLINT_MTIME + 4);
        lo = mmio_read32(CLINT_MTIME);
        hi2 = mmio_read32(CLINT_MTIME + 4);
    } while (hi != hi2);
    return ((uint64_t)hi << 32) | lo;
}

void clint_set_mtimecmp(uint64_t when)
{
    /* no spurious interrupt: high word to max first, then low, then high */
    mmio_write32(CLINT_MTIMECMP + 4, 0xffffffffu);
    mmio_write32(CLINT_MTIMECMP, (uint32_t)when);
    mmio_write32(CLINT_MTIMECMP + 4, (uint32_t)(when >> 32));
}

/* ---- traps -------------------------------------------------------------- */

__attribute__((weak)) void m_trap_handler(struct trap_frame *f)
{
    (void)f;
    kprintf("FAIL: unexpected M-mode trap: mcause=%08x mepc=%08x mtval=%08x\n",
            csr_read(mcause), csr_read(mepc), csr_read(mtval));
    vm_exit(3);
}

__attribute__((weak)) void s_trap_handler(struct trap_frame *f)
{
    (void)f;
    kprintf("FAIL: unexpected S-mode trap: scause=%08x sepc=%08x stval=%08x\n",
            csr_read(scause), csr_read(sepc), csr_read(stval));
    vm_exit(3);
}

extern uint32_t m_lower_ctx[14], s_user_ctx[14];

static void restore_ctx(struct trap_frame *f, const uint32_t *ctx)
{
    static const uint8_t regs[14] = {1, 2, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};
    for (int i = 0; i < 14; i++)
        f->regs[regs[i]] = ctx[i];
}

void m_return_from_lower(struct trap_frame *f)
{
    restore_ctx(f, m_lower_ctx);
    csr_write(mepc, m_lower_ctx[0]);
    csr_set(mstatus, MSTATUS_MPP); /* mret goes back to M */
}

void s_return_from_user(struct trap_frame *f)
{
    restore_ctx(f, s_user_ctx);
    csr_write(sepc, s_user_ctx[0]);
    csr_set(sstatus, MSTATUS_SPP); /* sret goes back to S */
}
