/* s_delegation: medeleg/mideleg; M -> S (mret) -> U (sret); U ecall handled by S,
   S ecall handled by M, delegated U illegal instruction in S, sstatus SPP/SPIE/SIE,
   and privilege faults: M-CSR from S, sret/S-CSR from U, TSR, TVM, TW. */
#include "vmscope_system.h"

/* services an S-mode ecall asks of M (a7) */
enum { SVC_ADD1 = 2, SVC_UNDELEGATE_ILLEGAL, SVC_DELEGATE_ILLEGAL, SVC_SET_MSTATUS,
       SVC_CLEAR_MSTATUS };
/* services a U-mode ecall asks of S (a7) */
enum { USVC_ADD100 = 1 };

#define INSN_CSRW_CYCLE 0xc0001073u /* csrw cycle, zero: write to a read-only CSR */
#define INSN_SRET 0x10200073u
#define INSN_MRET 0x30200073u
#define INSN_WFI 0x10500073u

/* what the last trap looked like, per handling mode */
static volatile uint32_t m_traps, m_cause, m_epc, m_tval, m_mpp;
static volatile uint32_t s_traps, s_cause, s_epc, s_tval, s_status;

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause), epc = csr_read(mepc);
    if ((cause == CAUSE_SUPERVISOR_ECALL || cause == CAUSE_USER_ECALL) &&
        f->regs[REG_A7] == ECALL_RETURN) {
        m_return_from_lower(f);
        return;
    }
    m_traps++;
    m_cause = cause;
    m_epc = epc;
    m_tval = csr_read(mtval);
    m_mpp = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    if (cause == CAUSE_SUPERVISOR_ECALL) {
        switch (f->regs[REG_A7]) {
        case SVC_ADD1: f->regs[REG_A0] += 1; break;
        case SVC_UNDELEGATE_ILLEGAL: csr_clear(medeleg, 1u << CAUSE_ILLEGAL_INSTRUCTION); break;
        case SVC_DELEGATE_ILLEGAL: csr_set(medeleg, 1u << CAUSE_ILLEGAL_INSTRUCTION); break;
        case SVC_SET_MSTATUS: csr_set(mstatus, f->regs[REG_A0]); break;
        case SVC_CLEAR_MSTATUS: csr_clear(mstatus, f->regs[REG_A0]); break;
        default: kprintf("FAIL: unknown M service %u\n", f->regs[REG_A7]); vm_exit(3);
        }
        csr_write(mepc, epc + 4);
        return;
    }
    if (cause == CAUSE_ILLEGAL_INSTRUCTION) {
        csr_write(mepc, epc + insn_length(epc));
        return;
    }
    kprintf("FAIL: unexpected M trap mcause=%x mepc=%x mtval=%x\n", cause, epc, m_tval);
    vm_exit(3);
}

void s_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(scause), epc = csr_read(sepc);
    if (cause == CAUSE_USER_ECALL && f->regs[REG_A7] == ECALL_RETURN) {
        s_return_from_user(f);
        return;
    }
    s_traps++;
    s_cause = cause;
    s_epc = epc;
    s_tval = csr_read(stval);
    s_status = csr_read(sstatus);
    if (cause == CAUSE_USER_ECALL && f->regs[REG_A7] == USVC_ADD100) {
        f->regs[REG_A0] += 100;
        csr_write(sepc, epc + 4);
        return;
    }
    if (cause == CAUSE_ILLEGAL_INSTRUCTION) {
        csr_write(sepc, epc + insn_length(epc));
        return;
    }
    kprintf("FAIL: unexpected S trap scause=%x sepc=%x stval=%x\n", cause, epc, s_tval);
    vm_exit(3);
}

static uint32_t ecall2(uint32_t a7, uint32_t a0)
{
    register uint32_t r_a0 __asm__("a0") = a0;
    register uint32_t r_a7 __asm__("a7") = a7;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
    return r_a0;
}

/* Runs `insn` at a known address; *pc receives that address. */
#define AT(pc, insn, ...)                                                         \
    __asm__ volatile("la %0, 1f\n"                                                \
                     "1: " insn                                                   \
                     : "=&r"(pc) __VA_ARGS__)

#define EXPECT_S(before, cause, pc, tval, what)                                   \
    do {                                                                          \
        vm_checks++;                                                              \
        if (s_traps != (before) + 1 || s_cause != (cause) || s_epc != (pc) ||     \
            s_tval != (tval)) {                                                   \
            vm_failures++;                                                        \
            kprintf("FAIL: %s: S traps=%u scause=%x sepc=%x stval=%x\n", what,    \
                    s_traps - (before), s_cause, s_epc, s_tval);                  \
        }                                                                         \
    } while (0)
#define EXPECT_M(before, cause, pc, tval, what)                                   \
    do {                                                                          \
        vm_checks++;                                                              \
        if (m_traps != (before) + 1 || m_cause != (cause) || m_epc != (pc) ||     \
            m_tval != (tval) || m_mpp != PRV_S) {                                 \
            vm_failures++;                                                        \
            kprintf("FAIL: %s: M traps=%u mcause=%x mepc=%x mtval=%x MPP=%u\n",   \
                    what, m_traps - (before), m_cause, m_epc, m_tval, m_mpp);     \
        }                                                                         \
    } while (0)

/* ---- U-mode code ---- */

static uint32_t u_double(uint32_t x)
{
    return 2 * x;
}

static uint32_t u_service(uint32_t x)
{
    register uint32_t a0 __asm__("a0") = x;
    register uint32_t a7 __asm__("a7") = USVC_ADD100;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

/* each returns the address of its faulting instruction */
static uint32_t u_write_cycle(uint32_t unused)
{
    (void)unused;
    uint32_t pc;
    AT(pc, "csrw cycle, zero", : : "memory");
    return pc;
}
static uint32_t u_sret(uint32_t unused)
{
    (void)unused;
    uint32_t pc;
    AT(pc, "sret", : : "memory");
    return pc;
}
static uint32_t u_read_mstatus(uint32_t unused)
{
    (void)unused;
    uint32_t pc;
    AT(pc, "csrr t0, mstatus", : : "t0", "memory");
    return pc;
}
static uint32_t u_read_sstatus(uint32_t unused)
{
    (void)unused;
    uint32_t pc;
    AT(pc, "csrr t0, sstatus", : : "t0", "memory");
    return pc;
}

/* ---- S-mode code ---- */

static void s_to_u(void)
{
    uint32_t before = s_traps;
    CHECK_EQ(s_enter_user(u_double, 21), 42, "S -> U -> S round trip returns U's result");
    CHECK_EQ(s_traps, before, "U's return ecall is not counted as a service");

    before = s_traps;
    CHECK_EQ(s_enter_user(u_service, 5), 105, "U ecall serviced by S");
    CHECK_EQ(s_traps, before + 1, "U ecall taken once in S");
    CHECK_EQ(s_cause, CAUSE_USER_ECALL, "U ecall: scause = 8");
    CHECK_EQ(s_status & MSTATUS_SPP, 0, "trap from U: sstatus.SPP = 0");

    before = s_traps;
    uint32_t pc = s_enter_user(u_write_cycle, 0);
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_CSRW_CYCLE, "U illegal instruction delegated to S");
    before = s_traps;
    pc = s_enter_user(u_sret, 0);
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_SRET, "sret in U is illegal");
    before = s_traps;
    pc = s_enter_user(u_read_mstatus, 0);
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x300022f3, "U reads mstatus: illegal");
    before = s_traps;
    pc = s_enter_user(u_read_sstatus, 0);
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x100022f3, "U reads sstatus: illegal");
    kprintf("U-mode: ecall and illegal instructions handled in S\n");
}

static void s_to_m(void)
{
    uint32_t before = m_traps;
    uint32_t pc;
    register uint32_t a0 __asm__("a0") = 41;
    register uint32_t a7 __asm__("a7") = SVC_ADD1;
    __asm__ volatile("la %0, 1f\n1: ecall" : "=&r"(pc), "+r"(a0) : "r"(a7) : "memory");
    CHECK_EQ(a0, 42, "S ecall serviced by M");
    EXPECT_M(before, CAUSE_SUPERVISOR_ECALL, pc, 0, "S ecall: mcause = 9, MPP = S");

    /* S touches M CSRs: illegal, delegated to S itself */
    before = s_traps;
    AT(pc, "csrr t0, mstatus", : : "t0", "memory");
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x300022f3, "S reads mstatus: illegal (in S)");
    CHECK(s_status & MSTATUS_SPP, "trap from S: sstatus.SPP = 1");
    before = s_traps;
    AT(pc, "csrw mscratch, zero", : : "memory");
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x34001073, "S writes mscratch: illegal (in S)");
    before = s_traps;
    AT(pc, "mret", : : "memory");
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_MRET, "mret in S: illegal (in S)");

    /* without delegation the same fault goes to M */
    ecall2(SVC_UNDELEGATE_ILLEGAL, 0);
    before = m_traps;
    AT(pc, "csrr t0, mie", : : "t0", "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x304022f3, "S reads mie, not delegated: to M");
    ecall2(SVC_DELEGATE_ILLEGAL, 0);
    kprintf("S-mode: ecall to M, M-CSR access faults\n");
}

static void s_status_bits(void)
{
    uint32_t pc, before;
    /* SIE = 1 at the trap: SPIE = 1, SIE = 0 inside, SPP = 1; restored by sret */
    csr_set(sstatus, MSTATUS_SIE);
    before = s_traps;
    AT(pc, "csrw cycle, zero", : : "memory");
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_CSRW_CYCLE, "S illegal instruction");
    CHECK(s_status & MSTATUS_SPIE, "trap with SIE=1: SPIE = 1");
    CHECK(!(s_status & MSTATUS_SIE), "trap: SIE cleared in the handler");
    CHECK(s_status & MSTATUS_SPP, "trap from S: SPP = 1");
    uint32_t now = csr_read(sstatus);
    CHECK(now & MSTATUS_SIE, "sret: SIE restored from SPIE");
    CHECK(now & MSTATUS_SPIE, "sret: SPIE set to 1");
    CHECK(!(now & MSTATUS_SPP), "sret: SPP set to U");
    /* SIE = 0 at the trap: SPIE = 0 */
    csr_clear(sstatus, MSTATUS_SIE);
    before = s_traps;
    AT(pc, "csrw cycle, zero", : : "memory");
    EXPECT_S(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_CSRW_CYCLE, "S illegal instruction (SIE=0)");
    CHECK(!(s_status & MSTATUS_SPIE), "trap with SIE=0: SPIE = 0");
    CHECK(!(csr_read(sstatus) & MSTATUS_SIE), "sret: SIE stays 0");
    kprintf("sstatus: SPP/SPIE/SIE follow traps and sret\n");
}

static void s_trap_virtualization_bits(void)
{
    uint32_t pc, before, v;
    ecall2(SVC_UNDELEGATE_ILLEGAL, 0); /* let M (the monitor) see these */

    ecall2(SVC_SET_MSTATUS, MSTATUS_TSR);
    before = m_traps;
    AT(pc, "sret", : : "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_SRET, "sret in S with TSR=1: illegal");
    ecall2(SVC_CLEAR_MSTATUS, MSTATUS_TSR);

    ecall2(SVC_SET_MSTATUS, MSTATUS_TVM);
    before = m_traps;
    AT(pc, "csrr t0, satp", : : "t0", "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x180022f3, "satp read in S with TVM=1: illegal");
    before = m_traps;
    AT(pc, "csrw satp, zero", : : "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x18001073, "satp write in S with TVM=1: illegal");
    before = m_traps;
    AT(pc, "sfence.vma", : : "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, 0x12000073, "sfence.vma in S with TVM=1: illegal");
    ecall2(SVC_CLEAR_MSTATUS, MSTATUS_TVM);
    before = m_traps;
    __asm__ volatile("csrr %0, satp\n\tsfence.vma" : "=r"(v) : : "memory");
    CHECK_EQ(m_traps, before, "satp and sfence.vma in S with TVM=0: no trap");
    CHECK_EQ(v, 0, "satp reads 0 (bare)");

    ecall2(SVC_SET_MSTATUS, MSTATUS_TW);
    before = m_traps;
    AT(pc, "wfi", : : "memory");
    EXPECT_M(before, CAUSE_ILLEGAL_INSTRUCTION, pc, INSN_WFI, "wfi in S with TW=1: illegal");
    ecall2(SVC_CLEAR_MSTATUS, MSTATUS_TW);
    /* TW=0: wfi is allowed in S; a pending, enabled (but masked, SIE=0) S software
       interrupt lets it complete at once */
    csr_set(sie, 1u << IRQ_S_SOFT);
    csr_set(sip, 1u << IRQ_S_SOFT);
    before = m_traps;
    uint32_t s_before = s_traps;
    __asm__ volatile("wfi" : : : "memory");
    CHECK_EQ(m_traps, before, "wfi in S with TW=0: no trap to M");
    CHECK_EQ(s_traps, s_before, "wfi in S with TW=0: no trap to S (SIE=0)");
    csr_clear(sip, 1u << IRQ_S_SOFT);
    csr_clear(sie, 1u << IRQ_S_SOFT);

    ecall2(SVC_DELEGATE_ILLEGAL, 0);
    kprintf("mstatus TSR/TVM/TW: trap sret, satp/sfence.vma and wfi in S\n");
}

static uint32_t s_main(uint32_t arg)
{
    CHECK_EQ(arg, 7, "S-mode entry argument");
    s_to_u();
    s_to_m();
    s_status_bits();
    s_trap_virtualization_bits();
    return 0x5a;
}

int main(void)
{
    kprintf("s_delegation: start\n");
    csr_write(medeleg, (1u << CAUSE_USER_ECALL) | (1u << CAUSE_ILLEGAL_INSTRUCTION));
    csr_write(mideleg, 1u << IRQ_S_SOFT);
    CHECK_EQ(csr_read(medeleg) & 0x1ff, (1u << CAUSE_USER_ECALL) | (1u << CAUSE_ILLEGAL_INSTRUCTION),
             "medeleg holds the delegated causes");
    CHECK_EQ(csr_read(mideleg) & 0x2aa, 1u << IRQ_S_SOFT, "mideleg holds SSIP");

    uint32_t r = m_enter_lower(PRV_S, s_main, 7);
    CHECK_EQ(r, 0x5a, "M -> S -> M round trip returns S's result");
    /* the return path was an mret with MPP = M; mret then sets MPP to U */
    CHECK_EQ((csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, PRV_U,
             "back in M after mret: MPP = U (least privileged)");
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);
    return VM_FINISH("s_delegation");
}
