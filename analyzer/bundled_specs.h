// The ISA descriptions shipped in isa-specs/, compiled into the program (scripts/embed_specs.py).
#pragma once

#include <string_view>
#include <vector>

namespace vmscope::analyzer {

struct BundledSpec {
  std::string_view file;  // "isa-specs/rv32.toml"
  std::string_view text;
};
const std::vector<BundledSpec>& bundled_specs();  // sorted by file name

}  // namespace vmscope::analyzer
