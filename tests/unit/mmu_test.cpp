// Sv32 translation as the hart performs it: page tables are built in RAM by the test, the hart
// enters S or U through MRET, and the tests check translations, page faults, the A/D bits, the
// TLB and SFENCE.VMA, and the debugger's side-effect-free translation.
#include <gtest/gtest.h>

#include <optional>

#include "test_machine.h"

namespace vmscope::test {
namespace {

using namespace reg;

constexpr uint32_t kHandler = kRam + 0x4000;  // mtvec: M-mode, untranslated
constexpr uint32_t kRoot = kRam + 0x10000;    // the root page table
constexpr uint32_t kRoot2 = kRam + 0x18000;   // a second address space
constexpr uint32_t kCode = kRam + 0x20000;    // identity-mapped code page
constexpr uint32_t kFrame0 = kRam + 0x30000;  // data frames
constexpr uint32_t kFrame1 = kRam + 0x31000;
constexpr uint32_t kFrame2 = kRam + 0x32000;
constexpr uint32_t kFrame3 = kRam + 0x33000;
constexpr uint32_t kVa = 0x00400000;     // data pages: VPN[1] = 1
constexpr uint32_t kSuperVa = 0x00800000;  // superpages: VPN[1] = 2
constexpr uint32_t kRWAD = kPteV | kPteR | kPteW | kPteA | kPteD;
constexpr uint32_t kCodeFlags = kPteV | kPteR | kPteX | kPteA | kPteG;

constexpr uint32_t pte_for(uint32_t pa, uint32_t flags) { return (pa >> 12) << 10 | flags; }
constexpr uint32_t satp_for(uint32_t root, uint32_t asid = 0) {
  return kSatpModeSv32 | asid << kSatpAsidShift | root >> 12;
}

class Mmu : public HartTest {
 protected:
  Mmu() { build_base(); }

  // The handler, the code page mapping (S code by default) and satp; call again after
  // use_own_hart(), whose RAM is fresh.
  void build_base(uint32_t code_flags = kCodeFlags) {
    next_table_ = kRam + 0x11000;
    place(kHandler, {jal(zero, 0)});
    set_csr(csr::mtvec, kHandler);
    map4k(kCode, kCode, code_flags);
    map4k(kCode, kCode, code_flags, kRoot2);
    set_csr(csr::satp, satp_for(kRoot));
  }

  // Leaf PTE address for `va` in the tree at `root`, creating the level-0 table if needed.
  uint32_t leaf_address(uint32_t va, uint32_t root = kRoot) {
    const uint32_t l1 = root + (va >> 22) * 4;
    uint32_t e = read32(l1);
    if (!(e & kPteV)) {
      e = pte_for(next_table_, kPteV);
      next_table_ += 0x1000;
      write32(l1, e);
    }
    return ((e >> 10) << 12) + ((va >> 12) & 0x3ff) * 4;
  }
  void map4k(uint32_t va, uint32_t pa, uint32_t flags, uint32_t root = kRoot) {
    write32(leaf_address(va, root), pte_for(pa, flags));
  }
  void map4m(uint32_t va, uint32_t pa, uint32_t flags, uint32_t root = kRoot) {
    write32(root + (va >> 22) * 4, pte_for(pa, flags));
  }
  uint32_t pte(uint32_t va, uint32_t root = kRoot) { return read32(leaf_address(va, root)); }

  // Runs `code` from the code page in `mode` (the code page gets U for U-mode).
  void start(Priv mode, std::initializer_list<Insn> code) {
    if (mode == Priv::U) {
      map4k(kCode, kCode, kCodeFlags | kPteU);
      map4k(kCode, kCode, kCodeFlags | kPteU, kRoot2);
    }
    place(kCode, code);
    enter(mode, kCode);
  }

  // The valid TLB entry covering `va` with `asid` (or global), if any.
  std::optional<TlbEntry> tlb_entry(uint32_t va, uint16_t asid = 0) const {
    for (const TlbEntry& e : hart().tlb().entries()) {
      if (!e.valid) continue;
      const bool covers = e.superpage ? (e.vpn >> 10) == (va >> 22) : e.vpn == (va >> 12);
      if (covers && (e.asid == asid || (e.pte_flags & kPteG))) return e;
    }
    return std::nullopt;
  }

  void expect_trap(uint32_t cause, uint32_t tval, uint32_t epc) {
    EXPECT_EQ(priv(), Priv::M);
    EXPECT_EQ(pc(), kHandler);
    EXPECT_EQ(csr(csr::mcause), cause);
    EXPECT_EQ(csr(csr::mtval), tval);
    EXPECT_EQ(csr(csr::mepc), epc);
  }

  // A fresh hart (M-mode, TLB empty) over the same RAM and page tables.
  void restart() {
    hart().reset(kRam);
    set_csr(csr::mtvec, kHandler);
    set_csr(csr::satp, satp_for(kRoot));
  }

  uint32_t next_table_ = 0;
};
VMSCOPE_HART_TEST_SUITE(Mmu);

// ---- translation --------------------------------------------------------------------------------

TEST_F(Mmu, TranslatesA4KiBPage) {
  map4k(kVa, kFrame1, kRWAD);
  write32(kFrame1 + 0x10, 0x11223344);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0x10), sw(a2, a1, 0x20), lbu(a3, a1, 0x11)});
  set_x(a2, 0xcafe);
  run(4);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x11223344u);
  EXPECT_EQ(read32(kFrame1 + 0x20), 0xcafeu);
  EXPECT_EQ(x(a3), 0x33u);
  EXPECT_EQ(priv(), Priv::S);

  const Hart::Translation t = hart().debug_translate(kVa + 0x10, AccessType::load, Priv::S);
  EXPECT_TRUE(t.ok);
  EXPECT_EQ(t.paddr, kFrame1 + 0x10);
}

TEST_F(Mmu, UnmappedNeighbourPageFaultsWithTheFullAddress) {
  map4k(kVa, kFrame1, kRWAD);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0x10), addi(a1, a1, 0x7ff), lbu(a0, a1, 0x7ff)});
  run(4);  // kVa + 0x7ff + 0x7ff = kVa + 0xffe: still mapped
  EXPECT_TRUE(traps().empty());
  place(kCode, {lui(a1, (kVa + 0x1000) >> 12), lw(a0, a1, 0x234)});
  restart();
  enter(Priv::S, kCode);
  run(2);
  expect_trap(13, kVa + 0x1234, kCode + 4);
}

TEST_F(Mmu, TranslatesA4MiBSuperpage) {
  map4m(kSuperVa, kRam, kRWAD);  // VA 0x00800000.. -> RAM base (4 MiB aligned)
  write32(kRam + 0x23454, 0x5555aaaa);
  start(Priv::S, {lui(a1, (kSuperVa + 0x23000) >> 12), lw(a0, a1, 0x454), sw(a2, a1, 0x458)});
  set_x(a2, 0x77);
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x5555aaaau);
  EXPECT_EQ(read32(kRam + 0x23458), 0x77u);
  const auto e = tlb_entry(kSuperVa + 0x23454);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->superpage);
}

TEST_F(Mmu, MisalignedSuperpageFaults) {
  map4m(kSuperVa, kRam + 0x1000, kRWAD);  // PPN[0] != 0
  start(Priv::S, {lui(a1, kSuperVa >> 12), lw(a0, a1, 8)});
  run(2);
  expect_trap(13, kSuperVa + 8, kCode + 4);

  restart();
  place(kCode, {lui(a1, kSuperVa >> 12), sw(a0, a1, 12)});
  enter(Priv::S, kCode);
  run(2);
  expect_trap(15, kSuperVa + 12, kCode + 4);
}

struct BadPte {
  const char* name;
  uint32_t flags;
  bool store;
  uint32_t cause;
};

class MmuBadPte : public Mmu, public ::testing::WithParamInterface<BadPte> {};
VMSCOPE_HART_TEST_SUITE(MmuBadPte);

TEST_P(MmuBadPte, PageFaults) {
  const BadPte& c = GetParam();
  map4k(kVa, kFrame1, c.flags);
  start(Priv::S, {lui(a1, kVa >> 12), c.store ? sw(a0, a1, 0x40) : lw(a0, a1, 0x40)});
  write32(kFrame1 + 0x40, 0x1234);
  run(2);
  expect_trap(c.cause, kVa + 0x40, kCode + 4);
  EXPECT_EQ(read32(kFrame1 + 0x40), 0x1234u);  // a faulting store writes nothing
}

INSTANTIATE_TEST_SUITE_P(
    Sv32, MmuBadPte,
    ::testing::Values(BadPte{"invalid_load", kRWAD & ~kPteV, false, 13},
                      BadPte{"invalid_store", kRWAD & ~kPteV, true, 15},
                      BadPte{"write_without_read_load", kPteV | kPteW | kPteA | kPteD, false, 13},
                      BadPte{"write_without_read_store", kPteV | kPteW | kPteA | kPteD, true, 15},
                      BadPte{"write_execute_without_read", kPteV | kPteW | kPteX | kPteA | kPteD, false, 13},
                      BadPte{"read_only_store", kPteV | kPteR | kPteA | kPteD, true, 15},
                      BadPte{"execute_only_load", kPteV | kPteX | kPteA, false, 13},
                      BadPte{"pointer_at_level_zero", kPteV, false, 13}),
    [](const ::testing::TestParamInfo<BadPte>& i) { return std::string(i.param.name); });

TEST_F(Mmu, InvalidRootEntryFaults) {
  start(Priv::S, {lui(a1, 0x00c00), lw(a0, a1, 0)});  // VPN[1] = 3: nothing there
  run(2);
  expect_trap(13, 0x00c00000u, kCode + 4);
}

TEST_F(Mmu, FetchFromANonExecutablePageFaults) {
  map4k(kVa, kFrame1, kRWAD);
  start(Priv::S, {lui(a1, kVa >> 12), jalr(zero, a1, 0x10)});
  run(3);
  expect_trap(12, kVa + 0x10, kVa + 0x10);
}

TEST_F(Mmu, WordStraddlingIntoAnUnmappedPageFaultsOnTheSecondHalf) {
  place(kCode + 0xffc, {c_nop(), addi(a0, a0, 1)});
  write32(kCode, jal(zero, 0xffc).bits);
  restart();
  enter(Priv::S, kCode);
  run(3);  // jal, c.nop, then the straddling addi
  expect_trap(12, kCode + 0x1000, kCode + 0xffe);
  EXPECT_EQ(x(a0), 0u);
}

TEST_F(Mmu, WordStraddlingTwoMappedPagesRunsFromBoth) {
  // The second half comes from wherever the next virtual page maps, not the next physical page.
  map4k(kCode + 0x1000, kFrame2, kCodeFlags);
  const Insn insn = addi(a0, a0, 0x123);
  write16(kCode + 0xffe, static_cast<uint16_t>(insn.bits));
  write16(kFrame2, static_cast<uint16_t>(insn.bits >> 16));
  write16(kCode + 0x1000, 0xffff);  // the physically next page holds garbage
  place(kFrame2 + 2, {jal(zero, 0)});
  place(kCode, {jal(zero, 0xffe)});
  enter(Priv::S, kCode);
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x123u);
  EXPECT_EQ(pc(), kCode + 0x1002);
}

// ---- U pages, SUM, MXR --------------------------------------------------------------------------

TEST_F(Mmu, SupervisorAccessToUserPagesNeedsSum) {
  map4k(kVa, kFrame1, kRWAD | kPteU);
  write32(kFrame1, 0xabcd);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 4)});
  run(2);
  expect_trap(13, kVa + 4, kCode + 4);

  restart();
  place(kCode, {lui(a1, kVa >> 12), sw(a0, a1, 8)});
  enter(Priv::S, kCode);
  run(2);
  expect_trap(15, kVa + 8, kCode + 4);

  // With SUM, set by S itself through sstatus: both work.
  restart();
  place(kCode, {lui(t0, kMstatusSum >> 12), csrrs(zero, csr::sstatus, t0), lui(a1, kVa >> 12), lw(a0, a1, 0),
                sw(a0, a1, 8)});
  enter(Priv::S, kCode);
  run(5);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0xabcdu);
  EXPECT_EQ(read32(kFrame1 + 8), 0xabcdu);
}

TEST_F(Mmu, ClearingSumTakesEffectAtOnce) {
  map4k(kVa, kFrame1, kRWAD | kPteU);
  set_bits(csr::mstatus, kMstatusSum);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0), lui(t0, kMstatusSum >> 12), csrrc(zero, csr::sstatus, t0),
                  lw(a0, a1, 0)});
  run(5);
  expect_trap(13, kVa, kCode + 16);
}

TEST_F(Mmu, SupervisorNeverExecutesUserPages) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteX | kPteU | kPteA);
  place(kFrame1, {nop()});
  set_bits(csr::mstatus, kMstatusSum);  // SUM does not help for fetches
  start(Priv::S, {lui(a1, kVa >> 12), jalr(zero, a1, 0)});
  run(3);
  expect_trap(12, kVa, kVa);
}

TEST_F(Mmu, UserModeUsesUserPagesOnly) {
  map4k(kVa, kFrame1, kRWAD | kPteU);
  map4k(kVa + 0x1000, kFrame2, kRWAD);  // supervisor-only
  write32(kFrame1, 0x600d);
  start(Priv::U, {lui(a1, kVa >> 12), lw(a0, a1, 0), lui(a2, (kVa + 0x1000) >> 12), lw(a2, a2, 0)});
  run(4);
  EXPECT_EQ(x(a0), 0x600du);
  expect_trap(13, kVa + 0x1000, kCode + 12);
  EXPECT_EQ((csr(csr::mstatus) & kMstatusMpp) >> kMstatusMppShift, 0u);
}

TEST_F(Mmu, UserModeCannotExecuteSupervisorPages) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteX | kPteA);
  start(Priv::U, {lui(a1, kVa >> 12), jalr(zero, a1, 0)});
  run(3);
  expect_trap(12, kVa, kVa);
}

TEST_F(Mmu, MxrMakesExecuteOnlyPagesReadable) {
  map4k(kVa, kFrame1, kPteV | kPteX | kPteA);
  write32(kFrame1 + 0x20, 0x4242);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0x20)});
  run(2);
  expect_trap(13, kVa + 0x20, kCode + 4);

  restart();
  set_bits(csr::mstatus, kMstatusMxr);
  place(kCode, {lui(a1, kVa >> 12), lw(a0, a1, 0x20), sw(a0, a1, 0x24)});
  enter(Priv::S, kCode);
  run(3);
  EXPECT_EQ(x(a0), 0x4242u);
  expect_trap(15, kVa + 0x24, kCode + 8);  // MXR does not make it writable
}

// ---- accessed and dirty -------------------------------------------------------------------------

TEST_F(Mmu, HardwareSetsAccessedOnLoadAndDirtyOnStore) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteW);
  map4k(kCode, kCode, kCodeFlags & ~kPteA);  // the fetch sets A on the code page too
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0), sw(a0, a1, 4)});
  run(2);
  EXPECT_TRUE(traps().empty());
  EXPECT_NE(pte(kVa) & kPteA, 0u);
  EXPECT_EQ(pte(kVa) & kPteD, 0u);
  EXPECT_NE(pte(kCode) & kPteA, 0u);
  EXPECT_EQ(pte(kCode) & kPteD, 0u);
  run(1);
  EXPECT_TRUE(traps().empty());
  EXPECT_NE(pte(kVa) & kPteD, 0u);
  EXPECT_EQ(pte(kVa) >> 10, kFrame1 >> 12);  // the rest of the PTE is unchanged
}

TEST_F(Mmu, StoreToACleanPageSetsBothAccessedAndDirty) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteW);
  start(Priv::S, {lui(a1, kVa >> 12), sw(a0, a1, 4)});
  run(2);
  EXPECT_EQ(pte(kVa) & (kPteA | kPteD), kPteA | kPteD);
}

class MmuSoftwareAd : public Mmu {
 protected:
  MmuSoftwareAd() {
    HartConfig config;
    config.hardware_ad_update = false;
    use_own_hart(config);
    build_base();
  }
};
VMSCOPE_HART_TEST_SUITE(MmuSoftwareAd);

TEST_F(MmuSoftwareAd, AccessWithoutAccessedPageFaults) {
  ASSERT_FALSE(hart().config().hardware_ad_update);
  map4k(kVa, kFrame1, kPteV | kPteR | kPteW);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0x10)});
  run(2);
  expect_trap(13, kVa + 0x10, kCode + 4);
  EXPECT_EQ(pte(kVa) & (kPteA | kPteD), 0u);  // nothing was set behind software's back
}

TEST_F(MmuSoftwareAd, StoreWithoutDirtyPageFaultsButLoadsWork) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteW | kPteA);
  write32(kFrame1, 0x99);
  start(Priv::S, {lui(a1, kVa >> 12), lw(a0, a1, 0), sw(a0, a1, 4)});
  run(3);
  EXPECT_EQ(x(a0), 0x99u);
  expect_trap(15, kVa + 4, kCode + 8);
  EXPECT_EQ(pte(kVa) & kPteD, 0u);
  EXPECT_EQ(read32(kFrame1 + 4), 0u);
}

TEST_F(MmuSoftwareAd, FetchWithoutAccessedPageFaults) {
  map4k(kCode, kCode, kCodeFlags & ~kPteA);
  place(kCode, {nop()});
  enter(Priv::S, kCode);
  run(1);
  expect_trap(12, kCode, kCode);
}

TEST_F(MmuSoftwareAd, PagesWithAccessedAndDirtyWork) {
  map4k(kVa, kFrame1, kRWAD);
  start(Priv::S, {lui(a1, kVa >> 12), sw(a2, a1, 0), lw(a0, a1, 0)});
  set_x(a2, 0x31);
  run(3);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x31u);
}

TEST_F(Mmu, PageFaultsDelegatedToSupervisorReportTheAddressInStval) {
  constexpr uint32_t kSHandlerVa = kCode + 0x1000;  // the next page, mapped for S only
  map4k(kSHandlerVa, kSHandlerVa, kCodeFlags);
  place(kSHandlerVa, {jal(zero, 0)});
  set_csr(csr::stvec, kSHandlerVa);
  set_csr(csr::medeleg, (1u << 12) | (1u << 13) | (1u << 15));
  map4k(kVa, kFrame1, kPteV | kPteR | kPteA | kPteU);  // read-only user page
  start(Priv::U, {lui(a1, kVa >> 12), sb(a0, a1, 0x345)});
  run(3);  // lui, the faulting store, then the S handler's first instruction
  EXPECT_EQ(pc(), kSHandlerVa);
  EXPECT_EQ(traps().size(), 1u);
  EXPECT_EQ(priv(), Priv::S);
  EXPECT_EQ(csr(csr::scause), 15u);
  EXPECT_EQ(csr(csr::stval), kVa + 0x345);
  EXPECT_EQ(csr(csr::sepc), kCode + 4);
  EXPECT_EQ(csr(csr::mcause), 0u);
}

// ---- the TLB ------------------------------------------------------------------------------------

TEST_F(Mmu, TlbCountersMoveAsExpected) {
  map4k(kVa, kFrame1, kRWAD);
  map4k(kVa + 0x1000, kFrame2, kRWAD);
  start(Priv::S, {nop(),                             // 0: first fetch in S: a miss
                  lw(a0, a1, 0),                     // 4: first touch of page A: miss
                  lw(a0, a1, 4),                     // 8: same page: the fast path, no lookup
                  sw(a0, a1, 8),                     // c: first store to A: a lookup that hits
                  lw(a0, a2, 0),                     // 10: page B: miss
                  csrw(csr::satp, t0),               // 14: same satp: TLB kept, fast paths dropped
                  lw(a0, a1, 0),                     // 18: refetch hits, load hits
                  sfence_vma(zero, zero),            // 1c: everything flushed
                  lw(a0, a1, 0)});                   // 20: refetch misses, load misses
  set_x(a1, kVa);
  set_x(a2, kVa + 0x1000);
  set_x(t0, satp_for(kRoot));
  const TlbStats& s = hart().tlb().stats;
  run(1);
  const uint64_t h = s.hits, m = s.misses, f = s.flushes;
  EXPECT_GE(m, 1u);
  struct Expect {
    uint64_t hits, misses, flushes;
  } after[] = {{0, 1, 0}, {0, 1, 0}, {1, 1, 0}, {1, 2, 0}, {1, 2, 0}, {3, 2, 0}, {3, 2, 1}, {3, 4, 1}};
  for (unsigned i = 0; i < std::size(after); ++i) {
    run(1);
    EXPECT_EQ(s.hits - h, after[i].hits) << "after instruction " << i + 1;
    EXPECT_EQ(s.misses - m, after[i].misses) << "after instruction " << i + 1;
    EXPECT_EQ(s.flushes - f, after[i].flushes) << "after instruction " << i + 1;
  }
  EXPECT_TRUE(traps().empty());
}

TEST_F(Mmu, StaleEntryIsUsedUntilSfenceVma) {
  map4k(kVa, kFrame1, kRWAD);
  write32(kFrame1, 1);
  write32(kFrame2, 2);
  start(Priv::S, {lw(a0, a1, 0),           // fills the TLB: 1
                  lw(a2, a1, 0),           // (host remaps here) fast path: still 1
                  csrw(csr::satp, t0),     // drops the fast paths, not the TLB
                  lw(a3, a1, 0),           // the TLB entry: still 1
                  sfence_vma(zero, zero),  //
                  lw(a4, a1, 0)});         // a new walk: 2
  set_x(a1, kVa);
  set_x(t0, satp_for(kRoot));
  run(1);
  EXPECT_EQ(x(a0), 1u);
  map4k(kVa, kFrame2, kRWAD);  // no SFENCE.VMA yet
  run(5);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(x(a3), 1u);
  EXPECT_EQ(x(a4), 2u);
}

TEST_F(Mmu, SfenceVmaByAddressRemovesOnlyThatPage) {
  map4k(kVa, kFrame0, kRWAD);
  map4k(kVa + 0x1000, kFrame1, kRWAD);
  write32(kFrame0, 10);
  write32(kFrame1, 11);
  write32(kFrame2, 12);
  write32(kFrame3, 13);
  start(Priv::S, {lw(a0, a1, 0), lw(a0, a2, 0),  // both in the TLB
                  sfence_vma(a1, zero),          // (host remaps both before this)
                  lw(a3, a1, 0), lw(a4, a2, 0)});
  set_x(a1, kVa + 0x10);  // any address in the page
  set_x(a2, kVa + 0x1000);
  write32(kFrame0 + 0x10, 10);
  write32(kFrame2 + 0x10, 12);
  run(2);
  ASSERT_TRUE(tlb_entry(kVa).has_value());
  ASSERT_TRUE(tlb_entry(kVa + 0x1000).has_value());
  map4k(kVa, kFrame2, kRWAD);
  map4k(kVa + 0x1000, kFrame3, kRWAD);
  run(1);
  EXPECT_FALSE(tlb_entry(kVa).has_value());
  EXPECT_TRUE(tlb_entry(kVa + 0x1000).has_value());
  run(2);
  EXPECT_EQ(x(a3), 12u);  // page A: walked again, new frame
  EXPECT_EQ(x(a4), 11u);  // page B: the old entry
}

TEST_F(Mmu, SfenceVmaByAddressInsideASuperpageRemovesIt) {
  map4m(kSuperVa, kRam, kRWAD);
  write32(kRam + 0x30000, 1);
  start(Priv::S, {lw(a0, a1, 0), sfence_vma(a2, zero), lw(a3, a1, 0)});
  set_x(a1, kSuperVa + 0x30000);
  set_x(a2, kSuperVa + 0x3ff000);  // another 4 KiB page of the same superpage
  run(1);
  EXPECT_EQ(x(a0), 1u);
  map4m(kSuperVa, kRam + 0x400000 - 0x400000, kRWAD | kPteU);  // now a U page: S may not read it
  run(2);
  expect_trap(13, kSuperVa + 0x30000, kCode + 8);
}

TEST_F(Mmu, SfenceVmaByAsidKeepsGlobalEntriesAndOtherAsids) {
  map4k(kVa, kFrame0, kRWAD);                    // A: ASID 1
  map4k(kVa + 0x1000, kFrame1, kRWAD);           // B: ASID 2
  map4k(kVa + 0x2000, kFrame2, kRWAD | kPteG);   // C: global
  for (uint32_t i = 0; i < 3; ++i) write32(kFrame0 + i * 0x1000, 100 + i);
  write32(kFrame3, 999);
  set_csr(csr::satp, satp_for(kRoot, 1));
  start(Priv::S, {lw(a0, a1, 0),           // A under ASID 1
                  csrw(csr::satp, t1),     // switch to ASID 2 (same tables)
                  lw(a0, a2, 0),           // B under ASID 2
                  lw(a0, a3, 0),           // C (global)
                  sfence_vma(zero, t2),    // t2 = 2: flush ASID 2's non-global entries
                  lw(s2, a2, 0),           // B: walked again -> new frame
                  lw(s3, a3, 0),           // C: kept -> old frame
                  csrw(csr::satp, t0),     // back to ASID 1
                  lw(s4, a1, 0)});         // A: kept -> old frame
  set_x(a1, kVa);
  set_x(a2, kVa + 0x1000);
  set_x(a3, kVa + 0x2000);
  set_x(t0, satp_for(kRoot, 1));
  set_x(t1, satp_for(kRoot, 2));
  set_x(t2, 2);
  run(4);
  ASSERT_TRUE(tlb_entry(kVa, 1).has_value());
  ASSERT_TRUE(tlb_entry(kVa + 0x1000, 2).has_value());
  ASSERT_TRUE(tlb_entry(kVa + 0x2000, 2).has_value());
  EXPECT_EQ(tlb_entry(kVa, 1)->asid, 1u);
  // Remap all three to frame 3 without telling the hart.
  for (uint32_t i = 0; i < 3; ++i) map4k(kVa + i * 0x1000, kFrame3, kRWAD | (i == 2 ? kPteG : 0));
  run(1);  // the ASID flush
  EXPECT_TRUE(tlb_entry(kVa, 1).has_value());
  EXPECT_FALSE(tlb_entry(kVa + 0x1000, 2).has_value());
  EXPECT_TRUE(tlb_entry(kVa + 0x2000, 2).has_value());
  EXPECT_TRUE(tlb_entry(kCode, 2).has_value());  // the global code page too
  run(4);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(s2), 999u);
  EXPECT_EQ(x(s3), 102u);
  EXPECT_EQ(x(s4), 100u);
}

TEST_F(Mmu, AsidSwitchUsesSeparateEntries) {
  // The same virtual page maps to different frames in two address spaces.
  map4k(kVa, kFrame1, kRWAD, kRoot);
  map4k(kVa, kFrame2, kRWAD, kRoot2);
  write32(kFrame1, 1);
  write32(kFrame2, 2);
  set_csr(csr::satp, satp_for(kRoot, 1));
  start(Priv::S, {lw(a0, a1, 0), csrw(csr::satp, t1), lw(a2, a1, 0), csrw(csr::satp, t0), lw(a3, a1, 0)});
  set_x(a1, kVa);
  set_x(t0, satp_for(kRoot, 1));
  set_x(t1, satp_for(kRoot2, 2));
  run(5);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(x(a2), 2u);  // ASID 2 does not use ASID 1's entry
  EXPECT_EQ(x(a3), 1u);
}

TEST_F(Mmu, SameAsidNewRootWithoutSfenceKeepsTheOldTranslation) {
  // The control for the test above: with one ASID the TLB really does serve the old entry.
  map4k(kVa, kFrame1, kRWAD, kRoot);
  map4k(kVa, kFrame2, kRWAD, kRoot2);
  write32(kFrame1, 1);
  write32(kFrame2, 2);
  set_csr(csr::satp, satp_for(kRoot, 1));
  start(Priv::S, {lw(a0, a1, 0), csrw(csr::satp, t1), lw(a2, a1, 0), sfence_vma(zero, zero), lw(a3, a1, 0)});
  set_x(a1, kVa);
  set_x(t1, satp_for(kRoot2, 1));
  run(5);
  EXPECT_EQ(x(a0), 1u);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(x(a3), 2u);
}

TEST_F(Mmu, CodeRewrittenThroughAnAliasRunsTheNewInstruction) {
  // The code page is also mapped writable at kVa; a store through that alias replaces an
  // instruction that already ran through the executable mapping.
  map4k(kVa, kCode, kRWAD);
  start(Priv::S, {addi(a0, a0, 1), sw(t1, t0, 0), addi(t2, t2, -1), bne(t2, zero, -12)});
  set_x(t0, kVa);
  set_x(t1, addi(a0, a0, 100).bits);
  set_x(t2, 2);
  run(8);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 101u);
  EXPECT_EQ(pc(), kCode + 16);
}

// ---- the debugger's view ------------------------------------------------------------------------

TEST_F(Mmu, DebugTranslateHasNoSideEffects) {
  map4k(kVa, kFrame1, kPteV | kPteR | kPteW);  // A and D clear
  start(Priv::S, {nop()});
  const TlbStats before = hart().tlb().stats;
  const auto entries_before = hart().tlb().entries();

  const Hart::Translation load = hart().debug_translate(kVa + 0x44, AccessType::load, Priv::S);
  EXPECT_TRUE(load.ok);
  EXPECT_EQ(load.paddr, kFrame1 + 0x44);
  const Hart::Translation store = hart().debug_translate(kVa + 0x48, AccessType::store, Priv::S);
  EXPECT_TRUE(store.ok);
  EXPECT_EQ(store.paddr, kFrame1 + 0x48);
  const Hart::Translation user = hart().debug_translate(kVa, AccessType::load, Priv::U);
  EXPECT_FALSE(user.ok);
  EXPECT_EQ(user.fault, ExceptionCause::load_page_fault);
  const Hart::Translation fetch = hart().debug_translate(kVa, AccessType::fetch, Priv::S);
  EXPECT_FALSE(fetch.ok);
  EXPECT_EQ(fetch.fault, ExceptionCause::fetch_page_fault);
  const Hart::Translation none = hart().debug_translate(0x00c00000, AccessType::store, Priv::S);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.fault, ExceptionCause::store_page_fault);
  const Hart::Translation m = hart().debug_translate(0x12345678, AccessType::load, Priv::M);
  EXPECT_TRUE(m.ok);
  EXPECT_EQ(m.paddr, 0x12345678u);

  EXPECT_EQ(pte(kVa) & (kPteA | kPteD), 0u);
  EXPECT_EQ(hart().tlb().stats.hits, before.hits);
  EXPECT_EQ(hart().tlb().stats.misses, before.misses);
  EXPECT_EQ(hart().tlb().stats.flushes, before.flushes);
  EXPECT_FALSE(tlb_entry(kVa).has_value());
  for (unsigned i = 0; i < Tlb::kSize; ++i) EXPECT_EQ(hart().tlb().entries()[i].valid, entries_before[i].valid);
  EXPECT_TRUE(traps().empty());
}

// ---- MPRV ---------------------------------------------------------------------------------------

TEST_F(Mmu, MprvWithMppSupervisorMakesMachineLoadsAndStoresTranslate) {
  map4k(kVa, kFrame1, kRWAD);
  write32(kFrame1 + 8, 0x1357);
  // M-mode code, run from its physical address: fetches are never translated.
  set_csr(csr::mstatus, kMstatusMprv | (1u << kMstatusMppShift));
  load({lw(a0, a1, 8), sw(a0, a1, 12), csrrc(zero, csr::mstatus, t0), lw(a2, a3, 8)});
  set_x(a1, kVa);
  set_x(t0, kMstatusMprv);
  set_x(a3, kFrame1);
  run(4);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(priv(), Priv::M);
  EXPECT_EQ(x(a0), 0x1357u);
  EXPECT_EQ(read32(kFrame1 + 12), 0x1357u);
  EXPECT_EQ(x(a2), 0x1357u);  // without MPRV: physical again
}

TEST_F(Mmu, WithoutMprvMachineLoadsArePhysical) {
  map4k(kVa, kFrame1, kRWAD);
  set_csr(csr::mstatus, 1u << kMstatusMppShift);
  load({lw(a0, a1, 8)});
  set_x(a1, kVa);  // not RAM physically
  run(1);
  expect_trap(5, kVa + 8, kRam);
}

TEST_F(Mmu, MprvWithMppUserChecksUserPermissions) {
  map4k(kVa, kFrame1, kRWAD);  // not a U page
  set_csr(csr::mstatus, kMstatusMprv);  // MPP = U
  load({lw(a0, a1, 0)});
  set_x(a1, kVa);
  run(1);
  expect_trap(13, kVa, kRam);
}

TEST_F(Mmu, BareSatpMeansNoTranslationInSupervisorMode) {
  set_csr(csr::satp, 0);
  write32(kFrame1, 0x2468);
  start(Priv::S, {lw(a0, a1, 0)});
  set_x(a1, kFrame1);
  run(1);
  EXPECT_TRUE(traps().empty());
  EXPECT_EQ(x(a0), 0x2468u);
}

}  // namespace
}  // namespace vmscope::test
