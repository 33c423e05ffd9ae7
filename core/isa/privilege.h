// Privilege modes and the kinds of memory access: the vocabulary every layer above the ISA shares.
#pragma once

#include <cstdint>

namespace vmscope {

enum class Priv : uint8_t { U = 0, S = 1, M = 3 };
const char* to_string(Priv p);

enum class AccessType : uint8_t { fetch, load, store };

}  // namespace vmscope
