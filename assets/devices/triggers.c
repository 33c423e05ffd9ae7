/* triggers: the debug trigger module (Sdtrig) as QEMU's virt hart has it: two triggers found
   by tselect, tinfo offering mcontrol (type 2) and mcontrol6 (type 6), tdata1's fields read
   back as implemented, and address triggers on execution, loads and stores in the modes their
   bits name, each raising a breakpoint exception before the instruction or access (memory
   unchanged). Prints only what both machines define alike: not mtval (vmscope writes the
   address, QEMU 0), not tinfo's version, nothing of tcontrol or of M-mode triggers. */
#include "vmscope_system.h"

#define TYPE2 0x20000000u
#define TYPE6 0x60000000u
#define LOAD 1u
#define STORE 2u
#define EXEC 4u
#define U_ 0x08u
#define S_ 0x10u
#define FAULTED 0xfau

static volatile uint32_t last_cause, last_epc, traps;
static volatile uint32_t word = 5;
static volatile uint32_t pair[2];

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    if ((cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL) && f->regs[REG_A7] == ECALL_RETURN) {
        m_return_from_lower(f);
        return;
    }
    last_cause = cause;
    last_epc = csr_read(mepc);
    traps++;
    if (cause == CAUSE_BREAKPOINT && (csr_read(mstatus) & MSTATUS_MPP) != MSTATUS_MPP) {
        f->regs[REG_A0] = FAULTED; /* back to the test, the trigger's instruction not run */
        m_return_from_lower(f);
        return;
    }
    kprintf("FAIL: unexpected trap mcause=%x mepc=%x\n", cause, csr_read(mepc));
    vm_exit(3);
}

__attribute__((noinline)) static uint32_t target(uint32_t v) { return v + 1; }
static uint32_t call_target(uint32_t v) { return target(v); }
static uint32_t load_word(uint32_t addr) { return *(volatile uint32_t *)addr; }
static uint32_t load_byte(uint32_t addr) { return *(volatile uint8_t *)addr; }
static uint32_t store_word(uint32_t addr)
{
    *(volatile uint32_t *)addr = 0x55;
    return 0;
}
static uint32_t amo_add(uint32_t addr)
{
    uint32_t old;
    __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(addr), "r"(1u) : "memory");
    return old;
}

static void set_trigger(uint32_t index, uint32_t tdata1, uint32_t address)
{
    csr_write(tselect, index);
    csr_write(tdata1, TYPE6); /* off while tdata2 changes */
    csr_write(tdata2, address);
    csr_write(tdata1, tdata1);
}
static void clear_triggers(void)
{
    set_trigger(1, TYPE6, 0);
    set_trigger(0, TYPE6, 0);
}

static void test_enumeration(void)
{
    csr_write(tselect, 0);
    CHECK_EQ(csr_read(tselect), 0, "tselect 0 exists");
    CHECK_EQ(csr_read(tinfo) & 0xffff, (1u << 2) | (1u << 6), "tinfo: types 2 and 6");
    CHECK_EQ(csr_read(tdata1), TYPE2, "tdata1 at reset: an mcontrol matching nothing");
    csr_write(tselect, 1);
    CHECK_EQ(csr_read(tselect), 1, "tselect 1 exists");
    csr_write(tselect, 2);
    CHECK_EQ(csr_read(tselect), 1, "tselect 2 does not: the write is ignored");
    csr_write(tselect, 0);
    csr_write(tdata1, TYPE6 | 0xfffff);
    CHECK_EQ(csr_read(tdata1), TYPE6 | 0x5f, "mcontrol6 keeps m, s, u, execute, store, load");
    csr_write(tdata1, 0x30000000u);
    CHECK_EQ(csr_read(tdata1), TYPE6 | 0x5f, "a type it does not have leaves tdata1 alone");
    csr_write(tdata2, 0x12345678u);
    CHECK_EQ(csr_read(tdata2), 0x12345678u, "tdata2 holds the address");
    CHECK_EQ(csr_read(tdata3), 0, "tdata3 reads 0");
    clear_triggers();
    kprintf("triggers: 2, types 2 and 6\n");
}

static void test_execute(void)
{
    set_trigger(0, TYPE6 | EXEC | U_, (uint32_t)target);
    traps = 0;
    CHECK_EQ(m_enter_lower(PRV_U, call_target, 1), FAULTED, "an execute trigger in U fires");
    CHECK_EQ(last_cause, CAUSE_BREAKPOINT, "a breakpoint exception");
    CHECK_EQ(last_epc, (uint32_t)target, "mepc: the instruction, not run");
    CHECK_EQ(traps, 1, "once");
    CHECK_EQ(m_enter_lower(PRV_S, call_target, 1), 2, "not in S (its s bit is clear)");
    set_trigger(0, TYPE6 | EXEC | S_, (uint32_t)target);
    CHECK_EQ(m_enter_lower(PRV_S, call_target, 1), FAULTED, "with the s bit: in S");
    CHECK_EQ(m_enter_lower(PRV_U, call_target, 1), 2, "and no longer in U");
    set_trigger(1, TYPE2 | EXEC | U_, (uint32_t)target);
    set_trigger(0, TYPE6, 0);
    CHECK_EQ(m_enter_lower(PRV_U, call_target, 3), FAULTED, "an mcontrol (type 2) in trigger 1 too");
    CHECK_EQ(last_epc, (uint32_t)target, "at the same instruction");
    CHECK_EQ(target(4), 5, "M-mode runs it: no m bit");
    clear_triggers();
    kprintf("triggers: execute, by mode, both types\n");
}

static void test_loads_and_stores(void)
{
    word = 5;
    set_trigger(0, TYPE6 | LOAD | U_, (uint32_t)&word);
    CHECK_EQ(m_enter_lower(PRV_U, load_word, (uint32_t)&word), FAULTED, "a load trigger fires on a load");
    CHECK_EQ(last_cause, CAUSE_BREAKPOINT, "a breakpoint exception");
    CHECK_EQ(m_enter_lower(PRV_U, load_word, (uint32_t)&pair[0]), 0, "not on a load elsewhere");
    CHECK_EQ(m_enter_lower(PRV_U, store_word, (uint32_t)&word), 0, "not on a store");
    CHECK_EQ(word, 0x55, "(which happened)");
    word = 5;
    set_trigger(0, TYPE6 | STORE | U_, (uint32_t)&word);
    CHECK_EQ(m_enter_lower(PRV_U, store_word, (uint32_t)&word), FAULTED, "a store trigger fires on a store");
    CHECK_EQ(word, 5, "before the store: memory unchanged");
    CHECK_EQ(m_enter_lower(PRV_U, load_word, (uint32_t)&word), 5, "not on a load");
    set_trigger(0, TYPE6 | LOAD | STORE | U_, (uint32_t)&word + 2);
    CHECK_EQ(m_enter_lower(PRV_U, load_byte, (uint32_t)&word + 2), FAULTED, "a byte load at its address");
    CHECK_EQ(m_enter_lower(PRV_U, load_byte, (uint32_t)&word + 1), 0, "not the byte before");
    set_trigger(0, TYPE6 | STORE | U_, (uint32_t)&pair[1]);
    CHECK_EQ(m_enter_lower(PRV_U, amo_add, (uint32_t)&pair[1]), FAULTED, "an AMO stores");
    CHECK_EQ(pair[1], 0, "unchanged");
    set_trigger(1, TYPE6 | LOAD | U_, (uint32_t)&word);
    CHECK_EQ(m_enter_lower(PRV_U, amo_add, (uint32_t)&pair[0]), 0, "the two triggers watch other words");
    CHECK_EQ(m_enter_lower(PRV_U, load_word, (uint32_t)&word), FAULTED, "trigger 1 the word");
    clear_triggers();
    CHECK_EQ(m_enter_lower(PRV_U, store_word, (uint32_t)&word), 0, "all off: the store happens");
    CHECK_EQ(word, 0x55, "(it did)");
    kprintf("triggers: loads, stores and AMOs, before the access\n");
}

int main(void)
{
    csr_write(medeleg, 0); /* every trap to M */
    csr_write(pmpaddr0, 0xffffffffu); /* S and U may reach everything */
    csr_write(pmpcfg0, 0x1f);
    test_enumeration();
    test_execute();
    test_loads_and_stores();
    return VM_FINISH("triggers");
}
