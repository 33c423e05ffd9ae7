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
  // `code_sections`: indices of the sections being disassembled; among symbols sharing an
  // address, objdump prefers one in such a section (e.g. a label over an absolute --defsym).
  explicit SymbolNamer(const std::vector<ElfSymbol>& symbols, std::vector<uint16_t> code_sections = {});
  explicit SymbolNamer(const ElfImage& image);
  std::string operator()(uint32_t address) const;

 private:
  std::vector<ElfSymbol> sorted_;  // by value; among equal values the preferred one first
  std::vector<uint16_t> code_sections_;
};

}  // namespace vmscope
