// The instruction forms the executing oracle runs, derived from isa-specs/rv32.opcodes (through
// its generated tables) rather than picked by hand: one form per encoding, with representative
// operands the oracle's machine state gives meaning to, and the six CSR instructions for every
// CSR number. Descriptions claim forms by the encoding's mnemonic ("add", "c.lwsp", "hlv.bu") or
// by CSR number ("csr 0x300", docs/isa-spec-format.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vmscope::analyzer {

// The registers' roles in every form (the oracle sets them before each run): a0 receives
// results, a1 holds all ones (zeros in the state where clearing shows), a2 holds 5, a3 and sp
// the data page's address, a4 a code address (just after the form).
inline constexpr unsigned kFormResult = 10, kFormOnes = 11, kFormFive = 12, kFormData = 13, kFormCode = 14,
                          kFormStack = 2;

struct EncodingForm {
  std::string mnemonic;  // the encoding's, as in isa-specs/rv32.opcodes
  uint32_t word = 0;     // a compressed form in the low 16 bits
};

// One form per encoding of the opcode table, except the CSR instructions (covered per CSR number
// by csr_forms); each decodes back to its own encoding (tests/unit/oracle_test.cpp checks).
const std::vector<EncodingForm>& encoding_forms();

// csrrs a0, n, zero: the read.
uint32_t csr_read_form(uint16_t n);
// The forms that may write: csrrw a0, n, a1; csrrc a0, n, a1; csrrwi a0, n, 21; csrrsi a0, n, 21;
// csrrci a0, n, 21.
std::array<uint32_t, 5> csr_write_forms(uint16_t n);

}  // namespace vmscope::analyzer
