// The oracle's forms from the opcode table (see oracle_forms.h): each encoding's fixed bits, and
// each of its fields given the register or immediate that makes the form do something visible.
#include "oracle_forms.h"

#include <cstring>

#include "isa/isa_table.h"

namespace vmscope::analyzer {

namespace {

using isa::EncodingSpec;
using isa::FieldSpec;

uint32_t insert_field(const FieldSpec& field, int32_t value) {
  uint32_t word = 0;
  for (unsigned i = 0; i < field.slice_count; ++i) {
    const isa::FieldSlice& s = field.slices[i];
    word |= ((static_cast<uint32_t>(value) >> s.value_lo) & ((1u << s.width) - 1)) << s.inst_lo;
  }
  return word;
}

bool has(const EncodingSpec& e, uint8_t trait) { return isa::kOpTraits[static_cast<int>(e.op)] & trait; }
bool starts_with(const char* s, const char* prefix) { return std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

// The register a field names. Memory instructions (the hypervisor's loads and stores as a guest
// too) address the data page through a3; jumps through a register go to a4; the fences of
// address translation flush everything (x0); stores and atomics store a1's ones; a register that
// is both source and destination is a1 (all ones: shifts and masks show); other results go to a0.
unsigned register_for(const EncodingSpec& e, uint8_t roles) {
  const bool memory = has(e, isa::kTraitLoad | isa::kTraitStore | isa::kTraitAtomic) ||
                      starts_with(e.mnemonic, "hlv") || starts_with(e.mnemonic, "hsv");
  const bool flush = has(e, isa::kTraitSystem) && !memory;  // sfence.vma, hfence.vvma, hfence.gvma
  if (roles == (isa::kRoleRd | isa::kRoleRs1)) return kFormOnes;
  if (roles & isa::kRoleRd) return kFormResult;
  if (roles & isa::kRoleRs1) {
    if (flush) return 0;
    if (memory) return kFormData;
    return has(e, isa::kTraitIndirect) ? kFormCode : kFormOnes;
  }
  if (flush) return 0;
  return memory ? kFormOnes : kFormFive;
}

// An immediate: small offsets inside the data page (by access size, so sign extension shows),
// branches and jumps to the landing place two words on, negative ALU operands, non-zero where
// the encoding excludes zero.
int32_t immediate_for(const EncodingSpec& e, const FieldSpec& f) {
  const std::string_view name = f.name;
  if (name == "imm12") {
    if (has(e, isa::kTraitIndirect)) return 0;
    if (has(e, isa::kTraitLoad)) return e.op == isa::Op::lb || e.op == isa::Op::lbu ? 1 : e.op == isa::Op::lh || e.op == isa::Op::lhu ? 2 : 0;
    return -3;
  }
  if (name == "bimm13" || name == "jimm21" || name == "c_bimm9" || name == "c_jimm12") return 8;
  if (name == "uimm20") return 0x12345000;
  if (name == "c_lui") return 0x3000;
  if (name == "c_imm6") return -3;
  if (name == "shamt5" || name == "c_shamt") return 3;
  if (name == "pred" || name == "succ") return 0xf;  // iorw
  if (name == "c_addi16sp") return 16;
  return 4;  // simm12, c_addi4spn, c_lw, c_lwsp, c_swsp: a word into the page
}

uint32_t form_for(const EncodingSpec& e) {
  uint32_t word = e.match;
  for (unsigned i = 0; i < e.field_count; ++i) {
    const FieldSpec& f = isa::kFields[e.fields[i]];
    if (f.format == isa::Format::reg || f.format == isa::Format::creg) {
      const unsigned r = register_for(e, f.roles);
      word |= insert_field(f, static_cast<int32_t>(f.format == isa::Format::creg ? r - 8 : r));
    } else {
      word |= insert_field(f, immediate_for(e, f));
    }
  }
  return word;
}

bool is_csr_instruction(const EncodingSpec& e) {
  for (unsigned i = 0; i < e.field_count; ++i)
    if (isa::kFields[e.fields[i]].format == isa::Format::csr) return true;
  return false;
}

}  // namespace

const std::vector<EncodingForm>& encoding_forms() {
  static const std::vector<EncodingForm> forms = [] {
    std::vector<EncodingForm> v;
    for (const EncodingSpec& e : isa::kEncodings)
      if (!is_csr_instruction(e)) v.push_back({e.mnemonic, form_for(e)});
    return v;
  }();
  return forms;
}

uint32_t csr_read_form(uint16_t n) { return static_cast<uint32_t>(n) << 20 | 2u << 12 | kFormResult << 7 | 0x73; }

std::array<uint32_t, 5> csr_write_forms(uint16_t n) {
  const uint32_t csr = static_cast<uint32_t>(n) << 20 | kFormResult << 7 | 0x73;
  constexpr uint32_t kZimm = 21u << 15;
  return {csr | kFormOnes << 15 | 1u << 12, csr | kFormOnes << 15 | 3u << 12, csr | kZimm | 5u << 12,
          csr | kZimm | 6u << 12, csr | kZimm | 7u << 12};
}

}  // namespace vmscope::analyzer
