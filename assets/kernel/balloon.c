/* The balloon driver (virtio-balloon, device 5): the host sets how many pages it wants back
   (num_pages in the device's configuration); on each timer tick the kernel moves toward it by
   at most one batch - free pages go into the inflate queue, pages come back through the deflate
   queue and return to the free list - and says in `actual` how many the balloon holds. It never
   gives away the last BALLOON_RESERVE free pages: processes need them (Linux's driver can
   likewise fall short of the target). */
#include "kernel.h"
#include "virtio.h"

#define BALLOON_MAX 1024    /* pages the balloon can hold (the kernel's 4 MiB) */
#define BALLOON_BATCH 256   /* page frame numbers per request */
#define BALLOON_RESERVE 128 /* free pages always kept */

static volatile uint32_t *balloon;
static struct virtq inflate_queue, deflate_queue;
static uint32_t pfns[BALLOON_BATCH];
static uint32_t held[BALLOON_MAX]; /* the page frames in the balloon */
static uint32_t held_count, reported_target = 0;

void balloon_probe(void) {
  volatile uint32_t *r = virtio_find(5);
  if (!r || !virtq_init(r, 0, &inflate_queue) || !virtq_init(r, 1, &deflate_queue)) return;
  virtio_driver_ok(r);
  balloon = r;
}

int balloon_present(void) { return balloon != 0; }
uint32_t balloon_pages(void) { return held_count; }

void balloon_poll(void) {
  if (!balloon) return;
  uint32_t target = VIRTIO_CONFIG(balloon)[0]; /* num_pages */
  if (target > BALLOON_MAX) target = BALLOON_MAX;
  uint32_t n = 0;
  if (held_count < target) {
    while (held_count + n < target && n < BALLOON_BATCH && free_page_count() > BALLOON_RESERVE) {
      void *page = kalloc_uncleared();
      held[held_count + n] = pfns[n] = (uint32_t)page >> 12;
      n++;
    }
    if (n) virtq_send(balloon, 0, &inflate_queue, pfns, n * 4);
    held_count += n;
  } else if (held_count > target) {
    n = held_count - target < BALLOON_BATCH ? held_count - target : BALLOON_BATCH;
    for (uint32_t i = 0; i < n; i++) pfns[i] = held[held_count - n + i];
    virtq_send(balloon, 1, &deflate_queue, pfns, n * 4); /* told first, then used again */
    for (uint32_t i = 0; i < n; i++) kfree((void *)(pfns[i] << 12));
    held_count -= n;
  }
  if (n) VIRTIO_CONFIG(balloon)[1] = held_count; /* actual */
  /* One line per target: when it is reached, or when the reserve stops the balloon short. */
  int done = held_count == target || (held_count < target && n == 0);
  if (done && target != reported_target) {
    reported_target = target;
    if (held_count == 0)
      kprintf("kernel: balloon: empty again, every page back with the kernel\n");
    else if (held_count == target)
      kprintf("kernel: balloon: holds %u pages, %u KiB given back to the host\n", held_count, held_count * 4);
    else
      kprintf("kernel: balloon: holds %u of the %u pages asked for: it leaves %u pages free for processes\n",
              held_count, target, BALLOON_RESERVE);
  }
}
