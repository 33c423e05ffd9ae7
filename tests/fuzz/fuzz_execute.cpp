// libFuzzer target: random bytes become code on the board and the hart runs them for a bounded
// number of steps in every privilege mode — on a hart with the hypervisor extension too, from
// VS/VU-mode behind random two-stage tables. Whatever the words are, the emulator must neither
// crash nor touch memory outside the guest (ASan/UBSan watch it).
#include <cstdint>
#include <cstring>
#include <vector>

#include "hart/csr_state.h"
#include "machine/machine.h"

using namespace vmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  auto make = [](bool hypervisor) {
    MachineOptions o;
    o.kind = MachineKind::system;
    o.ram_size = 64u << 10;  // small: RAM is zeroed for every input
    o.hypervisor = hypervisor;
    return new Machine(o);
  };
  static Machine* const plain = make(false);
  static Machine* const with_h = make(true);
  // First byte: starting privilege and whether paging is on, and whether the hart has H (then
  // the second byte: V, the G-stage and VS-stage tables, delegation); the rest is code, copied
  // twice so that jumps land in code too. Registers point into RAM so loads and stores hit something.
  const uint8_t control = data[0];
  const bool h_ext = control & 16;
  Machine* const machine = h_ext ? with_h : plain;
  const uint8_t h_control = size > 1 ? data[1] : 0;
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
  if (h_ext) {
    h.debug_write_csr(0x205, board::kRamBase + 0x8000);  // vstvec
    h.debug_write_csr(0x602, h_control & 1 ? 0xb1ff : 0);  // hedeleg
    h.debug_write_csr(0x603, h_control & 2 ? 0x444 : 0);   // hideleg
    h.debug_write_csr(0x645, (h_control >> 2) & 1 ? 0x444 : 0);  // hvip: VS interrupts pending
    // The tables are the random bytes themselves (16 KiB-aligned G-stage root at RAM's start).
    if (h_control & 8) h.debug_write_csr(0x680, kHgatpModeSv32x4 | 1u << kHgatpVmidShift | board::kRamBase >> 12);
    if (h_control & 16) h.debug_write_csr(0x280, kSatpModeSv32 | ((board::kRamBase >> 12) + 2));
    h.debug_write_csr(0x600, static_cast<uint32_t>(h_control & 0xe0) << 15);  // VTVM, VTW, VTSR
    if (control & 32) {  // start in the guest
      h.set_priv(control & 64 ? Priv::S : Priv::U);
      h.set_virt(true);
    }
  }
  machine->run(4096);
  return 0;
}
