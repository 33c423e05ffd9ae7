/* A minimal M-mode SBI firmware for QEMU's virt board (-bios), for checking the teaching
   kernel where no 32-bit OpenSBI is installed: entry, M trap vector, jump to S-mode. */
    .section .text.start, "ax", @progbits
    .globl _start
_start:                         /* QEMU: a0 = hart id, a1 = device tree, a2 = fw_dynamic info */
    csrr    t0, mhartid
    bnez    t0, park
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, __m_trap_stack_top
    csrw    mscratch, t0
    la      t0, m_trap_vector
    csrw    mtvec, t0
    mv      s0, a0
    mv      s1, a1
    mv      a0, a2
    call    sbi_init            /* returns the S-mode entry point */
    csrw    mepc, a0
    li      t0, 3 << 11
    csrc    mstatus, t0
    li      t0, 1 << 11         /* MPP = S */
    csrs    mstatus, t0
    mv      a0, s0
    mv      a1, s1
    mret
park:
    wfi
    j       park

/* Saves all registers on the M trap stack (mscratch), calls sbi_trap(frame), restores. */
    .text
    .balign 4
m_trap_vector:
    csrrw   sp, mscratch, sp
    addi    sp, sp, -128
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw      x\n, \n*4(sp)
    .endr
    csrr    t0, mscratch
    sw      t0, 2*4(sp)
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    call    sbi_trap
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw      x\n, \n*4(sp)
    .endr
    addi    sp, sp, 128
    csrrw   sp, mscratch, sp
    mret
