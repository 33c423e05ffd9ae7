// The listing of a block: its guest instructions interleaved with their host code.
#include "machine/block_listing.h"

#include <cstdio>

#include "machine/machine.h"

namespace vmscope {

namespace {

// One guest instruction at physical `paddr` ("" when it cannot be read), shown at the program's
// own address `at`.
std::string guest_row(const Machine& m, isa::Disassembler& dis, uint32_t paddr, uint32_t at, unsigned* length) {
  uint64_t word = 0;
  if (!m.bus().peek(paddr, 2, word)) return "";
  if ((word & 3) == 3 && !m.bus().peek(paddr, 4, word)) return "";
  const uint32_t bits = static_cast<uint32_t>(word);
  const unsigned len = isa::instruction_length(bits);
  std::string insn = dis.disassemble(at, bits);
  for (char& c : insn)
    if (c == '\t') c = ' ';
  char text[192];
  if (len == 4) std::snprintf(text, sizeof text, "%08x:  %08x  %s", at, bits, insn.c_str());
  else std::snprintf(text, sizeof text, "%08x:  %04x      %s", at, bits & 0xffff, insn.c_str());
  if (length) *length = len;
  return text;
}

}  // namespace

std::string trace_path(const Machine& m, const Trace& t) {
  std::string text;
  char a[16];
  for (const Block* b : t.blocks) {
    std::snprintf(a, sizeof a, "%08x", m.program_address(b->paddr).value_or(b->paddr));
    text += (text.empty() ? "" : " -> ") + std::string(a);
  }
  if (t.loops) text += " -> back";
  return text;
}

std::vector<ListingRow> trace_listing(const Machine& m, const Trace& t, const isa::AddressNamer& namer) {
  const std::vector<HostLine> host = m.block_cache().backend().trace_listing(t);
  std::vector<ListingRow> rows;
  isa::Disassembler dis(namer);
  int block = -1, op = -2;
  bool cold = false;
  for (const HostLine& h : host) {
    if (h.block < 0 || static_cast<size_t>(h.block) >= t.blocks.size()) continue;
    const Block& b = *t.blocks[static_cast<size_t>(h.block)];
    if (h.block != block || h.op != op || h.cold != cold) {
      cold = h.cold;
      if (h.block != block && !cold) {
        char text[96];
        std::snprintf(text, sizeof text, "block %d: %u instructions, entered %llu x", h.block, b.count,
                      static_cast<unsigned long long>(b.executions));
        rows.push_back({ListingRow::Kind::heading, text});
      }
      if (cold && (h.op < 0 || h.op >= b.count)) {
        rows.push_back({ListingRow::Kind::heading, "way out of block " + std::to_string(h.block)});
      } else if (h.op >= 0 && h.op < b.count) {
        const uint32_t paddr = b.page() + b.ops[static_cast<size_t>(h.op)].offset;
        const std::string g = guest_row(m, dis, paddr, m.program_address(paddr).value_or(paddr), nullptr);
        rows.push_back({ListingRow::Kind::guest, (cold ? "(cold) " : "") + g});
      }
      block = h.block;
      op = h.op;
    }
    rows.push_back({ListingRow::Kind::host, h.text});
  }
  return rows;
}

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
    unsigned len = 0;
    const std::string text = guest_row(m, dis, a, base + (a - b.paddr), &len);
    if (text.empty()) break;
    rows.push_back({ListingRow::Kind::guest, text});
    host_of(op);
    a += len;
  }
  host_of(b.count);  // the exits (and whatever no instruction claimed)
  for (; next < host.size(); ++next) rows.push_back({ListingRow::Kind::host, host[next].text});
  return rows;
}

}  // namespace vmscope
