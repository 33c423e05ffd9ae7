// objdump's choice: the nearest symbol at or below the address, else the lowest symbol with a
// negative offset. Among symbols with equal values binutils' compare_symbols order decides:
// functions, then objects, then globals before locals, then larger sizes, then by name.
#include "elf/symbol_namer.h"

#include <algorithm>
#include <cstdio>

namespace vmscope {

SymbolNamer::SymbolNamer(const std::vector<ElfSymbol>& symbols) : sorted_(symbols) {
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
  char offset[24] = "";
  if (it == sorted_.begin()) {
    std::snprintf(offset, sizeof offset, "-0x%x", it->value - address);
    return it->name + offset;
  }
  // The first (most preferred) of the symbols sharing the nearest value.
  auto best = std::prev(it);
  while (best != sorted_.begin() && std::prev(best)->value == best->value) --best;
  const ElfSymbol& s = *best;
  if (address != s.value) std::snprintf(offset, sizeof offset, "+0x%x", address - s.value);
  return s.name + offset;
}

}  // namespace vmscope
