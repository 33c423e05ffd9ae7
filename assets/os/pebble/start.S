/* Pebble's entry (M-mode, from QEMU's reset code or vmscope: a0 = hart id, a1 = device tree),
   the M-mode timer vector that turns each machine timer tick into a supervisor software
   interrupt (as xv6 does), and the S-mode trap vector. Built with -DPEBBLE_SBI (pebble_sbi.elf)
   it starts in S-mode on SBI firmware instead (a0, a1 the same), as a kernel for OpenSBI does. */
    .section .text.start, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
#ifdef PEBBLE_SBI
    call    kernel_main             /* kernel.c: never returns */
#else
    call    machine_start           /* boot.c: never returns */
#endif

    .text
/* The machine timer: mscratch points at {a0, a1, a2 save, &mtimecmp, interval}. */
    .globl  timer_vector
    .balign 4
timer_vector:
    csrrw   a0, mscratch, a0
    sw      a1, 0(a0)
    sw      a2, 4(a0)
    sw      a3, 8(a0)
    lw      a1, 12(a0)              /* &mtimecmp */
    lw      a2, 16(a0)              /* interval */
    lw      a3, 0(a1)
    add     a2, a3, a2
    sltu    a3, a2, a3              /* carry into the high word */
    sw      a2, 0(a1)
    lw      a2, 4(a1)
    add     a2, a2, a3
    sw      a2, 4(a1)
    li      a1, 2                   /* sip.SSIP: the kernel's tick */
    csrs    mip, a1
    lw      a3, 8(a0)
    lw      a2, 4(a0)
    lw      a1, 0(a0)
    csrrw   a0, mscratch, a0
    mret

/* S-mode traps: every register saved on the kernel stack, kernel_trap(frame) in kernel.c. */
    .globl  kernel_vector
    .balign 4
kernel_vector:
    addi    sp, sp, -128
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw      x\n, \n*4(sp)
    .endr
    mv      a0, sp
    call    kernel_trap
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw      x\n, \n*4(sp)
    .endr
    addi    sp, sp, 128
    sret
