/* Entry points of vmscope's teaching kernel: boot (gp, stack, .bss, stvec, kmain) and the
   trap vector, which saves a U-mode process's registers into its trap frame and back. */
#define TF_PC 128               /* offsetof(struct trapframe, pc) */
#ifdef VMSCOPE_PARAVIRT
#include "paravirt_abi.h"
#endif

    .section .text.start, "ax", @progbits
    .globl _start
_start:                         /* S-mode, paging off, a0 = hart id */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, kernel_stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:
#ifndef VMSCOPE_PARAVIRT
    csrw    sscratch, zero      /* 0 while the kernel runs, the trap frame while U runs */
    la      t0, trap_vector
    csrw    stvec, t0
#endif                          /* paravirtual: kmain registers trap_vector (paravirt.c) */
    call    kmain               /* does not return */
3:  j       3b

#ifndef VMSCOPE_PARAVIRT
    .text
/* Every trap arrives here. From U-mode sscratch holds the current process's trap frame;
   the kernel runs with interrupts off, so a trap from S-mode is a kernel bug. */
    .balign 4
trap_vector:
    csrrw   a0, sscratch, a0    /* a0 = trap frame, sscratch = the process's a0 */
    beqz    a0, trap_from_kernel
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw      x\n, \n*4(a0)
    .endr
    csrr    t0, sscratch
    sw      t0, 10*4(a0)
    csrr    t0, sepc
    sw      t0, TF_PC(a0)
    csrw    sscratch, zero
    la      sp, kernel_stack_top /* a fresh kernel stack for every trap */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    handle_trap         /* a0 = trap frame; returns the trap frame to resume */

/* void return_to_user(struct trapframe *tf): resumes a process in U-mode (sstatus.SPP = 0). */
    .globl return_to_user
return_to_user:
    lw      t0, TF_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw      x\n, \n*4(a0)
    .endr
    lw      a0, 10*4(a0)
    sret

/* A trap in the kernel is a bug, except during a probe (kernel.c: probe_load): then the
   handler records scause, stval and sstatus as read here and resumes after the probing
   4-byte instruction. */
trap_from_kernel:
    csrrw   a0, sscratch, a0    /* a0 as it was, sscratch = 0 */
    csrw    sscratch, t0
    la      t0, kprobe
    sw      t1, 20(t0)
    lw      t1, 0(t0)           /* kprobe.active */
    beqz    t1, 5f
    li      t1, 1
    sw      t1, 4(t0)           /* kprobe.faulted */
    csrr    t1, scause
    sw      t1, 8(t0)
    csrr    t1, stval
    sw      t1, 12(t0)
    csrr    t1, sstatus         /* SPP must say: from S-mode */
    sw      t1, 16(t0)
    csrr    t1, sepc
    addi    t1, t1, 4
    csrw    sepc, t1
    lw      t1, 20(t0)
    csrr    t0, sscratch
    csrw    sscratch, zero
    sret
5:  lw      t1, 20(t0)
    csrr    t0, sscratch
    csrw    sscratch, zero
    la      sp, kernel_stack_top
    call    kernel_trap         /* reports the trap and fails: does not return */
4:  j       4b

#else
    .text
/* The paravirtual build: the monitor delivers a trap by storing the interrupted a0 in
   pv_shared.saved_a0 and putting pv_shared.scratch in a0 (what CSRRW a0, sscratch, a0 does),
   with scause, stval, sepc and sstatus in pv_shared; VMSCOPE_PV_TRAP_RETURN is the SRET and
   takes a0, a1, a6 and a7 back from pv_shared. No privileged instruction is executed. */
    .balign 4
    .globl trap_vector
trap_vector:
    beqz    a0, trap_from_kernel
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw      x\n, \n*4(a0)
    .endr
    la      t0, pv_shared
    lw      t1, VMSCOPE_PV_SAVED_A0(t0)
    sw      t1, 10*4(a0)
    lw      t1, VMSCOPE_PV_EPC(t0)
    sw      t1, TF_PC(a0)
    sw      zero, VMSCOPE_PV_SCRATCH(t0)
    la      sp, kernel_stack_top
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    handle_trap

    .globl return_to_user
return_to_user:
    la      t1, pv_shared
    lw      t0, TF_PC(a0)
    sw      t0, VMSCOPE_PV_EPC(t1)
    sw      a0, VMSCOPE_PV_SCRATCH(t1)
    lw      t0, 10*4(a0)
    sw      t0, VMSCOPE_PV_SAVED_A0(t1)
    lw      t0, 11*4(a0)
    sw      t0, VMSCOPE_PV_SAVED_A1(t1)
    lw      t0, 16*4(a0)
    sw      t0, VMSCOPE_PV_SAVED_A6(t1)
    lw      t0, 17*4(a0)
    sw      t0, VMSCOPE_PV_SAVED_A7(t1)
    .irp n, 1,2,3,4,5,6,7,8,9,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw      x\n, \n*4(a0)
    .endr
    li      a7, VMSCOPE_PV_EXTENSION
    li      a6, VMSCOPE_PV_TRAP_RETURN
    ecall                       /* does not come back here */

/* As the native trap_from_kernel: a probe's trap is recorded and skipped, any other is a bug.
   a0 is free (its value waits in pv_shared.saved_a0). */
trap_from_kernel:
    la      a0, kprobe
    sw      t0, 20(a0)          /* kprobe.saved */
    lw      t0, 0(a0)           /* kprobe.active */
    beqz    t0, 5f
    li      t0, 1
    sw      t0, 4(a0)           /* kprobe.faulted */
    lw      t0, pv_shared + VMSCOPE_PV_CAUSE
    sw      t0, 8(a0)
    lw      t0, pv_shared + VMSCOPE_PV_TVAL
    sw      t0, 12(a0)
    lw      t0, pv_shared + VMSCOPE_PV_STATUS /* SPP must say: from S-mode */
    sw      t0, 16(a0)
    la      a0, pv_shared
    lw      t0, VMSCOPE_PV_EPC(a0)
    addi    t0, t0, 4
    sw      t0, VMSCOPE_PV_EPC(a0)
    sw      a1, VMSCOPE_PV_SAVED_A1(a0)
    sw      a6, VMSCOPE_PV_SAVED_A6(a0)
    sw      a7, VMSCOPE_PV_SAVED_A7(a0)
    lw      t0, kprobe + 20
    li      a7, VMSCOPE_PV_EXTENSION
    li      a6, VMSCOPE_PV_TRAP_RETURN
    ecall
5:  la      sp, kernel_stack_top
    call    kernel_trap         /* reports the trap and fails: does not return */
4:  j       4b

#endif

    .data
    .balign 4
    .globl kprobe
kprobe: .word 0, 0, 0, 0, 0, 0  /* active, faulted, scause, stval, sstatus, saved t1 */

    .bss
    .balign 16
    .space  8192
kernel_stack_top:
