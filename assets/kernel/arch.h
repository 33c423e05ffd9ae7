/* The kernel's machine interface: every privileged operation it needs, in one place. The
   native build does each with the privileged instruction (CSR access, SFENCE.VMA, WFI, SRET in
   entry.S); the paravirtual build (-DVMSCOPE_PARAVIRT, paravirt.c) asks vmscope's monitor by
   hypercall or uses the page it shares with the monitor, and never executes a privileged
   instruction. This is what Linux's paravirt_ops does for Xen: one kernel source, two ways to
   reach the machine. */
#ifndef VMSCOPE_KERNEL_ARCH_H
#define VMSCOPE_KERNEL_ARCH_H
#include "lib.h"

#define SSTATUS_SPP 0x100u
#define SSTATUS_SUM 0x40000u
#define SIE_STIE 0x20u
#define SIP_STIP 0x20u

#define csr_read(csr) ({ uint32_t v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })

/* time is an unprivileged counter (scounteren lets U-mode read it): both builds read it. */
static inline uint64_t read_time(void) {
  uint32_t hi, lo;
  do {
    hi = csr_read(timeh);
    lo = csr_read(time);
  } while (hi != csr_read(timeh));
  return ((uint64_t)hi << 32) | lo;
}

#ifndef VMSCOPE_PARAVIRT

#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" : : "r"(v) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" : : "r"(v) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" : : "r"(v) : "memory")

static inline int arch_init(void) { return 0; } /* entry.S set stvec and sscratch */
/* The trap being handled (what the trap vector was entered for). */
static inline uint32_t trap_cause(void) { return csr_read(scause); }
static inline uint32_t trap_value(void) { return csr_read(stval); }
static inline uint32_t trap_pc(void) { return csr_read(sepc); }
static inline uint32_t trap_status(void) { return csr_read(sstatus); }
/* Switches address space; address_space() is satp as the machine kept it (WARL: ASID bits). */
static inline void set_address_space(uint32_t satp) { csr_write(satp, satp); }
static inline uint32_t address_space(void) { return csr_read(satp); }
static inline void set_user_access(int on) { /* sstatus.SUM: S-mode may touch user pages */
  if (on) csr_set(sstatus, SSTATUS_SUM);
  else csr_clear(sstatus, SSTATUS_SUM);
}
static inline void enable_timer_interrupt(void) { csr_set(sie, SIE_STIE); }
static inline int timer_pending(void) { return (csr_read(sip) & SIP_STIP) != 0; }
static inline void wait_for_interrupt(void) { asm volatile("wfi"); }
static inline void set_user_counters(uint32_t mask) { csr_write(scounteren, mask); }
static inline void return_to_user_mode_next(void) { csr_clear(sstatus, SSTATUS_SPP); }

/* Page-table entries: written in place, then the TLB told. */
static inline uint32_t pte_get(const uint32_t *pte) { return *pte; }
static inline void pte_set(uint32_t *pte, uint32_t value) { *pte = value; }
static inline void flush_page(uint32_t va, uint32_t asid) {
  asm volatile("sfence.vma %0, %1" : : "r"(va), "r"(asid) : "memory");
}
static inline void flush_space(uint32_t asid) { asm volatile("sfence.vma zero, %0" : : "r"(asid) : "memory"); }
static inline void flush_all(void) { asm volatile("sfence.vma zero, zero" : : : "memory"); }
static inline void mmu_commit(void) {} /* nothing is batched */
/* An address space is about to be freed (satp no longer points at it). */
static inline void release_space(uint32_t *root, uint32_t asid) { (void)root; flush_space(asid); }

#else /* paravirtual: paravirt.c */

int arch_init(void); /* registers the shared page and the trap vector; <0: no monitor */
uint32_t trap_cause(void);
uint32_t trap_value(void);
uint32_t trap_pc(void);
uint32_t trap_status(void);
void set_address_space(uint32_t satp);
uint32_t address_space(void);
void set_user_access(int on);
void enable_timer_interrupt(void);
int timer_pending(void);
void wait_for_interrupt(void);
void set_user_counters(uint32_t mask);
void return_to_user_mode_next(void);
/* Page-table updates are queued and sent in one hypercall (mmu_commit); reads see the queue. */
uint32_t pte_get(const uint32_t *pte);
void pte_set(uint32_t *pte, uint32_t value);
static inline void flush_page(uint32_t va, uint32_t asid) { (void)va, (void)asid; } /* the monitor */
static inline void flush_space(uint32_t asid) { (void)asid; }                       /* saw every */
static inline void flush_all(void) {}                                               /* update */
void mmu_commit(void);
void release_space(uint32_t *root, uint32_t asid);

#endif
#endif
