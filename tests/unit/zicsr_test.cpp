// Zicsr and the supervisor level's WARL rules, written once (hart/zicsr.h, hart/supervisor_level.h)
// for the hart's S and VS levels and a monitor's virtual CPU.
#include <gtest/gtest.h>

#include "csr_numbers.h"
#include "hart/supervisor_level.h"
#include "hart/zicsr.h"
#include "isa/csr_fields.h"

namespace vmscope {
namespace {

using isa::Op;

TEST(Zicsr, WhatEachFormReadsAndWrites) {
  // CSRRW(I) with rd = x0 does not read; CSRRS(I)/CSRRC(I) with rs1 = x0 / uimm = 0 do not write.
  auto c = CsrInstruction::of(Op::csrrw, csr::sscratch, true, 5, 0x1234);
  EXPECT_FALSE(c.reads);
  EXPECT_TRUE(c.writes);
  EXPECT_EQ(c.written(0xffff0000u), 0x1234u);
  c = CsrInstruction::of(Op::csrrw, csr::sscratch, false, 0, 0);
  EXPECT_TRUE(c.reads);
  EXPECT_TRUE(c.writes);  // (even rs1 = x0 writes: the value 0)
  c = CsrInstruction::of(Op::csrrs, csr::sstatus, false, 0, 0);
  EXPECT_TRUE(c.reads);
  EXPECT_FALSE(c.writes);
  c = CsrInstruction::of(Op::csrrs, csr::sstatus, true, 7, 0x22);
  EXPECT_TRUE(c.reads);  // (CSRRS reads even into x0)
  EXPECT_EQ(c.written(0x101u), 0x123u);
  c = CsrInstruction::of(Op::csrrc, csr::sstatus, false, 7, 0x22);
  EXPECT_EQ(c.written(0x123u), 0x101u);
  // The I forms take the rs1 field itself, not the register's value.
  c = CsrInstruction::of(Op::csrrsi, csr::sie, false, 0, 0xdead);
  EXPECT_FALSE(c.writes);
  c = CsrInstruction::of(Op::csrrci, csr::sie, false, 2, 0xdead);
  EXPECT_TRUE(c.writes);
  EXPECT_EQ(c.written(0x222u), 0x220u);
  c = CsrInstruction::of(Op::csrrwi, csr::sie, true, 31, 0xdead);
  EXPECT_FALSE(c.reads);
  EXPECT_EQ(c.written(0u), 31u);
  EXPECT_EQ(CsrInstruction::of(Op::csrrw, 0xfffff180u, false, 1, 0).number, csr::satp);  // imm's low 12 bits
}

TEST(Zicsr, PrivilegeLevelsReadOnlyNumbersAndCounterEnables) {
  EXPECT_FALSE(csr_permitted(csr::sstatus, false, Priv::U, ~0u, ~0u));
  EXPECT_TRUE(csr_permitted(csr::sstatus, true, Priv::S, 0, 0));
  EXPECT_FALSE(csr_permitted(csr::mstatus, false, Priv::S, ~0u, ~0u));
  EXPECT_TRUE(csr_permitted(csr::hgatp, true, Priv::S, 0, 0));  // HS-mode reaches the hypervisor CSRs
  EXPECT_TRUE(csr_permitted(csr::mstatus, true, Priv::M, 0, 0));
  // Read-only (bits 11:10 = 3): no mode writes them.
  EXPECT_FALSE(csr_permitted(csr::mhartid, true, Priv::M, ~0u, ~0u));
  EXPECT_TRUE(csr_permitted(csr::mhartid, false, Priv::M, 0, 0));
  EXPECT_FALSE(csr_permitted(csr::cycle, true, Priv::M, ~0u, ~0u));
  // Counters: mcounteren for S and U, scounteren too for U; M ignores both.
  EXPECT_TRUE(csr_permitted(csr::cycle, false, Priv::M, 0, 0));
  EXPECT_FALSE(csr_permitted(csr::cycle, false, Priv::S, 0, ~0u));
  EXPECT_TRUE(csr_permitted(csr::cycle, false, Priv::S, 1, 0));
  EXPECT_FALSE(csr_permitted(csr::cycle, false, Priv::U, 1, 0));
  EXPECT_TRUE(csr_permitted(csr::cycleh, false, Priv::U, 1, 1));
  EXPECT_FALSE(csr_permitted(csr::time, false, Priv::U, 1, 1));  // TM is bit 1
  EXPECT_TRUE(csr_permitted(csr::instreth, false, Priv::U, 4, 4));
  EXPECT_FALSE(csr_permitted(csr::hpmcounter31h, false, Priv::S, 0x7fffffff, 0));
}

TEST(Zicsr, VsAliasesOnlyTheSupervisorCsrsWithVsCopies) {
  EXPECT_EQ(vs_alias(csr::sstatus), csr::vsstatus);
  EXPECT_EQ(vs_alias(csr::sie), csr::vsie);
  EXPECT_EQ(vs_alias(csr::stvec), csr::vstvec);
  EXPECT_EQ(vs_alias(csr::sip), csr::vsip);
  EXPECT_EQ(vs_alias(csr::satp), csr::vsatp);
  EXPECT_EQ(vs_alias(csr::scounteren), csr::scounteren);  // (hcounteren governs VS instead)
  EXPECT_EQ(vs_alias(csr::mstatus), csr::mstatus);
}

TEST(SupervisorLevel, WarlRules) {
  SupervisorLevel s;
  EXPECT_TRUE(s.write(csr::stvec, 0x80001001u));  // vectored: kept
  EXPECT_EQ(s.tvec, 0x80001001u);
  s.write(csr::stvec, 0x80002002u);  // a reserved MODE: BASE kept, MODE 0
  EXPECT_EQ(s.tvec, 0x80002000u);
  s.write(csr::stvec, 0x80002003u);
  EXPECT_EQ(s.tvec, 0x80002000u);
  s.write(csr::sepc, 0x80000123u);  // IALIGN 16: bit 0 reads 0
  uint32_t v;
  ASSERT_TRUE(s.read(csr::sepc, v));
  EXPECT_EQ(v, 0x80000122u);
  s.write(csr::satp, 0x80012345u);
  ASSERT_TRUE(s.read(csr::satp, v));
  EXPECT_EQ(v, 0x80012345u);
  EXPECT_FALSE(s.write(csr::sstatus, 0));  // not one of the level's trap CSRs
  EXPECT_FALSE(s.read(csr::mepc, v));
  EXPECT_EQ(legal_tvec(0x10u | 2u), 0x10u);
  EXPECT_EQ(legal_epc(3u), 2u);
}

TEST(SupervisorLevel, TrapEntryAndReturnMoveTheStatusBits) {
  SupervisorLevel s;
  s.tvec = 0x80000101u;  // vectored
  uint32_t status = kMstatusSie | kMstatusSum;
  // An interrupt from U: to BASE + 4 * cause; SPP = U, SPIE = the old SIE, SIE off.
  EXPECT_EQ(s.enter_trap(status, 5u | 1u << 31, 0x1000, 0, Priv::U), 0x80000100u + 20);
  EXPECT_EQ(status, kMstatusSpie | kMstatusSum);
  EXPECT_EQ(s.cause, 5u | 1u << 31);
  EXPECT_EQ(s.epc, 0x1000u);
  // An exception from S: to BASE even in vectored mode; SPP = S, SPIE = SIE (now 0).
  EXPECT_EQ(s.enter_trap(status, 13, 0x2000, 0xbad, Priv::S), 0x80000100u);
  EXPECT_EQ(status, kMstatusSpp | kMstatusSum);
  EXPECT_EQ(s.tval, 0xbadu);
  // SRET: back to S, SIE = SPIE (0), SPIE = 1, SPP = U, MPRV cleared.
  status |= kMstatusMprv;
  EXPECT_EQ(SupervisorLevel::return_from_trap(status), Priv::S);
  EXPECT_EQ(status, kMstatusSpie | kMstatusSum);
  status = kMstatusSpie;
  EXPECT_EQ(SupervisorLevel::return_from_trap(status), Priv::U);
  EXPECT_EQ(status, kMstatusSie | kMstatusSpie);
}

}  // namespace
}  // namespace vmscope
