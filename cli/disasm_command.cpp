// `vmscope disasm`: an objdump-style listing of the executable sections, for people and for the
// test that compares vmscope's disassembler with riscv64-unknown-elf-objdump.
#include <cstdio>
#include <cstring>

#include <optional>

#include "commands.h"
#include "elf/elf_image.h"
#include "elf/symbol_namer.h"
#include "isa/disassembler.h"

namespace vmscope::cli {

int disasm_command(const DisasmOptions& o) {
  std::vector<uint8_t> file;
  if (!read_file(o.program, file)) return 111;
  const ElfResult r = parse_elf(file, o.program);
  if (!r.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", r.message.c_str());
    return exit_code_for_elf_error(static_cast<int>(r.error));
  }
  const SymbolTable symbols(r.image.symbols);
  std::optional<uint32_t> gp;
  if (const ElfSymbol* s = symbols.find("__global_pointer$")) gp = s->value;
  isa::Disassembler dis(SymbolNamer(r.image),
      gp);

  // Bytes of the loaded image by virtual address.
  auto read16 = [&](uint32_t addr, uint16_t& v) {
    for (const ElfSegment& s : r.image.segments) {
      if (addr >= s.vaddr && addr - s.vaddr + 2 <= s.data.size()) {
        std::memcpy(&v, s.data.data() + (addr - s.vaddr), 2);
        return true;
      }
    }
    return false;
  };
  for (const ElfSection& sec : r.image.sections) {
    if (!sec.executable) continue;
    std::printf("\nDisassembly of section %s:\n", sec.name.c_str());
    for (uint32_t pc = sec.addr; pc < sec.addr + sec.size;) {
      for (const ElfSymbol& s : symbols.all())
        if (s.value == pc && s.kind != ElfSymbol::Kind::object) {
          std::printf("\n%08x <%s>:\n", pc, s.name.c_str());
          break;
        }
      uint16_t lo = 0, hi = 0;
      if (!read16(pc, lo)) break;
      const bool wide = (lo & 3) == 3;
      if (wide && !read16(pc + 2, hi)) break;
      const uint32_t word = lo | static_cast<uint32_t>(hi) << 16;
      char bytes[24];
      if (wide)
        std::snprintf(bytes, sizeof bytes, "%08x          ", word);
      else
        std::snprintf(bytes, sizeof bytes, "%04x                ", lo);
      std::printf("%8x:\t%s\t%s\n", pc, bytes, dis.disassemble(pc, word).c_str());
      pc += wide ? 4 : 2;
    }
  }
  return 0;
}

}  // namespace vmscope::cli
