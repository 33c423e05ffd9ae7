/* virtio 1.x over MMIO (the modern "version 2" registers) for vmscope's teaching kernel: QEMU
   virt's slots at 0x10001000 + n * 0x1000, split virtqueues used one buffer at a time. The
   kernel's addresses are physical (identity-mapped), so buffers are passed as they are. */
#ifndef VMSCOPE_KERNEL_VIRTIO_H
#define VMSCOPE_KERNEL_VIRTIO_H
#include "lib.h"

#define VQ_SIZE 4
struct vq_desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct virtq {
  struct vq_desc desc[VQ_SIZE] __attribute__((aligned(16)));
  struct { uint16_t flags, idx, ring[VQ_SIZE], used_event; } avail __attribute__((aligned(4)));
  struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[VQ_SIZE]; uint16_t avail_event; } used
      __attribute__((aligned(4)));
  uint16_t done; /* used entries seen */
};

/* The registers of the first device with this ID, reset and with VIRTIO_F_VERSION_1 (and no
   other feature) negotiated; 0 if there is none, or it refuses. */
volatile uint32_t *virtio_find(uint32_t device_id);
/* Sets up queue `index` (0 if the device's queue is too small), then DRIVER_OK. */
int virtq_init(volatile uint32_t *regs, uint32_t index, struct virtq *q);
void virtio_driver_ok(volatile uint32_t *regs);
/* One device-readable buffer through queue `index`: offered, announced by one write to
   QueueNotify, and waited for until the device has used it. */
void virtq_send(volatile uint32_t *regs, uint32_t index, struct virtq *q, const void *buffer, uint32_t len);

#define VIRTIO_CONFIG(regs) ((volatile uint32_t *)(regs) + 0x100 / 4)
#define VIRTIO_INTERRUPT_STATUS (0x60 / 4)
#define VIRTIO_INTERRUPT_ACK (0x64 / 4)

#endif
