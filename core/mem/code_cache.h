// Predecoded instructions, per physical page of RAM: the interpreter decodes each instruction
// once, on first execution, and reuses the result until a store changes the bytes beneath it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "isa/isa_table.h"

namespace vmscope {

class Bus;

// Told when decoded code goes away, so that what was made from it (translated blocks) goes too.
class CodeListener {
 public:
  virtual ~CodeListener() = default;
  virtual void code_changed(uint32_t paddr, uint32_t length) = 0;  // these bytes' decoding is gone
  virtual void code_cleared() = 0;                                 // all of it is gone
};

// What the interpreter does with a slot: an isa::Op (as a 4-byte instruction), one of these
// internal actions, or the 2-byte variant of an operation that compressed instructions use.
// Handlers know their instruction's length at compile time, so the next slot's address never
// waits for a load.
#define VMSCOPE_COUNT_ONE(name) +1
inline constexpr int kCompressedOpCount = 0 VMSCOPE_FOR_EACH_COMPRESSED_OP(VMSCOPE_COUNT_ONE);
#undef VMSCOPE_COUNT_ONE
enum : uint8_t {
  kHandlerUndecoded = isa::kOpCount,  // decode this slot, then run it
  kHandlerPageEnd,                    // ran off the page: look the next page up
  kHandlerCrossPage,                  // a 32-bit instruction straddling two pages
  kHandlerCompressedBase,             // then one 2-byte variant per compressed operation
  kHandlerBlockExit = kHandlerCompressedBase + kCompressedOpCount,  // translated blocks only: fall through
  kHandlerCount
};
static_assert(kHandlerCount <= 256);

// The 2-byte handler of each operation (0, i.e. `illegal`, for operations no compressed
// instruction expands to).
inline constexpr auto kCompressedHandler = [] {
  std::array<uint8_t, isa::kOpCount> table{};
  uint8_t next = kHandlerCompressedBase;
#define VMSCOPE_ASSIGN(name) table[static_cast<int>(isa::Op::name)] = next++;
  VMSCOPE_FOR_EACH_COMPRESSED_OP(VMSCOPE_ASSIGN)
#undef VMSCOPE_ASSIGN
  return table;
}();

// The operation behind a handler (internal handlers: `illegal`).
inline constexpr auto kHandlerOp = [] {
  std::array<isa::Op, kHandlerCount> table{};
  for (int op = 0; op < isa::kOpCount; ++op) table[op] = static_cast<isa::Op>(op);
#define VMSCOPE_ASSIGN(name) table[kCompressedHandler[static_cast<int>(isa::Op::name)]] = isa::Op::name;
  VMSCOPE_FOR_EACH_COMPRESSED_OP(VMSCOPE_ASSIGN)
#undef VMSCOPE_ASSIGN
  return table;
}();

// One slot per 2-byte parcel of the page (an instruction starts at any even address).
// 16 bytes, so that a slot's index (and from it the pc) is a shift away from its address.
struct alignas(16) Slot {
  uint8_t handler = kHandlerUndecoded;
  uint8_t rd = 0, rs1 = 0, rs2 = 0;  // rd == 32 is the write sink for x0 (so "rd was x0")
  int32_t imm = 0;
  uint8_t length = 0;  // instruction bytes: 2 or 4
  uint16_t offset = 0;  // in a translated block: the instruction's byte offset in its page
};
static_assert(sizeof(Slot) == 16);

inline constexpr uint32_t kPageSize = 4096;
inline constexpr unsigned kSlotsPerPage = kPageSize / 2;
inline constexpr unsigned kLineBytes = 64;  // granularity of self-modifying-code invalidation

struct DecodedPage {
  uint32_t paddr = 0;       // physical address of the page
  uint64_t code_lines = 0;  // bit i: some slot in bytes [64i, 64i+64) is decoded
  // Two sentinel slots past the end catch straight-line execution falling off the page
  // (a 4-byte instruction in the last slot steps two slots ahead).
  Slot slots[kSlotsPerPage + 2];
};

struct CodeCacheStats {
  uint64_t decoded = 0;      // instructions decoded
  uint64_t invalidated = 0;  // 64-byte lines invalidated by stores
};

class CodeCache {
 public:
  explicit CodeCache(const Bus& bus);

  // The decoded page for physical page `page_paddr` (which must be in RAM); created on demand.
  DecodedPage* page(uint32_t page_paddr);
  // Called for every write to RAM: drops decoded instructions the write may have changed.
  void on_write(uint32_t paddr, uint32_t length);
  bool has_code(uint32_t page_paddr) const;
  void clear();
  void set_listener(CodeListener* listener) { listener_ = listener; }

  CodeCacheStats stats;

 private:
  void reset_page(DecodedPage& p);
  const Bus& bus_;
  CodeListener* listener_ = nullptr;
  std::vector<std::unique_ptr<DecodedPage>> pages_;  // indexed by RAM page number
};

}  // namespace vmscope
