/* sv32_paging: Sv32 page tables built in M-mode and used from S/U: 4 KiB pages and 4 MiB
   superpages, remapping to other physical pages, load/store/fetch page faults with
   scause/stval and demand-paging retries, SUM, MXR, A/D bits (hardware or faults),
   sfence.vma by address and by ASID, two address spaces with different ASIDs.
   Built with -DVMSCOPE_SBI (sv32_paging_sbi) it starts in S-mode on SBI firmware, so that the
   same checks run under vmscope's monitor (trap-and-emulate) as under emulation. */
#include "vmscope_system.h"

/* ---- PTE and satp ---- */
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_A 0x040u
#define PTE_D 0x080u
#define PTE_PPN(pa) (((uint32_t)(pa) >> 12) << 10)
#define SATP_SV32 0x80000000u
#define SATP_ASID(a) ((uint32_t)(a) << 22)
#define SATP_PPN(pa) ((uint32_t)(pa) >> 12)
#define VPN1(va) ((uint32_t)(va) >> 22)
#define VPN0(va) (((uint32_t)(va) >> 12) & 0x3ff)

/* ---- virtual layout (everything else identity-mapped with superpages) ---- */
#define VA_WINDOW 0xc0000000u            /* 4 KiB test pages, one per slot below */
#define VA_DATA (VA_WINDOW + 0x0000)     /* -> page_data (RW); per address space */
#define VA_DEMAND (VA_WINDOW + 0x1000)   /* unmapped until the first fault */
#define VA_RDONLY (VA_WINDOW + 0x2000)   /* read-only until a store fault */
#define VA_NOEXEC (VA_WINDOW + 0x3000)   /* code page mapped R only, X added on fault */
#define VA_USER (VA_WINDOW + 0x4000)     /* U page */
#define VA_XONLY (VA_WINDOW + 0x5000)    /* execute-only page */
#define VA_AD (VA_WINDOW + 0x6000)       /* A = D = 0 */
#define VA_UCODE (VA_WINDOW + 0x7000)    /* U-mode code */
#define VA_UDATA (VA_WINDOW + 0x8000)    /* U-mode data */
#define VA_SUPER 0xc0400000u             /* 4 MiB superpage alias of RAM_BASE, read-only */
#define VA_NOTHING 0xd0000000u           /* no level-1 entry at all */

#define PAGE_WORDS 1024
typedef uint32_t page_t[PAGE_WORDS];

static page_t root_a __attribute__((aligned(4096)));
static page_t root_b __attribute__((aligned(4096)));
static page_t l0_a __attribute__((aligned(4096)));
static page_t l0_b __attribute__((aligned(4096)));
/* physical pages the test pages map to */
enum { P_DATA_A, P_DATA_B, P_DEMAND, P_RDONLY, P_USER, P_AD, P_UDATA, P_REMAP_A, P_REMAP_B, NPAGES };
static page_t pages[NPAGES] __attribute__((aligned(4096)));

/* U-mode routines and a position-independent S routine, alone in one page. They end
   with ecall ECALL_RETURN themselves (U cannot execute the shared return stub). */
__asm__(".section .text.upage, \"ax\", @progbits\n"
        ".balign 4096\n"
        ".option push\n"
        ".option norvc\n"
        ".globl upage_start, u_load, u_store, s_ret42\n"
        "upage_start:\n"
        "u_load:\n" /* a0 = address -> a0 = *address */
        "    lw a0, 0(a0)\n"
        "    li a7, 0x5e7\n"
        "    ecall\n"
        "u_store:\n" /* a0 = address: *address = 0x600d, a0 = *address */
        "    li t0, 0x600d\n"
        "    sw t0, 0(a0)\n"
        "    lw a0, 0(a0)\n"
        "    li a7, 0x5e7\n"
        "    ecall\n"
        "s_ret42:\n"
        "    li a0, 42\n"
        "    ret\n"
        ".balign 4096\n"
        ".option pop\n"
        ".text\n");
extern char upage_start[], u_load[], u_store[], s_ret42[];
#define UPAGE_VA(sym, base) ((base) + (uint32_t)((sym) - upage_start))

/* ---- S-mode trap handling: record the fault, then apply the planned fix ---- */
enum fix_kind { FIX_NONE, FIX_SKIP, FIX_MAP, FIX_SET_BITS, FIX_RETURN_USER };
static volatile uint32_t fix_kind, fix_bits;
static volatile uint32_t *volatile fix_pte;
static volatile uint32_t pf_count, pf_cause, pf_epc, pf_tval, pf_from_user;

void s_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(scause), epc = csr_read(sepc);
    int from_user = !(csr_read(sstatus) & MSTATUS_SPP);
    if (cause == CAUSE_USER_ECALL && f->regs[REG_A7] == ECALL_RETURN) {
        s_return_from_user(f);
        return;
    }
    if (cause != CAUSE_FETCH_PAGE_FAULT && cause != CAUSE_LOAD_PAGE_FAULT &&
        cause != CAUSE_STORE_PAGE_FAULT) {
        kprintf("FAIL: unexpected S trap scause=%x sepc=%x stval=%x\n", cause, epc,
                csr_read(stval));
        vm_exit(3);
    }
    pf_count++;
    pf_cause = cause;
    pf_epc = epc;
    pf_tval = csr_read(stval);
    pf_from_user = from_user;
    switch (fix_kind) {
    case FIX_SKIP: /* U routines use 4-byte instructions only */
        csr_write(sepc, epc + (from_user ? 4 : insn_length(epc)));
        break;
    case FIX_MAP:
        *fix_pte = fix_bits;
        __asm__ volatile("sfence.vma %0, zero" : : "r"(pf_tval) : "memory");
        break; /* retry */
    case FIX_SET_BITS:
        *fix_pte |= fix_bits;
        __asm__ volatile("sfence.vma %0, zero" : : "r"(pf_tval) : "memory");
        break; /* retry */
    case FIX_RETURN_USER:
        f->regs[REG_A0] = 0xdead0000u | cause;
        s_return_from_user(f);
        break;
    default:
        kprintf("FAIL: unplanned page fault scause=%x sepc=%x stval=%x\n", cause, epc, pf_tval);
        vm_exit(3);
    }
}

void m_trap_handler(struct trap_frame *f)
{
    uint32_t cause = csr_read(mcause);
    if (cause == CAUSE_SUPERVISOR_ECALL && f->regs[REG_A7] == ECALL_RETURN) {
        m_return_from_lower(f);
        return;
    }
    kprintf("FAIL: unexpected M trap mcause=%x mepc=%x mtval=%x\n", cause, csr_read(mepc),
            csr_read(mtval));
    vm_exit(3);
}

static void plan(uint32_t kind, volatile uint32_t *pte, uint32_t bits)
{
    fix_pte = pte;
    fix_bits = bits;
    fix_kind = kind;
}

/* Accesses through virtual addresses; the "memory" clobbers keep the compiler from
   moving plain accesses to the physical pages across them. */
static uint32_t load(uint32_t va)
{
    uint32_t v;
    __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(va) : "memory");
    return v;
}

static void store(uint32_t va, uint32_t v)
{
    __asm__ volatile("sw %0, 0(%1)" : : "r"(v), "r"(va) : "memory");
}

static void sfence_all(void)
{
    __asm__ volatile("sfence.vma zero, zero" : : : "memory");
}

/* Runs `insn` at a known address; pc receives that address. */
#define AT(pc, insn, ...)                                                         \
    __asm__ volatile("la %0, 1f\n"                                                \
                     "1: " insn                                                   \
                     : "=&r"(pc) __VA_ARGS__)

#define EXPECT_PF(before, cause, epc, tval, user, what)                           \
    do {                                                                          \
        vm_checks++;                                                              \
        if (pf_count != (before) + 1 || pf_cause != (cause) || pf_epc != (epc) || \
            pf_tval != (tval) || pf_from_user != (user)) {                        \
            vm_failures++;                                                        \
            kprintf("FAIL: %s: faults=%u scause=%x sepc=%x stval=%x from_user=%u\n", \
                    what, pf_count - (before), pf_cause, pf_epc, pf_tval, pf_from_user); \
        }                                                                         \
    } while (0)

/* ---- page-table construction (M-mode) ---- */

#define LEAF (PTE_V | PTE_A | PTE_D)

static void build_space(page_t root, page_t l0, uint32_t data_page)
{
    for (int i = 0; i < PAGE_WORDS; i++)
        root[i] = l0[i] = 0;
    /* identity superpages: low 4 MiB (test device), UART, RAM */
    root[VPN1(0)] = PTE_PPN(0) | LEAF | PTE_R | PTE_W;
    root[VPN1(UART_BASE)] = PTE_PPN(UART_BASE) | LEAF | PTE_R | PTE_W;
    root[VPN1(RAM_BASE)] = PTE_PPN(RAM_BASE) | LEAF | PTE_R | PTE_W | PTE_X;
    /* read-only superpage alias of RAM */
    root[VPN1(VA_SUPER)] = PTE_PPN(RAM_BASE) | LEAF | PTE_R;
    /* the 4 KiB window */
    root[VPN1(VA_WINDOW)] = PTE_PPN(l0) | PTE_V;
    l0[VPN0(VA_DATA)] = PTE_PPN(data_page) | LEAF | PTE_R | PTE_W;
    l0[VPN0(VA_RDONLY)] = PTE_PPN(pages[P_RDONLY]) | LEAF | PTE_R;
    l0[VPN0(VA_NOEXEC)] = PTE_PPN(upage_start) | LEAF | PTE_R;
    l0[VPN0(VA_USER)] = PTE_PPN(pages[P_USER]) | LEAF | PTE_R | PTE_W | PTE_U;
    l0[VPN0(VA_XONLY)] = PTE_PPN(upage_start) | LEAF | PTE_X;
    l0[VPN0(VA_AD)] = PTE_PPN(pages[P_AD]) | PTE_V | PTE_R | PTE_W; /* A = D = 0 */
    l0[VPN0(VA_UCODE)] = PTE_PPN(upage_start) | LEAF | PTE_R | PTE_X | PTE_U;
    l0[VPN0(VA_UDATA)] = PTE_PPN(pages[P_UDATA]) | LEAF | PTE_R | PTE_W | PTE_U;
}

/* ---- S-mode tests ---- */

static uint32_t asid_bits_work;

static void s_basic_mappings(void)
{
    CHECK_EQ(load(VA_DATA), 0xaaaa0000, "4 KiB page maps to another physical page");
    store(VA_DATA + 4, 0x12345678);
    CHECK_EQ(pages[P_DATA_A][1], 0x12345678, "store through the mapping reaches the physical page");
    static volatile uint32_t marker = 0x5eed1234;
    uint32_t alias = VA_SUPER + ((uint32_t)&marker - RAM_BASE);
    CHECK_EQ(load(alias), 0x5eed1234, "4 MiB superpage alias reads the same data");
    marker = 0x0ddba11;
    CHECK_EQ(load(alias), 0x0ddba11, "superpage alias sees a new value");
    kprintf("mappings: 4 KiB page and 4 MiB superpage\n");
}

static void s_faults(void)
{
    uint32_t pc, v, before;

    /* store to a read-only superpage: fault, skipped */
    uint32_t alias = VA_SUPER + 0x100;
    plan(FIX_SKIP, 0, 0);
    before = pf_count;
    AT(pc, "sw zero, 0(%1)", : "r"(alias) : "memory");
    EXPECT_PF(before, CAUSE_STORE_PAGE_FAULT, pc, alias, 0, "store to read-only superpage");

    /* no level-1 entry */
    before = pf_count;
    AT(pc, "lw %1, 0(%2)", , "=&r"(v) : "r"(VA_NOTHING + 0x44) : "memory");
    EXPECT_PF(before, CAUSE_LOAD_PAGE_FAULT, pc, VA_NOTHING + 0x44, 0, "load with no level-1 PTE");

    /* demand paging: the first load faults, the handler maps the page, the load retries */
    pages[P_DEMAND][3] = 0xd0d0cafe;
    plan(FIX_MAP, &l0_a[VPN0(VA_DEMAND)], PTE_PPN(pages[P_DEMAND]) | LEAF | PTE_R | PTE_W);
    before = pf_count;
    AT(pc, "lw %1, 12(%2)", , "=&r"(v) : "r"(VA_DEMAND) : "memory");
    EXPECT_PF(before, CAUSE_LOAD_PAGE_FAULT, pc, VA_DEMAND + 12, 0, "demand paging: load fault");
    CHECK_EQ(v, 0xd0d0cafe, "demand paging: retried load sees the data");

    /* store to a read-only page: store fault, W added, retried */
    plan(FIX_SET_BITS, &l0_a[VPN0(VA_RDONLY)], PTE_W);
    before = pf_count;
    AT(pc, "sw %1, 8(%2)", : "r"(0xfeedf00du), "r"(VA_RDONLY) : "memory");
    EXPECT_PF(before, CAUSE_STORE_PAGE_FAULT, pc, VA_RDONLY + 8, 0, "store to read-only page");
    CHECK_EQ(pages[P_RDONLY][2], 0xfeedf00d, "retried store lands in the page");

    /* fetch from a page without X: fetch fault at the target, X added, retried */
    plan(FIX_SET_BITS, &l0_a[VPN0(VA_NOEXEC)], PTE_X);
    uint32_t target = UPAGE_VA(s_ret42, VA_NOEXEC);
    before = pf_count;
    uint32_t r = ((uint32_t(*)(void))target)();
    EXPECT_PF(before, CAUSE_FETCH_PAGE_FAULT, target, target, 0, "fetch from a non-executable page");
    CHECK_EQ(r, 42, "retried fetch runs the code");
    fix_kind = FIX_NONE;
    kprintf("page faults: load 13, store 15, fetch 12 with stval; demand paging retries\n");
}

static void s_user_pages(void)
{
    uint32_t pc, v, before;
    pages[P_USER][0] = 0x05e40000;

    /* S touching a U page: fault with SUM = 0, works with SUM = 1 */
    csr_clear(sstatus, MSTATUS_SUM);
    plan(FIX_SKIP, 0, 0);
    before = pf_count;
    v = 0;
    AT(pc, "lw %1, 0(%2)", , "+&r"(v) : "r"(VA_USER) : "memory");
    EXPECT_PF(before, CAUSE_LOAD_PAGE_FAULT, pc, VA_USER, 0, "S load from U page with SUM=0");
    before = pf_count;
    AT(pc, "sw zero, 4(%1)", : "r"(VA_USER) : "memory");
    EXPECT_PF(before, CAUSE_STORE_PAGE_FAULT, pc, VA_USER + 4, 0, "S store to U page with SUM=0");
    fix_kind = FIX_NONE;
    csr_set(sstatus, MSTATUS_SUM);
    CHECK_EQ(load(VA_USER), 0x05e40000, "S load from U page with SUM=1");
    store(VA_USER + 4, 77);
    CHECK_EQ(pages[P_USER][1], 77, "S store to U page with SUM=1");
    csr_clear(sstatus, MSTATUS_SUM);

    /* U-mode code running from a U page */
    pages[P_UDATA][0] = 0x7777;
    CHECK_EQ(s_enter_user((uint32_t(*)(uint32_t))UPAGE_VA(u_load, VA_UCODE), VA_UDATA), 0x7777,
             "U loads from a U page");
    CHECK_EQ(s_enter_user((uint32_t(*)(uint32_t))UPAGE_VA(u_store, VA_UCODE), VA_UDATA + 8),
             0x600d, "U stores to a U page");
    CHECK_EQ(pages[P_UDATA][2], 0x600d, "U store reached the physical page");

    /* U touching an S page faults (skipped: the routine returns its argument) */
    plan(FIX_SKIP, 0, 0);
    before = pf_count;
    v = s_enter_user((uint32_t(*)(uint32_t))UPAGE_VA(u_load, VA_UCODE), VA_DATA);
    EXPECT_PF(before, CAUSE_LOAD_PAGE_FAULT, UPAGE_VA(u_load, VA_UCODE), VA_DATA, 1,
              "U load from an S page");
    CHECK_EQ(v, VA_DATA, "faulting U load was skipped");

    /* U fetching from an S page */
    plan(FIX_RETURN_USER, 0, 0);
    before = pf_count;
    uint32_t target = UPAGE_VA(s_ret42, VA_NOEXEC); /* X now, but not U */
    v = s_enter_user((uint32_t(*)(uint32_t))target, 0);
    EXPECT_PF(before, CAUSE_FETCH_PAGE_FAULT, target, target, 1, "U fetch from an S page");
    CHECK_EQ(v, 0xdead0000u | CAUSE_FETCH_PAGE_FAULT, "U fetch fault ended the U call");
    fix_kind = FIX_NONE;
    kprintf("user pages: SUM gates S access; U faults on S pages\n");
}

static void s_mxr(void)
{
    uint32_t pc, v = 0, before;
    uint32_t va = UPAGE_VA(s_ret42, VA_XONLY);
    uint32_t want = *(volatile uint32_t *)s_ret42; /* the same bytes, identity-mapped */
    csr_clear(sstatus, MSTATUS_MXR);
    plan(FIX_SKIP, 0, 0);
    before = pf_count;
    AT(pc, "lw %1, 0(%2)", , "+&r"(v) : "r"(va) : "memory");
    EXPECT_PF(before, CAUSE_LOAD_PAGE_FAULT, pc, va, 0, "load from execute-only page, MXR=0");
    fix_kind = FIX_NONE;
    csr_set(sstatus, MSTATUS_MXR);
    CHECK_EQ(load(va), want, "load from execute-only page with MXR=1");
    csr_clear(sstatus, MSTATUS_MXR);
    kprintf("MXR: execute-only page readable only with MXR=1\n");
}

static void s_accessed_dirty(void)
{
    volatile uint32_t *pte = &l0_a[VPN0(VA_AD)];
    pages[P_AD][0] = 0xadadadad;
    uint32_t before = pf_count;
    plan(FIX_SET_BITS, pte, PTE_A);
    uint32_t v = load(VA_AD);
    int load_faulted = pf_count != before;
    CHECK_EQ(v, 0xadadadad, "load through a PTE with A=0");
    CHECK(*pte & PTE_A, "after a load the PTE has A set");
    if (load_faulted)
        CHECK_EQ(pf_cause, CAUSE_LOAD_PAGE_FAULT, "A=0 load fault is a load page fault");

    before = pf_count;
    plan(FIX_SET_BITS, pte, PTE_A | PTE_D);
    store(VA_AD + 4, 0xd1d1d1d1);
    int store_faulted = pf_count != before;
    CHECK_EQ(pages[P_AD][1], 0xd1d1d1d1, "store through a PTE with D=0");
    CHECK(*pte & PTE_D, "after a store the PTE has D set");
    if (store_faulted)
        CHECK_EQ(pf_cause, CAUSE_STORE_PAGE_FAULT, "D=0 store fault is a store page fault");
    fix_kind = FIX_NONE;
    kprintf("A/D bits: %s\n", !load_faulted && !store_faulted ? "set by hardware"
                              : load_faulted && store_faulted  ? "page faults, set by the handler"
                                                               : "mixed hardware/fault");
}

static void s_asids(void)
{
    uint32_t satp_a = SATP_SV32 | SATP_ASID(1) | SATP_PPN(root_a);
    uint32_t satp_b = SATP_SV32 | SATP_ASID(2) | SATP_PPN(root_b);
    CHECK_EQ(csr_read(satp), satp_a, "satp holds mode, ASID 1 and the root PPN");

    /* switching address spaces: the same VA shows each space's page */
    CHECK_EQ(load(VA_DATA), 0xaaaa0000, "ASID 1 sees its page");
    csr_write(satp, satp_b);
    if (!asid_bits_work)
        sfence_all();
    CHECK_EQ(load(VA_DATA), 0xbbbb0000, "ASID 2 sees its page");
    csr_write(satp, satp_a);
    if (!asid_bits_work)
        sfence_all();
    CHECK_EQ(load(VA_DATA), 0xaaaa0000, "back in ASID 1 (no fence): its own page again");

    /* sfence.vma by address: remap VA_DATA in space A */
    pages[P_REMAP_A][0] = 0x99990000;
    l0_a[VPN0(VA_DATA)] = PTE_PPN(pages[P_REMAP_A]) | LEAF | PTE_R | PTE_W;
    __asm__ volatile("sfence.vma %0, zero" : : "r"(VA_DATA) : "memory");
    CHECK_EQ(load(VA_DATA), 0x99990000, "sfence.vma by address: new mapping visible");

    /* sfence.vma by ASID: remap VA_DATA in space B while running in A */
    pages[P_REMAP_B][0] = 0xcccc0000;
    l0_b[VPN0(VA_DATA)] = PTE_PPN(pages[P_REMAP_B]) | LEAF | PTE_R | PTE_W;
    __asm__ volatile("sfence.vma zero, %0" : : "r"(2) : "memory");
    CHECK_EQ(load(VA_DATA), 0x99990000, "ASID 1 unaffected by ASID 2's remap");
    csr_write(satp, satp_b);
    if (!asid_bits_work)
        sfence_all();
    CHECK_EQ(load(VA_DATA), 0xcccc0000, "sfence.vma by ASID: ASID 2 sees its new mapping");
    /* both: address and ASID */
    l0_b[VPN0(VA_DATA)] = PTE_PPN(pages[P_DATA_B]) | LEAF | PTE_R | PTE_W;
    __asm__ volatile("sfence.vma %0, %1" : : "r"(VA_DATA), "r"(2) : "memory");
    CHECK_EQ(load(VA_DATA), 0xbbbb0000, "sfence.vma by address and ASID");
    csr_write(satp, satp_a);
    sfence_all();
    kprintf("ASIDs: two address spaces; sfence.vma by address and by ASID\n");
}

static uint32_t s_main(uint32_t unused)
{
    (void)unused;
    s_basic_mappings();
    s_faults();
    s_user_pages();
    s_mxr();
    s_accessed_dirty();
    s_asids();
    return 0;
}

int main(void)
{
    kprintf("sv32_paging: start\n");
    pages[P_DATA_A][0] = 0xaaaa0000;
    pages[P_DATA_B][0] = 0xbbbb0000;
    build_space(root_a, l0_a, (uint32_t)pages[P_DATA_A]);
    build_space(root_b, l0_b, (uint32_t)pages[P_DATA_B]);

    uint32_t satp_a = SATP_SV32 | SATP_ASID(1) | SATP_PPN(root_a);
    csr_write(satp, satp_a);
    uint32_t got = csr_read(satp);
    CHECK_EQ(got & (SATP_SV32 | 0x3fffff), satp_a & (SATP_SV32 | 0x3fffff), "satp accepts Sv32");
    asid_bits_work = (got & SATP_ASID(0x1ff)) == SATP_ASID(1);
    if (!asid_bits_work)
        kprintf("note: satp.ASID is not stored; fencing on every switch\n");
    __asm__ volatile("sfence.vma zero, zero" : : : "memory");

#ifdef VMSCOPE_SBI /* already in S-mode; the firmware delegates page faults and U ecalls */
    s_main(0);
    csr_write(satp, 0);
#else
    csr_write(medeleg, (1u << CAUSE_USER_ECALL) | (1u << CAUSE_FETCH_PAGE_FAULT) |
                           (1u << CAUSE_LOAD_PAGE_FAULT) | (1u << CAUSE_STORE_PAGE_FAULT));
    m_enter_lower(PRV_S, s_main, 0);
    csr_write(satp, 0);
    csr_write(medeleg, 0);
#endif
    return VM_FINISH("sv32_paging");
}
