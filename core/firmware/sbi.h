// SBI firmware served by vmscope itself (`--firmware sbi`): a supervisor kernel on the board
// calls it with ECALL (a7 = extension, a6 = function) as it would call OpenSBI, and no M-mode
// code runs: the hart starts the kernel in S-mode. What an S-mode OS built for OpenSBI calls,
// from the SBI specification v2.0: Base, TIME, IPI, RFENCE, HSM, SRST, DBCN, and the legacy
// (v0.1) calls. One hart: "remote" harts are this one, hart masks may name only hart 0.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "devices/uart16550.h"
#include "hart/hart.h"
#include "mem/bus.h"

namespace vmscope {

inline constexpr uint32_t kSbiDebugConsole = 0x4442434E;  // the DBCN extension's id ("DBCN")

class SbiFirmware {
 public:
  SbiFirmware(Hart& hart, Bus& bus, Uart16550& uart);

  // Puts the hart where firmware would leave it: S-mode at `entry`, a0 = hartid, exceptions
  // (but ECALL from S) and supervisor interrupts delegated to S. (a1, the device tree, is the
  // machine's to set.)
  void start(uint32_t entry);
  // The hart's ECALL hook: serves ECALLs from S-mode; the others trap as usual.
  EcallAction handle_ecall(Hart& hart);
  // Serves the call in a0..a7 whatever the hart's mode (a monitor's guest calls from U-mode).
  EcallAction serve(Hart& hart);

  std::function<void(std::string_view bytes)> on_output;
  // Whether the debug console extension (DBCN) is offered: a kernel without it drives the
  // console device itself (MachineOptions::console).
  bool offer_console = true;
  // The caller's physical memory (the bus by default; a monitor gives its guest-physical view).
  std::function<bool(uint32_t paddr, std::span<uint8_t> out)> read_physical;
  std::function<bool(uint32_t paddr, std::span<const uint8_t> bytes)> write_physical;
  // What IPI and RFENCE do to the caller's hart (by default the real hart's mip.SSIP and TLB; a
  // monitor points them at its guest's virtual hart and shadow tables). A fence of `size` 0 at
  // `address` 0, or of size ~0, covers every address.
  std::function<void(bool pending)> set_software_interrupt;
  std::function<void(uint32_t address, uint32_t size, bool by_asid, uint16_t asid)> fence_vma;

 private:
  EcallAction legacy(Hart& h, uint32_t eid);
  Hart& hart_;
  Bus& bus_;
  Uart16550& uart_;
};

}  // namespace vmscope
