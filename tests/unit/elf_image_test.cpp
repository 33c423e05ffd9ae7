// Unit tests of the ELF parser/validator and SymbolTable on ELF files built here, many of them hostile.
#include "elf/elf_image.h"
#include "test_assets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace vmscope {
namespace {

using Bytes = std::vector<uint8_t>;

// Little helpers to write ELF32 little-endian fields.
void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

constexpr uint32_t kPT_LOAD = 1, kPT_NOTE = 4, kPT_INTERP = 3;
constexpr uint32_t kPF_X = 1, kPF_W = 2, kPF_R = 4;
constexpr uint32_t kSHT_PROGBITS = 1, kSHT_SYMTAB = 2, kSHT_STRTAB = 3, kSHT_NOBITS = 8;
constexpr uint32_t kSHF_WRITE = 1, kSHF_ALLOC = 2, kSHF_EXEC = 4;
constexpr uint8_t kSTT_NOTYPE = 0, kSTT_OBJECT = 1, kSTT_FUNC = 2, kSTT_SECTION = 3, kSTT_FILE = 4;
constexpr uint8_t kSTB_LOCAL = 0, kSTB_GLOBAL = 1, kSTB_WEAK = 2;
constexpr uint16_t kSHN_ABS = 0xfff1;

uint8_t st_info(uint8_t bind, uint8_t type) { return static_cast<uint8_t>((bind << 4) | type); }

// Builds an ELF32 file: header, program headers, segment payloads, then (optionally) the
// section contents (.strtab, .symtab, .shstrtab) and the section header table at the end.
struct ElfBuilder {
  struct Phdr {
    uint32_t type = kPT_LOAD, vaddr = 0, paddr = 0, memsz = 0, flags = kPF_R;
    Bytes payload;                      // p_filesz bytes placed in the file
    std::optional<uint32_t> offset;     // default: where the payload is placed
    std::optional<uint32_t> filesz;     // default: payload size
  };
  struct Section {  // an SHF_ALLOC section with no file contents of its own
    std::string name;
    uint32_t type = kSHT_PROGBITS, flags = kSHF_ALLOC, addr = 0, size = 0;
  };
  struct Sym {
    std::string name;
    uint32_t value = 0, size = 0;
    uint8_t info = 0;
    uint16_t shndx = 1;
  };

  uint8_t ident_class = 1, ident_data = 1, ident_version = 1;
  uint16_t type = 2, machine = 243;
  uint32_t version = 1, entry = 0x80000000, flags = 0;
  std::optional<uint16_t> phnum, phentsize;
  std::optional<uint32_t> phoff;
  std::vector<Phdr> phdrs;

  bool with_sections = false;
  std::vector<Section> sections;
  std::vector<Sym> symbols;
  std::optional<uint32_t> symtab_offset, symtab_size, symtab_link, strtab_offset, shoff;

  // Filled by build(): where things ended up.
  size_t load_data_end = 0;  // end of the last segment payload

  // A valid program: code at 0x80000000 (R-X) and data at 0x80001000 (RW-, partly bss).
  static ElfBuilder minimal() {
    ElfBuilder b;
    Phdr text;
    text.vaddr = text.paddr = 0x80000000;
    text.flags = kPF_R | kPF_X;
    text.payload = {0x13, 0x05, 0xa0, 0x02, 0x93, 0x08, 0xd0, 0x05, 0x73, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00};
    text.memsz = 16;
    Phdr data;
    data.vaddr = data.paddr = 0x80001000;
    data.flags = kPF_R | kPF_W;
    data.payload = {1, 2, 3, 4, 5, 6, 7, 8};
    data.memsz = 0x100;
    b.phdrs = {text, data};
    return b;
  }

  // minimal() plus sections and a symbol table.
  static ElfBuilder with_symbols() {
    ElfBuilder b = minimal();
    b.with_sections = true;
    b.sections = {{".text", kSHT_PROGBITS, kSHF_ALLOC | kSHF_EXEC, 0x80000000, 16},
                  {".data", kSHT_PROGBITS, kSHF_ALLOC | kSHF_WRITE, 0x80001000, 8},
                  {".bss", kSHT_NOBITS, kSHF_ALLOC | kSHF_WRITE, 0x80001008, 0xf8},
                  {".comment", kSHT_PROGBITS, 0, 0, 4}};
    b.symbols = {
        {"start.S", 0, 0, st_info(kSTB_LOCAL, kSTT_FILE), kSHN_ABS},
        {"", 0x80000000, 0, st_info(kSTB_LOCAL, kSTT_SECTION), 1},
        {"$xrv32i2p1", 0x80000000, 0, st_info(kSTB_LOCAL, kSTT_NOTYPE), 1},
        {"$x", 0x80000000, 0, st_info(kSTB_LOCAL, kSTT_NOTYPE), 1},
        {"$d", 0x80001000, 0, st_info(kSTB_LOCAL, kSTT_NOTYPE), 2},
        {".L0 ", 0x80000004, 0, st_info(kSTB_LOCAL, kSTT_NOTYPE), 1},
        {"_start", 0x80000000, 8, st_info(kSTB_GLOBAL, kSTT_FUNC), 1},
        {"loop", 0x8000000c, 0, st_info(kSTB_LOCAL, kSTT_NOTYPE), 1},
        {"counter", 0x80001000, 4, st_info(kSTB_GLOBAL, kSTT_OBJECT), 2},
        {"table", 0x80001004, 4, st_info(kSTB_LOCAL, kSTT_OBJECT), 2},
        {"weak_fn", 0x80000008, 4, st_info(kSTB_WEAK, kSTT_FUNC), 1},
        {"undefined_weak", 0, 0, st_info(kSTB_WEAK, kSTT_NOTYPE), 0},
        {"__stack_size", 0x800, 0, st_info(kSTB_GLOBAL, kSTT_NOTYPE), kSHN_ABS},
    };
    return b;
  }

  Bytes build() {
    Bytes f(52, 0);
    f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F';
    f[4] = ident_class, f[5] = ident_data, f[6] = ident_version;
    put16(f, 16, type);
    put16(f, 18, machine);
    put32(f, 20, version);
    put32(f, 24, entry);
    put32(f, 36, flags);
    put16(f, 40, 52);
    put32(f, 28, phoff.value_or(52));
    put16(f, 42, phentsize.value_or(32));
    put16(f, 44, phnum.value_or(static_cast<uint16_t>(phdrs.size())));

    size_t ph_at = f.size();
    f.resize(f.size() + 32 * phdrs.size());
    for (size_t i = 0; i < phdrs.size(); ++i) {
      Phdr& p = phdrs[i];
      size_t at = ph_at + 32 * i;
      uint32_t off = static_cast<uint32_t>(f.size());
      f.insert(f.end(), p.payload.begin(), p.payload.end());
      put32(f, at, p.type);
      put32(f, at + 4, p.offset.value_or(off));
      put32(f, at + 8, p.vaddr);
      put32(f, at + 12, p.paddr);
      put32(f, at + 16, p.filesz.value_or(static_cast<uint32_t>(p.payload.size())));
      put32(f, at + 20, p.memsz);
      put32(f, at + 24, p.flags);
      put32(f, at + 28, 4);
    }
    load_data_end = f.size();
    if (!with_sections) return f;

    // String tables: .strtab (symbol names) and .shstrtab (section names).
    auto add_string = [](Bytes& tab, const std::string& s) {
      if (s.empty()) return uint32_t{0};
      uint32_t at = static_cast<uint32_t>(tab.size());
      tab.insert(tab.end(), s.begin(), s.end());
      tab.push_back(0);
      return at;
    };
    Bytes strtab{0}, shstrtab{0};
    Bytes symtab(16, 0);  // null symbol
    for (const Sym& s : symbols) {
      size_t at = symtab.size();
      symtab.resize(at + 16);
      put32(symtab, at, add_string(strtab, s.name));
      put32(symtab, at + 4, s.value);
      put32(symtab, at + 8, s.size);
      symtab[at + 12] = s.info;
      put16(symtab, at + 14, s.shndx);
    }
    struct Shdr { uint32_t name, type, flags, addr, offset, size, link, info, align, entsize; };
    std::vector<Shdr> shdrs{{}};
    for (const Section& s : sections)
      shdrs.push_back({add_string(shstrtab, s.name), s.type, s.flags, s.addr, 52, s.size, 0, 0, 4, 0});
    uint32_t symtab_index = static_cast<uint32_t>(shdrs.size());
    uint32_t strtab_index = symtab_index + 1, shstrtab_index = symtab_index + 2;
    uint32_t sym_name = add_string(shstrtab, ".symtab"), str_name = add_string(shstrtab, ".strtab");
    uint32_t shstr_name = add_string(shstrtab, ".shstrtab");

    uint32_t strtab_at = static_cast<uint32_t>(f.size());
    f.insert(f.end(), strtab.begin(), strtab.end());
    while (f.size() % 4) f.push_back(0);
    uint32_t symtab_at = static_cast<uint32_t>(f.size());
    f.insert(f.end(), symtab.begin(), symtab.end());
    uint32_t shstrtab_at = static_cast<uint32_t>(f.size());
    f.insert(f.end(), shstrtab.begin(), shstrtab.end());
    while (f.size() % 4) f.push_back(0);

    shdrs.push_back({sym_name, kSHT_SYMTAB, 0, 0, symtab_offset.value_or(symtab_at),
                     symtab_size.value_or(static_cast<uint32_t>(symtab.size())),
                     symtab_link.value_or(strtab_index), 1, 4, 16});
    shdrs.push_back({str_name, kSHT_STRTAB, 0, 0, strtab_offset.value_or(strtab_at),
                     static_cast<uint32_t>(strtab.size()), 0, 0, 1, 0});
    shdrs.push_back({shstr_name, kSHT_STRTAB, 0, 0, shstrtab_at, static_cast<uint32_t>(shstrtab.size()), 0, 0, 1, 0});

    uint32_t sh_at = static_cast<uint32_t>(f.size());
    for (const Shdr& s : shdrs) {
      size_t at = f.size();
      f.resize(at + 40);
      uint32_t fields[10] = {s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info, s.align, s.entsize};
      for (int k = 0; k < 10; ++k) put32(f, at + 4 * k, fields[k]);
    }
    put32(f, 32, shoff.value_or(sh_at));
    put16(f, 46, 40);
    put16(f, 48, static_cast<uint16_t>(shdrs.size()));
    put16(f, 50, static_cast<uint16_t>(shstrtab_index));
    return f;
  }
};

ElfResult parse(const Bytes& b, const char* name = "prog.elf") { return parse_elf(b, name); }

// Checks the error kind, and that the message names the file and contains every given fragment.
void expect_error(const ElfResult& r, ElfError e, std::initializer_list<const char*> fragments,
                  const char* file = "prog.elf") {
  EXPECT_EQ(r.error, e) << "got " << to_string(r.error) << ": " << r.message;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.message.rfind(std::string(file) + ": ", 0), 0u) << r.message;
  for (const char* frag : fragments) EXPECT_NE(r.message.find(frag), std::string::npos) << "'" << frag << "' not in: " << r.message;
  EXPECT_TRUE(r.image.segments.empty());
}

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---- valid files ----

TEST(ElfImage, ParsesValidFiles) {
  ElfBuilder b = ElfBuilder::minimal();
  Bytes f = b.build();
  ElfResult r = parse(f);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.error, ElfError::none);
  EXPECT_TRUE(r.message.empty());
  EXPECT_EQ(r.image.entry, 0x80000000u);
  EXPECT_EQ(r.image.flags, 0u);
  ASSERT_EQ(r.image.segments.size(), 2u);
  const ElfSegment& text = r.image.segments[0];
  EXPECT_EQ(text.vaddr, 0x80000000u);
  EXPECT_EQ(text.paddr, 0x80000000u);
  EXPECT_EQ(text.memsz, 16u);
  EXPECT_EQ(text.flags, kPF_R | kPF_X);
  EXPECT_EQ(text.data, b.phdrs[0].payload);
  const ElfSegment& data = r.image.segments[1];
  EXPECT_EQ(data.vaddr, 0x80001000u);
  EXPECT_EQ(data.memsz, 0x100u);
  EXPECT_EQ(data.flags, kPF_R | kPF_W);
  EXPECT_EQ(data.data, (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(r.image.sections.empty());
  EXPECT_TRUE(r.image.symbols.empty());

  // The RVC flag is fine; so are non-load headers and empty PT_LOADs anywhere (they are ignored).
  b.flags = 0x1;
  ElfBuilder::Phdr note;
  note.type = kPT_NOTE;
  note.payload = {9, 9, 9, 9};
  b.phdrs.push_back(note);
  ElfBuilder::Phdr empty;
  empty.vaddr = empty.paddr = 0x80000004;  // inside .text, but empty
  empty.offset = 0xffffff00;               // no data, so the offset is irrelevant
  b.phdrs.push_back(empty);
  r = parse(b.build());
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.image.flags, 1u);
  EXPECT_EQ(r.image.segments.size(), 2u);

  // A segment ending exactly at 4 GiB does not wrap.
  ElfBuilder top = ElfBuilder::minimal();
  top.phdrs[1].vaddr = top.phdrs[1].paddr = 0xffffff00;
  top.phdrs[1].memsz = 0x100;
  EXPECT_TRUE(parse(top.build()).ok());

  // Real compiler output: every guest program the build made.
  {
    const std::string dir = vmscope::test::assets_dir();
    std::error_code ec;
    int found = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file() || it->path().extension() != ".elf") continue;
      Bytes file = read_file(it->path());
      ElfResult real = parse_elf(file, it->path().string());
      EXPECT_TRUE(real.ok()) << real.message;
      EXPECT_FALSE(real.image.segments.empty()) << it->path();
      ++found;
    }
    EXPECT_GT(found, 0) << dir << " holds no *.elf file";
  }
}

TEST(ElfImage, EmptyFileNameGivesBareMessage) {
  ElfResult r = parse_elf(Bytes{'n', 'o', 'p', 'e'}, "");
  EXPECT_EQ(r.error, ElfError::not_elf);
  EXPECT_EQ(r.message, "not an ELF file (bad magic bytes 6e 6f 70 65)");
}

// ---- truncation ----

TEST(ElfImage, TruncatedAtEveryLengthIsAnError) {
  Bytes full = ElfBuilder::minimal().build();  // no sections: the file ends with segment data
  ASSERT_TRUE(parse(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    ElfResult r = parse(part);
    EXPECT_FALSE(r.ok()) << "length " << n;
    EXPECT_EQ(r.message.rfind("prog.elf: ", 0), 0u) << r.message;
    if (n < 52) {
      EXPECT_EQ(r.error, ElfError::truncated) << n << ": " << r.message;
    }
  }
  expect_error(parse(Bytes{}), ElfError::truncated, {"empty"});
  expect_error(parse(Bytes(full.begin(), full.begin() + 20)), ElfError::truncated, {"truncated", "20 bytes"});
  expect_error(parse(Bytes(full.begin(), full.begin() + 60)), ElfError::bad_program_headers,
               {"program header table", "outside the file"});
}

TEST(ElfImage, TruncatedSectionsAndSymbolsAreDroppedNotFatal) {
  ElfBuilder b = ElfBuilder::with_symbols();
  Bytes full = b.build();
  ElfResult whole = parse(full);
  ASSERT_TRUE(whole.ok()) << whole.message;
  ASSERT_FALSE(whole.image.symbols.empty());
  for (size_t n = 0; n < full.size(); ++n) {
    ElfResult r = parse(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
    // Cutting into segment data is fatal; cutting only section data loses sections/symbols.
    EXPECT_EQ(r.ok(), n >= b.load_data_end) << "length " << n << ": " << r.message;
    if (r.ok()) {
      EXPECT_EQ(r.image.segments.size(), 2u);
      EXPECT_TRUE(r.image.sections.empty());  // the section header table is at the very end
      EXPECT_TRUE(r.image.symbols.empty());
    }
  }
}

// ---- e_ident and header fields ----

TEST(ElfImage, RejectsNonElf) {
  std::string text = "#!/bin/sh\necho this is a shell script, not a program\n";
  expect_error(parse(Bytes(text.begin(), text.end())), ElfError::not_elf,
               {"not an ELF file", "bad magic bytes 23 21 2f 62"});
  expect_error(parse(Bytes{0x7f, 'E', 'L', 0}), ElfError::not_elf, {"not an ELF file (bad magic bytes 7f 45 4c 00)"});
  expect_error(parse(Bytes{'M'}), ElfError::not_elf, {"bad magic bytes 4d)"});
  expect_error(parse(Bytes{0x7f, 'E'}), ElfError::truncated, {"truncated"});  // an ELF prefix: truncated
}

TEST(ElfImage, RejectsElf64) {
  ElfBuilder b = ElfBuilder::minimal();
  b.ident_class = 2;
  expect_error(parse(b.build()), ElfError::wrong_class, {"64-bit", "RISC-V", "RV32"});
  b.machine = 62;
  expect_error(parse(b.build()), ElfError::wrong_class, {"64-bit", "x86-64"});
  b.machine = 183;
  expect_error(parse(b.build()), ElfError::wrong_class, {"AArch64"});
  b.ident_class = 0;
  expect_error(parse(b.build()), ElfError::wrong_class, {"invalid ELF class 0"});
}

TEST(ElfImage, RejectsBigEndian) {
  ElfBuilder b = ElfBuilder::minimal();
  b.ident_data = 2;
  b.machine = 0x0800;  // read big-endian: 8 (MIPS)
  expect_error(parse(b.build()), ElfError::wrong_endianness, {"big-endian", "MIPS"});
  b.ident_data = 7;
  expect_error(parse(b.build()), ElfError::wrong_endianness, {"data encoding 7"});
}

TEST(ElfImage, RejectsWrongVersion) {
  ElfBuilder b = ElfBuilder::minimal();
  b.ident_version = 0;
  expect_error(parse(b.build()), ElfError::wrong_version, {"version 0", "e_ident"});
  b = ElfBuilder::minimal();
  b.version = 2;
  expect_error(parse(b.build()), ElfError::wrong_version, {"version 2", "e_version"});
}

TEST(ElfImage, RejectsOtherMachines) {
  ElfBuilder b = ElfBuilder::minimal();
  b.machine = 3;
  expect_error(parse(b.build()), ElfError::wrong_machine, {"x86 (i386)", "not RISC-V"});
  b.machine = 62;
  expect_error(parse(b.build()), ElfError::wrong_machine, {"x86-64"});
  b.machine = 40;
  expect_error(parse(b.build()), ElfError::wrong_machine, {"ARM"});
  b.machine = 0x1234;
  expect_error(parse(b.build()), ElfError::wrong_machine, {"unknown machine (e_machine 4660)"});
}

TEST(ElfImage, RejectsNonExecutables) {
  ElfBuilder b = ElfBuilder::minimal();
  b.type = 3;
  expect_error(parse(b.build()), ElfError::not_executable, {"not an executable", "ET_DYN", "-static"});
  b.type = 1;
  expect_error(parse(b.build()), ElfError::not_executable, {"relocatable"});
  b.type = 4;
  expect_error(parse(b.build()), ElfError::not_executable, {"core dump"});
  b.type = 0xfe00;
  expect_error(parse(b.build()), ElfError::not_executable, {"e_type 65024"});
}

TEST(ElfImage, RejectsUnsupportedAbi) {
  ElfBuilder b = ElfBuilder::minimal();
  b.flags = 0x8 | 0x1;  // RVE + RVC
  expect_error(parse(b.build()), ElfError::unsupported_abi, {"RVE", "0x9"});
  b.flags = 0x4;
  expect_error(parse(b.build()), ElfError::unsupported_abi, {"double-float", "soft-float"});
  b.flags = 0x2;
  expect_error(parse(b.build()), ElfError::unsupported_abi, {"single-float"});
}

// ---- program headers ----

TEST(ElfImage, RejectsBadProgramHeaderTables) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phnum = 0xffff;
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"too many program headers", "65535"});
  b.phnum = 1000;  // under the cap, but far past the end of the file
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"outside the file", "1000 entries"});
  b = ElfBuilder::minimal();
  b.phentsize = 56;  // an ELF64 size
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"e_phentsize is 56"});
  b = ElfBuilder::minimal();
  b.phoff = 0xffffffe0;  // would wrap in 32-bit arithmetic
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"outside the file"});
  b.phoff = 0;
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"overlaps the ELF header"});
  b = ElfBuilder::minimal();
  b.phnum = 0;
  expect_error(parse(b.build()), ElfError::no_loadable_segments, {"no program headers"});
}

TEST(ElfImage, RejectsDynamicallyLinked) {
  ElfBuilder b = ElfBuilder::minimal();
  ElfBuilder::Phdr interp;
  interp.type = kPT_INTERP;
  interp.payload = {'/', 'l', 'd', 0};
  interp.memsz = 4;
  b.phdrs.insert(b.phdrs.begin(), interp);
  expect_error(parse(b.build()), ElfError::bad_program_headers, {"program header 0", "PT_INTERP"});
}

TEST(ElfImage, RejectsNoLoadableSegments) {
  ElfBuilder b = ElfBuilder::minimal();
  for (auto& p : b.phdrs) p.type = kPT_NOTE;
  expect_error(parse(b.build()), ElfError::no_loadable_segments, {"no non-empty PT_LOAD"});
  b = ElfBuilder::minimal();
  for (auto& p : b.phdrs) p.payload.clear(), p.memsz = 0;
  expect_error(parse(b.build()), ElfError::no_loadable_segments, {"nothing to load"});
}

TEST(ElfImage, RejectsSegmentDataOutsideFile) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phdrs[1].offset = 0x1000;
  b.phdrs[1].filesz = 0x4000;
  b.phdrs[1].memsz = 0x4000;
  Bytes f = b.build();
  char size_hex[32];
  std::snprintf(size_hex, sizeof size_hex, "0x%zx)", f.size());
  expect_error(parse(f), ElfError::bad_segment,
               {"prog.elf: program header 1: segment data [0x1000, 0x5000) lies outside the file (size ", size_hex});
  // Offset + filesz overflowing 32 bits.
  b = ElfBuilder::minimal();
  b.phdrs[0].offset = 0xfffffff0;
  b.phdrs[0].filesz = 0x20;
  b.phdrs[0].memsz = 0x20;
  expect_error(parse(b.build()), ElfError::bad_segment, {"program header 0", "[0xfffffff0, 0x100000010)"});
}

TEST(ElfImage, RejectsFileszAboveMemsz) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phdrs[1].memsz = 4;  // payload is 8 bytes
  expect_error(parse(b.build()), ElfError::bad_segment,
               {"program header 1", "file size 0x8 is larger than memory size 0x4"});
}

TEST(ElfImage, RejectsAddressWrapAndHugeSegments) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phdrs[1].vaddr = 0xffffff00;
  b.phdrs[1].memsz = 0x200;
  expect_error(parse(b.build()), ElfError::bad_segment, {"program header 1", "virtual", "wraps"});
  b = ElfBuilder::minimal();
  b.phdrs[1].paddr = 0xfffffff0;
  expect_error(parse(b.build()), ElfError::bad_segment, {"physical", "[0xfffffff0, 0x1000000f0)", "wraps"});
  b = ElfBuilder::minimal();
  b.phdrs[1].memsz = 0x80000000;
  expect_error(parse(b.build()), ElfError::bad_segment, {"memory size 0x80000000", "limit"});
}

TEST(ElfImage, RejectsOverlappingSegments) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phdrs[1].vaddr = 0x8000000c;  // inside .text [0x80000000, 0x80000010)
  expect_error(parse(b.build()), ElfError::overlapping_segments,
               {"program headers 0 and 1 overlap in virtual memory", "[0x80000000, 0x80000010)",
                "[0x8000000c, 0x8000010c)"});
  b = ElfBuilder::minimal();
  b.phdrs[0].paddr = 0x80001080;  // load address inside .data's: overlap by paddr only
  expect_error(parse(b.build()), ElfError::overlapping_segments,
               {"program headers 0 and 1 overlap in physical memory"});
  // A third segment overlapping the first but not its sorted neighbour still is found.
  b = ElfBuilder::minimal();
  b.phdrs[1].memsz = 0x2000;                                  // [0x80001000, 0x80003000)
  ElfBuilder::Phdr third;
  third.vaddr = third.paddr = 0x80002000;
  third.memsz = 0x10;
  b.phdrs.push_back(third);
  expect_error(parse(b.build()), ElfError::overlapping_segments, {"program headers 1 and 2"});
  // Touching segments do not overlap.
  b = ElfBuilder::minimal();
  b.phdrs[1].vaddr = b.phdrs[1].paddr = 0x80000010;
  EXPECT_TRUE(parse(b.build()).ok());
}

TEST(ElfImage, RejectsBadEntry) {
  ElfBuilder b = ElfBuilder::minimal();
  b.entry = 0x1000;
  expect_error(parse(b.build()), ElfError::bad_entry, {"entry point 0x1000 is not inside any loadable segment"});
  b.entry = 0x80000010;  // one past the end of .text
  expect_error(parse(b.build()), ElfError::bad_entry, {"0x80000010", "not inside"});
  b.entry = 0x80001004;  // in .data
  expect_error(parse(b.build()), ElfError::bad_entry,
               {"entry point 0x80001004 lies in program header 1", "not executable", "RW-"});
  b.entry = 0x80000003;
  expect_error(parse(b.build()), ElfError::bad_entry, {"aligned"});
  b.entry = 0x8000000e;  // 2-byte aligned is fine (compressed code)
  EXPECT_TRUE(parse(b.build()).ok());
}

// ---- sections and symbols ----

TEST(ElfImage, ParsesSectionsAndSymbols) {
  ElfResult r = parse(ElfBuilder::with_symbols().build());
  ASSERT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(r.image.sections.size(), 3u);  // .comment, .symtab, ... are not SHF_ALLOC
  EXPECT_EQ(r.image.sections[0].name, ".text");
  EXPECT_EQ(r.image.sections[0].addr, 0x80000000u);
  EXPECT_EQ(r.image.sections[0].size, 16u);
  EXPECT_TRUE(r.image.sections[0].executable);
  EXPECT_EQ(r.image.sections[1].name, ".data");
  EXPECT_FALSE(r.image.sections[1].executable);
  EXPECT_EQ(r.image.sections[2].name, ".bss");
  EXPECT_EQ(r.image.sections[2].size, 0xf8u);

  std::vector<std::string> names;
  for (const ElfSymbol& s : r.image.symbols) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"_start", "loop", "counter", "table", "weak_fn", "__stack_size"}));
  const ElfSymbol& start = r.image.symbols[0];
  EXPECT_EQ(start.value, 0x80000000u);
  EXPECT_EQ(start.size, 8u);
  EXPECT_EQ(start.kind, ElfSymbol::Kind::function);
  EXPECT_TRUE(start.global);
  EXPECT_EQ(start.section_index, 1);
  EXPECT_EQ(r.image.symbols[1].kind, ElfSymbol::Kind::other);
  EXPECT_FALSE(r.image.symbols[1].global);
  EXPECT_EQ(r.image.symbols[2].kind, ElfSymbol::Kind::object);
  EXPECT_TRUE(r.image.symbols[4].global);  // weak counts as global
}

TEST(ElfImage, SymbolTableLookups) {
  SymbolTable t(parse(ElfBuilder::with_symbols().build()).image.symbols);
  ASSERT_EQ(t.all().size(), 6u);
  for (size_t i = 1; i < t.all().size(); ++i) EXPECT_LE(t.all()[i - 1].value, t.all()[i].value);

  // By name.
  ASSERT_NE(t.find("counter"), nullptr);
  EXPECT_EQ(t.find("counter")->value, 0x80001000u);
  EXPECT_EQ(t.find("loop")->value, 0x8000000cu);
  EXPECT_EQ(t.find("__stack_size")->value, 0x800u);
  EXPECT_EQ(t.find("nope"), nullptr);
  EXPECT_EQ(t.find(""), nullptr);
  EXPECT_EQ(t.find("$x"), nullptr);

  // By address: covering symbol, with offset.
  uint32_t off = 99;
  const ElfSymbol* s = t.lookup(0x80000000, &off);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "_start");
  EXPECT_EQ(off, 0u);
  s = t.lookup(0x80000006, &off);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "_start");
  EXPECT_EQ(off, 6u);
  s = t.lookup(0x80000009, &off);
  EXPECT_EQ(s->name, "weak_fn");
  EXPECT_EQ(off, 1u);
  s = t.lookup(0x80001006, &off);
  EXPECT_EQ(s->name, "table");
  EXPECT_EQ(off, 2u);

  // Nearest at or below: the zero-size label, and past the end of a sized object.
  s = t.lookup(0x8000000c, &off);
  EXPECT_EQ(s->name, "loop");
  EXPECT_EQ(off, 0u);
  s = t.lookup(0x8000000f, &off);
  EXPECT_EQ(s->name, "loop");
  EXPECT_EQ(off, 3u);
  s = t.lookup(0x80001050, &off);
  EXPECT_EQ(s->name, "table");
  EXPECT_EQ(off, 0x4cu);
  EXPECT_EQ(t.lookup(0x80001050)->name, "table");  // offset pointer is optional

  // Below every symbol; absolute symbols are not addresses.
  EXPECT_EQ(t.lookup(0x7fffffff), nullptr);
  EXPECT_EQ(t.lookup(0x900), nullptr);

  // An empty table.
  SymbolTable empty;
  EXPECT_EQ(empty.find("x"), nullptr);
  EXPECT_EQ(empty.lookup(0), nullptr);
  EXPECT_TRUE(empty.all().empty());
}

TEST(ElfImage, SymbolTablePreferencesAndNesting) {
  using K = ElfSymbol::Kind;
  std::vector<ElfSymbol> syms = {
      {"outer", 0x1000, 0x100, K::function, true, 1},
      {"inner_label", 0x1010, 0, K::other, false, 1},
      {"inner", 0x1040, 0x10, K::function, false, 1},
      {"alias_local", 0x2000, 0, K::other, false, 1},
      {"alias", 0x2000, 0x20, K::function, true, 1},
      {"dup", 0x3000, 4, K::object, false, 1},
      {"dup", 0x3100, 4, K::object, true, 1},
      {"top", 0xfffffff0, 0x10, K::object, true, 1},
  };
  SymbolTable t(syms);
  uint32_t off = 0;
  EXPECT_EQ(t.lookup(0x1044, &off)->name, "inner");  // innermost covering symbol
  EXPECT_EQ(off, 4u);
  EXPECT_EQ(t.lookup(0x1020, &off)->name, "outer");  // covering beats a nearer zero-size label
  EXPECT_EQ(off, 0x20u);
  EXPECT_EQ(t.lookup(0x1050, &off)->name, "outer");  // past inner's end, still inside outer
  EXPECT_EQ(off, 0x50u);
  EXPECT_EQ(t.lookup(0x2000)->name, "alias");        // function over plain label at one address
  EXPECT_EQ(t.find("dup")->value, 0x3100u);          // the global one
  EXPECT_EQ(t.lookup(0xffffffff, &off)->name, "top");
  EXPECT_EQ(off, 0xfu);
  SymbolTable copy = t;  // copies stay valid on their own
  t = SymbolTable();
  EXPECT_EQ(copy.find("inner")->value, 0x1040u);
}

TEST(ElfImage, MalformedSymbolTablesAreIgnored) {
  // .symtab data outside the file.
  ElfBuilder b = ElfBuilder::with_symbols();
  b.symtab_offset = 0x7ffffff0;
  ElfResult r = parse(b.build());
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.image.symbols.empty());
  EXPECT_EQ(r.image.sections.size(), 3u);  // sections are still fine

  b = ElfBuilder::with_symbols();
  b.symtab_size = 0xfffffff0;  // offset + size wraps in 32 bits
  r = parse(b.build());
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.image.symbols.empty());

  b = ElfBuilder::with_symbols();
  b.symtab_link = 200;  // no such string table
  r = parse(b.build());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.image.symbols.empty());

  b = ElfBuilder::with_symbols();
  b.symtab_link = 1;  // .text: not a string table
  r = parse(b.build());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.image.symbols.empty());

  b = ElfBuilder::with_symbols();
  b.strtab_offset = 0xfffffff0;
  r = parse(b.build());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.image.symbols.empty());

  // Section header table outside the file: no sections, no symbols, still loads.
  b = ElfBuilder::with_symbols();
  b.shoff = 0xfffffff0;
  r = parse(b.build());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.image.sections.empty());
  EXPECT_TRUE(r.image.symbols.empty());

  // Names pointing past the string table, or left unterminated, are dropped one by one.
  b = ElfBuilder::with_symbols();
  Bytes f = b.build();
  const size_t shoff = f[32] | (f[33] << 8) | (f[34] << 16) | (static_cast<size_t>(f[35]) << 24);
  const size_t symtab_shdr = shoff + 40 * (1 + b.sections.size());
  const size_t symtab_at = f[symtab_shdr + 16] | (f[symtab_shdr + 17] << 8) | (f[symtab_shdr + 18] << 16);
  const size_t strtab_shdr = symtab_shdr + 40;
  const size_t strtab_size = f[strtab_shdr + 20] | (f[strtab_shdr + 21] << 8);
  // Symbol 7 is "_start" (entry 0 is null): point its name past the table.
  put32(f, symtab_at + 16 * 7, 0x7fffffff);
  // The last string of .strtab loses its terminator by shrinking the table by one byte.
  put32(f, strtab_shdr + 20, static_cast<uint32_t>(strtab_size - 1));
  r = parse(f);
  ASSERT_TRUE(r.ok()) << r.message;
  std::vector<std::string> names;
  for (const ElfSymbol& s : r.image.symbols) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"loop", "counter", "table", "weak_fn"}));
}

// Many symbols sharing one long name must not make the parser copy far more than the file holds.
TEST(ElfImage, HostileSymbolNamesAreBounded) {
  auto build = [](int count, size_t name_length, bool share = true) {
    ElfBuilder b = ElfBuilder::with_symbols();
    b.symbols.clear();
    b.symbols.push_back({std::string(name_length, 'n'), 0x80000000, 4, st_info(kSTB_GLOBAL, kSTT_FUNC), 1});
    for (int i = 1; i < count; ++i)
      b.symbols.push_back({"s" + std::to_string(i), 0x80000000, 4, st_info(kSTB_GLOBAL, kSTT_FUNC), 1});
    Bytes f = b.build();
    if (!share) return f;
    // Point every symbol's name at the long one (offset 1 in .strtab).
    size_t shoff = f[32] | (f[33] << 8) | (f[34] << 16);
    size_t symtab_shdr = shoff + 40 * (1 + b.sections.size());
    size_t symtab_at = f[symtab_shdr + 16] | (f[symtab_shdr + 17] << 8) | (f[symtab_shdr + 18] << 16);
    for (int i = 1; i <= count; ++i) put32(f, symtab_at + 16 * i, 1);
    return f;
  };
  ElfResult r = parse(build(200, 4000));  // 800 KB of names: still accepted
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.image.symbols.size(), 200u);
  r = parse(build(400, 4000));  // 1.6 MB of names from a 4 KB string table: the table is dropped
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_TRUE(r.image.symbols.empty());
  r = parse(build(3, 5000, false));  // a name longer than any real one is dropped, the rest kept
  ASSERT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(r.image.symbols.size(), 2u);
  EXPECT_EQ(r.image.symbols[0].name, "s1");
}

// ---- place_check ----

TEST(ElfImage, PlaceCheck) {
  ElfBuilder b = ElfBuilder::minimal();
  b.phdrs[1].paddr = 0x20000000;  // .data loaded from "flash"
  ElfResult r = parse(b.build());
  ASSERT_TRUE(r.ok()) << r.message;

  const MemoryRegion ram[] = {{0x80000000, 0x08000000}};
  EXPECT_TRUE(place_check(r.image, ram, false, "prog.elf").ok());
  ElfResult bad = place_check(r.image, ram, true, "prog.elf");
  EXPECT_EQ(bad.error, ElfError::segment_outside_memory);
  EXPECT_EQ(bad.message.rfind("prog.elf: ", 0), 0u);
  EXPECT_NE(bad.message.find("segment 1"), std::string::npos) << bad.message;
  EXPECT_NE(bad.message.find("physical addresses [0x20000000, 0x20000100)"), std::string::npos) << bad.message;
  EXPECT_NE(bad.message.find("[0x80000000, 0x88000000)"), std::string::npos) << bad.message;

  const MemoryRegion two[] = {{0x20000000, 0x1000}, {0x80000000, 0x1000}};
  EXPECT_TRUE(place_check(r.image, two, true, "prog.elf").ok());
  bad = place_check(r.image, two, false, "prog.elf");  // .data's vaddr 0x80001000 is past the 2nd region
  EXPECT_EQ(bad.error, ElfError::segment_outside_memory);
  EXPECT_NE(bad.message.find("virtual addresses [0x80001000, 0x80001100)"), std::string::npos) << bad.message;

  // Straddling two adjacent regions is not "inside one of them".
  const MemoryRegion split[] = {{0x80000000, 0x1080}, {0x80001080, 0x1000}};
  EXPECT_EQ(place_check(r.image, split, false, "p").error, ElfError::segment_outside_memory);
  // A region ending at 4 GiB, and no regions at all.
  const MemoryRegion all[] = {{0, 0xffffffff}};
  EXPECT_TRUE(place_check(r.image, all, false, "p").ok());
  ElfBuilder top = ElfBuilder::minimal();
  top.phdrs[1].vaddr = top.phdrs[1].paddr = 0xffffff00;
  top.phdrs[1].memsz = 0x100;  // [0xffffff00, 4 GiB)
  ElfResult t = parse(top.build());
  ASSERT_TRUE(t.ok()) << t.message;
  const MemoryRegion high[] = {{0x80000000, 0x1000}, {0xf0000000, 0x10000000}};
  EXPECT_TRUE(place_check(t.image, high, true, "p").ok());
  EXPECT_FALSE(place_check(t.image, all, true, "p").ok());  // [0, 0xffffffff) misses the last byte
  bad = place_check(r.image, std::span<const MemoryRegion>(), false, "p");
  EXPECT_EQ(bad.error, ElfError::segment_outside_memory);
  EXPECT_NE(bad.message.find("no memory regions"), std::string::npos) << bad.message;
}

TEST(ElfImage, ErrorNames) {
  EXPECT_STREQ(to_string(ElfError::none), "none");
  EXPECT_STREQ(to_string(ElfError::truncated), "truncated");
  EXPECT_STREQ(to_string(ElfError::bad_entry), "bad_entry");
  EXPECT_STREQ(to_string(ElfError::segment_outside_memory), "segment_outside_memory");
  std::vector<std::string> seen;
  for (int e = 0; e <= static_cast<int>(ElfError::segment_outside_memory); ++e) {
    std::string name = to_string(static_cast<ElfError>(e));
    EXPECT_EQ(std::count(seen.begin(), seen.end(), name), 0) << name;
    seen.push_back(name);
  }
}

}  // namespace
}  // namespace vmscope
