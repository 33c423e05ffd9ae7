// A translated block as a listing: each guest instruction (read from memory by physical address,
// disassembled at the program's own addresses where the block is the program's code) followed
// by the host code the backend made from it — native x86-64 disassembled, or threaded-code ops.
// The Code cache window and `vmscope run --profile` show it.
#pragma once

#include <string>
#include <vector>

#include "isa/disassembler.h"
#include "translator/block.h"

namespace vmscope {

class Machine;

struct ListingRow {
  enum class Kind : uint8_t { guest, host } kind;
  std::string text;
};

std::vector<ListingRow> block_listing(const Machine& m, const Block& b, const isa::AddressNamer& namer = {});

}  // namespace vmscope
