// objdump's choice: the nearest symbol at or below the address, else the lowest symbol with a
// negative offset. Among symbols with equal values binutils' compare_symbols order decides:
// functions, then objects, then globals before locals, then larger sizes, then by name.
#include "elf/symbol_namer.h"

#include <algorithm>
#include <cstdio>

namespace vmscope {

SymbolNamer::SymbolNamer(const ElfImage& image) : SymbolNamer(image.symbols, [&] {
  std::vector<uint16_t> code;
  for (const ElfSection& s : image.sections)
    if (s.executable) code.push_back(s.index);
  return code;
}()) {}

SymbolNamer::SymbolNamer(const std::vector<ElfSymbol>& symbols, std::vector<uint16_t> code_sections)
    : sorted_(symbols), code_sections_(std::move(code_sections)) {
  using Kind = ElfSymbol::Kind;
  std::stable_sort(sorted_.begin(), sorted_.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    if (a.value != b.value) return a.value < b.value;
    if ((a.kind == Kind::function) != (b.kind == Kind::function)) return a.kind == Kind::function;
    if ((a.kind == Kind::object) != (b.kind == Kind::object)) return a.kind == Kind::object;
    if (a.global != b.global) return a.global;
    if (a.size != b.size) return a.size > b.size;
    if ((a.name[0] == '.') != (b.name[0] == '.')) return b.name[0] == '.';
    return a.name < b.name;
  });
}

std::string SymbolNamer::operator()(uint32_t address) const {
  if (sorted_.empty()) return {};
  auto it = std::upper_bound(sorted_.begin(), sorted_.end(), address,
                             [](uint32_t a, const ElfSymbol& s) { return a < s.value; });
  // The symbols at the nearest value at or below the address, or else at the lowest value.
  auto best = it == sorted_.begin() ? it : std::prev(it);
  while (best != sorted_.begin() && std::prev(best)->value == best->value) --best;
  // The first (most preferred) of them, unless a later one lies in a section being disassembled.
  auto in_code = [&](const ElfSymbol& sym) {
    return std::find(code_sections_.begin(), code_sections_.end(), sym.section_index) != code_sections_.end();
  };
  if (!in_code(*best))
    for (auto c = best; c != sorted_.end() && c->value == best->value; ++c)
      if (in_code(*c)) {
        best = c;
        break;
      }
  char offset[24] = "";
  if (address < best->value)
    std::snprintf(offset, sizeof offset, "-0x%x", best->value - address);
  else if (address > best->value)
    std::snprintf(offset, sizeof offset, "+0x%x", address - best->value);
  return best->name + offset;
}

}  // namespace vmscope
