// Test helpers for the hart: a small system Machine (the virt-like board with 1 MiB of RAM),
// hand encoders for every RV32IMAC instruction the tests use, and a fixture that places code in
// RAM, runs a given number of steps and reads registers and CSRs back.
//
// Encoders follow the RISC-V unprivileged spec's formats (R/I/S/B/U/J and the RVC formats);
// nothing is assembled at test time.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <stdexcept>
#include <vector>

#include "csr_numbers.h"
#include "machine/machine.h"
#include "translator/block_cache.h"

namespace vmscope::test {

inline constexpr uint32_t kRam = board::kRamBase;
inline constexpr uint32_t kTestRamSize = 1u << 20;

// ---- ABI register names -------------------------------------------------------------------------
namespace reg {
enum : unsigned {
  zero, ra, sp, gp, tp, t0, t1, t2, s0, s1, a0, a1, a2, a3, a4, a5,
  a6, a7, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, t3, t4, t5, t6
};
}  // namespace reg

// ---- CSR numbers: csr::NAME, generated from isa-specs/rv32.opcodes (csr_numbers.h) ------------

// ---- raw formats ---------------------------------------------------------------------------------
// Immediates that do not fit their field are a mistake in the test: they throw (a compile error
// in constant expressions) instead of being silently truncated.
constexpr int32_t checked_imm(int32_t imm, int32_t lo, int32_t hi, int32_t align = 1) {
  if (imm < lo || imm > hi || imm % align != 0) throw std::invalid_argument("immediate out of range");
  return imm;
}
constexpr uint32_t enc_r(uint32_t funct7, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t rd, uint32_t opcode) {
  return (funct7 & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | (funct3 & 7) << 12 | (rd & 31) << 7 |
         (opcode & 0x7f);
}
// I-type: a signed 12-bit immediate, or an unsigned 12-bit CSR number.
constexpr uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t funct3, uint32_t rd, uint32_t opcode) {
  checked_imm(imm, -2048, 4095);
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | (rs1 & 31) << 15 | (funct3 & 7) << 12 | (rd & 31) << 7 |
         (opcode & 0x7f);
}
constexpr uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t opcode) {
  const auto u = static_cast<uint32_t>(checked_imm(imm, -2048, 2047));
  return ((u >> 5) & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | (funct3 & 7) << 12 | (u & 31) << 7 |
         (opcode & 0x7f);
}
constexpr uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t opcode) {
  const auto u = static_cast<uint32_t>(checked_imm(imm, -4096, 4094, 2));
  return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 |
         (funct3 & 7) << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | (opcode & 0x7f);
}
// `imm20` is the value of bits 31..12 of the result (lui rd, imm20).
constexpr uint32_t enc_u(uint32_t imm20, uint32_t rd, uint32_t opcode) {
  return (imm20 & 0xfffff) << 12 | (rd & 31) << 7 | (opcode & 0x7f);
}
constexpr uint32_t enc_j(int32_t imm, uint32_t rd, uint32_t opcode) {
  const auto u = static_cast<uint32_t>(checked_imm(imm, -(1 << 20), (1 << 20) - 2, 2));
  return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 0xff) << 12 |
         (rd & 31) << 7 | (opcode & 0x7f);
}

// One instruction: its bits and its length in bytes (2 for RVC).
struct Insn {
  uint32_t bits;
  uint8_t length;
};
constexpr Insn word(uint32_t bits) { return {bits, 4}; }
constexpr Insn half(uint32_t bits) { return {bits & 0xffff, 2}; }

// ---- RV32I ---------------------------------------------------------------------------------------
constexpr Insn lui(unsigned rd, uint32_t imm20) { return word(enc_u(imm20, rd, 0x37)); }
constexpr Insn auipc(unsigned rd, uint32_t imm20) { return word(enc_u(imm20, rd, 0x17)); }
constexpr Insn jal(unsigned rd, int32_t off) { return word(enc_j(off, rd, 0x6f)); }
constexpr Insn jalr(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 0, rd, 0x67)); }
constexpr Insn beq(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 0, 0x63)); }
constexpr Insn bne(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 1, 0x63)); }
constexpr Insn blt(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 4, 0x63)); }
constexpr Insn bge(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 5, 0x63)); }
constexpr Insn bltu(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 6, 0x63)); }
constexpr Insn bgeu(unsigned rs1, unsigned rs2, int32_t off) { return word(enc_b(off, rs2, rs1, 7, 0x63)); }
constexpr Insn lb(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 0, rd, 0x03)); }
constexpr Insn lh(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 1, rd, 0x03)); }
constexpr Insn lw(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 2, rd, 0x03)); }
constexpr Insn lbu(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 4, rd, 0x03)); }
constexpr Insn lhu(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 5, rd, 0x03)); }
constexpr Insn sb(unsigned rs2, unsigned rs1, int32_t imm) { return word(enc_s(imm, rs2, rs1, 0, 0x23)); }
constexpr Insn sh(unsigned rs2, unsigned rs1, int32_t imm) { return word(enc_s(imm, rs2, rs1, 1, 0x23)); }
constexpr Insn sw(unsigned rs2, unsigned rs1, int32_t imm) { return word(enc_s(imm, rs2, rs1, 2, 0x23)); }
constexpr Insn addi(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 0, rd, 0x13)); }
constexpr Insn slti(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 2, rd, 0x13)); }
constexpr Insn sltiu(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 3, rd, 0x13)); }
constexpr Insn xori(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 4, rd, 0x13)); }
constexpr Insn ori(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 6, rd, 0x13)); }
constexpr Insn andi(unsigned rd, unsigned rs1, int32_t imm) { return word(enc_i(imm, rs1, 7, rd, 0x13)); }
constexpr Insn slli(unsigned rd, unsigned rs1, unsigned sh) { return word(enc_r(0x00, sh, rs1, 1, rd, 0x13)); }
constexpr Insn srli(unsigned rd, unsigned rs1, unsigned sh) { return word(enc_r(0x00, sh, rs1, 5, rd, 0x13)); }
constexpr Insn srai(unsigned rd, unsigned rs1, unsigned sh) { return word(enc_r(0x20, sh, rs1, 5, rd, 0x13)); }
constexpr Insn add(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 0, rd, 0x33)); }
constexpr Insn sub(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x20, rs2, rs1, 0, rd, 0x33)); }
constexpr Insn sll(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 1, rd, 0x33)); }
constexpr Insn slt(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 2, rd, 0x33)); }
constexpr Insn sltu(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 3, rd, 0x33)); }
constexpr Insn xor_(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 4, rd, 0x33)); }
constexpr Insn srl(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 5, rd, 0x33)); }
constexpr Insn sra(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x20, rs2, rs1, 5, rd, 0x33)); }
constexpr Insn or_(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 6, rd, 0x33)); }
constexpr Insn and_(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(0x00, rs2, rs1, 7, rd, 0x33)); }
constexpr Insn fence() { return word(0x0ff0000f); }     // fence iorw, iorw
constexpr Insn fence_tso() { return word(0x8330000f); }
constexpr Insn fence_i() { return word(0x0000100f); }
constexpr Insn ecall() { return word(0x00000073); }
constexpr Insn ebreak() { return word(0x00100073); }
constexpr Insn nop() { return addi(0, 0, 0); }

// ---- Zicsr and privileged ------------------------------------------------------------------------
constexpr Insn csrrw(unsigned rd, uint16_t c, unsigned rs1) { return word(enc_i(c, rs1, 1, rd, 0x73)); }
constexpr Insn csrrs(unsigned rd, uint16_t c, unsigned rs1) { return word(enc_i(c, rs1, 2, rd, 0x73)); }
constexpr Insn csrrc(unsigned rd, uint16_t c, unsigned rs1) { return word(enc_i(c, rs1, 3, rd, 0x73)); }
constexpr Insn csrrwi(unsigned rd, uint16_t c, unsigned uimm) { return word(enc_i(c, uimm, 5, rd, 0x73)); }
constexpr Insn csrrsi(unsigned rd, uint16_t c, unsigned uimm) { return word(enc_i(c, uimm, 6, rd, 0x73)); }
constexpr Insn csrrci(unsigned rd, uint16_t c, unsigned uimm) { return word(enc_i(c, uimm, 7, rd, 0x73)); }
constexpr Insn csrr(unsigned rd, uint16_t c) { return csrrs(rd, c, 0); }
constexpr Insn csrw(uint16_t c, unsigned rs1) { return csrrw(0, c, rs1); }
constexpr Insn mret() { return word(0x30200073); }
constexpr Insn sret() { return word(0x10200073); }
constexpr Insn wfi() { return word(0x10500073); }
constexpr Insn sfence_vma(unsigned rs1, unsigned rs2) { return word(enc_r(0x09, rs2, rs1, 0, 0, 0x73)); }

// ---- M -------------------------------------------------------------------------------------------
constexpr Insn mul(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 0, rd, 0x33)); }
constexpr Insn mulh(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 1, rd, 0x33)); }
constexpr Insn mulhsu(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 2, rd, 0x33)); }
constexpr Insn mulhu(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 3, rd, 0x33)); }
constexpr Insn div(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 4, rd, 0x33)); }
constexpr Insn divu(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 5, rd, 0x33)); }
constexpr Insn rem(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 6, rd, 0x33)); }
constexpr Insn remu(unsigned rd, unsigned rs1, unsigned rs2) { return word(enc_r(1, rs2, rs1, 7, rd, 0x33)); }

// ---- A (aq/rl clear) -----------------------------------------------------------------------------
constexpr Insn amo(uint32_t funct5, unsigned rd, unsigned rs1, unsigned rs2) {
  return word(enc_r(funct5 << 2, rs2, rs1, 2, rd, 0x2f));
}
constexpr Insn lr_w(unsigned rd, unsigned rs1) { return amo(0x02, rd, rs1, 0); }
constexpr Insn sc_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x03, rd, rs1, rs2); }
constexpr Insn amoswap_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x01, rd, rs1, rs2); }
constexpr Insn amoadd_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x00, rd, rs1, rs2); }
constexpr Insn amoxor_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x04, rd, rs1, rs2); }
constexpr Insn amoand_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x0c, rd, rs1, rs2); }
constexpr Insn amoor_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x08, rd, rs1, rs2); }
constexpr Insn amomin_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x10, rd, rs1, rs2); }
constexpr Insn amomax_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x14, rd, rs1, rs2); }
constexpr Insn amominu_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x18, rd, rs1, rs2); }
constexpr Insn amomaxu_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x1c, rd, rs1, rs2); }

// ---- C (registers named rd'/rs1'/rs2' take x8..x15) ---------------------------------------------
namespace rvc {
constexpr uint32_t bit(uint32_t v, unsigned from, unsigned to) { return ((v >> from) & 1) << to; }
constexpr uint32_t creg(unsigned r) { return (r - 8) & 7; }
// CJ immediate layout: imm[11|4|9:8|10|6|7|3:1|5] in bits 12..2.
constexpr uint32_t cj(int32_t off) {
  const auto u = static_cast<uint32_t>(off);
  return bit(u, 11, 12) | bit(u, 4, 11) | bit(u, 9, 10) | bit(u, 8, 9) | bit(u, 10, 8) | bit(u, 6, 7) |
         bit(u, 7, 6) | bit(u, 3, 5) | bit(u, 2, 4) | bit(u, 1, 3) | bit(u, 5, 2);
}
// CB branch immediate layout: imm[8|4:3] in 12..10, imm[7:6|2:1|5] in 6..2.
constexpr uint32_t cb(int32_t off) {
  const auto u = static_cast<uint32_t>(off);
  return bit(u, 8, 12) | bit(u, 4, 11) | bit(u, 3, 10) | bit(u, 7, 6) | bit(u, 6, 5) | bit(u, 2, 4) |
         bit(u, 1, 3) | bit(u, 5, 2);
}
// CI 6-bit immediate: imm[5] in bit 12, imm[4:0] in 6..2.
constexpr uint32_t ci6(int32_t imm) {
  const auto u = static_cast<uint32_t>(imm);
  return bit(u, 5, 12) | (u & 31) << 2;
}
}  // namespace rvc

constexpr Insn c_addi4spn(unsigned rdp, uint32_t nzuimm) {
  using rvc::bit;
  return half(bit(nzuimm, 5, 12) | bit(nzuimm, 4, 11) | ((nzuimm >> 6) & 15) << 7 | bit(nzuimm, 2, 6) |
              bit(nzuimm, 3, 5) | rvc::creg(rdp) << 2);
}
constexpr Insn c_lw(unsigned rdp, unsigned rs1p, uint32_t off) {
  using rvc::bit;
  return half(2u << 13 | ((off >> 3) & 7) << 10 | rvc::creg(rs1p) << 7 | bit(off, 2, 6) | bit(off, 6, 5) |
              rvc::creg(rdp) << 2);
}
constexpr Insn c_sw(unsigned rs2p, unsigned rs1p, uint32_t off) {
  using rvc::bit;
  return half(6u << 13 | ((off >> 3) & 7) << 10 | rvc::creg(rs1p) << 7 | bit(off, 2, 6) | bit(off, 6, 5) |
              rvc::creg(rs2p) << 2);
}
constexpr Insn c_nop() { return half(0x0001); }
constexpr Insn c_addi(unsigned rd, int32_t imm) { return half(0u << 13 | (rd & 31) << 7 | rvc::ci6(imm) | 1); }
constexpr Insn c_jal(int32_t off) { return half(1u << 13 | rvc::cj(off) | 1); }
constexpr Insn c_li(unsigned rd, int32_t imm) { return half(2u << 13 | (rd & 31) << 7 | rvc::ci6(imm) | 1); }
constexpr Insn c_addi16sp(int32_t imm) {
  using rvc::bit;
  const auto u = static_cast<uint32_t>(imm);
  return half(3u << 13 | bit(u, 9, 12) | 2u << 7 | bit(u, 4, 6) | bit(u, 6, 5) | bit(u, 8, 4) | bit(u, 7, 3) |
              bit(u, 5, 2) | 1);
}
// c.lui rd, imm6: rd = sign-extended imm6 << 12.
constexpr Insn c_lui(unsigned rd, int32_t imm6) { return half(3u << 13 | (rd & 31) << 7 | rvc::ci6(imm6) | 1); }
constexpr Insn c_srli(unsigned rdp, unsigned sh) { return half(4u << 13 | 0u << 10 | rvc::creg(rdp) << 7 | (sh & 31) << 2 | 1); }
constexpr Insn c_srai(unsigned rdp, unsigned sh) { return half(4u << 13 | 1u << 10 | rvc::creg(rdp) << 7 | (sh & 31) << 2 | 1); }
constexpr Insn c_andi(unsigned rdp, int32_t imm) { return half(4u << 13 | 2u << 10 | rvc::creg(rdp) << 7 | rvc::ci6(imm) | 1); }
constexpr Insn c_arith(unsigned funct2, unsigned rdp, unsigned rs2p) {
  return half(0x23u << 10 | rvc::creg(rdp) << 7 | funct2 << 5 | rvc::creg(rs2p) << 2 | 1);
}
constexpr Insn c_sub(unsigned rdp, unsigned rs2p) { return c_arith(0, rdp, rs2p); }
constexpr Insn c_xor(unsigned rdp, unsigned rs2p) { return c_arith(1, rdp, rs2p); }
constexpr Insn c_or(unsigned rdp, unsigned rs2p) { return c_arith(2, rdp, rs2p); }
constexpr Insn c_and(unsigned rdp, unsigned rs2p) { return c_arith(3, rdp, rs2p); }
constexpr Insn c_j(int32_t off) { return half(5u << 13 | rvc::cj(off) | 1); }
constexpr Insn c_beqz(unsigned rs1p, int32_t off) { return half(6u << 13 | rvc::creg(rs1p) << 7 | rvc::cb(off) | 1); }
constexpr Insn c_bnez(unsigned rs1p, int32_t off) { return half(7u << 13 | rvc::creg(rs1p) << 7 | rvc::cb(off) | 1); }
constexpr Insn c_slli(unsigned rd, unsigned sh) { return half(0u << 13 | (rd & 31) << 7 | (sh & 31) << 2 | 2); }
constexpr Insn c_lwsp(unsigned rd, uint32_t off) {
  using rvc::bit;
  return half(2u << 13 | bit(off, 5, 12) | (rd & 31) << 7 | ((off >> 2) & 7) << 4 | ((off >> 6) & 3) << 2 | 2);
}
constexpr Insn c_swsp(unsigned rs2, uint32_t off) {
  return half(6u << 13 | ((off >> 2) & 15) << 9 | ((off >> 6) & 3) << 7 | (rs2 & 31) << 2 | 2);
}
constexpr Insn c_jr(unsigned rs1) { return half(0x8u << 12 | (rs1 & 31) << 7 | 2); }
constexpr Insn c_mv(unsigned rd, unsigned rs2) { return half(0x8u << 12 | (rd & 31) << 7 | (rs2 & 31) << 2 | 2); }
constexpr Insn c_ebreak() { return half(0x9002); }
constexpr Insn c_jalr(unsigned rs1) { return half(0x9u << 12 | (rs1 & 31) << 7 | 2); }
constexpr Insn c_add(unsigned rd, unsigned rs2) { return half(0x9u << 12 | (rd & 31) << 7 | (rs2 & 31) << 2 | 2); }

// Bytes of a sequence of instructions, laid out back to back.
inline std::vector<uint8_t> assemble(std::initializer_list<Insn> code) {
  std::vector<uint8_t> bytes;
  for (const Insn& i : code)
    for (unsigned b = 0; b < i.length; ++b) bytes.push_back(static_cast<uint8_t>(i.bits >> (8 * b)));
  return bytes;
}

// ---- the fixture ---------------------------------------------------------------------------------
// Every hart test runs on both engines: ctest runs unit_tests again with --hart-tests (main.cpp),
// which keeps only the suites registered here and sets the fixture's engine to the translator.
// A HartTest suite that is not registered fails, so none can be left out of the second run.
inline std::set<std::string>& hart_test_suites() {
  static std::set<std::string> suites;
  return suites;
}
#define VMSCOPE_HART_TEST_SUITE(Suite) \
  [[maybe_unused]] static const bool Suite##_is_a_hart_test = (::vmscope::test::hart_test_suites().insert(#Suite), true)
// The engine the fixture's hart runs on (main.cpp sets it for --hart-tests).
inline Engine& hart_test_engine() {
  static Engine engine = Engine::interpreter;
  return engine;
}

class HartTest : public ::testing::Test {
 protected:
  static MachineOptions test_options() {
    MachineOptions o;
    o.kind = MachineKind::system;
    o.ram_size = kTestRamSize;
    o.pmp_entries = 0;  // (a hart without PMP: these tests drop to S and U without programming it; pmp_test.cpp has it)
    o.misaligned = Misaligned::trap;  // (the exceptions are what Traps tests; MisalignedAllowed the other choice)
    return o;
  }
  HartTest() : machine_(test_options()) {
    std::string suite = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    suite = suite.substr(suite.find('/') + 1);  // (a parameterized suite: "Instantiation/Suite")
    if (!hart_test_suites().count(suite))
      ADD_FAILURE() << "register " << suite << " with VMSCOPE_HART_TEST_SUITE so it also runs on the translator";
    machine_.set_engine(hart_test_engine());
    hart_ = &machine_.hart();
    bus_ = &machine_.bus();
    hart().reset(kRam);
  }

  Machine& machine() { return machine_; }
  Hart& hart() { return *hart_; }
  const Hart& hart() const { return *hart_; }
  Bus& bus() { return *bus_; }
  const Bus& bus() const { return *bus_; }

  // From here on the fixture drives a hart of its own, built the way Machine builds one (a Bus
  // with the same RAM, a CodeCache) but with `config`, and no devices.
  void use_own_hart(HartConfig config) {
    own_bus_ = std::make_unique<Bus>(kRam, kTestRamSize);
    own_code_ = std::make_unique<CodeCache>(*own_bus_);
    own_bus_->set_code_cache(own_code_.get());
    own_hart_ = std::make_unique<Hart>(*own_bus_, *own_code_, config);
    if (hart_test_engine() == Engine::translator) {
      own_blocks_ = std::make_unique<BlockCache>(*own_bus_);
      own_blocks_->clock = [this] { return own_hart_->steps(); };
      own_code_->set_listener(own_blocks_.get());
      own_hart_->set_translator(own_blocks_.get());
    }
    own_hart_->reset(kRam);
    hart_ = own_hart_.get();
    bus_ = own_bus_.get();
  }

  // Places `code` at `at` (physical) and returns the address just past it.
  uint32_t place(uint32_t at, std::initializer_list<Insn> code) {
    const std::vector<uint8_t> bytes = assemble(code);
    EXPECT_TRUE(bus().write_bytes(at, bytes)) << "cannot place code at 0x" << std::hex << at;
    return at + static_cast<uint32_t>(bytes.size());
  }
  // Places `code` at the start of RAM and points the pc at it.
  uint32_t load(std::initializer_list<Insn> code) {
    hart().set_pc(kRam);
    return place(kRam, code);
  }

  void write32(uint32_t paddr, uint32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    ASSERT_TRUE(bus().write_bytes(paddr, b));
  }
  void write16(uint32_t paddr, uint16_t v) {
    uint8_t b[2];
    std::memcpy(b, &v, 2);
    ASSERT_TRUE(bus().write_bytes(paddr, b));
  }
  void write8(uint32_t paddr, uint8_t v) { ASSERT_TRUE(bus().write_bytes(paddr, std::span(&v, 1))); }
  uint32_t read32(uint32_t paddr) const {
    uint8_t b[4] = {};
    EXPECT_TRUE(bus().read_bytes(paddr, b)) << "cannot read 0x" << std::hex << paddr;
    uint32_t v;
    std::memcpy(&v, b, 4);
    return v;
  }

  RunResult run(uint64_t steps) { return hart().run(steps); }
  uint32_t x(unsigned r) const { return hart().reg(r); }
  void set_x(unsigned r, uint32_t v) { hart().set_reg(r, v); }
  uint32_t pc() const { return hart().pc(); }
  Priv priv() const { return hart().priv(); }

  uint32_t csr(uint16_t number) const {
    uint32_t v = 0;
    EXPECT_TRUE(hart().debug_read_csr(number, v)) << "csr 0x" << std::hex << number;
    return v;
  }
  void set_csr(uint16_t number, uint32_t v) {
    EXPECT_TRUE(hart().debug_write_csr(number, v)) << "csr 0x" << std::hex << number;
  }
  void set_bits(uint16_t number, uint32_t bits) { set_csr(number, csr(number) | bits); }
  void clear_bits(uint16_t number, uint32_t bits) { set_csr(number, csr(number) & ~bits); }

  // Leaves M-mode for `mode` at `target` through a real MRET, placed near the top of RAM.
  static constexpr uint32_t kTrampoline = kRam + kTestRamSize - 0x100;
  void enter(Priv mode, uint32_t target) {
    place(kTrampoline, {mret()});
    set_csr(csr::mstatus, (csr(csr::mstatus) & ~kMstatusMpp) | static_cast<uint32_t>(mode) << kMstatusMppShift);
    set_csr(csr::mepc, target);
    hart().set_pc(kTrampoline);
    ASSERT_EQ(hart().priv(), Priv::M);
    run(1);
    ASSERT_EQ(hart().priv(), mode);
    ASSERT_EQ(hart().pc(), target);
  }

  // The traps taken so far, oldest first.
  const std::deque<TrapRecord>& traps() const { return hart().trap_log().records(); }

 private:
  Machine machine_;
  std::unique_ptr<Bus> own_bus_;
  std::unique_ptr<CodeCache> own_code_;
  std::unique_ptr<BlockCache> own_blocks_;  // (the hart, declared after it, goes first)
  std::unique_ptr<Hart> own_hart_;
  Hart* hart_ = nullptr;
  Bus* bus_ = nullptr;
};

}  // namespace vmscope::test
