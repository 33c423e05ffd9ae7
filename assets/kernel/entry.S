/* Entry points of vmscope's teaching kernel: boot (gp, stack, .bss, stvec, kmain) and the
   trap vector, which saves a U-mode process's registers into its trap frame and back. */
#define TF_PC 128               /* offsetof(struct trapframe, pc) */

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
2:  csrw    sscratch, zero      /* 0 while the kernel runs, the trap frame while U runs */
    la      t0, trap_vector
    csrw    stvec, t0
    call    kmain               /* does not return */
3:  j       3b

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

    .data
    .balign 4
    .globl kprobe
kprobe: .word 0, 0, 0, 0, 0, 0  /* active, faulted, scause, stval, sstatus, saved t1 */

    .bss
    .balign 16
    .space  8192
kernel_stack_top:
