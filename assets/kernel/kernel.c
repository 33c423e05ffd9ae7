/* vmscope's teaching kernel: SBI console and timer, processes in U-mode with their own
   ASIDs, round-robin preemption on timer ticks, system calls, and the final report. */
#include "kernel.h"
#include "syscalls.h"
#include "virtio.h"

#define TICK_TIME 10000u    /* timer period in mtime units (1 ms at 10 MHz) */
#define SCAUSE_INTERRUPT 0x80000000u
#define IRQ_S_TIMER 5
#define CAUSE_ECALL_U 8
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

__attribute__((noreturn)) void return_to_user(struct trapframe *tf); /* entry.S */

/* ---- SBI: ecall with a7 = extension, a6 = function; a0 = error, a1 = value ---- */
#define SBI_LEGACY_SET_TIMER 0x00
#define SBI_LEGACY_SHUTDOWN 0x08
#define SBI_BASE 0x10
#define SBI_TIME 0x54494D45
#define SBI_DBCN 0x4442434E
#define SBI_SRST 0x53525354

struct sbiret { int32_t error; uint32_t value; };

static struct sbiret sbi_call(uint32_t eid, uint32_t fid, uint32_t a0, uint32_t a1, uint32_t a2) {
  register uint32_t r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2;
  register uint32_t r6 asm("a6") = fid, r7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){(int32_t)r0, r1};
}

static int has_dbcn, has_time, has_srst;

/* The console: the firmware's (SBI DBCN) when it offers one, otherwise the board's 16550
   driven directly - each byte a wait for the transmit holding register to be empty (LSR.THRE)
   and a write to it (THR). Under a monitor those two register accesses reach the device
   directly (passed through) or trap and are carried out by the monitor (emulated): the kernel
   cannot tell which. */
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static void uart_put(char c) {
  volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
  while (!(uart[UART_LSR] & UART_LSR_THRE)) {
  }
  uart[UART_THR] = (uint8_t)c;
}

/* A virtio-console (device 3), when the board has one: the paravirtual console. A string is
   copied into a buffer and sent through the transmit queue - one write to QueueNotify per
   string, the only register access, so under a monitor one exit. */
static struct virtq tx_queue;
static char tx_buffer[256];
static volatile uint32_t *virtio_console;

static void virtio_console_probe(void) {
  volatile uint32_t *r = virtio_find(3);
  if (!r || !virtq_init(r, 1, &tx_queue)) return; /* queue 1: transmitq */
  virtio_driver_ok(r);
  virtio_console = r;
}

static void virtio_console_write(const char *s, uint32_t len) {
  while (len > 0) {
    uint32_t n = len < sizeof tx_buffer ? len : sizeof tx_buffer;
    memcpy(tx_buffer, s, n);
    virtq_send(virtio_console, 1, &tx_queue, tx_buffer, n);
    s += n;
    len -= n;
  }
}

static void console_write(const char *s, uint32_t len) {
  if (!has_dbcn && virtio_console) {
    virtio_console_write(s, len);
    return;
  }
  while (len > 0 && has_dbcn) { /* DBCN takes a physical address: ours are identity-mapped */
    struct sbiret r = sbi_call(SBI_DBCN, 0, len, (uint32_t)s, 0);
    if (r.error || r.value == 0) break;
    s += r.value;
    len -= r.value;
  }
  while (len-- > 0) uart_put(*s++);
}

void kprintf(const char *format, ...) {
  char line[200];
  va_list ap;
  va_start(ap, format);
  int n = vfmt(line, sizeof line, format, ap);
  va_end(ap);
  console_write(line, (uint32_t)n);
}

static void set_timer(uint64_t when) {
  sbi_call(has_time ? SBI_TIME : SBI_LEGACY_SET_TIMER, 0, (uint32_t)when, (uint32_t)(when >> 32), 0);
}

/* Pass: 0x5555 to the test device; fail: (code << 16) | 0x3333. SBI shutdown as a fallback. */
__attribute__((noreturn)) static void shutdown(uint32_t code) {
  *(volatile uint32_t *)TEST_DEVICE = code ? (code << 16) | 0x3333 : 0x5555;
  if (has_srst) sbi_call(SBI_SRST, 0, 0, code ? 1 : 0, 0);
  sbi_call(SBI_LEGACY_SHUTDOWN, 0, 0, 0, 0);
  for (;;) wait_for_interrupt();
}

__attribute__((noreturn)) void panic(const char *what) {
  kprintf("kernel: PANIC: %s\n", what);
  shutdown(3);
}

void kernel_trap(void) { /* entry.S: a trap from S-mode */
  kprintf("kernel: unexpected trap in the kernel: scause 0x%x sepc 0x%x stval 0x%x\n",
          trap_cause(), trap_pc(), trap_value());
  panic("kernel trap");
}

/* ---- is the machine what it claims? ----
   A monitor that runs this kernel deprivileged keeps the illusion only if every sensitive
   instruction traps to it. These checks catch the classic ways real machines broke that
   (Popek and Goldberg's "critical" instructions); they always pass on a real S-mode. */
extern char __kernel_start[]; /* kernel.ld */
struct kprobe_state { uint32_t active, faulted, scause, stval, sstatus, saved; };
extern volatile struct kprobe_state kprobe; /* entry.S */
static int illusion_failures;

/* Loads from va; returns 1 if it worked, 0 if it trapped (kprobe says how). */
static int probe_load(uint32_t va) {
  uint32_t v = 0;
  kprobe.faulted = 0;
  kprobe.active = 1;
  asm volatile(".option push\n.option norvc\nlw %0, 0(%1)\n.option pop" : "+r"(v) : "r"(va) : "memory");
  kprobe.active = 0;
  return !kprobe.faulted;
}

static void illusion_broken(const char *what) {
  kprintf("kernel: ILLUSION BROKEN: %s\n", what);
  illusion_failures++;
}

#define PROBE_VA 0x40000000u /* a scratch 4 MiB window of the kernel's table */

static void check_the_machine(uint32_t *root) {
  /* A status read: in the trap handler, sstatus.SPP says the trap came from S-mode. */
  if (probe_load(PROBE_VA + 0x400000u) || kprobe.scause != CAUSE_LOAD_PAGE_FAULT ||
      kprobe.stval != PROBE_VA + 0x400000u)
    illusion_broken("a load from an unmapped page did not fault as it should");
  else if (!(kprobe.sstatus & SSTATUS_SPP))
    illusion_broken("sstatus read in the trap handler says the trap came from U-mode, but it came "
                    "from S-mode (a read of privileged state did not trap: PUSHF/SMSW)");
  /* A status write: setting sstatus.SUM must let S-mode read a user page. The kernel's own
     memory is mapped at PROBE_VA once more, as a user superpage. */
  pte_set(&root[VPN1(PROBE_VA)], PA_TO_PTE((uint32_t)__kernel_start) | PTE_R | PTE_U | PTE_A | PTE_V);
  flush_page(PROBE_VA, 0);
  mmu_commit();
  if (probe_load(PROBE_VA))
    illusion_broken("S-mode read a user page with sstatus.SUM clear");
  set_user_access(1);
  if (!probe_load(PROBE_VA))
    illusion_broken("setting sstatus.SUM had no effect (a write of privileged state was silently "
                    "ignored: POPF)");
  set_user_access(0);
  pte_set(&root[VPN1(PROBE_VA)], 0);
  flush_page(PROBE_VA, 0);
  mmu_commit();
  if (!illusion_failures)
    kprintf("kernel: the machine keeps its promises: sstatus reads and writes trap as they should\n");
}

/* ---- processes ---- */
extern const uint8_t user_primes[], user_primes_end[], user_heapsum[], user_heapsum_end[],
    user_sleeper[], user_sleeper_end[], user_spinner[], user_spinner_end[], user_crasher[],
    user_crasher_end[];

static const struct program {
  const char *name;
  const uint8_t *elf, *elf_end;
  int expected_code;
} programs[NPROC] = {
    {"primes", user_primes, user_primes_end, 11},
    {"heapsum", user_heapsum, user_heapsum_end, 22},
    {"sleeper", user_sleeper, user_sleeper_end, 33},
    {"spinner", user_spinner, user_spinner_end, 44},
    {"crasher", user_crasher, user_crasher_end, EXIT_KILLED},
};

static struct proc procs[NPROC];
static struct proc *current;
static uint32_t kernel_satp;  /* the kernel-only address space, ASID 0 */
static int asids_usable;      /* enough ASID bits for one per process */
static uint32_t ticks;        /* timer interrupts since boot */

static void switch_to(struct proc *p) {
  current = p;
  set_address_space(SATP_SV32 | (p->asid << 22) | ((uint32_t)p->root >> 12));
  if (!asids_usable) flush_all(); /* every process shares ASID 0: flush */
}

/* Console output of a process goes to its own buffer, printed in pid order at the end. */
static void proc_output(struct proc *p, const char *s, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    if (p->out_len < OUT_SIZE) p->out[p->out_len++] = s[i];
    else p->out_lost++;
  }
}

static void proc_finish(struct proc *p, int code, enum pstate state) {
  set_address_space(kernel_satp); /* leave the address space before freeing it */
  vm_free_space(p->root, p->asid);
  p->root = 0;
  p->exit_code = code;
  p->state = state;
}

static void kill(struct proc *p, const char *why, uint32_t addr) {
  char line[120];
  int n = fmt(line, sizeof line, "kernel: pid %d killed: %s at 0x%08x (pc 0x%08x)\n", p->pid,
              why, addr, p->tf.pc);
  proc_output(p, line, (uint32_t)n);
  proc_finish(p, EXIT_KILLED, KILLED);
}

static void timer_tick(void) {
  ticks++;
  set_timer(read_time() + TICK_TIME);
  balloon_poll();
  for (int i = 0; i < NPROC; i++)
    if (procs[i].state == SLEEPING && ticks >= procs[i].wake_tick) procs[i].state = RUNNABLE;
}

static void report(void);

/* Round robin: the next runnable process after the current one (the current one last).
   If every live process sleeps, wait for timer ticks; if none is left, report. */
static struct proc *schedule(void) {
  for (;;) {
    int alive = 0, start = (int)(current - procs);
    for (int i = 1; i <= NPROC; i++) {
      struct proc *p = &procs[(start + i) % NPROC];
      if (p->state == RUNNABLE) return p;
      alive |= p->state == SLEEPING;
    }
    if (!alive) report();
    while (!timer_pending()) wait_for_interrupt(); /* sstatus.SIE = 0: no trap */
    timer_tick();
  }
}

static uint32_t sys_write(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len) {
  if (fd != 1 && fd != 2) return (uint32_t)-1;
  for (uint32_t done = 0; done < len;) { /* page by page through the kernel's mapping */
    const char *src = vm_user_ptr(p, buf + done);
    if (!src) return (uint32_t)-1;
    uint32_t chunk = PAGE_SIZE - ((buf + done) & (PAGE_SIZE - 1));
    if (chunk > len - done) chunk = len - done;
    proc_output(p, src, chunk);
    done += chunk;
  }
  return len;
}

/* Returns 1 if the process gives up the processor. */
static int syscall(struct proc *p) {
  uint32_t *a = &p->tf.x[10]; /* a0..a7 = x10..x17 */
  switch (a[7]) {
    case SYS_WRITE: a[0] = sys_write(p, a[0], a[1], a[2]); return 0;
    case SYS_GETPID: a[0] = (uint32_t)p->pid; return 0;
    case SYS_YIELD: a[0] = 0; return 1;
    case SYS_SLEEP:
      p->wake_tick = ticks + a[0];
      p->state = a[0] ? SLEEPING : RUNNABLE;
      a[0] = 0;
      return 1;
    case SYS_SBRK: a[0] = (uint32_t)vm_sbrk(p, (int32_t)a[0]); return 0;
    case SYS_EXIT: proc_finish(p, (int)a[0], EXITED); return 1;
    case SYS_UPTIME: a[0] = ticks; return 0;
    default: a[0] = (uint32_t)-1; return 0;
  }
}

/* entry.S: a trap from U-mode; returns the trap frame of the process to run next. */
struct trapframe *handle_trap(struct trapframe *tf) {
  struct proc *p = current; /* tf == &p->tf */
  uint32_t scause = trap_cause(), stval = trap_value();
  if (trap_status() & SSTATUS_SPP) { /* "from U-mode" according to sscratch: not so */
    kprintf("kernel: ILLUSION BROKEN: pid %d trapped at pc 0x%08x from S-mode: the SRET that "
            "started it jumped without leaving S-mode (JRST 1)\n", p->pid, trap_pc());
    shutdown(4);
  }
  int switch_away = 0;
  if (scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
    p->timer_interrupts++;
    timer_tick();
    switch_away = 1; /* preemption */
  } else if (scause & SCAUSE_INTERRUPT) {
    /* no other interrupt is enabled */
  } else if (scause == CAUSE_ECALL_U) {
    tf->pc += 4;
    switch_away = syscall(p);
  } else if (scause == CAUSE_FETCH_PAGE_FAULT || scause == CAUSE_LOAD_PAGE_FAULT ||
             scause == CAUSE_STORE_PAGE_FAULT) {
    if (vm_demand_page(p, stval) < 0)
      kill(p, scause == CAUSE_FETCH_PAGE_FAULT  ? "instruction page fault"
              : scause == CAUSE_LOAD_PAGE_FAULT ? "load page fault"
                                                : "store page fault",
           stval);
  } else {
    kill(p, scause == 2 ? "illegal instruction" : "exception", stval);
  }
  if (switch_away || p->state != RUNNABLE) switch_to(schedule());
  /* (queued page-table updates and the switch go to the machine with the trap return) */
  return &current->tf;
}

/* ---- the end: every process's output in pid order, then the checks ---- */
static uint32_t pages_free_at_start;

static void report(void) {
  int failures = 0, preempted = 0;
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    kprintf("--- pid %d: %s (asid %u) ---\n", p->pid, p->name, p->asid);
    console_write(p->out, p->out_len);
    if (p->out_lost) kprintf("kernel: (%u bytes of output lost)\n", p->out_lost);
    int ok = p->exit_code == p->expected_code && p->out_len > 0 && !p->out_lost;
    char got[16], want[16];
    fmt(got, sizeof got, p->state == KILLED ? "killed" : "exit %d", p->exit_code);
    fmt(want, sizeof want, p->expected_code == EXIT_KILLED ? "killed" : "exit %d", p->expected_code);
    kprintf("--- pid %d: %s, expected %s, %u page%s paged in on demand: %s\n", p->pid, got, want,
            p->paged_in, p->paged_in == 1 ? "" : "s", ok ? "ok" : "FAIL");
    failures += !ok;
    preempted += p->timer_interrupts > 0;
  }
  if (!preempted) kprintf("kernel: FAIL: no process was ever preempted by the timer\n");
  if (illusion_failures) kprintf("kernel: FAIL: the machine broke %d of its promises\n", illusion_failures);
  failures += illusion_failures;
  uint32_t free_now = free_page_count() + balloon_pages(); /* the balloon's are the host's */
  if (balloon_present()) kprintf("kernel: the balloon holds %u pages at the end\n", balloon_pages());
  if (free_now != pages_free_at_start)
    kprintf("kernel: FAIL: %u pages leaked\n", pages_free_at_start - free_now);
  failures += !preempted + (free_now != pages_free_at_start);
  if (failures) {
    kprintf("kernel: FAIL: %d check%s failed\n", failures, failures == 1 ? "" : "s");
    shutdown(1);
  }
  kprintf("kernel: PASS: all %d processes ran and ended as expected, timer preemption seen, "
          "every page returned\n", NPROC);
  shutdown(0);
}

void kmain(uint32_t hartid) {
  (void)hartid;
  struct sbiret version = sbi_call(SBI_BASE, 0, 0, 0, 0);
  has_dbcn = sbi_call(SBI_BASE, 3, SBI_DBCN, 0, 0).value != 0;
  has_time = sbi_call(SBI_BASE, 3, SBI_TIME, 0, 0).value != 0;
  has_srst = sbi_call(SBI_BASE, 3, SBI_SRST, 0, 0).value != 0;
  if (!has_dbcn) virtio_console_probe();
  balloon_probe();
  if (arch_init() < 0) {
    kprintf("kernel: this is the paravirtual build of vmscope's teaching kernel: it runs only "
            "under vmscope's monitor (vmscope run --virt paravirtual)\n");
    shutdown(2);
  }
  /* (which console it uses is not said: the same bytes whichever way they travel) */
  kprintf("vmscope teaching kernel: S-mode, Sv32, SBI %u.%u (timer %s)\n", (version.value >> 24) & 0x7f,
          version.value & 0xffffff, has_time ? "TIME" : "legacy");

  kalloc_init();
  kernel_satp = vm_init();
  /* find out how many ASID bits there are */
  set_address_space(kernel_satp | (0x1ffu << 22));
  asids_usable = ((address_space() >> 22) & 0x1ff) >= NPROC;
  set_address_space(kernel_satp);
  flush_all();
  set_user_counters(7); /* U-mode may read cycle, time, instret */
  check_the_machine((uint32_t *)((kernel_satp & 0x3fffffu) << 12));
  pages_free_at_start = free_page_count();
  if (!asids_usable) kprintf("kernel: fewer than %d ASIDs: flushing the TLB on every switch\n", NPROC);

  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    p->pid = i + 1;
    p->asid = asids_usable ? (uint32_t)p->pid : 0;
    p->name = programs[i].name;
    p->expected_code = programs[i].expected_code;
    p->root = vm_new_space();
    if (!p->root || vm_load_elf(p, programs[i].elf, (uint32_t)(programs[i].elf_end - programs[i].elf)) < 0)
      panic("cannot load a user program");
    p->state = RUNNABLE;
  }
  kprintf("kernel: %d processes, each with its own ASID, all with code at 0x%08x\n", NPROC, USER_BASE);

  enable_timer_interrupt();
  set_timer(read_time() + TICK_TIME);
  return_to_user_mode_next(); /* sret goes to U-mode */
  switch_to(&procs[0]);
  return_to_user(&procs[0].tf);
}
