// libFuzzer target: random bytes as a guest kernel deprivileged under the monitor (by
// trap-and-emulate, the paravirtual way with random hypercalls, or hardware-assisted in VS-mode
// behind the monitor's G-stage). A prologue
// gives the guest a random satp (its page tables are the same random bytes), SUM and MXR; then
// the bytes run as virtual S-mode code in the hart's U-mode. The shadow tables are checked every
// 512 steps (checking after every exit, as the tests do, would make this target 20x slower): a
// failed check is a finding (abort). ASan/UBSan watch the host, and the guest must never reach
// the monitor's memory.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hart/csr_state.h"
#include "machine/machine.h"
#include "vmm/monitor.h"
#include "vmm/paravirt_abi.h"

using namespace vmscope;

namespace {
uint32_t lui(unsigned rd, uint32_t value) { return (value & 0xfffff000u) | rd << 7 | 0x37; }
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13; }
uint32_t csrrw(unsigned rd, uint16_t csr, unsigned rs1) { return static_cast<uint32_t>(csr) << 20 | rs1 << 15 | 1u << 12 | rd << 7 | 0x73; }
void li(std::vector<uint32_t>& code, unsigned rd, uint32_t value) {  // lui + addi, addi sign-extends
  const uint32_t hi = (value + 0x800) & 0xfffff000u;
  code.push_back(lui(rd, hi));
  code.push_back(addi(rd, rd, static_cast<int32_t>(value - hi)));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  // Trap-and-emulate, or the paravirtual way (the random code's ECALLs are then hypercalls with
  // random arguments, against a shared page and a batch of random bytes).
  auto make = [](Virtualization v) {
    MachineOptions o;
    o.kind = MachineKind::system;
    o.ram_size = 64u << 10;  // the guest's RAM: small, zeroed for every input
    o.virtualization = v;
    return new Machine(o);
  };
  static Machine* const te = make(Virtualization::trap_and_emulate);
  static Machine* const pv = make(Virtualization::paravirtual);
  static Machine* const ha = make(Virtualization::hardware_assisted);  // the guest in VS-mode, G-stage filled lazily
  const bool paravirtual = data[0] & 16, hardware = !paravirtual && (data[0] & 32);
  Machine* const machine = paravirtual ? pv : hardware ? ha : te;
  const uint32_t guest_base = board::kRamBase;
  const uint32_t root = guest_base + (data[1] & 0xf) * 0x1000;
  const uint32_t satp = (data[0] & 1 ? kSatpModeSv32 : 0) | static_cast<uint32_t>(data[2]) << kSatpAsidShift | root >> 12;
  const uint32_t sstatus = (data[0] & 2 ? kMstatusSum : 0) | (data[0] & 4 ? kMstatusMxr : 0);
  if (data[0] & 8 || paravirtual) machine->monitor()->set_invalidation(ShadowInvalidation::write_protect);
  else machine->monitor()->set_invalidation(ShadowInvalidation::sfence);

  std::vector<uint32_t> prologue;
  li(prologue, 5, guest_base + 0x100);  // stvec: somewhere in the random code
  prologue.push_back(csrrw(0, 0x105, 5));
  li(prologue, 5, sstatus);
  prologue.push_back(csrrw(0, 0x100, 5));
  li(prologue, 5, satp);
  prologue.push_back(csrrw(0, 0x180, 5));
  if (paravirtual) {  // register: the shared page and the batch in the random bytes
    li(prologue, 17, VMSCOPE_PV_EXTENSION);
    li(prologue, 16, VMSCOPE_PV_REGISTER);
    li(prologue, 10, guest_base + 0xe000);
    li(prologue, 11, guest_base + 0x100);
    li(prologue, 12, guest_base + 0xd000);
    prologue.push_back(0x00000073);  // ecall
  }
  std::vector<uint8_t> bytes(reinterpret_cast<const uint8_t*>(prologue.data()),
                             reinterpret_cast<const uint8_t*>(prologue.data() + prologue.size()));
  bytes.insert(bytes.end(), data + 4, data + size);

  Bus& bus = machine->bus();
  bus.clear_ram();
  machine->code_cache().clear();
  const uint32_t host = guest_base + vmm_layout::kMonitorMemory;
  for (uint32_t copy = 0; copy < 0x10000; copy += 0x4000) bus.write_bytes(host + copy, bytes);
  Hart& h = machine->hart();
  h.reset(guest_base);
  machine->monitor()->start(guest_base);
  for (unsigned r = 1; r < 32; ++r) h.set_reg(r, guest_base + r * 64);
  for (int slice = 0; slice < 16; ++slice) {
    const RunResult r = machine->run(512);
    const std::vector<std::string> problems = machine->monitor()->shadow().check();
    if (!problems.empty()) {
      std::fprintf(stderr, "shadow check failed: %s\n", problems[0].c_str());
      std::abort();
    }
    if (r.reason != StopReason::budget) break;
  }
  return 0;
}
