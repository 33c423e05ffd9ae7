/* Pebble: a tiny teaching OS written for QEMU's virt board (qemu-system-riscv32 -M virt
   -bios none), the way xv6 is: it boots in M-mode, hands the timer to S-mode, and its S-mode
   kernel pages with Sv32, takes the UART's and the disk's interrupts through the PLIC, reads
   and writes a virtio-blk disk holding a flat file system, and runs a shell. It runs unchanged
   on vmscope, which is the point: the same OS, watched from the inside. */
#ifndef PEBBLE_H
#define PEBBLE_H

#include <stddef.h>
#include <stdint.h>

/* ---- the board (QEMU virt) */
#define UART0 0x10000000u
#define VIRTIO0 0x10001000u
#define PLIC 0x0c000000u
#define CLINT 0x02000000u
#define TEST_DEVICE 0x00100000u
#define TICK 100000u /* mtime ticks between timer interrupts: 10 ms at 10 MHz */
#define UART0_IRQ 10
#define VIRTIO0_IRQ 1

/* ---- CSR access */
#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" : : "r"((uint32_t)(v)) : "memory")
static inline uint32_t mmio_read(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* ---- kernel.c: console, interrupts, paging */
void kernel_main(uint32_t hartid, const uint8_t *device_tree);
void putc(char c);
void puts(const char *s);
void printf(const char *fmt, ...);
int getc(void); /* the next typed byte, waiting (WFI) for one */
void power_off(void) __attribute__((noreturn));
extern volatile uint32_t ticks, uart_interrupts, disk_interrupts;
uint32_t device_tree_memory(const uint8_t *fdt); /* RAM size the tree names, or 0 */
int str_eq(const char *a, const char *b);
size_t str_len(const char *s);
void mem_copy(void *dst, const void *src, size_t n);
void mem_set(void *dst, int c, size_t n);

/* ---- disk.c: the virtio-blk driver (one request at a time, completed by interrupt) */
int disk_init(void);
int disk_rw(uint32_t sector, void *buffer, int write);
void disk_interrupt(void);
uint32_t disk_sectors(void);

/* ---- fs.c: PebbleFS, a flat directory of contiguous files */
int fs_mount(void);
void fs_list(void);
int fs_read(const char *name, char *out, uint32_t max); /* bytes read, or -1 */
int fs_write(const char *name, const char *text, uint32_t len);
int fs_remove(const char *name);

/* ---- shell.c */
void shell(void);

#endif
