/* The SBI calls of the minimal QEMU firmware: what vmscope's built-in SBI offers (SBI v2.0:
   the legacy calls, BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN) for one hart on the virt board. */
#include <stdint.h>

#define CLINT_MTIMECMP ((volatile uint32_t *)0x02004000)
#define CLINT_MTIME ((volatile uint32_t *)0x0200bff8)
#define UART ((volatile uint8_t *)0x10000000)
#define TEST_DEVICE ((volatile uint32_t *)0x00100000)
#define MIP_STIP 0x20u
#define MIE_MTIE 0x80u

#define csr_read(csr) ({ uint32_t v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" : : "r"(v))
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" : : "r"(v))
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" : : "r"(v))

struct fw_dynamic_info { uint32_t magic, version, next_addr, next_mode, options, boot_hart; };

uint32_t sbi_init(const struct fw_dynamic_info *info) {
  csr_write(pmpaddr0, 0xffffffffu); /* NAPOT over everything, RWX, for S and U */
  csr_write(pmpcfg0, 0x1fu);
  csr_write(medeleg, 0xb1ffu);      /* every exception except ecalls from S and M */
  csr_write(mideleg, 0x222u);       /* SSIP, STIP, SEIP */
  csr_write(mcounteren, 7u);        /* cycle, time, instret */
  CLINT_MTIMECMP[1] = 0xffffffffu;
  extern char _start[];
  if (info && info->magic == 0x4942534fu && info->next_addr && info->next_addr != (uint32_t)_start)
    return info->next_addr; /* QEMU's -kernel entry point */
  return 0x80400000u;       /* OpenSBI's usual payload address */
}

static void set_timer(uint32_t lo, uint32_t hi) {
  CLINT_MTIMECMP[1] = 0xffffffffu;
  CLINT_MTIMECMP[0] = lo;
  CLINT_MTIMECMP[1] = hi;
  csr_clear(mip, MIP_STIP);
  csr_set(mie, MIE_MTIE);
}

static void uart_putc(uint8_t c) {
  while (!(UART[5] & 0x20)) {}
  UART[0] = c;
}

static void shutdown(int fail) {
  *TEST_DEVICE = fail ? 0x13333 : 0x5555;
  for (;;) asm volatile("wfi");
}

#define EID_TIME 0x54494D45u
#define EID_IPI 0x735049u
#define EID_RFENCE 0x52464E43u
#define EID_HSM 0x48534Du
#define MIP_SSIP 0x2u
#define EID_DBCN 0x4442434Eu
/* A hart mask (mask, base) that names only hart 0, and whether it names it. */
static int only_hart0(uint32_t mask, uint32_t base, int *hart0) {
  if (base == 0xffffffffu) return *hart0 = 1;
  *hart0 = base == 0 && (mask & 1);
  return base == 0 ? (mask & ~1u) == 0 : mask == 0;
}
/* Built with -DQEMU_SBI_NO_DBCN (qemu_sbi_no_dbcn.elf) it offers no debug console: the kernel
   then drives QEMU's 16550 itself, which checks its driver against a real implementation. */
#ifdef QEMU_SBI_NO_DBCN
#define OFFER_DBCN 0
#else
#define OFFER_DBCN 1
#endif
#define EID_SRST 0x53525354u

/* regs[] = x0..x31 at the trap: a0..a7 are regs[10..17]; a0/a1 return error/value. */
static void sbi_call(uint32_t *r) {
  uint32_t eid = r[17], fid = r[16], a0 = r[10], a1 = r[11];
  int32_t error = 0;
  uint32_t value = 0;
  if (eid == 0x00) { set_timer(a0, a1); r[10] = 0; return; } /* legacy: a0 only */
  else if (eid == 0x01) { uart_putc((uint8_t)a0); r[10] = 0; return; }
  else if (eid == 0x02) { r[10] = (UART[5] & 1) ? UART[0] : (uint32_t)-1; return; }
  else if (eid == 0x03) { csr_clear(mip, MIP_SSIP); r[10] = 0; return; }
  else if (eid == 0x04) { csr_set(mip, MIP_SSIP); r[10] = 0; return; }
  else if (eid == 0x05) { asm volatile("fence.i"); r[10] = 0; return; }
  else if (eid == 0x06 || eid == 0x07) { asm volatile("sfence.vma"); r[10] = 0; return; }
  else if (eid == 0x08) shutdown(0);
  else if (eid == 0x10 && fid == 0) value = 0x02000000u; /* SBI 2.0 */
  else if (eid == 0x10 && fid == 3)
    value = a0 <= 8 || a0 == 0x10 || a0 == EID_TIME || a0 == EID_IPI || a0 == EID_RFENCE || a0 == EID_HSM ||
            (a0 == EID_DBCN && OFFER_DBCN) || a0 == EID_SRST;
  else if (eid == 0x10 && fid <= 6) value = 0; /* impl id/version, mvendorid... */
  else if (eid == EID_TIME && fid == 0) set_timer(a0, a1);
  else if (eid == EID_IPI && fid == 0) {
    int hart0;
    if (!only_hart0(a0, a1, &hart0)) error = -3;
    else if (hart0) csr_set(mip, MIP_SSIP);
  } else if (eid == EID_RFENCE && fid <= 2) {
    int hart0;
    if (!only_hart0(a0, a1, &hart0)) error = -3;
    else if (hart0 && fid == 0) asm volatile("fence.i");
    else if (hart0) asm volatile("sfence.vma");
  } else if (eid == EID_HSM && fid == 0) error = a0 == 0 ? -6 : -3; /* hart 0 already runs; no others */
  else if (eid == EID_HSM && fid == 1) for (;;) asm volatile("wfi");  /* the only hart stops */
  else if (eid == EID_HSM && fid == 2) { if (a0 != 0) error = -3; }  /* hart 0: STARTED (0) */
  else if (eid == EID_HSM && fid == 3) {
    if (a0 == 0) asm volatile("wfi");  /* default retentive suspend */
    else error = (a0 == 0x80000000u || (a0 >= 0x10000000u && a0 < 0x80000000u) || a0 >= 0x90000000u) ? -2 : -3;
  }
  else if (eid == EID_DBCN && OFFER_DBCN && fid == 0) {
    if (r[12]) error = -3; /* SBI_ERR_INVALID_PARAM: no memory above 4 GiB */
    else for (value = 0; value < a0; value++) uart_putc(((const uint8_t *)a1)[value]);
  } else if (eid == EID_DBCN && OFFER_DBCN && fid == 2) uart_putc((uint8_t)a0);
  else if (eid == EID_SRST && fid == 0 && (a0 > 2 || a1 > 1))
    error = (a0 >= 0xf0000000u || a1 >= 0xe0000000u) ? -2 : -3;
  else if (eid == EID_SRST && fid == 0) shutdown(a1 != 0);
  else error = -2; /* SBI_ERR_NOT_SUPPORTED */
  r[10] = (uint32_t)error;
  r[11] = value;
}

void sbi_trap(uint32_t *regs) {
  uint32_t mcause = csr_read(mcause);
  if (mcause == 0x80000007u) { /* machine timer: hand it to S-mode as STIP */
    csr_clear(mie, MIE_MTIE);
    csr_set(mip, MIP_STIP);
  } else if (mcause == 9) {
    sbi_call(regs);
    csr_write(mepc, csr_read(mepc) + 4);
  } else {
    const char *msg = "qemu_sbi: unexpected trap in M-mode\n";
    while (*msg) uart_putc((uint8_t)*msg++);
    shutdown(1);
  }
}
