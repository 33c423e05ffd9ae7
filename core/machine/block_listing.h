// A translated block as a listing: each guest instruction (read from memory by physical address,
// disassembled at the program's own addresses where the block is the program's code) followed
// by the host code the backend made from it — native x86-64 disassembled, or threaded-code ops.
// The Code cache window and `vmscope run --profile` show it.
#pragma once

#include <string>
#include <vector>

#include "isa/disassembler.h"
#include "translator/block.h"
#include "translator/trace.h"

namespace vmscope {

class Machine;

struct ListingRow {
  enum class Kind : uint8_t { guest, host, heading } kind;
  std::string text;
};

std::vector<ListingRow> block_listing(const Machine& m, const Block& b, const isa::AddressNamer& namer = {});
// A trace: each of its blocks in turn, a heading, then its guest instructions each followed by
// the trace's host code for it; the trace's cold part (side exits, hand-overs) under the block
// it leaves, at the end.
std::vector<ListingRow> trace_listing(const Machine& m, const Trace& t, const isa::AddressNamer& namer = {});
// "00010114 -> 00010120 -> back" (its blocks' addresses, by the program's own addresses).
std::string trace_path(const Machine& m, const Trace& t);

}  // namespace vmscope
