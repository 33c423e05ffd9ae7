// Parses and validates an RV32 ELF executable held in memory, and indexes its symbols.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmscope {

// One non-empty PT_LOAD segment.
struct ElfSegment {
  uint32_t vaddr = 0, paddr = 0, memsz = 0;
  uint32_t flags = 0;          // p_flags: PF_X=1, PF_W=2, PF_R=4
  std::vector<uint8_t> data;   // the p_filesz bytes from the file (memsz - filesz is zero-filled by the loader)
};

struct ElfSymbol {
  enum class Kind { function, object, other };
  std::string name;
  uint32_t value = 0, size = 0;
  Kind kind = Kind::other;
  bool global = false;         // STB_GLOBAL or STB_WEAK
  uint16_t section_index = 0;  // st_shndx (0xfff1 = absolute)
};

// An SHF_ALLOC section (the others are not part of the running program).
struct ElfSection {
  std::string name;
  uint32_t addr = 0, size = 0;
  bool executable = false;     // SHF_EXECINSTR
  uint16_t index = 0;          // in the section header table (what ElfSymbol::section_index names)
};

struct ElfImage {
  uint32_t entry = 0;
  uint32_t flags = 0;                 // e_flags
  // Where the program headers are in memory (a PT_LOAD holds them; 0 if none does) and how
  // many: what a process's auxiliary vector tells its C library (AT_PHDR, AT_PHNUM).
  uint32_t phdr_vaddr = 0;
  uint16_t phnum = 0;
  std::vector<ElfSegment> segments;   // in program header order
  std::vector<ElfSection> sections;   // in section header order
  // From .symtab (if present and sane), without empty names, undefined symbols,
  // file/section symbols, mapping symbols ($x, $d, $xrv32i...) or .L local labels.
  std::vector<ElfSymbol> symbols;
};

enum class ElfError {
  none,
  truncated,
  not_elf,
  wrong_class,
  wrong_endianness,
  wrong_version,
  wrong_machine,
  not_executable,          // e_type != ET_EXEC
  unsupported_abi,         // e_flags: RVE, or a float ABI other than soft
  bad_program_headers,     // table size/place/count, or a PT_INTERP (dynamically linked program)
  bad_segment,             // offset/size outside the file, filesz > memsz, address wrap, memsz too big
  overlapping_segments,
  no_loadable_segments,
  bad_entry,               // entry not inside an executable PT_LOAD (or odd)
  segment_outside_memory,  // used by place_check
};

struct ElfResult {
  ElfError error = ElfError::none;
  std::string message;  // empty when ok; else starts with "<file_name>: "
  ElfImage image;       // filled by parse_elf only when ok
  bool ok() const { return error == ElfError::none; }
};

// Parses and validates a whole ELF file. `file_name` is used in messages, e.g.
// "prog.elf: not an ELF file (bad magic bytes 7f 45 4c 00)" or
// "prog.elf: program header 2: segment data [0x1000, 0x5000) lies outside the file (size 0x2000)".
// Program headers are numbered from 0, as in the file. Never throws (except std::bad_alloc).
ElfResult parse_elf(std::span<const uint8_t> file, std::string_view file_name);

// Largest p_memsz accepted for one segment.
inline constexpr uint32_t kMaxSegmentSize = 1u << 30;

struct MemoryRegion {
  uint32_t base, size;
};

// Checks that every segment's [addr, addr+memsz) (paddr if use_paddr, else vaddr) lies inside one
// of the given memory regions; returns ElfError::segment_outside_memory with a clear message
// otherwise. The result's image is left empty: the caller already holds it.
ElfResult place_check(const ElfImage& image, std::span<const MemoryRegion> regions, bool use_paddr,
                      std::string_view file_name);

const char* to_string(ElfError e);  // short stable name, e.g. "truncated"

// Symbols for the debugger and disassembler: lookup by address and name.
class SymbolTable {
 public:
  SymbolTable() = default;
  explicit SymbolTable(std::vector<ElfSymbol> symbols);

  // Prefers a global symbol, then a function, when several share the name.
  const ElfSymbol* find(std::string_view name) const;

  // The symbol covering addr (value <= addr < value+size; the innermost one), or else the nearest
  // one at or below it; nullptr when there is none. *offset receives addr - value. Absolute
  // symbols (section_index 0xfff1) are not addresses in the program and are never returned here.
  // Among symbols at one address it prefers functions, then objects, globals, then sized ones.
  const ElfSymbol* lookup(uint32_t addr, uint32_t* offset = nullptr) const;

  // All symbols, sorted by address.
  const std::vector<ElfSymbol>& all() const;

 private:
  std::vector<ElfSymbol> symbols_;   // sorted by value, then by preference (best last)
  std::vector<uint32_t> by_address_; // indices into symbols_ usable for lookup(), same order
  std::vector<uint64_t> max_end_;    // max_end_[i]: highest value+size among by_address_[0..i]
  std::vector<uint32_t> by_name_;    // indices into symbols_ sorted by name, best first
};

}  // namespace vmscope
