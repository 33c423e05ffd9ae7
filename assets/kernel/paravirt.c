/* The paravirtual build's machine interface (arch.h): hypercalls to vmscope's monitor and the
   page shared with it (core/vmm/paravirt_abi.h), instead of privileged instructions. */
#ifdef VMSCOPE_PARAVIRT
#include "kernel.h"
#include "paravirt_abi.h"

struct vmscope_pv_shared pv_shared __attribute__((aligned(4096))); /* entry.S uses it too */
_Static_assert(__builtin_offsetof(struct vmscope_pv_shared, satp) == VMSCOPE_PV_SATP &&
                   sizeof(struct vmscope_pv_shared) == 4 * VMSCOPE_PV_SHARED_WORDS,
               "the shared page's offsets (paravirt_abi.h) match its structure");
extern char trap_vector[]; /* entry.S */

/* Page-table writes and address-space switches wait here until the next hypercall. */
static struct vmscope_pv_mmu_update batch[64] __attribute__((aligned(8)));

struct pv_result { int32_t error; uint32_t value; };

static struct pv_result hypercall(uint32_t function, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2;
  register uint32_t r6 asm("a6") = function, r7 asm("a7") = VMSCOPE_PV_EXTENSION;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct pv_result){(int32_t)r0, r1};
}

/* The kernel's addresses are identity-mapped: a pointer is also its guest-physical address. */
int arch_init(void) {
  return hypercall(VMSCOPE_PV_REGISTER, (uint32_t)&pv_shared, (uint32_t)trap_vector, (uint32_t)batch).error;
}

uint32_t trap_cause(void) { return pv_shared.cause; }
uint32_t trap_value(void) { return pv_shared.tval; }
uint32_t trap_pc(void) { return pv_shared.epc; }
uint32_t trap_status(void) { return pv_shared.status; }

static void queue(uint32_t address, uint32_t value) {
  if (pv_shared.mmu_count == sizeof batch / sizeof batch[0]) mmu_commit();
  batch[pv_shared.mmu_count] = (struct vmscope_pv_mmu_update){address, value};
  pv_shared.mmu_count++; /* after the entry: the monitor reads only complete entries */
}

/* Queued: it takes effect at the next hypercall, at the latest the trap return to the process. */
void set_address_space(uint32_t satp) { queue(VMSCOPE_PV_OP_SET_SATP, satp); }

uint32_t address_space(void) {
  mmu_commit();
  return pv_shared.satp;
}

void set_user_access(int on) {
  hypercall(VMSCOPE_PV_SET_STATUS, on ? SSTATUS_SUM : 0, on ? 0 : SSTATUS_SUM, 0);
}

/* Interrupt enables are a word of the shared page: no exit. */
void enable_timer_interrupt(void) { pv_shared.enabled |= SIE_STIE; }
int timer_pending(void) { return (pv_shared.pending & SIP_STIP) != 0; }
void wait_for_interrupt(void) { hypercall(VMSCOPE_PV_BLOCK, 0, 0, 0); }
void set_user_counters(uint32_t mask) { pv_shared.counteren = mask; }
void return_to_user_mode_next(void) { pv_shared.status &= ~SSTATUS_SPP; }

void mmu_commit(void) {
  if (pv_shared.mmu_count) hypercall(VMSCOPE_PV_MMU_UPDATE, 0, 0, 0);
}

uint32_t pte_get(const uint32_t *pte) { /* the latest queued value, else memory */
  for (uint32_t i = pv_shared.mmu_count; i-- > 0;)
    if (batch[i].address == (uint32_t)pte) return batch[i].value;
  return *pte;
}

void pte_set(uint32_t *pte, uint32_t value) { queue((uint32_t)pte | VMSCOPE_PV_OP_WRITE_PTE, value); }

void release_space(uint32_t *root, uint32_t asid) {
  (void)asid;
  hypercall(VMSCOPE_PV_RELEASE_SPACE, (uint32_t)root, 0, 0); /* (applies the batch first) */
}
#endif
