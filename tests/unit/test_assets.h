// The guest programs the build made (assets/), for tests: VMSCOPE_ASSETS_DIR says where.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vmscope::test {

// The bytes of VMSCOPE_ASSETS_DIR/path ("kernel/kernel.elf"); empty if there is no such file.
inline std::vector<uint8_t> read_asset(const std::string& path) {
  const char* dir = std::getenv("VMSCOPE_ASSETS_DIR");
  std::ifstream in(std::string(dir ? dir : "") + "/" + path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace vmscope::test
