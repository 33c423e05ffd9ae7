/* Shared declarations for vmscope's bare-metal guest programs: board addresses, CSR
   access macros, privileged-architecture constants, the trap frame, UART printing. */
#ifndef VMSCOPE_SYSTEM_H
#define VMSCOPE_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

/* ---- board --------------------------------------------------------------- */
#define RAM_BASE 0x80000000u
#define UART_BASE 0x10000000u
#define UART_THR 0
#define UART_RBR 0
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define CLINT_BASE 0x02000000u
#define CLINT_MSIP (CLINT_BASE + 0x0000)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define TEST_DEV_BASE 0x00100000u
#define TEST_DEV_PASS 0x5555u
#define TEST_DEV_FAIL 0x3333u

/* ---- CSRs ---------------------------------------------------------------- */
#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr)                                                             \
    ({                                                                            \
        uint32_t v_;                                                              \
        __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) : : "memory");           \
        v_;                                                                       \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " STR(csr) ", %0" : : "r"((uint32_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " STR(csr) ", %0" : : "r"((uint32_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " STR(csr) ", %0" : : "r"((uint32_t)(val)) : "memory")
#define csr_swap(csr, val)                                                        \
    ({                                                                            \
        uint32_t v_;                                                              \
        __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "r"((uint32_t)(val)) : "memory"); \
        v_;                                                                       \
    })

#define MSTATUS_SIE (1u << 1)
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP (1u << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM (1u << 18)
#define MSTATUS_MXR (1u << 19)
#define MSTATUS_TVM (1u << 20)
#define MSTATUS_TW (1u << 21)
#define MSTATUS_TSR (1u << 22)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* interrupt bits in mip/mie/mideleg and interrupt cause numbers */
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define MCAUSE_INTERRUPT 0x80000000u

/* exception cause numbers */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

/* ---- traps --------------------------------------------------------------- */
/* Registers saved by the trap entries, indexed by register number (regs[10] = a0). */
struct trap_frame {
    uint32_t regs[32];
};
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

/* Trap entries (system_start.S): full register save on a dedicated stack (mscratch /
   sscratch hold the stack top), then call m_trap_handler / s_trap_handler. Programs
   override those weak handlers; the defaults report an unexpected trap and fail. */
void m_trap_vector(void);
void s_trap_vector(void);
void m_trap_handler(struct trap_frame *f);
void s_trap_handler(struct trap_frame *f);

/* ecall number (a7) that lower-privilege code uses to return to its caller. */
#define ECALL_RETURN 0x5e7

/* Runs fn(arg) in S-mode (mode = PRV_S) or U-mode (PRV_U) from M-mode, on a stack just
   below the caller's. Returns fn's return value once fn returns (its return address
   performs ecall ECALL_RETURN) and m_trap_handler calls m_return_from_lower(). */
uint32_t m_enter_lower(uint32_t mode, uint32_t (*fn)(uint32_t), uint32_t arg);
/* Same from S-mode into U-mode; s_trap_handler calls s_return_from_user(). */
uint32_t s_enter_user(uint32_t (*fn)(uint32_t), uint32_t arg);
/* Resume the caller of m_enter_lower / s_enter_user with value f->regs[a0]. */
void m_return_from_lower(struct trap_frame *f);
void s_return_from_user(struct trap_frame *f);

/* Length in bytes of the instruction at addr (2 if compressed, else 4). */
/* The time CSR's 64 bits, read so that a carry between the halves cannot tear them. */
static inline uint64_t time_now(void)
{
    uint32_t hi, lo;
    do {
        hi = csr_read(timeh);
        lo = csr_read(time);
    } while (hi != csr_read(timeh));
    return (uint64_t)hi << 32 | lo;
}

static inline uint32_t insn_length(uint32_t addr)
{
    return (*(volatile uint16_t *)addr & 3) == 3 ? 4 : 2;
}

/* ---- I/O ----------------------------------------------------------------- */
void uart_putc(char c);
int uart_getc(void); /* blocks until a byte arrives */
void uart_puts(const char *s);
void print_hex(uint32_t v);
/* printf subset: %s %c %d %u %x %lx %lu %ld %08x %p %% with width and 0 flag */
int kprintf(const char *fmt, ...);

/* Leaves through the test device: 0 = pass, otherwise fail with that code. */
void vm_exit(uint32_t code) __attribute__((noreturn));

static inline void mmio_write32(uint32_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint32_t mmio_read32(uint32_t addr) { return *(volatile uint32_t *)addr; }

uint64_t clint_mtime(void);
void clint_set_mtimecmp(uint64_t when);

#define VM_PRINTF kprintf
#include "vmscope_check.h"

#endif
