/* Declarations shared by the parts of vmscope's teaching kernel: address-space layout,
   Sv32 page-table entries, the process structure, the page allocator and vm.c's API. */
#ifndef VMSCOPE_KERNEL_H
#define VMSCOPE_KERNEL_H
#include "arch.h"
#include "lib.h"

#define PAGE_SIZE 4096u
#define PAGE_ROUND_UP(a) (((a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(a) ((a) & ~(PAGE_SIZE - 1))

/* Sv32: satp = MODE | ASID << 22 | root PPN; a PTE = PPN << 10 | flags. */
#define SATP_SV32 0x80000000u
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_G 0x020u
#define PTE_A 0x040u
#define PTE_D 0x080u
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
#define PA_TO_PTE(pa) (((uint32_t)(pa) >> 12) << 10)
#define PTE_TO_PA(pte) (((pte) >> 10) << 12)
#define VPN1(va) ((uint32_t)(va) >> 22)
#define VPN0(va) (((uint32_t)(va) >> 12) & 0x3ff)

/* Every process's address space: its ELF at USER_BASE, the heap (sbrk) right after it up
   to USER_HEAP_LIMIT, the stack below USER_STACK_TOP; heap and stack pages are mapped on
   first touch. The kernel's 4 MiB and the two devices are mapped (global, S-only) too. */
#define USER_BASE 0x00400000u
#define USER_HEAP_LIMIT 0x00800000u
#define USER_STACK_TOP 0x80000000u
#define USER_STACK_PAGES 64u
#define KERNEL_REGION_SIZE 0x00400000u /* the kernel owns the 4 MiB it is linked into */
#define UART_BASE 0x10000000u
#define TEST_DEVICE 0x00100000u

#define NPROC 5
#define OUT_SIZE 1024 /* buffered console output per process */
#define EXIT_KILLED (-1)

struct trapframe {
  uint32_t x[32]; /* x0..x31 (x0 unused) */
  uint32_t pc;    /* at offset 128: see entry.S */
};

enum pstate { UNUSED, RUNNABLE, SLEEPING, EXITED, KILLED };

struct proc {
  struct trapframe tf; /* first: sscratch points here while the process runs */
  int pid;
  uint32_t asid;
  const char *name;
  enum pstate state;
  uint32_t *root;                /* level-1 page table */
  uint32_t heap_start, brk;      /* heap is [heap_start, brk) */
  uint32_t wake_tick;            /* SLEEPING until ticks reaches this */
  int exit_code, expected_code;
  uint32_t paged_in;             /* pages mapped on demand */
  uint32_t timer_interrupts;     /* timer interrupts taken while it ran */
  uint32_t out_len, out_lost;
  char out[OUT_SIZE];
};

/* vm.c */
void kalloc_init(void);
void *kalloc(void);  /* a zeroed page, or 0 */
void *kalloc_uncleared(void);  /* a page as it was freed (the balloon's: never read), or 0 */
void kfree(void *page);
uint32_t free_page_count(void);
uint32_t vm_init(void); /* builds the kernel's table; returns its satp value (ASID 0) */
uint32_t *vm_new_space(void);
void vm_free_space(uint32_t *root, uint32_t asid);
int vm_load_elf(struct proc *p, const uint8_t *elf, uint32_t size);
int vm_demand_page(struct proc *p, uint32_t va);
void *vm_user_ptr(struct proc *p, uint32_t va);
int32_t vm_sbrk(struct proc *p, int32_t increment);

/* balloon.c */
void balloon_probe(void);
void balloon_poll(void); /* on every timer tick */
int balloon_present(void);
uint32_t balloon_pages(void);

/* kernel.c */
void kprintf(const char *format, ...);
__attribute__((noreturn)) void panic(const char *what);

#endif
