// The guest programs the build made (assets/), for tests: VMSCOPE_ASSETS_DIR says where.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vmscope::test {

// Where the guest programs are: VMSCOPE_ASSETS_DIR, else the build tree's (so unit_tests also
// runs by itself).
inline std::string assets_dir() {
  const char* set = std::getenv("VMSCOPE_ASSETS_DIR");
  return set ? set : VMSCOPE_BUILD_ASSETS_DIR;
}

// The bytes of assets_dir()/path ("kernel/kernel.elf"); empty if there is no such file.
inline std::vector<uint8_t> read_asset(const std::string& path) {
  std::ifstream in(assets_dir() + "/" + path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace vmscope::test
