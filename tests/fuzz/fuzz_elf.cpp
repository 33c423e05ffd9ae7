// libFuzzer target: parse_elf, place_check and SymbolTable on arbitrary bytes, checking invariants.
#include "elf/elf_image.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

using namespace vmscope;

namespace {

// Invariant violations are bugs even without a memory error: crash so that libFuzzer reports them.
void require(bool condition) {
  if (!condition) std::abort();
}

void check_image(const ElfImage& image) {
  require(!image.segments.empty());
  bool entry_ok = false;
  for (size_t i = 0; i < image.segments.size(); ++i) {
    const ElfSegment& a = image.segments[i];
    require(a.memsz > 0 && a.memsz <= kMaxSegmentSize && a.data.size() <= a.memsz);
    require(uint64_t{a.vaddr} + a.memsz <= (uint64_t{1} << 32));
    require(uint64_t{a.paddr} + a.memsz <= (uint64_t{1} << 32));
    for (size_t j = i + 1; j < image.segments.size(); ++j) {
      const ElfSegment& b = image.segments[j];
      require(uint64_t{a.vaddr} + a.memsz <= b.vaddr || uint64_t{b.vaddr} + b.memsz <= a.vaddr);
      require(uint64_t{a.paddr} + a.memsz <= b.paddr || uint64_t{b.paddr} + b.memsz <= a.paddr);
    }
    if ((a.flags & 1) && image.entry >= a.vaddr && uint64_t{image.entry} < uint64_t{a.vaddr} + a.memsz)
      entry_ok = true;
  }
  require(entry_ok);
  for (const ElfSymbol& s : image.symbols) require(!s.name.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ElfResult r = parse_elf(std::span<const uint8_t>(data, size), "fuzz.elf");
  require(r.ok() == r.message.empty());
  require(r.ok() || r.message.rfind("fuzz.elf: ", 0) == 0);
  require(to_string(r.error) != nullptr);
  if (!r.ok()) return 0;
  check_image(r.image);

  // Memory maps: a typical board, everything, and one that exactly holds the first segment.
  const ElfSegment& first = r.image.segments.front();
  const MemoryRegion board[] = {{0x00010000, 0x10000000}, {0x80000000, 0x08000000}};
  // [0, 4 GiB) does not fit one region's uint32 size: two overlapping ones hold any segment (< 4 GiB).
  const MemoryRegion all[] = {{0, 0xffffffff}, {1, 0xffffffff}};
  const MemoryRegion exact[] = {{first.vaddr, first.memsz}};
  for (bool use_paddr : {false, true}) {
    ElfResult p = place_check(r.image, board, use_paddr, "fuzz.elf");
    require(p.ok() || p.error == ElfError::segment_outside_memory);
    require(place_check(r.image, all, use_paddr, "fuzz.elf").ok());
    (void)place_check(r.image, exact, use_paddr, "fuzz.elf");
    (void)place_check(r.image, std::span<const MemoryRegion>(), use_paddr, "");
  }
  require(place_check(r.image, exact, false, "").ok() || r.image.segments.size() > 1);

  SymbolTable table(r.image.symbols);
  require(table.all().size() == r.image.symbols.size());
  uint32_t offset = 0;
  auto probe = [&](uint32_t addr) {
    if (const ElfSymbol* s = table.lookup(addr, &offset)) require(s->value <= addr && offset == addr - s->value);
  };
  probe(r.image.entry);
  probe(0);
  probe(0xffffffff);
  for (const ElfSegment& seg : r.image.segments) probe(seg.vaddr), probe(seg.vaddr + seg.memsz - 1);
  for (const ElfSymbol& s : r.image.symbols) {
    const ElfSymbol* f = table.find(s.name);
    require(f != nullptr && f->name == s.name);
    probe(s.value);
    probe(s.value + s.size);
    probe(s.value - 1);
  }
  return 0;
}
