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

// A call, as the RISC-V calling convention makes one: a jump that links to ra (jal/jalr with
// rd = x1). What "step over" steps over.
inline bool is_call(const DecodedInsn& d) {
  return (kOpTraits[static_cast<int>(d.op)] & (kTraitJump | kTraitIndirect)) && d.rd == 1;
}

}  // namespace vmscope::isa
