// The operand printing follows binutils' riscv-dis.c closely enough to reproduce its output byte
// for byte, including its habit of remembering lui/auipc results to annotate the next use.
#include "isa/disassembler.h"

#include <cstdio>

#include "isa/isa_table.h"

namespace vmscope::isa {

namespace {
const char* const kFenceSets[16] = {"unknown", "w",  "r",  "rw",  "o",  "ow",  "or",  "orw",
                                    "i",       "iw", "ir", "irw", "io", "iow", "ior", "iorw"};

std::string hex(uint32_t v, bool prefix) {
  char buf[16];
  std::snprintf(buf, sizeof buf, prefix ? "0x%x" : "%x", v);
  return buf;
}
}  // namespace

Disassembler::Disassembler(AddressNamer namer, std::optional<uint32_t> gp)
    : namer_(std::move(namer)), gp_(gp) {}

void Disassembler::reset() {
  for (auto& h : hi_) h.reset();
  note_.reset();
}

// binutils' maybe_print_address: a base register last set by lui/auipc, gp, tp or zero gives
// the absolute address; the remembered value is used up.
void Disassembler::maybe_note_address(unsigned base_reg, int32_t offset) {
  if (hi_[base_reg]) {
    note_ = (base_reg != 0 ? *hi_[base_reg] : 0) + static_cast<uint32_t>(offset);
    hi_[base_reg].reset();
  } else if (base_reg == 3 && gp_) {
    note_ = *gp_ + static_cast<uint32_t>(offset);
  } else if (base_reg == 4 || base_reg == 0) {
    note_ = static_cast<uint32_t>(offset);
  }
}

std::string Disassembler::format_address(uint32_t address) const {
  std::string text = hex(address, false);
  if (namer_) {
    std::string name = namer_(address);
    if (!name.empty()) text += " <" + name + ">";
  }
  return text;
}

std::string Disassembler::disassemble(uint32_t pc, uint32_t word) {
  const unsigned length = instruction_length(word);
  if (length == 2) word &= 0xffff;
  const EncodingSpec* enc = find_encoding(word);
  if (!enc) {
    // As binutils 2.40 prints words it cannot decode.
    char buf[32];
    std::snprintf(buf, sizeof buf, ".%ubyte\t0x%x", length, word);
    return buf;
  }

  std::string text = enc->mnemonic;
  if (enc->aqrl) {
    const bool aq = (word >> 26) & 1, rl = (word >> 25) & 1;
    text += aq && rl ? ".aqrl" : aq ? ".aq" : rl ? ".rl" : "";
  }
  const std::string_view syntax = enc->syntax;
  if (!syntax.empty()) text += '\t';

  note_.reset();
  const Op op = enc->op;
  const bool compressed = enc->length == 2;
  const uint32_t rd_bits = (word >> 7) & 31, rs1_bits = (word >> 15) & 31;

  for (size_t i = 0; i < syntax.size(); ++i) {
    if (syntax[i] != '{') {
      text += syntax[i];
      continue;
    }
    const unsigned n = static_cast<unsigned>(syntax[i + 1] - '0');
    i += 2;  // skip "N}"
    const FieldSpec& field = kFields[enc->fields[n]];
    const int32_t v = extract_field(field, word);
    switch (field.format) {
      case Format::reg:
      case Format::creg: {
        const unsigned reg = static_cast<unsigned>(v) + (field.format == Format::creg ? 8 : 0);
        // objdump prints jalr's base register after re-checking the address (its 's' operand).
        if (!compressed && op == Op::jalr && (field.roles & kRoleRs1))
          maybe_note_address(rs1_bits, extract_field(kFields[enc->fields[1]], word));
        text += kAbiRegisterNames[reg];
        break;
      }
      case Format::dec:
        if (compressed) {
          if (op == Op::addi && std::string_view(enc->mnemonic) == "c.addi" && rd_bits != 0)
            maybe_note_address(rd_bits, v);
        } else if (field.roles & kRoleImm) {
          const bool is_load = op == Op::lb || op == Op::lh || op == Op::lw || op == Op::lbu ||
                               op == Op::lhu || op == Op::jalr;
          const bool is_store = op == Op::sb || op == Op::sh || op == Op::sw;
          if (is_load || is_store) maybe_note_address(rs1_bits, v);
          if ((op == Op::addi && rs1_bits != 0) || op == Op::jalr) maybe_note_address(rs1_bits, v);
        }
        text += std::to_string(v);
        break;
      case Format::hex:
        text += hex(static_cast<uint32_t>(v), true);
        break;
      case Format::hex20:
        text += hex((static_cast<uint32_t>(v) >> 12) & 0xfffff, true);
        break;
      case Format::pcrel:
        text += format_address(pc + static_cast<uint32_t>(v));
        break;
      case Format::csr: {
        const char* name = csr_name(static_cast<uint16_t>(v));
        text += name ? std::string(name) : hex(static_cast<uint32_t>(v), true);
        break;
      }
      case Format::fence:
        text += kFenceSets[v & 15];
        break;
    }
  }

  // lui, auipc and c.lui remember the value they give rd, for a later address comment.
  if (op == Op::auipc) {
    hi_[rd_bits] = pc + static_cast<uint32_t>(extract_field(kFields[enc->fields[1]], word));
  } else if (op == Op::lui) {
    hi_[rd_bits] = static_cast<uint32_t>(extract_field(kFields[enc->fields[1]], word));
  }

  if (note_) text += " # " + format_address(*note_);
  return text;
}

}  // namespace vmscope::isa
