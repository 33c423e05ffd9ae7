// Field extraction and encoding lookup over the generated tables.
#include "isa/isa_table.h"

#include <array>
#include <vector>

namespace vmscope::isa {

const char* const kAbiRegisterNames[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

int32_t extract_field(const FieldSpec& field, uint32_t word) {
  uint32_t value = 0;
  for (unsigned i = 0; i < field.slice_count; ++i) {
    const FieldSlice& s = field.slices[i];
    value |= ((word >> s.inst_lo) & ((1u << s.width) - 1)) << s.value_lo;
  }
  if (field.is_signed && field.top_bit < 31) {
    const unsigned shift = 31 - field.top_bit;
    return static_cast<int32_t>(value << shift) >> shift;
  }
  return static_cast<int32_t>(value);
}

bool encoding_matches(const EncodingSpec& enc, uint32_t word) {
  if (enc.length == 2) word &= 0xffff;
  if ((word & enc.mask) != enc.match) return false;
  for (unsigned i = 0; i < enc.exclusion_count; ++i) {
    const Exclusion& x = enc.exclusions[i];
    const uint32_t v = x.is_field ? static_cast<uint32_t>(extract_field(kFields[x.lo_or_field], word))
                                  : (word >> x.lo_or_field) & ((1u << x.width) - 1);
    if (v == x.value) return false;
  }
  return true;
}

namespace {
// Encodings bucketed by their major opcode bits so a lookup scans a handful of entries:
// bits 1..0 plus 15..13 for compressed words, bits 6..0 for 32-bit words.
struct EncodingIndex {
  std::array<std::vector<const EncodingSpec*>, 32> compressed;
  std::array<std::vector<const EncodingSpec*>, 128> full;
  EncodingIndex() {
    for (const EncodingSpec& e : kEncodings) {
      if (e.length == 2) {
        // Compressed encodings always fix bits 1..0 and 15..13.
        compressed[(e.match & 3) | ((e.match >> 13) << 2)].push_back(&e);
      } else {
        full[e.match & 0x7f].push_back(&e);
      }
    }
  }
};
const EncodingIndex& index() {
  static const EncodingIndex idx;
  return idx;
}
}  // namespace

const EncodingSpec* find_encoding(uint32_t word) {
  const auto& idx = index();
  const auto& bucket = instruction_length(word) == 2
                           ? idx.compressed[(word & 3) | (((word & 0xffff) >> 13) << 2)]
                           : idx.full[word & 0x7f];
  for (const EncodingSpec* e : bucket)
    if (encoding_matches(*e, word)) return e;
  return nullptr;
}

std::optional<uint16_t> csr_number(std::string_view name) {
  for (const CsrName& c : kCsrNames)
    if (name == c.name) return c.number;
  return std::nullopt;
}

const char* csr_name(uint16_t number) {
  for (const CsrName& c : kCsrNames)
    if (c.number == number) return c.name;
  return nullptr;
}

}  // namespace vmscope::isa
