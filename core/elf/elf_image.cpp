// Parses and validates an RV32 ELF executable held in memory, and indexes its symbols.
#include "elf/elf_image.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <tuple>
#include <utility>

namespace vmscope {
namespace {

// The ELF constants we need; <elf.h> is not available in every build (emscripten, macOS).
constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
constexpr size_t EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6, EI_NIDENT = 16;
constexpr uint8_t ELFCLASS32 = 1, ELFCLASS64 = 2;
constexpr uint8_t ELFDATA2LSB = 1, ELFDATA2MSB = 2;
constexpr uint32_t EV_CURRENT = 1;
constexpr uint16_t ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
constexpr uint16_t EM_RISCV = 243;
constexpr uint32_t EF_RISCV_FLOAT_ABI_MASK = 0x6, EF_RISCV_RVE = 0x8;

constexpr size_t kEhdrSize = 52, kPhdrSize = 32, kShdrSize = 40, kSymSize = 16;
constexpr uint32_t PT_LOAD = 1, PT_INTERP = 3;
constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
constexpr uint32_t SHT_SYMTAB = 2, SHT_STRTAB = 3;
constexpr uint32_t SHF_ALLOC = 0x2, SHF_EXECINSTR = 0x4;
constexpr uint16_t SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1;
constexpr uint8_t STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
constexpr uint8_t STB_GLOBAL = 1, STB_WEAK = 2;

// Real programs have a handful of program headers; a cap keeps hostile files cheap.
constexpr uint32_t kMaxProgramHeaders = 1024;
// Longer symbol names are treated as garbage (C++ names stay far below this).
constexpr size_t kMaxSymbolName = 4096;

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t rd32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
std::string format(const char* fmt, ...);
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return {};
  return std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
}

std::string hex(uint64_t v) { return format("0x%llx", static_cast<unsigned long long>(v)); }
std::string range(uint64_t begin, uint64_t end) { return "[" + hex(begin) + ", " + hex(end) + ")"; }

std::string flags_text(uint32_t f) {
  std::string s;
  s += (f & PF_R) ? 'R' : '-';
  s += (f & PF_W) ? 'W' : '-';
  s += (f & PF_X) ? 'X' : '-';
  return s;
}

const char* machine_name(uint16_t m) {
  switch (m) {
    case 0: return "no machine (EM_NONE)";
    case 2: return "SPARC";
    case 3: return "x86 (i386)";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "IBM S/390";
    case 40: return "ARM (32-bit)";
    case 43: return "SPARC v9";
    case 50: return "IA-64";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 247: return "BPF";
    case 258: return "LoongArch";
    default: return nullptr;
  }
}

std::string machine_text(uint16_t m) {
  const char* name = machine_name(m);
  return name ? std::string(name) + " (e_machine " + std::to_string(m) + ")"
              : "unknown machine (e_machine " + std::to_string(m) + ")";
}

struct Parser {
  std::span<const uint8_t> file;
  std::string prefix;  // "<file_name>: "
  ElfResult result;

  uint64_t size() const { return file.size(); }
  bool in_file(uint64_t offset, uint64_t length) const {
    return offset <= size() && length <= size() - offset;
  }

  bool fail(ElfError e, std::string msg) {
    result.error = e;
    result.message = prefix + std::move(msg);
    return false;
  }

  bool check_ident();
  bool check_header(uint16_t& phnum, uint32_t& phoff);
  bool load_segments(uint16_t phnum, uint32_t phoff, std::vector<uint32_t>& ph_index);
  bool check_overlaps(const std::vector<uint32_t>& ph_index, bool physical);
  bool check_entry(const std::vector<uint32_t>& ph_index);
  void read_sections();
  void read_symbols(const uint8_t* shdrs, uint32_t shnum, uint32_t symtab_index);

  // A NUL-terminated string at `offset` inside the string table [tab_off, tab_off+tab_size),
  // which the caller has bounds-checked. Returns false when unterminated or too long.
  bool read_string(uint32_t tab_off, uint32_t tab_size, uint32_t offset, std::string& out) const {
    if (offset >= tab_size) return false;
    const uint8_t* begin = file.data() + tab_off + offset;
    size_t limit = std::min<size_t>(tab_size - offset, kMaxSymbolName + 1);
    const uint8_t* end = std::find(begin, begin + limit, uint8_t{0});
    if (end == begin + limit) return false;
    out.assign(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin));
    return true;
  }
};

bool Parser::check_ident() {
  // Compare the magic on what is there, so a short non-ELF file is "not ELF", not "truncated".
  size_t have = std::min<size_t>(file.size(), 4);
  std::span<const uint8_t> magic = file.first(have);
  if (!std::equal(magic.begin(), magic.end(), kElfMagic)) {
    std::string bytes;
    for (size_t i = 0; i < have; ++i) bytes += format(i ? " %02x" : "%02x", file[i]);
    return fail(ElfError::not_elf, "not an ELF file (bad magic bytes " + bytes + ")");
  }
  if (file.empty()) return fail(ElfError::truncated, "file is empty");
  if (file.size() < EI_NIDENT)
    return fail(ElfError::truncated, format("file is truncated: %zu bytes, an ELF header needs %zu",
                                            file.size(), kEhdrSize));

  // e_machine sits at offset 18 in every class; name it to say what the file really is.
  auto machine_of = [&](bool big_endian) -> std::string {
    if (file.size() < 20) return "";
    uint16_t m = big_endian ? static_cast<uint16_t>((file[18] << 8) | file[19]) : rd16(&file[18]);
    return ", " + machine_text(m);
  };
  uint8_t cls = file[EI_CLASS], data = file[EI_DATA];
  bool big = data == ELFDATA2MSB;
  if (cls == ELFCLASS64) {
    return fail(ElfError::wrong_class,
                "64-bit ELF file (ELFCLASS64" + machine_of(big) +
                    "); vmscope runs 32-bit RISC-V (RV32) programs: build with -march=rv32... -mabi=ilp32");
  }
  if (cls != ELFCLASS32)
    return fail(ElfError::wrong_class, format("invalid ELF class %u (expected 1, ELFCLASS32)", cls));
  if (data == ELFDATA2MSB)
    return fail(ElfError::wrong_endianness,
                "big-endian ELF file (ELFDATA2MSB" + machine_of(true) + "); RISC-V is little-endian");
  if (data != ELFDATA2LSB)
    return fail(ElfError::wrong_endianness,
                format("invalid ELF data encoding %u (expected 1, little-endian)", data));
  if (file[EI_VERSION] != EV_CURRENT)
    return fail(ElfError::wrong_version,
                format("unsupported ELF version %u in e_ident (expected 1)", file[EI_VERSION]));
  return true;
}

bool Parser::check_header(uint16_t& phnum, uint32_t& phoff) {
  if (file.size() < kEhdrSize)
    return fail(ElfError::truncated, format("file is truncated: %zu bytes, an ELF header needs %zu",
                                            file.size(), kEhdrSize));
  const uint8_t* h = file.data();
  uint16_t type = rd16(h + 16), machine = rd16(h + 18);
  uint32_t version = rd32(h + 20);
  if (machine != EM_RISCV)
    return fail(ElfError::wrong_machine,
                "ELF file for " + machine_text(machine) + ", not RISC-V (e_machine 243)");
  if (version != EV_CURRENT)
    return fail(ElfError::wrong_version, format("unsupported ELF version %u in e_version (expected 1)", version));
  if (type != ET_EXEC) {
    const char* what = type == ET_NONE ? "has no file type (ET_NONE)"
                       : type == ET_REL ? "is a relocatable object file (ET_REL): link it into an executable"
                       : type == ET_DYN ? "is a shared object or position-independent executable (ET_DYN): "
                                          "link with -static -no-pie"
                       : type == ET_CORE ? "is a core dump (ET_CORE)"
                                         : nullptr;
    return fail(ElfError::not_executable,
                what ? std::string("not an executable: the file ") + what
                     : format("not an executable: unknown file type e_type %u (expected 2, ET_EXEC)", type));
  }
  uint32_t flags = rd32(h + 36);
  if (flags & EF_RISCV_RVE)
    return fail(ElfError::unsupported_abi,
                hex(flags) + " in e_flags marks an RVE (ilp32e) program; vmscope runs RV32I programs");
  if (uint32_t fabi = flags & EF_RISCV_FLOAT_ABI_MASK; fabi != 0) {
    const char* abi = fabi == 2 ? "single-float (ilp32f)" : fabi == 4 ? "double-float (ilp32d)" : "quad-float";
    return fail(ElfError::unsupported_abi,
                std::string("e_flags ") + hex(flags) + " selects the " + abi +
                    " ABI; vmscope supports only the soft-float ABI (-mabi=ilp32)");
  }
  result.image.entry = rd32(h + 24);
  result.image.flags = flags;

  phoff = rd32(h + 28);
  phnum = rd16(h + 44);
  uint16_t phentsize = rd16(h + 42);
  if (phnum == 0)
    return fail(ElfError::no_loadable_segments, "the file has no program headers, so nothing to load");
  if (phentsize != kPhdrSize)
    return fail(ElfError::bad_program_headers,
                format("program header entry size e_phentsize is %u (expected %zu)", phentsize, kPhdrSize));
  if (phnum > kMaxProgramHeaders)
    return fail(ElfError::bad_program_headers,
                format("too many program headers: e_phnum is %u (at most %u accepted)", phnum, kMaxProgramHeaders));
  uint64_t table_end = uint64_t{phoff} + uint64_t{phnum} * kPhdrSize;
  if (phoff < kEhdrSize)
    return fail(ElfError::bad_program_headers,
                "program header table offset e_phoff " + hex(phoff) + " overlaps the ELF header");
  if (!in_file(phoff, table_end - phoff))
    return fail(ElfError::bad_program_headers,
                format("program header table %s (%u entries) lies outside the file (size %s): "
                       "the file is truncated or corrupt",
                       range(phoff, table_end).c_str(), phnum, hex(size()).c_str()));
  return true;
}

bool Parser::load_segments(uint16_t phnum, uint32_t phoff, std::vector<uint32_t>& ph_index) {
  for (uint32_t i = 0; i < phnum; ++i) {
    const uint8_t* p = file.data() + phoff + size_t{i} * kPhdrSize;
    uint32_t type = rd32(p);
    std::string where = format("program header %u: ", i);
    if (type == PT_INTERP)
      return fail(ElfError::bad_program_headers,
                  where + "PT_INTERP: a dynamically linked program; vmscope needs a static one (link with -static)");
    if (type != PT_LOAD) continue;  // PT_NOTE, PT_TLS, PT_RISCV_ATTRIBUTES, ... need no loading
    uint32_t offset = rd32(p + 4), vaddr = rd32(p + 8), paddr = rd32(p + 12);
    uint32_t filesz = rd32(p + 16), memsz = rd32(p + 20), flags = rd32(p + 24);
    if (filesz > memsz)
      return fail(ElfError::bad_segment, where + "file size " + hex(filesz) + " is larger than memory size " +
                                             hex(memsz));
    if (filesz != 0 && !in_file(offset, filesz))
      return fail(ElfError::bad_segment, where + "segment data " + range(offset, uint64_t{offset} + filesz) +
                                             " lies outside the file (size " + hex(size()) + ")");
    if (memsz == 0) continue;  // empty segments are legal and load nothing
    if (memsz > kMaxSegmentSize)
      return fail(ElfError::bad_segment, where + "memory size " + hex(memsz) + " exceeds the " +
                                             hex(kMaxSegmentSize) + "-byte limit of one segment");
    if (uint64_t{vaddr} + memsz > (uint64_t{1} << 32))
      return fail(ElfError::bad_segment, where + "virtual address range " + range(vaddr, uint64_t{vaddr} + memsz) +
                                             " wraps past the end of the 4 GiB address space");
    if (uint64_t{paddr} + memsz > (uint64_t{1} << 32))
      return fail(ElfError::bad_segment, where + "physical address range " +
                                             range(paddr, uint64_t{paddr} + memsz) +
                                             " wraps past the end of the 4 GiB address space");
    ElfSegment seg;
    seg.vaddr = vaddr;
    seg.paddr = paddr;
    seg.memsz = memsz;
    seg.flags = flags;
    if (filesz) seg.data.assign(file.begin() + offset, file.begin() + offset + filesz);
    if (phoff >= offset && uint64_t{phoff} + uint64_t{phnum} * kPhdrSize <= uint64_t{offset} + filesz)
      result.image.phdr_vaddr = vaddr + (phoff - offset);
    result.image.segments.push_back(std::move(seg));
    ph_index.push_back(i);
  }
  result.image.phnum = phnum;
  if (result.image.segments.empty())
    return fail(ElfError::no_loadable_segments, "the file has no non-empty PT_LOAD segment, so nothing to load");
  return true;
}

// Sorting by start makes any overlap show up between neighbours: O(n log n) for hostile counts.
bool Parser::check_overlaps(const std::vector<uint32_t>& ph_index, bool physical) {
  const auto& segs = result.image.segments;
  auto start = [&](size_t k) { return physical ? segs[k].paddr : segs[k].vaddr; };
  std::vector<size_t> order(segs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return start(a) < start(b); });
  for (size_t k = 1; k < order.size(); ++k) {
    size_t a = order[k - 1], b = order[k];
    uint64_t a_end = uint64_t{start(a)} + segs[a].memsz;
    if (a_end > start(b)) {
      uint32_t first = std::min(ph_index[a], ph_index[b]), second = std::max(ph_index[a], ph_index[b]);
      size_t f = ph_index[a] < ph_index[b] ? a : b, s = f == a ? b : a;
      return fail(ElfError::overlapping_segments,
                  format("program headers %u and %u overlap in %s memory: %s and %s", first, second,
                         physical ? "physical" : "virtual",
                         range(start(f), uint64_t{start(f)} + segs[f].memsz).c_str(),
                         range(start(s), uint64_t{start(s)} + segs[s].memsz).c_str()));
    }
  }
  return true;
}

bool Parser::check_entry(const std::vector<uint32_t>& ph_index) {
  uint32_t entry = result.image.entry;
  const auto& segs = result.image.segments;
  for (size_t k = 0; k < segs.size(); ++k) {
    if (entry < segs[k].vaddr || uint64_t{entry} >= uint64_t{segs[k].vaddr} + segs[k].memsz) continue;
    if (!(segs[k].flags & PF_X))
      return fail(ElfError::bad_entry,
                  format("entry point %s lies in program header %u %s, which is not executable (flags %s)",
                         hex(entry).c_str(), ph_index[k],
                         range(segs[k].vaddr, uint64_t{segs[k].vaddr} + segs[k].memsz).c_str(),
                         flags_text(segs[k].flags).c_str()));
    if (entry & 1)
      return fail(ElfError::bad_entry, "entry point " + hex(entry) + " is not 2-byte aligned");
    return true;
  }
  return fail(ElfError::bad_entry, "entry point " + hex(entry) + " is not inside any loadable segment");
}

// Section headers are optional (stripped files, hand-made images): anything malformed is ignored.
void Parser::read_sections() {
  const uint8_t* h = file.data();
  uint32_t shoff = rd32(h + 32);
  uint16_t shentsize = rd16(h + 46), shnum = rd16(h + 48), shstrndx = rd16(h + 50);
  if (shoff == 0 || shnum == 0 || shentsize != kShdrSize) return;
  if (shoff < kEhdrSize || !in_file(shoff, uint64_t{shnum} * kShdrSize)) return;
  const uint8_t* shdrs = file.data() + shoff;
  auto shdr = [&](uint32_t i) { return shdrs + size_t{i} * kShdrSize; };

  // The section name table; without a sane one sections keep empty names.
  uint32_t names_off = 0, names_size = 0;
  if (shstrndx != SHN_UNDEF && shstrndx < shnum) {
    const uint8_t* s = shdr(shstrndx);
    uint32_t off = rd32(s + 16), sz = rd32(s + 20);
    if (rd32(s + 4) == SHT_STRTAB && in_file(off, sz)) names_off = off, names_size = sz;
  }

  uint32_t symtab = 0;
  for (uint32_t i = 1; i < shnum; ++i) {
    const uint8_t* s = shdr(i);
    uint32_t type = rd32(s + 4), flags = rd32(s + 8), addr = rd32(s + 12), sz = rd32(s + 20);
    if (type == SHT_SYMTAB && symtab == 0) symtab = i;
    if (!(flags & SHF_ALLOC) || uint64_t{addr} + sz > (uint64_t{1} << 32)) continue;
    ElfSection sec;
    if (!read_string(names_off, names_size, rd32(s), sec.name)) sec.name.clear();
    sec.addr = addr;
    sec.size = sz;
    sec.executable = (flags & SHF_EXECINSTR) != 0;
    sec.index = static_cast<uint16_t>(i);
    result.image.sections.push_back(std::move(sec));
  }
  if (symtab) read_symbols(shdrs, shnum, symtab);
}

bool is_mapping_symbol(const std::string& n) {
  // RISC-V mapping symbols: "$x", "$d", "$x.N", "$d.N" and "$x<isa string>" (e.g. "$xrv32i2p1_m2p0").
  if (n.size() < 2 || n[0] != '$' || (n[1] != 'x' && n[1] != 'd')) return false;
  return n.size() == 2 || n[2] == '.' || (n[1] == 'x' && n.compare(2, 2, "rv") == 0);
}

void Parser::read_symbols(const uint8_t* shdrs, uint32_t shnum, uint32_t symtab_index) {
  const uint8_t* s = shdrs + size_t{symtab_index} * kShdrSize;
  uint32_t off = rd32(s + 16), sz = rd32(s + 20), link = rd32(s + 24), entsize = rd32(s + 36);
  if (entsize != kSymSize || !in_file(off, sz) || link == 0 || link >= shnum) return;
  const uint8_t* strtab = shdrs + size_t{link} * kShdrSize;
  uint32_t str_off = rd32(strtab + 16), str_size = rd32(strtab + 20);
  if (rd32(strtab + 4) != SHT_STRTAB || !in_file(str_off, str_size)) return;

  // Names may share string-table bytes, so bound the total copied: a hostile table must not make
  // us allocate far more than the file holds.
  uint64_t budget = uint64_t{str_size} * 2 + (1u << 20);
  std::vector<ElfSymbol> symbols;
  for (uint32_t i = 1; i < sz / kSymSize; ++i) {  // entry 0 is the reserved null symbol
    const uint8_t* e = file.data() + off + size_t{i} * kSymSize;
    uint8_t info = e[12], type = info & 0xf, bind = info >> 4;
    uint16_t shndx = rd16(e + 14);
    if (type == STT_FILE || type == STT_SECTION || shndx == SHN_UNDEF) continue;
    ElfSymbol sym;
    if (!read_string(str_off, str_size, rd32(e), sym.name) || sym.name.empty()) continue;
    if (is_mapping_symbol(sym.name) || sym.name.starts_with(".L")) continue;
    if (sym.name.size() > budget) return;  // not sane: drop the whole table
    budget -= sym.name.size();
    sym.value = rd32(e + 4);
    sym.size = rd32(e + 8);
    sym.kind = type == STT_FUNC ? ElfSymbol::Kind::function
               : type == STT_OBJECT ? ElfSymbol::Kind::object
                                    : ElfSymbol::Kind::other;
    sym.global = bind == STB_GLOBAL || bind == STB_WEAK;
    sym.section_index = shndx;
    symbols.push_back(std::move(sym));
  }
  result.image.symbols = std::move(symbols);
}

std::string prefix_for(std::string_view file_name) {
  return file_name.empty() ? std::string() : std::string(file_name) + ": ";
}

}  // namespace

ElfResult parse_elf(std::span<const uint8_t> file, std::string_view file_name) {
  Parser p{file, prefix_for(file_name), {}};
  uint16_t phnum = 0;
  uint32_t phoff = 0;
  std::vector<uint32_t> ph_index;  // program header number of each kept segment, for messages
  if (p.check_ident() && p.check_header(phnum, phoff) && p.load_segments(phnum, phoff, ph_index) &&
      p.check_overlaps(ph_index, false) && p.check_overlaps(ph_index, true) && p.check_entry(ph_index)) {
    p.read_sections();
  }
  if (!p.result.ok()) p.result.image = ElfImage{};
  return std::move(p.result);
}

ElfResult place_check(const ElfImage& image, std::span<const MemoryRegion> regions, bool use_paddr,
                      std::string_view file_name) {
  ElfResult r;
  for (size_t k = 0; k < image.segments.size(); ++k) {
    const ElfSegment& seg = image.segments[k];
    if (seg.memsz == 0) continue;
    uint64_t begin = use_paddr ? seg.paddr : seg.vaddr, end = begin + seg.memsz;
    bool fits = std::any_of(regions.begin(), regions.end(), [&](const MemoryRegion& m) {
      return begin >= m.base && end <= uint64_t{m.base} + m.size;
    });
    if (fits) continue;
    std::string mem;
    for (const MemoryRegion& m : regions) mem += (mem.empty() ? "" : ", ") + range(m.base, uint64_t{m.base} + m.size);
    r.error = ElfError::segment_outside_memory;
    r.message = prefix_for(file_name) +
                format("segment %zu (%s, %s addresses %s) does not fit inside the machine's memory (%s)", k,
                       flags_text(seg.flags).c_str(), use_paddr ? "physical" : "virtual",
                       range(begin, end).c_str(), mem.empty() ? "no memory regions" : mem.c_str());
    return r;
  }
  return r;
}

const char* to_string(ElfError e) {
  switch (e) {
    case ElfError::none: return "none";
    case ElfError::truncated: return "truncated";
    case ElfError::not_elf: return "not_elf";
    case ElfError::wrong_class: return "wrong_class";
    case ElfError::wrong_endianness: return "wrong_endianness";
    case ElfError::wrong_version: return "wrong_version";
    case ElfError::wrong_machine: return "wrong_machine";
    case ElfError::not_executable: return "not_executable";
    case ElfError::unsupported_abi: return "unsupported_abi";
    case ElfError::bad_program_headers: return "bad_program_headers";
    case ElfError::bad_segment: return "bad_segment";
    case ElfError::overlapping_segments: return "overlapping_segments";
    case ElfError::no_loadable_segments: return "no_loadable_segments";
    case ElfError::bad_entry: return "bad_entry";
    case ElfError::segment_outside_memory: return "segment_outside_memory";
  }
  return "unknown";
}

// ---- SymbolTable ----

namespace {

// Higher is better when several symbols share an address or a name.
auto preference(const ElfSymbol& s) {
  int kind = s.kind == ElfSymbol::Kind::function ? 2 : s.kind == ElfSymbol::Kind::object ? 1 : 0;
  return std::make_tuple(kind, s.global, s.size != 0);
}

}  // namespace

SymbolTable::SymbolTable(std::vector<ElfSymbol> symbols) : symbols_(std::move(symbols)) {
  // Best last within one address, so a backwards walk from upper_bound meets it first. The name
  // breaks the remaining ties so that the order does not depend on the input order.
  std::sort(symbols_.begin(), symbols_.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    auto pa = preference(a), pb = preference(b);
    return std::tie(a.value, pa, b.name) < std::tie(b.value, pb, a.name);
  });
  uint64_t max_end = 0;
  for (uint32_t i = 0; i < symbols_.size(); ++i) {
    if (symbols_[i].section_index == SHN_ABS || symbols_[i].section_index == SHN_UNDEF) continue;
    if (symbols_[i].section_index >= SHN_LORESERVE && symbols_[i].section_index != 0xffff) continue;  // COMMON...
    by_address_.push_back(i);
    max_end = std::max(max_end, uint64_t{symbols_[i].value} + symbols_[i].size);
    max_end_.push_back(max_end);
  }
  by_name_.resize(symbols_.size());
  for (uint32_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  std::stable_sort(by_name_.begin(), by_name_.end(), [&](uint32_t a, uint32_t b) {
    const ElfSymbol &sa = symbols_[a], &sb = symbols_[b];
    if (sa.name != sb.name) return sa.name < sb.name;
    auto pa = std::make_tuple(sa.global, std::get<0>(preference(sa)));
    auto pb = std::make_tuple(sb.global, std::get<0>(preference(sb)));
    return pa > pb;
  });
}

const ElfSymbol* SymbolTable::find(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](uint32_t i, std::string_view n) { return symbols_[i].name < n; });
  if (it == by_name_.end() || symbols_[*it].name != name) return nullptr;
  return &symbols_[*it];
}

const ElfSymbol* SymbolTable::lookup(uint32_t addr, uint32_t* offset) const {
  // First position whose symbol starts above addr; everything before it starts at or below.
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), addr,
                             [&](uint32_t a, uint32_t i) { return a < symbols_[i].value; });
  size_t n = static_cast<size_t>(it - by_address_.begin());
  if (n == 0) return nullptr;
  const ElfSymbol* found = &symbols_[by_address_[n - 1]];  // nearest at or below
  // Walk back for the innermost symbol covering addr; max_end_ tells when none can be left.
  for (size_t k = n; k-- > 0 && max_end_[k] > addr;) {
    const ElfSymbol& s = symbols_[by_address_[k]];
    if (uint64_t{s.value} + s.size > addr) {
      found = &s;
      break;
    }
  }
  if (offset) *offset = addr - found->value;
  return found;
}

const std::vector<ElfSymbol>& SymbolTable::all() const { return symbols_; }

}  // namespace vmscope
