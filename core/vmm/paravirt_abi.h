/* vmscope's paravirtual interface: what a guest kernel that knows it runs under vmscope's
   monitor (--virt paravirtual) uses instead of privileged instructions. Plain C, shared by the
   monitor (core/vmm/paravirt.cpp) and the paravirtual build of the teaching kernel
   (assets/kernel, -DVMSCOPE_PARAVIRT): this header is the interface's one definition.

   Hypercalls are SBI calls (ECALL, a7 = extension, a6 = function, arguments in a0..a2; the
   answer in a0 = error, a1 = value) to an extension in the SBI's firmware-specific range.
   A shared page, registered once, carries what the privileged CSRs carried: the trap being
   delivered (cause, value, pc), the interrupt enables and pending bits, and the kernel's
   scratch word. The guest reads and writes it with ordinary loads and stores; the monitor
   reads it when an exit starts and writes it back when the exit ends, much as Xen's
   shared_info page and its vcpu_info work. */
#ifndef VMSCOPE_PARAVIRT_ABI_H
#define VMSCOPE_PARAVIRT_ABI_H

#define VMSCOPE_PV_EXTENSION 0x0A50564D /* "\nPVM": SBI firmware-specific extension space */

/* Functions (a6). */
#define VMSCOPE_PV_REGISTER 0      /* a0 = shared page (guest-physical, 4 KiB aligned), a1 = trap
                                      vector (its address: traps are delivered there directly),
                                      a2 = the batch below (guest-physical, 8-byte aligned) */
#define VMSCOPE_PV_MMU_UPDATE 1    /* apply the batch now (every hypercall applies it first) */
#define VMSCOPE_PV_SET_STATUS 2    /* a0 = sstatus bits to set, a1 = bits to clear (SUM, MXR) */
#define VMSCOPE_PV_TRAP_RETURN 3   /* SRET: to the shared page's epc in the mode its status.SPP
                                      says; a0, a1, a6, a7 come back from the shared page */
#define VMSCOPE_PV_BLOCK 4         /* WFI: wait until an enabled interrupt is pending */
#define VMSCOPE_PV_RELEASE_SPACE 5 /* a0 = root table (guest-physical) of an address space the
                                      kernel is about to free: the monitor forgets its shadows */
#define VMSCOPE_PV_FUNCTIONS 6

/* The batch (Xen's mmu_update): an array of {address | operation, value} in guest memory,
   registered once, whose length is the shared page's mmu_count. The kernel queues page-table
   writes and address-space switches there with plain stores; the monitor applies the queue
   at the next hypercall (so a trap return carries it for free) and sets mmu_count to 0. */
#define VMSCOPE_PV_OP_WRITE_PTE 0 /* address = a PTE (guest-physical, in guest RAM): write value */
#define VMSCOPE_PV_OP_SET_SATP 1  /* value = the new satp (the address-space switch) */
#define VMSCOPE_PV_MAX_BATCH 256

/* Errors (a0), as the SBI's. A batch the monitor cannot apply (a bad address, too long) stops
   the guest, as Xen crashes a domain that breaks the protocol. */
#define VMSCOPE_PV_OK 0
#define VMSCOPE_PV_ERR_NOT_SUPPORTED (-2)
#define VMSCOPE_PV_ERR_INVALID_PARAM (-3)
#define VMSCOPE_PV_ERR_INVALID_ADDRESS (-5)

/* The shared page: byte offsets (for assembly) and the structure (for C). On a trap the
   monitor stores the interrupted a0 in saved_a0, puts scratch in a0 (what CSRRW a0, sscratch,
   a0 did) and fills cause, tval, epc and status (SPP, SPIE, SIE as in sstatus). */
#define VMSCOPE_PV_SCRATCH 0
#define VMSCOPE_PV_SAVED_A0 4
#define VMSCOPE_PV_SAVED_A1 8
#define VMSCOPE_PV_SAVED_A6 12
#define VMSCOPE_PV_SAVED_A7 16
#define VMSCOPE_PV_CAUSE 20
#define VMSCOPE_PV_TVAL 24
#define VMSCOPE_PV_EPC 28
#define VMSCOPE_PV_STATUS 32
#define VMSCOPE_PV_ENABLED 36   /* which interrupts the kernel takes: sie (SSIE, STIE, SEIE) */
#define VMSCOPE_PV_PENDING 40   /* written by the monitor: sip */
#define VMSCOPE_PV_COUNTEREN 44 /* scounteren: the counters user programs may read */
#define VMSCOPE_PV_MMU_COUNT 48 /* entries queued in the batch */
#define VMSCOPE_PV_SATP 52      /* written by the monitor: satp as it kept it (WARL: ASID bits) */
#define VMSCOPE_PV_SHARED_WORDS 14

#ifndef __ASSEMBLER__
#include <stdint.h>
struct vmscope_pv_shared {
  uint32_t scratch;
  uint32_t saved_a0, saved_a1, saved_a6, saved_a7;
  uint32_t cause, tval, epc;
  uint32_t status;
  uint32_t enabled;
  uint32_t pending;
  uint32_t counteren;
  uint32_t mmu_count;
  uint32_t satp;
};
struct vmscope_pv_mmu_update {
  uint32_t address; /* | VMSCOPE_PV_OP_* in the low two bits */
  uint32_t value;
};
#endif

#endif
