// The hypervisor extension on the hart (privileged spec 1.12, chapter 8): every H CSR's WARL
// behaviour, the S CSRs aliased in VS-mode, CSR and instruction access from each of M, HS, VS,
// VU and U (illegal or virtual instruction), traps and their delegation across V, the
// two-stage walk (superpages at either stage, every fault at either stage, faults of the
// VS-stage's own page-table accesses), the VMID-tagged TLB and both HFENCEs, VS-level
// interrupts through hvip, htimedelta. Run on the interpreter and (unit_tests --hart-tests) the
// translator. Where QEMU 7.2 departs from the spec (../shared/docs/TOOLCHAIN.md), these follow
// the spec and say so.
#include "test_machine.h"

namespace vmscope::test {
namespace {


constexpr Insn hlv_w(unsigned rd, unsigned rs1) { return word(enc_r(0x34, 0, rs1, 4, rd, 0x73)); }
constexpr Insn hlv_b(unsigned rd, unsigned rs1) { return word(enc_r(0x30, 0, rs1, 4, rd, 0x73)); }
constexpr Insn hlvx_wu(unsigned rd, unsigned rs1) { return word(enc_r(0x34, 3, rs1, 4, rd, 0x73)); }
constexpr Insn hsv_w(unsigned rs2, unsigned rs1) { return word(enc_r(0x35, rs2, rs1, 4, 0, 0x73)); }
constexpr Insn hfence_vvma(unsigned rs1, unsigned rs2) { return word(enc_r(0x11, rs2, rs1, 0, 0, 0x73)); }
constexpr Insn hfence_gvma(unsigned rs1, unsigned rs2) { return word(enc_r(0x31, rs2, rs1, 0, 0, 0x73)); }

constexpr uint32_t kLeaf = kPteV | kPteA | kPteD;
constexpr uint32_t pte(uint32_t pa, uint32_t flags) { return ((pa >> 12) << 10) | flags; }

class Hypervisor : public HartTest {
 protected:
  static constexpr uint32_t kHandler = kRam + 0x8000;   // mtvec, stvec, vstvec all point here
  static constexpr uint32_t kCode = kRam + 0x1000;      // where test code runs (identity-mapped)
  // Page tables and data (host-physical; guest-physical is the same unless mapped otherwise).
  static constexpr uint32_t kGRoot = kRam + 0x10000;    // 16 KiB aligned
  static constexpr uint32_t kGL0 = kRam + 0x14000;
  static constexpr uint32_t kVsRoot = kRam + 0x15000;
  static constexpr uint32_t kVsL0 = kRam + 0x16000;
  static constexpr uint32_t kData = kRam + 0x20000;     // host pages the guest reaches
  static constexpr uint32_t kData2 = kRam + 0x21000;
  static constexpr uint32_t kGva = 0x40000000;          // the guest's virtual page
  static constexpr uint32_t kGpa = 0xc0000000;          // ... its guest-physical page

  Hypervisor() {
    HartConfig config;
    config.hypervisor = true;
    use_own_hart(config);
    set_csr(csr::mtvec, kHandler);
    set_csr(csr::stvec, kHandler);
    set_csr(csr::vstvec, kHandler);
    place(kHandler, {nop()});
  }

  // Enters `mode` with V = `virt` at `target` through a real MRET.
  void enter_v(Priv mode, bool virt, uint32_t target) {
    hart().set_priv(Priv::M);  // (wherever the last step left it)
    hart().set_virt(false);
    set_csr(csr::mstatush, virt ? 1u << 7 : 0);
    enter(mode, target);
    ASSERT_EQ(hart().virt(), virt);
  }
  // Runs `code` in the mode given, one instruction; returns the cause of the trap it took
  // (-1: none).
  int run_one(Priv mode, bool virt, Insn insn) {
    place(kCode, {insn, nop()});
    enter_v(mode, virt, kCode);
    const size_t before = traps().size();
    run(1);
    if (traps().size() == before) return -1;
    return static_cast<int>(traps().back().cause);
  }

  // G-stage: identity 4 MiB superpages for the test RAM, and kGpa -> kData (4 KiB) through kGL0.
  // VS-stage: identity superpage for the test RAM (S pages) and kGva -> kGpa (4 KiB, U-less).
  void map_two_stages(uint32_t vs_flags = kPteR | kPteW, uint32_t g_flags = kPteR | kPteW | kPteU) {
    for (uint32_t a = kGRoot; a < kGRoot + 0x4000; a += 4) write32(a, 0);
    for (uint32_t a = kGL0; a < kVsL0 + 0x1000; a += 4) write32(a, 0);
    write32(kGRoot + (kRam >> 22) * 4, pte(kRam, kLeaf | kPteR | kPteW | kPteX | kPteU));
    write32(kGRoot + (kGpa >> 22) * 4, pte(kGL0, kPteV));
    write32(kGL0 + ((kGpa >> 12) & 0x3ff) * 4, pte(kData, kLeaf | g_flags));
    write32(kVsRoot + (kRam >> 22) * 4, pte(kRam, kLeaf | kPteR | kPteW | kPteX));
    write32(kVsRoot + (kGva >> 22) * 4, pte(kVsL0, kPteV));
    write32(kVsL0 + ((kGva >> 12) & 0x3ff) * 4, pte(kGpa, kLeaf | vs_flags));
    set_csr(csr::hgatp, 1u << 31 | 1u << 22 | kGRoot >> 12);  // Sv32x4, VMID 1
    set_csr(csr::vsatp, 1u << 31 | kVsRoot >> 12);            // Sv32
  }
  // A load from kGva in VS-mode: the value, or the trap's cause (as -cause - 1).
  int64_t vs_load(uint32_t gva = kGva) {
    set_x(reg::a1, gva);
    const int cause = run_one(Priv::S, true, lw(reg::a0, reg::a1, 0));
    return cause < 0 ? static_cast<int64_t>(x(reg::a0)) : static_cast<int64_t>(-cause - 1);
  }
};
VMSCOPE_HART_TEST_SUITE(Hypervisor);

// ---- CSRs -----------------------------------------------------------------------------------------

TEST_F(Hypervisor, MisaSaysHAndTheWarlFieldsHoldWhatTheSpecAllows) {
  EXPECT_TRUE(csr(csr::misa) & (1u << 7));
  set_csr(csr::hedeleg, ~0u);
  EXPECT_EQ(csr(csr::hedeleg), 0xb1ffu);  // not ECALL from HS/VS/M (9-11), guest-page faults, virtual instruction
  set_csr(csr::hideleg, ~0u);
  EXPECT_EQ(csr(csr::hideleg), 0x444u);  // VSSI, VSTI, VSEI only
  set_csr(csr::hvip, ~0u);
  EXPECT_EQ(csr(csr::hvip), 0x444u);
  set_csr(csr::hstatus, ~0u);
  EXPECT_EQ(csr(csr::hstatus), (1u << 6 | 1u << 7 | 1u << 8 | 1u << 9 | 1u << 20 | 1u << 21 | 1u << 22));  // no VGEIN, VSBE
  set_csr(csr::hgatp, ~0u);  // Sv32x4, a 7-bit VMID, PPN[1:0] zero (QEMU 7.2 keeps bits 30:29 and PPN[1:0])
  EXPECT_EQ(csr(csr::hgatp), 0x8000'0000u | 0x7fu << 22 | 0x3ffffcu);
  set_csr(csr::mideleg, 0);
  EXPECT_EQ(csr(csr::mideleg), 0x1444u);  // VS-level interrupts and SGEI: always HS's
  set_csr(csr::medeleg, ~0u);
  EXPECT_EQ(csr(csr::medeleg), 0xf0b7ffu);  // with ECALL from VS and 20..23
  set_csr(csr::mstatush, ~0u);
  EXPECT_EQ(csr(csr::mstatush), 0xc0u);  // MPV, GVA
  set_csr(csr::hgeie, ~0u);
  EXPECT_EQ(csr(csr::hgeie), 0u);  // GEILEN = 0
  EXPECT_EQ(csr(csr::hgeip), 0u);
  set_csr(csr::htimedeltah, 0x12);
  set_csr(csr::htimedelta, 0x345);
  EXPECT_EQ(csr(csr::htimedelta), 0x345u);
  EXPECT_EQ(csr(csr::htimedeltah), 0x12u);
}

TEST_F(Hypervisor, HipHieVsipAndVsieAreViewsOfTheSameBits) {
  set_csr(csr::hvip, 1u << 2 | 1u << 6);
  EXPECT_EQ(csr(csr::hip), (1u << 2 | 1u << 6));
  EXPECT_EQ(csr(csr::vsip), 0u);  // nothing delegated to VS: vsip shows nothing
  set_csr(csr::hideleg, 1u << 2 | 1u << 6);
  EXPECT_EQ(csr(csr::vsip), (1u << 1 | 1u << 5));  // VSSIP -> SSIP, VSTIP -> STIP
  set_csr(csr::vsip, 0);                            // only SSIP is writable: it clears hvip.VSSIP
  EXPECT_EQ(csr(csr::hvip), 1u << 6);
  set_csr(csr::hip, 1u << 2);  // hip.VSSIP is hvip.VSSIP
  EXPECT_EQ(csr(csr::hvip), (1u << 2 | 1u << 6));
  set_csr(csr::vsie, ~0u);
  EXPECT_EQ(csr(csr::mie) & 0x1444, (1u << 2 | 1u << 6));  // only the delegated ones
  EXPECT_EQ(csr(csr::hie), (1u << 2 | 1u << 6));
  EXPECT_EQ(csr(csr::vsie), (1u << 1 | 1u << 5));
}

TEST_F(Hypervisor, WithoutTheExtensionItsCsrsAndInstructionsAreIllegal) {
  HartConfig plain;
  use_own_hart(plain);
  set_csr(csr::mtvec, kHandler);
  place(kHandler, {nop(), nop(), nop()});
  EXPECT_FALSE(csr(csr::misa) & (1u << 7));
  uint32_t v;
  EXPECT_FALSE(hart().debug_read_csr(csr::hstatus, v));
  place(kCode, {csrr(reg::a0, csr::hstatus), hlv_w(reg::a0, reg::a1), hfence_gvma(0, 0)});
  hart().set_pc(kCode);
  run(3);
  ASSERT_EQ(traps().size(), 1u);
  EXPECT_EQ(traps().back().cause, 2u);
}

// Who may touch which CSR: M, HS (S, V=0), VS, VU, U.
TEST_F(Hypervisor, CsrAccessFromEachModeIsAllowedIllegalOrAVirtualInstruction) {
  set_csr(csr::mcounteren, 7);
  set_csr(csr::scounteren, 7);
  set_csr(csr::hcounteren, 0);  // the guest may not read counters: virtual instruction
  struct Mode {
    const char* name;
    Priv priv;
    bool virt;
  } const modes[] = {{"HS", Priv::S, false}, {"VS", Priv::S, true}, {"VU", Priv::U, true}, {"U", Priv::U, false}};
  struct Case {
    uint16_t number;
    int expected[4];  // HS VS VU U: -1 allowed, 2 illegal, 22 virtual instruction
  } const cases[] = {
      {csr::hstatus, {-1, 22, 22, 2}}, {csr::vsstatus, {-1, 22, 22, 2}}, {csr::hgatp, {-1, 22, 22, 2}},
      {csr::sstatus, {-1, -1, 22, 2}}, {csr::satp, {-1, -1, 22, 2}},  {csr::mstatus, {2, 2, 2, 2}},
      {csr::cycle, {-1, 22, 22, -1}},
  };
  for (const Case& c : cases)
    for (int m = 0; m < 4; ++m)
      EXPECT_EQ(run_one(modes[m].priv, modes[m].virt, csrr(reg::a0, c.number)), c.expected[m])
          << "csr 0x" << std::hex << c.number << " from " << modes[m].name;
  set_csr(csr::hcounteren, 7);
  EXPECT_EQ(run_one(Priv::S, true, csrr(reg::a0, csr::cycle)), -1) << "hcounteren lets VS read cycle";
  set_csr(csr::scounteren, 0);
  EXPECT_EQ(run_one(Priv::U, true, csrr(reg::a0, csr::cycle)), 22) << "VU: scounteren says no";
  // A write to a read-only CSR is illegal even where reading it would be a virtual instruction.
  EXPECT_EQ(run_one(Priv::S, true, csrw(csr::hgeip, reg::a0)), 2);
  // TVM: HS may not touch hgatp; VTVM: VS may not touch satp.
  set_csr(csr::mstatus, csr(csr::mstatus) | kMstatusTvm);
  EXPECT_EQ(run_one(Priv::S, false, csrr(reg::a0, csr::hgatp)), 2);  // (QEMU 7.2 lets it through)
  set_csr(csr::mstatus, csr(csr::mstatus) & ~kMstatusTvm);
  set_csr(csr::hstatus, 1u << 20);
  EXPECT_EQ(run_one(Priv::S, true, csrr(reg::a0, csr::satp)), 22);  // (QEMU 7.2 lets it through)
}

TEST_F(Hypervisor, InVsModeTheSupervisorCsrsAreTheGuestsOwn) {
  set_csr(csr::sscratch, 0x1111);
  set_csr(csr::vsscratch, 0x2222);
  set_csr(csr::vsatp, 0x00400000);  // (Bare: the guest's addresses are its physical ones, and hgatp is Bare too)
  set_csr(csr::satp, 0x00800000);
  set_csr(csr::vsstatus, kMstatusSum);
  place(kCode, {csrr(reg::a0, csr::sscratch), csrw(csr::sscratch, reg::a2), csrr(reg::a3, csr::satp),
                csrr(reg::a4, csr::sstatus), csrw(csr::satp, reg::a5), nop()});
  set_x(reg::a2, 0x3333);
  set_x(reg::a5, 0x00c00000);
  enter_v(Priv::S, true, kCode);
  run(5);
  EXPECT_EQ(x(reg::a0), 0x2222u);
  EXPECT_EQ(csr(csr::vsscratch), 0x3333u);
  EXPECT_EQ(csr(csr::sscratch), 0x1111u);
  EXPECT_EQ(x(reg::a3), 0x00400000u);
  EXPECT_EQ(csr(csr::vsatp), 0x00c00000u);
  EXPECT_EQ(csr(csr::satp), 0x00800000u) << "HS's satp untouched";
  EXPECT_EQ(x(reg::a4), kMstatusSum);
  EXPECT_EQ(hart().mode_name(), std::string("VS"));
}

// ---- instructions ------------------------------------------------------------------------------------

TEST_F(Hypervisor, PrivilegedInstructionsInTheGuestAreVirtualInstructionsWhereHsCouldRunThem) {
  EXPECT_EQ(run_one(Priv::S, true, hfence_vvma(0, 0)), 22);
  EXPECT_EQ(run_one(Priv::S, true, hfence_gvma(0, 0)), 22);
  EXPECT_EQ(run_one(Priv::S, true, hlv_w(reg::a0, reg::a1)), 22);
  EXPECT_EQ(run_one(Priv::U, true, hsv_w(reg::a0, reg::a1)), 22);
  EXPECT_EQ(run_one(Priv::U, true, sret()), 22);          // (QEMU 7.2: illegal instruction)
  EXPECT_EQ(run_one(Priv::U, true, wfi()), 22);
  EXPECT_EQ(run_one(Priv::U, true, sfence_vma(0, 0)), 22);  // (QEMU 7.2: illegal instruction)
  EXPECT_EQ(run_one(Priv::U, false, hfence_vvma(0, 0)), 2);
  EXPECT_EQ(run_one(Priv::S, true, mret()), 2);
  set_csr(csr::hstatus, 1u << 22);  // VTSR
  EXPECT_EQ(run_one(Priv::S, true, sret()), 22);
  set_csr(csr::hstatus, 1u << 21);  // VTW
  EXPECT_EQ(run_one(Priv::S, true, wfi()), 22);
  set_csr(csr::mstatus, csr(csr::mstatus) | kMstatusTw);  // TW wins: illegal
  EXPECT_EQ(run_one(Priv::S, true, wfi()), 2);
  set_csr(csr::mstatus, csr(csr::mstatus) & ~kMstatusTw);
  set_csr(csr::hstatus, 1u << 20);  // VTVM
  EXPECT_EQ(run_one(Priv::S, true, sfence_vma(0, 0)), 22);
  set_csr(csr::hstatus, 0);
  EXPECT_EQ(run_one(Priv::S, true, sfence_vma(0, 0)), -1);
  EXPECT_EQ(run_one(Priv::S, false, hfence_gvma(0, 0)), -1);
  set_csr(csr::mstatus, csr(csr::mstatus) | kMstatusTvm);
  EXPECT_EQ(run_one(Priv::S, false, hfence_gvma(0, 0)), 2);  // TVM: HS may not
  EXPECT_EQ(run_one(Priv::S, false, hfence_vvma(0, 0)), -1);  // ... but VVMA it may
}

TEST_F(Hypervisor, HlvAndHsvReachTheGuestsMemoryAsTheGuestSeesIt) {
  map_two_stages();
  write32(kData, 0x8899aabb);
  set_csr(csr::hstatus, 1u << 8);  // SPVP: as VS-mode
  set_x(reg::a1, kGva);
  EXPECT_EQ(run_one(Priv::S, false, hlv_w(reg::a0, reg::a1)), -1);
  EXPECT_EQ(x(reg::a0), 0x8899aabbu);
  set_x(reg::a1, kGva + 3);
  EXPECT_EQ(run_one(Priv::S, false, hlv_b(reg::a0, reg::a1)), -1);
  EXPECT_EQ(x(reg::a0), 0xffffff88u);  // sign-extended
  set_x(reg::a1, kGva + 4);
  set_x(reg::a2, 0x12345678);
  EXPECT_EQ(run_one(Priv::S, false, hsv_w(reg::a2, reg::a1)), -1);
  EXPECT_EQ(read32(kData + 4), 0x12345678u);
  // From U-mode only with hstatus.HU (QEMU 7.2 raises a virtual instruction without it).
  set_csr(csr::hstatus, 1u << 8);
  EXPECT_EQ(run_one(Priv::U, false, hlv_w(reg::a0, reg::a1)), 2);
  set_csr(csr::hstatus, 1u << 8 | 1u << 9);
  EXPECT_EQ(run_one(Priv::U, false, hlv_w(reg::a0, reg::a1)), -1);
  // As VU (SPVP = 0) the guest's page must be a user page: it is not, a guest page fault... no:
  // a page fault of the VS-stage, with GVA set.
  set_csr(csr::hstatus, 0);
  EXPECT_EQ(run_one(Priv::M, false, hlv_w(reg::a0, reg::a1)), 13);
  EXPECT_TRUE(csr(csr::mstatush) & (1u << 6)) << "GVA: mtval is a guest virtual address";
  EXPECT_EQ(csr(csr::mtval), kGva + 4);
}

TEST_F(Hypervisor, HlvxNeedsExecutePermissionAtBothStages) {
  map_two_stages(kPteX, kPteX | kPteU);  // execute-only at both stages
  write32(kData, 0x00000013);
  set_csr(csr::hstatus, 1u << 8);
  set_x(reg::a1, kGva);
  EXPECT_EQ(run_one(Priv::M, false, hlv_w(reg::a0, reg::a1)), 13);  // a plain read may not (QEMU 7.2: HLVX checks R)
  EXPECT_EQ(run_one(Priv::M, false, hlvx_wu(reg::a0, reg::a1)), -1);
  EXPECT_EQ(x(reg::a0), 0x13u);
  map_two_stages(kPteX, kPteR | kPteU);  // G-stage readable, not executable
  EXPECT_EQ(run_one(Priv::M, false, hlvx_wu(reg::a0, reg::a1)), 21);
}

// ---- traps across V -------------------------------------------------------------------------------

TEST_F(Hypervisor, AnEcallFromVsGoesToMThenToHsWhenDelegatedAndSretReturnsToTheGuest) {
  EXPECT_EQ(run_one(Priv::S, true, ecall()), 10);
  EXPECT_EQ(hart().priv(), Priv::M);
  EXPECT_FALSE(hart().virt());
  EXPECT_TRUE(csr(csr::mstatush) & (1u << 7)) << "MPV";
  set_csr(csr::medeleg, 1u << 10);
  EXPECT_EQ(run_one(Priv::S, true, ecall()), 10);
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_FALSE(hart().virt()) << "HS takes it";
  EXPECT_EQ(csr(csr::scause), 10u);
  EXPECT_EQ(csr(csr::hstatus) & (1u << 7 | 1u << 8), (1u << 7 | 1u << 8)) << "SPV, SPVP (from VS)";
  // SRET from HS with SPV goes back into the guest and clears SPV.
  set_csr(csr::sepc, kCode + 4);
  set_csr(csr::mstatus, csr(csr::mstatus) | kMstatusSpp);
  place(kHandler, {sret()});
  hart().set_pc(kHandler);
  run(1);
  EXPECT_TRUE(hart().virt());
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_EQ(pc(), kCode + 4);
  EXPECT_EQ(csr(csr::hstatus) & (1u << 7), 0u);
}

TEST_F(Hypervisor, TheGuestsOwnExceptionsGoToItsHandlerThroughHedeleg) {
  set_csr(csr::medeleg, 1u << 2);
  set_csr(csr::hedeleg, 1u << 2);
  set_csr(csr::vsstatus, kMstatusSie);
  EXPECT_EQ(run_one(Priv::U, true, csrr(reg::a0, csr::mstatus)), 2);  // from VU
  EXPECT_TRUE(hart().virt());
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_EQ(csr(csr::vscause), 2u);
  EXPECT_EQ(csr(csr::vsepc), kCode);
  EXPECT_EQ(csr(csr::vsstatus) & (kMstatusSpp | kMstatusSpie | kMstatusSie), kMstatusSpie) << "SPP = VU, SPIE = SIE";
  EXPECT_EQ(csr(csr::scause), 0u) << "HS saw nothing";
  // The guest's SRET returns to VU.
  place(kHandler, {sret()});
  hart().set_pc(kHandler);
  run(1);
  EXPECT_EQ(hart().priv(), Priv::U);
  EXPECT_TRUE(hart().virt());
  EXPECT_EQ(pc(), kCode);
}

TEST_F(Hypervisor, VsLevelInterruptsAreInjectedThroughHvip) {
  // Not delegated to VS: HS takes it, even with the guest's SIE off, as a VS-level interrupt.
  set_csr(csr::mie, 1u << 2);
  set_csr(csr::hvip, 1u << 2);
  place(kCode, {nop(), nop()});
  enter_v(Priv::S, true, kCode);
  run(1);
  EXPECT_EQ(traps().back().cause, 0x80000002u);
  EXPECT_EQ(hart().priv(), Priv::S);
  EXPECT_FALSE(hart().virt());
  EXPECT_EQ(csr(csr::scause), 0x80000002u);
  // Delegated (hideleg): the guest takes it as its supervisor software interrupt, when it enables it.
  set_csr(csr::hideleg, 1u << 2);
  set_csr(csr::vsstatus, 0);
  enter_v(Priv::S, true, kCode);
  run(1);
  EXPECT_TRUE(hart().virt());
  EXPECT_EQ(pc(), kCode + 4) << "vsstatus.SIE = 0: not taken";
  set_csr(csr::vsstatus, kMstatusSie);
  run(1);  // the interrupt, then the handler's first instruction
  EXPECT_EQ(pc(), kHandler + 4);
  EXPECT_TRUE(hart().virt());
  EXPECT_EQ(csr(csr::vscause), 0x80000001u);
  EXPECT_EQ(csr(csr::vsstatus) & kMstatusSpie, kMstatusSpie);
}

TEST_F(Hypervisor, TimeInTheGuestIsShiftedByHtimedelta) {
  set_csr(csr::mcounteren, 2);
  set_csr(csr::hcounteren, 2);
  set_csr(csr::htimedelta, 1000000);
  place(kCode, {csrr(reg::a0, csr::time), nop()});
  enter_v(Priv::S, true, kCode);
  const uint64_t at = hart().mtime();  // (mtime moves every 10 steps: not during this one)
  run(1);
  ASSERT_EQ(hart().mtime(), at);
  EXPECT_EQ(x(reg::a0), at + 1000000);
}

// ---- two-stage translation ----------------------------------------------------------------------------

TEST_F(Hypervisor, TwoStageLoadsAndStoresAndEveryFaultAtEitherStage) {
  map_two_stages();
  write32(kData, 0xfeed0001);
  EXPECT_EQ(vs_load(), 0xfeed0001);
  // VS-stage: no mapping -> the guest's page fault, mtval = GVA, no mtval2.
  EXPECT_EQ(vs_load(kGva + 0x1000), -13 - 1);
  EXPECT_EQ(csr(csr::mtval), kGva + 0x1000);
  EXPECT_EQ(csr(csr::mtval2), 0u);
  EXPECT_TRUE(csr(csr::mstatush) & (1u << 6));
  // G-stage: the leaf without U -> a guest-page fault, mtval2 = GPA >> 2.
  write32(kGL0 + ((kGpa >> 12) & 0x3ff) * 4, pte(kData, kLeaf | kPteR | kPteW));
  hart().tlb().flush_all();
  EXPECT_EQ(vs_load(kGva + 8), -21 - 1);
  EXPECT_EQ(csr(csr::mtval), kGva + 8);
  EXPECT_EQ(csr(csr::mtval2), (kGpa + 8) >> 2);
  EXPECT_EQ(csr(csr::mtinst), 0u) << "the final access: no pseudo-instruction";
  // G-stage read-only: a store is a store guest-page fault.
  write32(kGL0 + ((kGpa >> 12) & 0x3ff) * 4, pte(kData, kLeaf | kPteR | kPteU));
  hart().tlb().flush_all();
  set_x(reg::a1, kGva);
  EXPECT_EQ(run_one(Priv::S, true, sw(reg::a0, reg::a1, 0)), 23);
  EXPECT_EQ(vs_load(), 0xfeed0001) << "reads still work";
}

TEST_F(Hypervisor, AFaultInTheVsStagesOwnPageTableAccessIsAGuestPageFaultOfTheOriginalKind) {
  map_two_stages();
  // The VS-stage's second-level table for kGva sits at a guest-physical page the G-stage does
  // not map (the code's own superpage still translates).
  write32(kVsRoot + (kGva >> 22) * 4, pte(0xd0000000u, kPteV));
  EXPECT_EQ(vs_load(), -21 - 1);
  EXPECT_EQ(csr(csr::mtval2), (0xd0000000u + ((kGva >> 12) & 0x3ff) * 4) >> 2) << "the PTE's guest-physical address";
  EXPECT_EQ(csr(csr::mtinst), 0x00002000u) << "the pseudo-instruction of an implicit read";
  EXPECT_EQ(csr(csr::mtval), kGva);
  set_x(reg::a1, kGva);
  EXPECT_EQ(run_one(Priv::S, true, sw(reg::a0, reg::a1, 0)), 23) << "a store's walk faults as a store (QEMU 7.2: 21)";
  // Setting A needs the G-stage to allow writing the PTE: read-only page tables fault (htinst 0x2020).
  map_two_stages();
  write32(kVsL0 + ((kGva >> 12) & 0x3ff) * 4, pte(kGpa, kPteV | kPteR | kPteW));  // A and D clear
  write32(kGRoot + (kRam >> 22) * 4, pte(kRam, kLeaf | kPteR | kPteX | kPteU));    // RAM read-only at the G-stage
  set_csr(csr::medeleg, 0);
  EXPECT_EQ(vs_load(), -21 - 1);
  EXPECT_EQ(csr(csr::mtinst), 0x00002020u);
  EXPECT_EQ(csr(csr::mtval2), (kVsL0 + ((kGva >> 12) & 0x3ff) * 4) >> 2);
}

// PMP checks the walks' own reads at both stages (implicit S-level accesses): a page table in a
// region PMP gives no read permission is an access fault of the original kind, mtval the GVA.
TEST_F(Hypervisor, PmpChecksThePageTableReadsOfBothStages) {
  HartConfig config;
  config.hypervisor = true;
  config.pmp_entries = 16;
  use_own_hart(config);
  set_csr(csr::mtvec, kHandler);
  place(kHandler, {nop()});
  hart().pmp_allow_all();  // entry 15: everything, as firmware leaves it
  map_two_stages();
  write32(kData, 0x5eed);
  EXPECT_EQ(vs_load(), 0x5eed);
  const auto deny = [&](uint32_t base, uint32_t size) {  // entry 0: NAPOT, no permission
    set_csr(csr::pmpaddr0, (base >> 2) | ((size >> 3) - 1));
    set_csr(csr::pmpcfg0, Pmp::kNapot << 3);
    hart().tlb().flush_all();
  };
  deny(kGL0, 0x1000);  // the G-stage's leaf table for the data (the code's superpage needs only the root)
  EXPECT_EQ(vs_load(), -5 - 1) << "the G-stage walk's read refused: a load access fault";
  EXPECT_EQ(csr(csr::mtval), kGva);
  deny(kVsL0, 0x1000);  // the VS-stage's leaf table
  EXPECT_EQ(vs_load(), -5 - 1) << "the VS-stage walk's read refused";
  deny(kData, 0x1000);  // the data itself
  EXPECT_EQ(vs_load(), -5 - 1);
  set_csr(csr::pmpcfg0, 0);
  hart().tlb().flush_all();
  EXPECT_EQ(vs_load(), 0x5eed) << "the entry off: all allowed again";
}

TEST_F(Hypervisor, SuperpagesAtEitherStage) {
  map_two_stages();
  // VS-stage superpage kGva -> kGpa (4 MiB) over the G-stage's 4 KiB page; G-stage superpage
  // for a second region.
  write32(kVsRoot + (kGva >> 22) * 4, pte(kGpa, kLeaf | kPteR | kPteW));
  write32(kData, 0x5u);
  EXPECT_EQ(vs_load(), 5);
  write32(kVsRoot + (0x50000000u >> 22) * 4, pte(0x88000000u, kLeaf | kPteR | kPteW));     // VA 0x50000000 -> GPA 0x88000000
  write32(kGRoot + (0x88000000u >> 22) * 4, pte(kRam, kLeaf | kPteR | kPteW | kPteU));    // GPA 0x88000000 -> RAM (4 MiB)
  write32(kData2, 0x66u);
  EXPECT_EQ(vs_load(0x50000000u + (kData2 - kRam)), 0x66);
  // A misaligned G-stage superpage is a guest-page fault.
  write32(kGRoot + (0x88000000u >> 22) * 4, pte(kRam + 0x1000, kLeaf | kPteR | kPteW | kPteU));
  hart().tlb().flush_all();
  EXPECT_EQ(vs_load(0x50000000u), -21 - 1);
}

TEST_F(Hypervisor, TheTlbTagsGuestTranslationsByVmidAndTheHfencesDropThem) {
  map_two_stages();
  write32(kData, 1);
  write32(kData2, 2);
  const uint32_t g_leaf = kGL0 + ((kGpa >> 12) & 0x3ff) * 4;
  auto g_maps_to = [&](uint32_t hpa) { write32(g_leaf, pte(hpa, kLeaf | kPteR | kPteW | kPteU)); };
  EXPECT_EQ(vs_load(), 1);  // cached for VMID 1
  // Behind the TLB's back the G-stage now maps kGpa to kData2: the cached translation holds.
  g_maps_to(kData2);
  EXPECT_EQ(vs_load(), 1);
  // HFENCE.GVMA for VMID 2 leaves VMID 1's entries; for VMID 1 it drops them.
  set_x(reg::a2, 2);
  EXPECT_EQ(run_one(Priv::M, false, hfence_gvma(0, reg::a2)), -1);
  EXPECT_EQ(vs_load(), 1);
  set_x(reg::a2, 1);
  EXPECT_EQ(run_one(Priv::M, false, hfence_gvma(0, reg::a2)), -1);
  EXPECT_EQ(vs_load(), 2);  // cached again, for VMID 1, to kData2
  // Another VMID never hits VMID 1's entry: it walks, and sees the table as it is now.
  g_maps_to(kData);
  set_csr(csr::hgatp, 1u << 31 | 2u << 22 | kGRoot >> 12);
  EXPECT_EQ(vs_load(), 1);
  bool tagged = false;
  for (const TlbEntry& e : hart().tlb().entries()) tagged |= e.valid && e.virt && e.vmid == 2 && e.vpn == kGva >> 12;
  EXPECT_TRUE(tagged) << "the entry says whose it is";
  // An SFENCE.VMA in HS does not touch the guest's entries; HFENCE.VVMA does.
  g_maps_to(kData2);
  EXPECT_EQ(run_one(Priv::S, false, sfence_vma(0, 0)), -1);
  EXPECT_EQ(vs_load(), 1);
  EXPECT_EQ(run_one(Priv::M, false, hfence_vvma(0, 0)), -1);
  EXPECT_EQ(vs_load(), 2);
}

TEST_F(Hypervisor, TheDebuggersTwoDimensionalWalkRecordsEveryAccessInOrder) {
  map_two_stages();
  const TwoStageWalk w = hart().debug_translate_guest(kGva, AccessType::load, Priv::S);
  ASSERT_TRUE(w.ok);
  EXPECT_EQ(w.hpa, kData);
  // G(root PTE's GPA): 1 access (superpage); VS root; G(L0 PTE's GPA): 1; VS L0; G(data GPA): 2.
  ASSERT_EQ(w.access_count, 6u);
  const bool g_stage[] = {true, false, true, false, true, true};
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(w.accesses[i].g_stage, g_stage[i]) << i;
  EXPECT_EQ(w.accesses[1].pte_hpa, kVsRoot + (kGva >> 22) * 4);
  EXPECT_EQ(w.accesses[5].pte_hpa, kGL0 + ((kGpa >> 12) & 0x3ff) * 4);
}

}  // namespace
}  // namespace vmscope::test
