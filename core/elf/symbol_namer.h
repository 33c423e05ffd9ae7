// Names addresses the way objdump does in a listing: "sym", "sym+0x1c", or "first-0x10" for an
// address below every symbol. Used by the disassembler and the debugger's views.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "elf/elf_image.h"

namespace vmscope {

class SymbolNamer {
 public:
  explicit SymbolNamer(const std::vector<ElfSymbol>& symbols);
  std::string operator()(uint32_t address) const;

 private:
  std::vector<ElfSymbol> sorted_;  // by value; among equal values the preferred one first
};

}  // namespace vmscope
