// The listing of a block: its guest instructions interleaved with their host code.
#include "machine/block_listing.h"

#include <cstdio>

#include "machine/machine.h"

namespace vmscope {

std::vector<ListingRow> block_listing(const Machine& m, const Block& b, const isa::AddressNamer& namer) {
  const std::vector<HostLine> host = m.block_cache().backend().listing(b);
  std::vector<ListingRow> rows;
  size_t next = 0;
  auto host_of = [&](int op) {  // the host lines of guest instruction `op` (and of any before it)
    for (; next < host.size() && host[next].op <= op; ++next) rows.push_back({ListingRow::Kind::host, host[next].text});
  };
  host_of(-1);  // the block's entry
  const uint32_t base = m.program_address(b.paddr).value_or(b.paddr);
  isa::Disassembler dis(namer);
  int op = 0;
  for (uint32_t a = b.paddr; a < b.paddr + (b.end - b.start); ++op) {
    uint64_t word = 0;
    if (!m.bus().peek(a, 2, word)) break;
    if ((word & 3) == 3 && !m.bus().peek(a, 4, word)) break;
    const uint32_t bits = static_cast<uint32_t>(word), at = base + (a - b.paddr);
    const unsigned len = isa::instruction_length(bits);
    std::string insn = dis.disassemble(at, bits);
    for (char& c : insn)
      if (c == '\t') c = ' ';
    char text[192];
    if (len == 4) std::snprintf(text, sizeof text, "%08x:  %08x  %s", at, bits, insn.c_str());
    else std::snprintf(text, sizeof text, "%08x:  %04x      %s", at, bits & 0xffff, insn.c_str());
    rows.push_back({ListingRow::Kind::guest, text});
    host_of(op);
    a += len;
  }
  host_of(b.count);  // the exits (and whatever no instruction claimed)
  for (; next < host.size(); ++next) rows.push_back({ListingRow::Kind::host, host[next].text});
  return rows;
}

}  // namespace vmscope
