/* Pebble's virtio-blk driver: the modern virtio-mmio interface in the first slot, one split
   virtqueue of 8 descriptors, one request at a time (header, data, status), the kernel
   sleeping in WFI until the disk's interrupt says the request is done. */
#include "pebble.h"

enum { MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024,
       QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050,
       INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC = 0x080,
       QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0, CONFIG = 0x100 };
#define NUM 8

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
static struct desc desc[NUM] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[NUM], used_event; } avail __attribute__((aligned(4)));
static struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[NUM]; uint16_t avail_event; } used
    __attribute__((aligned(4)));
static struct { uint32_t type, reserved; uint64_t sector; } header;
static volatile uint8_t status;
static volatile uint16_t done;
static uint32_t capacity;

static uint32_t reg(uint32_t r) { return mmio_read(VIRTIO0 + r); }
static void set(uint32_t r, uint32_t v) { mmio_write(VIRTIO0 + r, v); }

int disk_init(void)
{
    if (reg(MAGIC) != 0x74726976 || reg(VERSION) != 2 || reg(DEVICE_ID) != 2)
        return 0;
    set(STATUS, 0);
    set(STATUS, 1 | 2); /* ACKNOWLEDGE, DRIVER */
    set(DRIVER_FEATURES_SEL, 0);
    set(DRIVER_FEATURES, 0);
    set(DRIVER_FEATURES_SEL, 1);
    set(DRIVER_FEATURES, 1); /* VERSION_1 and nothing else */
    set(STATUS, 1 | 2 | 8);  /* FEATURES_OK */
    if (!(reg(STATUS) & 8))
        return 0;
    set(QUEUE_SEL, 0);
    if (reg(QUEUE_NUM_MAX) < NUM)
        return 0;
    set(QUEUE_NUM, NUM);
    set(QUEUE_DESC, (uint32_t)desc);
    set(QUEUE_DESC + 4, 0);
    set(QUEUE_DRIVER, (uint32_t)&avail);
    set(QUEUE_DRIVER + 4, 0);
    set(QUEUE_DEVICE, (uint32_t)&used);
    set(QUEUE_DEVICE + 4, 0);
    set(QUEUE_READY, 1);
    set(STATUS, 1 | 2 | 8 | 4); /* DRIVER_OK */
    capacity = reg(CONFIG);
    return 1;
}

uint32_t disk_sectors(void) { return capacity; }

void disk_interrupt(void)
{
    disk_interrupts++;
    set(INTERRUPT_ACK, reg(INTERRUPT_STATUS) & 3);
    done = used.idx;
}

int disk_rw(uint32_t sector, void *buffer, int write)
{
    header.type = write ? 1 : 0;
    header.reserved = 0;
    header.sector = sector;
    status = 0xff;
    desc[0] = (struct desc){(uint32_t)&header, sizeof header, 1, 1};
    desc[1] = (struct desc){(uint32_t)buffer, 512, (uint16_t)(1 | (write ? 0 : 2)), 2};
    desc[2] = (struct desc){(uint32_t)&status, 1, 2, 0};
    uint16_t want = (uint16_t)(avail.idx + 1);
    avail.ring[avail.idx % NUM] = 0;
    __sync_synchronize();
    avail.idx = want;
    __sync_synchronize();
    set(QUEUE_NOTIFY, 0);
    for (;;) { /* sleep until the disk's interrupt has seen the request done */
        csr_clear(sstatus, 1u << 1);
        if (done == want)
            break;
        __asm__ volatile("wfi");
        csr_set(sstatus, 1u << 1);
    }
    csr_set(sstatus, 1u << 1);
    return status == 0;
}
