/* virtio-mmio devices and split virtqueues, one buffer at a time (virtio.h). */
#include "virtio.h"

#define VIRTIO_MMIO 0x10001000u
enum { VIRTIO_STATUS = 0x70 / 4, VIRTIO_QUEUE_SEL = 0x30 / 4, VIRTIO_QUEUE_NUM_MAX = 0x34 / 4,
       VIRTIO_QUEUE_NUM = 0x38 / 4, VIRTIO_QUEUE_READY = 0x44 / 4, VIRTIO_QUEUE_NOTIFY = 0x50 / 4 };
enum { ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };

volatile uint32_t *virtio_find(uint32_t device_id) {
  for (uint32_t slot = 0; slot < 8; slot++) {
    volatile uint32_t *r = (volatile uint32_t *)(VIRTIO_MMIO + slot * 0x1000u);
    if (r[0] != 0x74726976u || r[1] != 2 || r[2] != device_id) continue; /* "virt", modern, the device */
    r[VIRTIO_STATUS] = 0;
    r[VIRTIO_STATUS] = ACKNOWLEDGE | DRIVER;
    r[0x24 / 4] = 1; /* driver features, bits 32..63: VIRTIO_F_VERSION_1 only */
    r[0x20 / 4] = 1;
    r[0x24 / 4] = 0;
    r[0x20 / 4] = 0;
    r[VIRTIO_STATUS] = ACKNOWLEDGE | DRIVER | FEATURES_OK;
    if (!(r[VIRTIO_STATUS] & FEATURES_OK)) continue;
    return r;
  }
  return 0;
}

int virtq_init(volatile uint32_t *r, uint32_t index, struct virtq *q) {
  r[VIRTIO_QUEUE_SEL] = index;
  if (r[VIRTIO_QUEUE_NUM_MAX] < VQ_SIZE) return 0;
  r[VIRTIO_QUEUE_NUM] = VQ_SIZE;
  r[0x80 / 4] = (uint32_t)q->desc;
  r[0x84 / 4] = 0;
  r[0x90 / 4] = (uint32_t)&q->avail;
  r[0x94 / 4] = 0;
  r[0xa0 / 4] = (uint32_t)&q->used;
  r[0xa4 / 4] = 0;
  r[VIRTIO_QUEUE_READY] = 1;
  return 1;
}

void virtio_driver_ok(volatile uint32_t *r) { r[VIRTIO_STATUS] = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK; }

void virtq_send(volatile uint32_t *r, uint32_t index, struct virtq *q, const void *buffer, uint32_t len) {
  q->desc[0].addr = (uint32_t)buffer;
  q->desc[0].len = len;
  q->desc[0].flags = 0;
  q->avail.ring[q->avail.idx % VQ_SIZE] = 0;
  __sync_synchronize(); /* the descriptor before the index that offers it */
  q->avail.idx++;
  __sync_synchronize();
  r[VIRTIO_QUEUE_NOTIFY] = index;
  while (*(volatile uint16_t *)&q->used.idx == q->done) {
  }
  q->done++;
}
