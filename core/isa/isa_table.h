// The instruction-set tables generated from isa-specs/rv32.opcodes, and the helpers that read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmscope::isa {

// Where the decoder puts a field's value (a bit set: c.addi's register is both rd and rs1).
enum Role : uint8_t { kRoleRd = 1, kRoleRs1 = 2, kRoleRs2 = 4, kRoleImm = 8 };

// How the disassembler prints a field; mirrors `objdump -d -M no-aliases`.
enum class Format : uint8_t { reg, creg, dec, hex, hex20, pcrel, csr, fence };

struct FieldSlice {
  uint8_t inst_lo;   // lowest instruction bit of the slice
  uint8_t width;
  uint8_t value_lo;  // where those bits land in the field value
};

struct FieldSpec {
  const char* name;
  uint8_t roles;
  Format format;
  bool is_signed;
  uint8_t top_bit;  // highest value bit: the sign bit of a signed field
  uint8_t slice_count;
  FieldSlice slices[8];
};

// A condition that the match/mask pair cannot express: "these bits (or this field) are not V".
struct Exclusion {
  bool is_field;
  uint8_t lo_or_field;  // lowest bit, or index into kFields
  uint8_t width;
  uint32_t value;
};

struct ImpliedOperand {
  uint8_t role;
  int32_t value;
};

#include "isa_ops.inc"

struct EncodingSpec {
  const char* mnemonic;
  uint32_t match, mask;
  uint8_t length;  // 2 or 4 bytes
  Op op;           // the operation executed (compressed forms name their base instruction)
  bool aqrl;       // mnemonic takes .aq/.rl/.aqrl from bits 26/25
  const char* syntax;  // operands as printed; {N} stands for fields[N]
  uint8_t field_count;
  uint8_t fields[4];
  uint8_t exclusion_count;
  Exclusion exclusions[4];
  uint8_t implied_count;
  ImpliedOperand implied[3];
};

struct CsrName {
  uint16_t number;
  const char* name;
};

#include "isa_tables.inc"

// Length in bytes of the instruction whose first 16-bit parcel is `parcel`.
constexpr unsigned instruction_length(uint32_t parcel) { return (parcel & 3) == 3 ? 4 : 2; }

int32_t extract_field(const FieldSpec& field, uint32_t word);
bool encoding_matches(const EncodingSpec& enc, uint32_t word);
// The encoding that matches `word` (low 16 bits only are used for a compressed word), or null.
const EncodingSpec* find_encoding(uint32_t word);

std::optional<uint16_t> csr_number(std::string_view name);
const char* csr_name(uint16_t number);  // null for an unnamed CSR

extern const char* const kAbiRegisterNames[32];

}  // namespace vmscope::isa
