// Decodes one instruction word into the operands the execution engines use.
#pragma once

#include <cstdint>

#include "isa/isa_table.h"

namespace vmscope::isa {

struct DecodedInsn {
  Op op = Op::illegal;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;
  uint8_t length = 4;  // bytes: 2 for compressed forms
  int32_t imm = 0;
  const EncodingSpec* encoding = nullptr;  // null when illegal
};

// `word` holds the instruction's bytes (for a compressed instruction only its low 16 bits count).
// Compressed forms come back as their base operation (c.addi -> addi rd, rd, imm) with length 2.
DecodedInsn decode(uint32_t word);

}  // namespace vmscope::isa
