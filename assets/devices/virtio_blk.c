/* virtio_blk: a virtio-blk disk in the board's first virtio-mmio slot (0x10001000, PLIC
   source 1), driven as a driver written against QEMU drives it: the modern interface and
   its IDs, feature negotiation (VERSION_1, INDIRECT_DESC, EVENT_IDX), one split virtqueue,
   requests completed by interrupt through the PLIC. Reads (one buffer, scattered over
   several, through an indirect table), a write read back, get-id, a read past the end (an
   I/O error), an unknown request (unsupported), and the event index holding back an
   interrupt. Needs the test disk (made by make_disk.py): sector n begins "sector n.".
   Built with -DDISK_BENCH (disk_bench.elf) it is the disk benchmark instead: it reads its whole
   disk in 64 KiB requests, several times, then once more in 4 KiB requests, each completed by
   an interrupt, and says how much it read (scripts/bench_devices.py times it). */
#include "vmscope_system.h"

#define VIRTIO0 0x10001000u
#define PLIC_BASE 0x0c000000u
#define VIRTIO0_IRQ 1
enum { MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c, DEVICE_FEATURES = 0x010,
       DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030,
       QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
       INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC = 0x080,
       QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0, CONFIG = 0x100 };
enum { ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };
#define F_INDIRECT_DESC (1u << 28)
#define F_EVENT_IDX (1u << 29)
#define F_VERSION_1 1u /* bit 32: word 1, bit 0 */
enum { DESC_NEXT = 1, DESC_WRITE = 2, DESC_INDIRECT = 4 };
enum { T_IN = 0, T_OUT = 1, T_GET_ID = 8 };
#define QSIZE 8
#define SPIN_LIMIT 50000000u

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };
struct header { uint32_t type, reserved; uint64_t sector; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct desc indirect[4] __attribute__((aligned(16), unused));  /* (not in DISK_BENCH) */
static struct avail avail __attribute__((aligned(4)));
static struct used used __attribute__((aligned(4)));
static struct header hdr;
#ifdef DISK_BENCH
static uint8_t data[64 * 1024] __attribute__((aligned(16)));
#else
static uint8_t data[4 * 512] __attribute__((aligned(16)));
#endif
static volatile uint8_t status;
static volatile uint32_t interrupts, wrong_source;
static uint16_t seen_used;

static uint32_t reg(uint32_t off) { return mmio_read32(VIRTIO0 + off); }
static void set(uint32_t off, uint32_t v) { mmio_write32(VIRTIO0 + off, v); }

void m_trap_handler(struct trap_frame *f)
{
    (void)f;
    uint32_t cause = csr_read(mcause);
    if (cause == (MCAUSE_INTERRUPT | IRQ_M_EXT)) {
        uint32_t source = mmio_read32(PLIC_BASE + 0x200004);
        if (source == VIRTIO0_IRQ) {
            interrupts++;
            set(INTERRUPT_ACK, reg(INTERRUPT_STATUS));
        } else {
            wrong_source++;
        }
        mmio_write32(PLIC_BASE + 0x200004, source);
        return;
    }
    kprintf("FAIL: unexpected M trap mcause=%x mepc=%x\n", cause, csr_read(mepc));
    vm_exit(3);
}

__attribute__((unused)) static uint32_t meip(void) { return (csr_read(mip) >> IRQ_M_EXT) & 1; }
static void mem_fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* Offers the chain at descriptor 0 and waits for the device to hand it back: by its
   interrupt (used_event asks for one when this request is done), or by polling when `poll`.
   Returns the length the device wrote. */
static uint32_t submit(int poll)
{
    uint32_t before = interrupts;
    if (!poll)
        avail.used_event = seen_used;
    avail.ring[avail.idx % QSIZE] = 0;
    mem_fence();
    avail.idx++;
    mem_fence();
    set(QUEUE_NOTIFY, 0);
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if (poll ? *(volatile uint16_t *)&used.idx != seen_used : interrupts != before)
            break;
        if (poll)
            continue;
        csr_clear(mstatus, MSTATUS_MIE); /* (wfi wakes on a pending interrupt even so) */
        if (interrupts == before)
            __asm__ volatile("wfi");
        csr_set(mstatus, MSTATUS_MIE);
    }
    csr_clear(mstatus, MSTATUS_MIE);
    mem_fence();
    CHECK(*(volatile uint16_t *)&used.idx != seen_used, "the device answered");
    uint32_t len = used.ring[seen_used % QSIZE].len;
    CHECK_EQ(used.ring[seen_used % QSIZE].id, 0, "the used ring names the chain's head");
    seen_used++;
    return len;
}

/* header, then the data buffers (`parts` of `len` each), then the status byte */
static void chain(uint32_t type, uint64_t sector, uint8_t *buf, uint32_t parts, uint32_t len)
{
    hdr.type = type;
    hdr.reserved = 0;
    hdr.sector = sector;
    descs[0] = (struct desc){(uint32_t)&hdr, sizeof hdr, DESC_NEXT, 1};
    for (uint32_t p = 0; p < parts; p++)
        descs[1 + p] = (struct desc){(uint32_t)(buf + p * len), len, (uint16_t)(DESC_NEXT | (type == T_OUT ? 0 : DESC_WRITE)), (uint16_t)(2 + p)};
    descs[1 + parts] = (struct desc){(uint32_t)&status, 1, DESC_WRITE, 0};
    status = 0xff;
}

__attribute__((unused)) static int starts_with(const uint8_t *p, const char *s)
{
    while (*s)
        if (*p++ != (uint8_t)*s++)
            return 0;
    return 1;
}

static void setup(void)
{
    CHECK_EQ(reg(MAGIC), 0x74726976, "magic \"virt\"");
    CHECK_EQ(reg(VERSION), 2, "the modern interface");
    CHECK_EQ(reg(DEVICE_ID), 2, "a block device");
    CHECK_EQ(reg(VENDOR_ID), 0x554d4551, "vendor \"QEMU\"");
    set(STATUS, 0);
    set(STATUS, ACKNOWLEDGE | DRIVER);
    set(DEVICE_FEATURES_SEL, 0);
    uint32_t low = reg(DEVICE_FEATURES);
    set(DEVICE_FEATURES_SEL, 1);
    uint32_t high = reg(DEVICE_FEATURES);
    CHECK(low & F_INDIRECT_DESC, "indirect descriptors offered");
    CHECK(low & F_EVENT_IDX, "the event index offered");
    CHECK(high & F_VERSION_1, "VERSION_1 offered");
    set(DRIVER_FEATURES_SEL, 0);
    set(DRIVER_FEATURES, F_INDIRECT_DESC | F_EVENT_IDX);
    set(DRIVER_FEATURES_SEL, 1);
    set(DRIVER_FEATURES, F_VERSION_1);
    set(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
    CHECK(reg(STATUS) & FEATURES_OK, "the device accepts the features");
    set(QUEUE_SEL, 0);
    CHECK(reg(QUEUE_NUM_MAX) >= QSIZE, "queue 0 holds 8");
    set(QUEUE_NUM, QSIZE);
    set(QUEUE_DESC, (uint32_t)descs);
    set(QUEUE_DESC + 4, 0);
    set(QUEUE_DRIVER, (uint32_t)&avail);
    set(QUEUE_DRIVER + 4, 0);
    set(QUEUE_DEVICE, (uint32_t)&used);
    set(QUEUE_DEVICE + 4, 0);
    set(QUEUE_READY, 1);
    set(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    uint32_t capacity = reg(CONFIG);
    kprintf("virtio-blk: %u sectors\n", capacity);
#ifndef DISK_BENCH
    CHECK_EQ(capacity, 64, "the test disk's 64 sectors");
#endif
    /* completion interrupts: PLIC source 1 to context 0 */
    mmio_write32(PLIC_BASE + 4 * VIRTIO0_IRQ, 1);
    mmio_write32(PLIC_BASE + 0x2000, 1u << VIRTIO0_IRQ);
    mmio_write32(PLIC_BASE + 0x200000, 0);
    csr_set(mie, 1u << IRQ_M_EXT);
}

#ifdef DISK_BENCH
int main(void)
{
    setup();
    uint32_t sectors = reg(CONFIG), requests = 0, kib = 0;
    for (int pass = 0; pass < 8; pass++)
        for (uint32_t s = 0; s + 128 <= sectors; s += 128, requests++, kib += 64) {
            chain(T_IN, s, data, 1, 64 * 1024);
            submit(0);
        }
    for (uint32_t s = 0; s + 8 <= sectors; s += 8, requests++, kib += 4) {
        chain(T_IN, s, data, 1, 4096);
        submit(0);
    }
    CHECK_EQ(interrupts, requests, "one interrupt per request");
    kprintf("disk_bench: read %u KiB in %u requests, %u interrupts\n", kib, requests, interrupts);
    return VM_FINISH("disk_bench");
}
#else
int main(void)
{
    setup();

    chain(T_IN, 0, data, 1, 512);
    CHECK_EQ(submit(0), 513, "read: 512 bytes and the status");
    CHECK_EQ(status, 0, "read: OK");
    CHECK(starts_with(data, "sector 0."), "sector 0's bytes");
    kprintf("read sector 0: %s\n", (const char *)data);

    chain(T_IN, 1, data, 4, 512); /* 4 sectors over 4 buffers */
    CHECK_EQ(submit(0), 4 * 512 + 1, "scattered read: 2048 bytes");
    CHECK(starts_with(data + 512 * 3, "sector 4."), "the fourth buffer has sector 4");
    kprintf("read sectors 1-4: %s | %s\n", (const char *)data, (const char *)(data + 3 * 512));

    for (int i = 0; i < 512; i++)
        data[i] = (uint8_t)(i * 7);
    chain(T_OUT, 5, data, 1, 512);
    CHECK_EQ(submit(0), 1, "write: the status only");
    CHECK_EQ(status, 0, "write: OK");
    for (int i = 0; i < 512; i++)
        data[i] = 0;
    chain(T_IN, 5, data, 1, 512);
    submit(0);
    int same = 1;
    for (int i = 0; i < 512; i++)
        same &= data[i] == (uint8_t)(i * 7);
    CHECK(same, "sector 5 reads back what was written");
    kprintf("wrote sector 5 and read it back: %s\n", same ? "equal" : "DIFFERENT");

    /* through an indirect table: header, data, status */
    hdr = (struct header){T_IN, 0, 2};
    indirect[0] = (struct desc){(uint32_t)&hdr, sizeof hdr, DESC_NEXT, 1};
    indirect[1] = (struct desc){(uint32_t)data, 512, DESC_NEXT | DESC_WRITE, 2};
    indirect[2] = (struct desc){(uint32_t)&status, 1, DESC_WRITE, 0};
    descs[0] = (struct desc){(uint32_t)indirect, 3 * sizeof(struct desc), DESC_INDIRECT, 0};
    status = 0xff;
    CHECK_EQ(submit(0), 513, "indirect read: 513 bytes");
    CHECK(starts_with(data, "sector 2."), "indirect read: sector 2");
    kprintf("read sector 2 through an indirect table: %s\n", (const char *)data);

    chain(T_GET_ID, 0, data, 1, 20);
    for (int i = 0; i < 20; i++)
        data[i] = 0;
    submit(0);
    CHECK_EQ(status, 0, "get-id: OK");
    kprintf("get-id: %s\n", (const char *)data);

    chain(T_IN, 64, data, 1, 512);
    submit(0);
    uint32_t past_end = status;
    CHECK_EQ(past_end, 1, "a read past the end: I/O error");
    chain(0x55, 0, data, 1, 512);
    submit(0);
    CHECK_EQ(status, 2, "an unknown request: unsupported");
    kprintf("past the end: status %u; unknown request: status %u\n", past_end, (uint32_t)status);

    uint32_t before = interrupts;
    CHECK_EQ(before, 8, "one interrupt per request");
    avail.used_event = (uint16_t)(seen_used + 100); /* not before 100 more */
    chain(T_IN, 3, data, 1, 512);
    submit(1);
    CHECK_EQ(interrupts, before, "used_event far ahead: no interrupt");
    CHECK_EQ(meip(), 0, "... none pending either");
    CHECK_EQ(used.avail_event, avail.idx, "the device's avail_event: every request seen");
    CHECK_EQ(wrong_source, 0, "every claim was the disk's");
    kprintf("event index: %u interrupts for %u requests\n", interrupts, (uint32_t)seen_used);
    return VM_FINISH("virtio_blk");
}
#endif
