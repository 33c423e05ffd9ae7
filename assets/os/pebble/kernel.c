/* Pebble's S-mode kernel: the console (a 16550 whose received bytes arrive by interrupt through
   the PLIC), traps, Sv32 paging of the kernel, the device tree's memory node, and startup. */
#include <stdarg.h>

#include "pebble.h"

volatile uint32_t ticks, uart_interrupts, disk_interrupts;

/* ---- small string helpers (no libc here) */
int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}
size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
void mem_copy(void *dst, const void *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = ((const uint8_t *)src)[i];
}
void mem_set(void *dst, int c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = (uint8_t)c;
}

/* ---- the UART: output by polling LSR, input by interrupt into a ring */
static volatile uint8_t *const uart = (volatile uint8_t *)UART0;
enum { RBR = 0, THR = 0, IER = 1, LCR = 3, LSR = 5 };
static char input[256];
static volatile uint32_t input_read, input_written;

static void uart_init(void)
{
    uart[IER] = 0;
    uart[LCR] = 0x80; /* divisor latch: 38400 baud on a 1.8432 MHz clock */
    uart[0] = 3;
    uart[1] = 0;
    uart[LCR] = 0x03; /* 8 bits, no parity, one stop bit */
    uart[IER] = 0x01; /* receive interrupts */
}

void putc(char c)
{
    if (c == '\n')
        putc('\r');
    while (!(uart[LSR] & 0x20))
        ;
    uart[THR] = (uint8_t)c;
}

void puts(const char *s)
{
    while (*s)
        putc(*s++);
}

static void uart_interrupt(void)
{
    uart_interrupts++;
    while (uart[LSR] & 0x01) {
        char c = (char)uart[RBR];
        if (input_written - input_read < sizeof input)
            input[input_written++ % sizeof input] = c;
    }
}

int getc(void)
{
    for (;;) {
        csr_clear(sstatus, 1u << 1); /* check, then sleep, with interrupts held off between */
        if (input_read != input_written) {
            char c = input[input_read++ % sizeof input];
            csr_set(sstatus, 1u << 1);
            return (uint8_t)c;
        }
        __asm__ volatile("wfi");
        csr_set(sstatus, 1u << 1);
    }
}

static void print_number(uint32_t v, unsigned base, int width, char pad)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (width-- > n)
        putc(pad);
    while (n)
        putc(digits[--n]);
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        char pad = ' ';
        int width = 0;
        if (*++fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        switch (*fmt) {
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0)
                putc('-'), v = -v;
            print_number((uint32_t)v, 10, width, pad);
            break;
        }
        case 'u': print_number(va_arg(ap, uint32_t), 10, width, pad); break;
        case 'x': print_number(va_arg(ap, uint32_t), 16, width, pad); break;
        case 's': { /* left-justified in `width` */
            const char *text = va_arg(ap, const char *);
            puts(text);
            for (int n = (int)str_len(text); n < width; n++)
                putc(' ');
            break;
        }
        case 'c': putc((char)va_arg(ap, int)); break;
        default: putc(*fmt);
        }
    }
    va_end(ap);
}

void power_off(void)
{
    mmio_write(TEST_DEVICE, 0x5555); /* QEMU's test device: "pass", the machine stops */
    for (;;)
        ;
}

/* ---- the PLIC: both sources to this hart's S-mode context (context 1) */
static void plic_init(void)
{
    mmio_write(PLIC + 4 * UART0_IRQ, 1);
    mmio_write(PLIC + 4 * VIRTIO0_IRQ, 1);
    mmio_write(PLIC + 0x2080, (1u << UART0_IRQ) | (1u << VIRTIO0_IRQ));
    mmio_write(PLIC + 0x201000, 0);
}

/* ---- traps: the timer tick (a software interrupt from M), device interrupts, and faults */
struct frame {
    uint32_t regs[32];
};

#ifdef PEBBLE_SBI
/* On SBI firmware the tick is the supervisor timer: SBI's TIME extension sets the next one. */
static void sbi_set_timer(uint64_t when)
{
    register uint32_t a0 __asm__("a0") = (uint32_t)when, a1 __asm__("a1") = (uint32_t)(when >> 32);
    register uint32_t a6 __asm__("a6") = 0, a7 __asm__("a7") = 0x54494D45u;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}
static uint64_t next_tick;
static void tick(void)
{
    ticks++;
    next_tick += TICK;
    sbi_set_timer(next_tick);
}
#endif

void kernel_trap(struct frame *f)
{
    (void)f;
    uint32_t cause = csr_read(scause);
#ifdef PEBBLE_SBI
    if (cause == 0x80000005u) { /* the supervisor timer */
        tick();
    } else
#endif
    if (cause == 0x80000001u) { /* the tick M-mode forwarded */
        ticks++;
        csr_clear(sip, 2);
    } else if (cause == 0x80000009u) { /* external: ask the PLIC which device */
        uint32_t irq = mmio_read(PLIC + 0x201004);
        if (irq == UART0_IRQ)
            uart_interrupt();
        else if (irq == VIRTIO0_IRQ)
            disk_interrupt();
        if (irq)
            mmio_write(PLIC + 0x201004, irq);
    } else {
        printf("\npanic: trap %x at %x (stval %x)\n", cause, csr_read(sepc), csr_read(stval));
        power_off();
    }
}

/* ---- paging: the kernel sees physical memory at the same addresses (4 MiB megapages) */
static uint32_t kernel_table[1024] __attribute__((aligned(4096)));

static void map_megapage(uint32_t address, uint32_t flags)
{
    kernel_table[address >> 22] = (address >> 12) << 10 | flags | 0xc1; /* V, A, D */
}

static void paging_init(uint32_t ram_size)
{
    map_megapage(TEST_DEVICE & ~0x3fffffu, 0x6);   /* RW */
    map_megapage(CLINT, 0x6);
    map_megapage(PLIC, 0x6);
    map_megapage(PLIC + 0x400000, 0x6);
    map_megapage(UART0, 0x6);                     /* the UART and the virtio slots */
    for (uint32_t a = 0; a < ram_size; a += 0x400000)
        map_megapage(0x80000000u + a, 0xe);       /* RWX */
    csr_write(satp, 1u << 31 | (uint32_t)kernel_table >> 12);
    __asm__ volatile("sfence.vma" ::: "memory");
}

/* ---- the device tree: RAM's size from /memory's reg (two cells of address, two of size) */
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

uint32_t device_tree_memory(const uint8_t *fdt)
{
    if (be32(fdt) != 0xd00dfeedu)
        return 0;
    const uint8_t *p = fdt + be32(fdt + 8), *strings = fdt + be32(fdt + 12);
    int in_memory = 0;
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        if (token == 1) { /* begin node: its name */
            const char *name = (const char *)p;
            in_memory = name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'o' && name[4] == 'r' &&
                        name[5] == 'y';
            p += (str_len(name) + 4) & ~3u;
        } else if (token == 3) { /* property: length, name offset, value */
            uint32_t len = be32(p), name = be32(p + 4);
            if (in_memory && str_eq((const char *)strings + name, "reg") && len >= 16)
                return be32(p + 8 + 12);
            p += 8 + ((len + 3) & ~3u);
        } else if (token == 9) {
            return 0;
        }
    }
}

void kernel_vector(void);

void kernel_main(uint32_t hartid, const uint8_t *device_tree)
{
    csr_write(stvec, (uint32_t)kernel_vector);
    uart_init();
    printf("\npebble: a tiny teaching OS for QEMU's virt board\n");
    uint32_t ram = device_tree_memory(device_tree);
    printf("pebble: hart %u, %u MiB of RAM (from the device tree at %x)\n", hartid, ram >> 20, (uint32_t)device_tree);
    paging_init(ram ? ram : 0x8000000u);
    printf("pebble: Sv32 paging on\n");
    plic_init();
    csr_set(sie, (1u << 1) | (1u << 9)); /* SSIE (ticks), SEIE (devices) */
#ifdef PEBBLE_SBI
    next_tick = (uint64_t)csr_read(timeh) << 32 | csr_read(time);
    tick();
    csr_set(sie, 1u << 5); /* STIE */
#endif
    csr_set(sstatus, 1u << 1);
    if (!disk_init()) {
        printf("pebble: no disk (virtio-blk in the first virtio slot)\n");
    } else {
        printf("pebble: disk of %u sectors\n", disk_sectors());
        if (!fs_mount())
            printf("pebble: the disk has no PebbleFS\n");
    }
    shell();
}
