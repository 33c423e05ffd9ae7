/* Bare-metal startup for vmscope's system programs: gp/sp, trap stacks in
   mscratch/sscratch, mtvec/stvec, PMP opened for S/U, .bss cleared, main, exit.
   Built with -DVMSCOPE_SBI, the program starts in S-mode on SBI firmware: no M-mode setup.
   Also the M and S trap entries and the helpers that enter and leave S/U-mode. */
#define ECALL_RETURN 0x5e7
#define FRAME 128

    .section .text.start, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
#ifndef VMSCOPE_SBI                 /* on SBI firmware the program starts in S-mode */
    la      t0, __m_trap_stack_top
    csrw    mscratch, t0
    la      t0, __s_trap_stack_top
    csrw    sscratch, t0
    /* PMP entry 0: NAPOT over the whole address space, RWX, so that S/U can access
       everything. A hart without PMP would trap: mtvec points past the writes. */
    la      t0, 1f
    csrw    mtvec, t0
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                /* A = NAPOT, X, W, R */
    csrw    pmpcfg0, t0
    .balign 4
1:  la      t0, m_trap_vector
    csrw    mtvec, t0
#endif
    la      t0, __s_trap_stack_top
    csrw    sscratch, t0
    la      t0, s_trap_vector
    csrw    stvec, t0
    la      t0, __bss_start
    la      t1, __bss_end
2:  bgeu    t0, t1, 3f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       2b
3:  call    main
    call    vm_exit                 /* a0 = main's return value */
4:  j       4b

    .text
/* Saves x1 and x3..x31 into the frame at sp (x2 is stored by the caller). */
.macro SAVE_REGS
    sw      x1, 1*4(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw      x\n, \n*4(sp)
    .endr
.endm
.macro RESTORE_REGS
    lw      x1, 1*4(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw      x\n, \n*4(sp)
    .endr
    lw      x2, 2*4(sp)
.endm

    .balign 64
    .globl m_trap_vector
    .type m_trap_vector, @function
m_trap_vector:
    csrrw   sp, mscratch, sp        /* sp = M trap stack, mscratch = interrupted sp */
    addi    sp, sp, -FRAME
    SAVE_REGS
    csrr    t0, mscratch
    sw      t0, 2*4(sp)
    addi    t0, sp, FRAME
    csrw    mscratch, t0
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    call    m_trap_handler
    RESTORE_REGS
    mret
    .size m_trap_vector, . - m_trap_vector

    .balign 64
    .globl s_trap_vector
    .type s_trap_vector, @function
s_trap_vector:
    csrrw   sp, sscratch, sp
    addi    sp, sp, -FRAME
    SAVE_REGS
    csrr    t0, sscratch
    sw      t0, 2*4(sp)
    addi    t0, sp, FRAME
    csrw    sscratch, t0
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    call    s_trap_handler
    RESTORE_REGS
    sret
    .size s_trap_vector, . - s_trap_vector

/* Callee-saved context of the caller of m_enter_lower / s_enter_user. */
.macro SAVE_CTX ctx
    la      t0, \ctx
    sw      ra, 0(t0)
    sw      sp, 4(t0)
    sw      s0, 8(t0)
    sw      s1, 12(t0)
    .irp n, 2,3,4,5,6,7,8,9,10,11
    sw      s\n, (8+\n*4)(t0)
    .endr
.endm

    /* uint32_t m_enter_lower(uint32_t mode, uint32_t (*fn)(uint32_t), uint32_t arg) */
    .globl m_enter_lower
    .type m_enter_lower, @function
m_enter_lower:
    SAVE_CTX m_lower_ctx
    li      t1, (3 << 11)
    csrc    mstatus, t1
    slli    t2, a0, 11
    csrs    mstatus, t2             /* MPP = mode */
    csrw    mepc, a1
    mv      a0, a2
    addi    sp, sp, -64
    la      ra, lower_return_stub
    mret
    .size m_enter_lower, . - m_enter_lower

    /* uint32_t s_enter_user(uint32_t (*fn)(uint32_t), uint32_t arg) */
    .globl s_enter_user
    .type s_enter_user, @function
s_enter_user:
    SAVE_CTX s_user_ctx
    li      t1, (1 << 8)
    csrc    sstatus, t1             /* SPP = U */
    csrw    sepc, a0
    mv      a0, a1
    addi    sp, sp, -64
    la      ra, lower_return_stub
    sret
    .size s_enter_user, . - s_enter_user

    /* fn's return address: hand the result back with an ecall */
    .globl lower_return_stub
lower_return_stub:
    li      a7, ECALL_RETURN
    ecall
5:  j       5b

    .bss
    .balign 4
    .globl m_lower_ctx, s_user_ctx
m_lower_ctx: .space 14*4
s_user_ctx:  .space 14*4
