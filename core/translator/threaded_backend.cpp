// The portable backend: threaded code. A block's host form is an array of ops, one per guest
// instruction, each naming its handler in the block executor (core/hart/block_executor.cpp) with
// its operands already extracted, then one exit op for the fall-through.
#include <cstdio>

#include "translator/backend.h"

namespace vmscope {

namespace {

const char* handler_name(uint8_t handler, bool& compressed) {
  static const char* const kNames[] = {
#define VMSCOPE_NAME(name) #name,
      VMSCOPE_FOR_EACH_OP(VMSCOPE_NAME)
#undef VMSCOPE_NAME
  };
  compressed = false;
  if (handler < isa::kOpCount) return kNames[handler];
  if (handler == kHandlerBlockExit) return "exit";
  for (int op = 0; op < isa::kOpCount; ++op)
    if (kCompressedHandler[op] == handler && handler >= kHandlerCompressedBase) {
      compressed = true;
      return kNames[op];
    }
  return "?";
}

class ThreadedBackend final : public Backend {
 public:
  const char* name() const override { return "threaded code (portable)"; }

  uint32_t emit(Block& block) const override {
    Slot exit;
    exit.handler = kHandlerBlockExit;
    exit.offset = block.end;
    block.ops.push_back(exit);
    block.ops.shrink_to_fit();
    return static_cast<uint32_t>(sizeof(Block) + block.ops.size() * sizeof(Slot));
  }

  std::vector<HostLine> listing(const Block& block) const override {
    std::vector<HostLine> lines;
    for (size_t i = 0; i < block.ops.size(); ++i) {
      const Slot& s = block.ops[i];
      bool compressed;
      const char* name = handler_name(s.handler, compressed);
      char text[128];
      if (s.handler == kHandlerBlockExit) {
        std::snprintf(text, sizeof text, "%3zu  exit         fall through to +0x%03x", i, s.offset);
      } else {
        std::snprintf(text, sizeof text, "%3zu  %-9s%s rd=x%-2u rs1=x%-2u rs2=x%-2u imm=%d", i, name,
                      compressed ? "/2" : "  ", s.rd == 32 ? 0u : s.rd, s.rs1, s.rs2, s.imm);
      }
      lines.push_back({static_cast<int>(i), text});  // (the exit op stands at index count)
    }
    return lines;
  }
};

}  // namespace

std::unique_ptr<Backend> make_threaded_backend() { return std::make_unique<ThreadedBackend>(); }

}  // namespace vmscope
