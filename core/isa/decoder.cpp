// Decoding is table-driven: the encoding found in the generated table says which fields to
// extract and where each one goes (rd, rs1, rs2, imm), plus the operands a compressed form implies.
#include "isa/decoder.h"

namespace vmscope::isa {

DecodedInsn decode(uint32_t word) {
  DecodedInsn d;
  d.length = static_cast<uint8_t>(instruction_length(word));
  const EncodingSpec* enc = find_encoding(word);
  if (!enc) return d;
  d.encoding = enc;
  d.op = enc->op;
  for (unsigned i = 0; i < enc->field_count; ++i) {
    const FieldSpec& f = kFields[enc->fields[i]];
    int32_t v = extract_field(f, word);
    if (f.format == Format::creg) v += 8;
    if (f.roles & kRoleRd) d.rd = static_cast<uint8_t>(v);
    if (f.roles & kRoleRs1) d.rs1 = static_cast<uint8_t>(v);
    if (f.roles & kRoleRs2) d.rs2 = static_cast<uint8_t>(v);
    if (f.roles & kRoleImm) d.imm = v;
  }
  for (unsigned i = 0; i < enc->implied_count; ++i) {
    const ImpliedOperand& o = enc->implied[i];
    if (o.role & kRoleRd) d.rd = static_cast<uint8_t>(o.value);
    if (o.role & kRoleRs1) d.rs1 = static_cast<uint8_t>(o.value);
    if (o.role & kRoleRs2) d.rs2 = static_cast<uint8_t>(o.value);
    if (o.role & kRoleImm) d.imm = o.value;
  }
  return d;
}

}  // namespace vmscope::isa
