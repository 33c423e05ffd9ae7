/* Memory of vmscope's teaching kernel: a free-list page allocator, Sv32 page tables (the
   kernel's global mappings shared by every address space), ELF loading, demand paging. */
#include "kernel.h"

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

/* ---- page allocator: every free page holds a pointer to the next one ---- */
static void *free_list;
static uint32_t free_pages;

void kfree(void *page) {
  *(void **)page = free_list;
  free_list = page;
  free_pages++;
}

void *kalloc_uncleared(void) {
  void *page = free_list;
  if (!page) return 0;
  free_list = *(void **)page;
  free_pages--;
  return page;
}

void *kalloc(void) {
  void *page = kalloc_uncleared();
  if (page) memset(page, 0, PAGE_SIZE);
  return page;
}

uint32_t free_page_count(void) { return free_pages; }

/* The pool is the rest of the kernel's 4 MiB region, after the image. Physical addresses
   in it are also kernel virtual addresses (identity mapping). */
void kalloc_init(void) {
  uint32_t region_end = (uint32_t)__kernel_start + KERNEL_REGION_SIZE;
  for (uint32_t pa = region_end - PAGE_SIZE; pa >= (uint32_t)__kernel_end; pa -= PAGE_SIZE)
    kfree((void *)pa);
}

/* ---- page tables ---- */
static uint32_t kernel_root[1024] __attribute__((aligned(4096)));
static uint32_t kernel_l0[1024] __attribute__((aligned(4096))); /* the kernel's 4 MiB */

/* Before paging is on, so plain stores build these tables in both builds.
   Identity-maps the kernel (text R-X, rodata R--, the rest RW-) with 4 KiB global pages and
   the test device and UART with 4 MiB global superpages. A and D are preset everywhere so
   that no access ever faults just to set them. */
uint32_t vm_init(void) {
  uint32_t base = (uint32_t)__kernel_start;
  for (uint32_t i = 0; i < 1024; i++) {
    uint32_t pa = base + i * PAGE_SIZE;
    uint32_t flags = PTE_R | PTE_W | PTE_D;
    if (pa < (uint32_t)__text_end) flags = PTE_R | PTE_X;
    else if (pa < (uint32_t)__rodata_end) flags = PTE_R;
    kernel_l0[i] = PA_TO_PTE(pa) | flags | PTE_A | PTE_G | PTE_V;
  }
  kernel_root[VPN1(base)] = PA_TO_PTE(kernel_l0) | PTE_G | PTE_V;
  uint32_t device = PTE_R | PTE_W | PTE_A | PTE_D | PTE_G | PTE_V;
  kernel_root[VPN1(TEST_DEVICE)] = PA_TO_PTE(TEST_DEVICE & ~0x3fffffu) | device;
  kernel_root[VPN1(UART_BASE)] = PA_TO_PTE(UART_BASE & ~0x3fffffu) | device;
  return SATP_SV32 | ((uint32_t)kernel_root >> 12);
}

/* A new address space: a root table with the kernel's global entries and nothing else. */
uint32_t *vm_new_space(void) {
  uint32_t *root = kalloc();
  if (root) memcpy(root, kernel_root, PAGE_SIZE);
  return root;
}

/* The level-0 entry for va, creating the level-0 table if asked; 0 if there is none. */
static uint32_t *walk(uint32_t *root, uint32_t asid, uint32_t va, int create) {
  uint32_t *l1 = &root[VPN1(va)];
  if (!(pte_get(l1) & PTE_V)) {
    if (!create) return 0;
    uint32_t *table = kalloc();
    if (!table) return 0;
    pte_set(l1, PA_TO_PTE(table) | PTE_V);
    flush_space(asid); /* a non-leaf entry changed: fence the whole address space */
  }
  uint32_t entry = pte_get(l1);
  if (entry & (PTE_LEAF | PTE_G)) return 0; /* a superpage or the kernel's table */
  return &((uint32_t *)PTE_TO_PA(entry))[VPN0(va)];
}

static int map_page(struct proc *p, uint32_t va, void *page, uint32_t flags) {
  uint32_t *pte = walk(p->root, p->asid, va, 1);
  if (!pte || (pte_get(pte) & PTE_V)) return -1;
  pte_set(pte, PA_TO_PTE(page) | flags | PTE_U | PTE_A | (flags & PTE_W ? PTE_D : 0) | PTE_V);
  flush_page(va, p->asid);
  return 0;
}

static void unmap_page(struct proc *p, uint32_t va) {
  uint32_t *pte = walk(p->root, p->asid, va, 0);
  if (!pte || !(pte_get(pte) & PTE_V)) return;
  kfree((void *)PTE_TO_PA(pte_get(pte)));
  pte_set(pte, 0);
  flush_page(va, p->asid);
}

/* Frees every user page and table of an address space (satp must not point at it). */
void vm_free_space(uint32_t *root, uint32_t asid) {
  release_space(root, asid); /* the machine forgets it first: its tables become plain pages */
  for (uint32_t i = 0; i < 1024; i++) {
    if (!(root[i] & PTE_V) || (root[i] & (PTE_G | PTE_LEAF))) continue;
    uint32_t *l0 = (uint32_t *)PTE_TO_PA(root[i]);
    for (uint32_t j = 0; j < 1024; j++)
      if (l0[j] & PTE_V) kfree((void *)PTE_TO_PA(l0[j]));
    kfree(l0);
  }
  kfree(root);
}

/* ---- ELF loading: each PT_LOAD segment is copied into fresh pages ---- */
struct elf_header {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr { uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align; };
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

int vm_load_elf(struct proc *p, const uint8_t *elf, uint32_t size) {
  const struct elf_header *eh = (const void *)elf;
  if (size < sizeof *eh || eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[4] != 1 ||
      eh->machine != 243 || eh->phoff + eh->phnum * sizeof(struct elf_phdr) > size)
    return -1;
  uint32_t end = USER_BASE;
  for (int i = 0; i < eh->phnum; i++) {
    const struct elf_phdr *ph = (const void *)(elf + eh->phoff + i * sizeof(struct elf_phdr));
    if (ph->type != PT_LOAD || ph->memsz == 0) continue;
    if (ph->vaddr < USER_BASE || ph->vaddr + ph->memsz > USER_HEAP_LIMIT ||
        ph->filesz > ph->memsz || ph->offset + ph->filesz > size)
      return -1;
    uint32_t flags = (ph->flags & PF_R ? PTE_R : 0) | (ph->flags & PF_W ? PTE_W : 0) |
                     (ph->flags & PF_X ? PTE_X : 0);
    for (uint32_t va = PAGE_ROUND_DOWN(ph->vaddr); va < ph->vaddr + ph->memsz; va += PAGE_SIZE) {
      uint8_t *page = kalloc();
      if (!page || map_page(p, va, page, flags) < 0) return -1;
      for (uint32_t a = va; a < va + PAGE_SIZE; a++) /* file bytes; the rest stays zero */
        if (a >= ph->vaddr && a < ph->vaddr + ph->filesz) page[a - va] = elf[ph->offset + a - ph->vaddr];
    }
    if (ph->vaddr + ph->memsz > end) end = ph->vaddr + ph->memsz;
  }
  p->heap_start = p->brk = PAGE_ROUND_UP(end);
  p->tf.pc = eh->entry;
  p->tf.x[2] = USER_STACK_TOP; /* sp */
  return 0;
}

/* ---- demand paging ---- */
/* Maps a fresh zeroed page at va if va is in the heap or the stack and not mapped yet.
   Returns 0 on success, -1 for a bad access (the caller kills the process). */
int vm_demand_page(struct proc *p, uint32_t va) {
  int in_heap = va >= p->heap_start && va < p->brk;
  int in_stack = va < USER_STACK_TOP && va >= USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;
  if (!in_heap && !in_stack) return -1;
  uint32_t *pte = walk(p->root, p->asid, va, 0);
  if (pte && (pte_get(pte) & PTE_V)) return -1; /* mapped already: a protection fault */
  void *page = kalloc();
  if (!page) return -1;
  if (map_page(p, PAGE_ROUND_DOWN(va), page, PTE_R | PTE_W) < 0) {
    kfree(page);
    return -1;
  }
  p->paged_in++;
  return 0;
}

/* The kernel's pointer to user address va (mapping it on demand), or 0 if va is bad. */
void *vm_user_ptr(struct proc *p, uint32_t va) {
  uint32_t *pte = walk(p->root, p->asid, va, 0);
  if (!pte || !(pte_get(pte) & PTE_V)) {
    if (vm_demand_page(p, va) < 0) return 0;
    pte = walk(p->root, p->asid, va, 0);
  }
  uint32_t entry = pte_get(pte);
  if (!(entry & PTE_U) || !(entry & PTE_R)) return 0;
  return (void *)(PTE_TO_PA(entry) + (va & (PAGE_SIZE - 1)));
}

/* Moves the break; pages above a lowered break are unmapped and freed at once, pages
   below a raised one are only mapped when touched. Returns the old break or -1. */
int32_t vm_sbrk(struct proc *p, int32_t increment) {
  uint32_t old = p->brk, new = old + (uint32_t)increment;
  if ((increment < 0 && new > old) || (increment > 0 && new < old) || new < p->heap_start ||
      new > USER_HEAP_LIMIT)
    return -1;
  for (uint32_t va = PAGE_ROUND_UP(new); va < PAGE_ROUND_UP(old); va += PAGE_SIZE) unmap_page(p, va);
  p->brk = new;
  return (int32_t)old;
}
