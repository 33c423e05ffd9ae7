// libFuzzer target: random bytes become code on the board and the hart runs them for a bounded
// number of steps in every privilege mode. Whatever the words are, the emulator must neither
// crash nor touch memory outside the guest (ASan/UBSan watch it).
#include <cstdint>
#include <cstring>
#include <vector>

#include "machine/machine.h"

using namespace vmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  static Machine* machine = [] {
    MachineOptions o;
    o.kind = MachineKind::system;
    o.ram_size = 64u << 10;  // small: RAM is zeroed for every input
    return new Machine(o);
  }();
  // First byte: starting privilege and whether paging is on; the rest is code, copied twice so
  // that jumps land in code too. Registers point into RAM so loads and stores hit something.
  const uint8_t control = data[0];
  std::vector<uint8_t> code(data + 1, data + size);
  machine->bus().clear_ram();
  machine->code_cache().clear();
  machine->bus().write_bytes(board::kRamBase, code);
  machine->bus().write_bytes(board::kRamBase + 0x8000, code);
  Hart& h = machine->hart();
  h.reset(board::kRamBase);
  for (unsigned r = 1; r < 32; ++r) h.set_reg(r, board::kRamBase + r * 64);
  h.debug_write_csr(0x305, board::kRamBase + 0x8000);  // mtvec
  h.debug_write_csr(0x105, board::kRamBase + 0x8000);  // stvec
  if (control & 4) h.debug_write_csr(0x180, kSatpModeSv32 | ((board::kRamBase >> 12) + 1));
  uint32_t mstatus = static_cast<uint32_t>(control & 3) << kMstatusMppShift;
  h.debug_write_csr(0x300, mstatus);
  h.debug_write_csr(0x341, board::kRamBase);  // mepc
  h.debug_write_csr(0x302, control & 8 ? 0xffff : 0);  // medeleg
  machine->run(4096);
  return 0;
}
