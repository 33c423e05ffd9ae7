// SBI firmware served by vmscope itself: a supervisor kernel on the board calls it with ECALL
// (a7 = extension, a6 = function) for the console, the timer and shutdown, as it would call
// OpenSBI on real hardware. No M-mode code runs: the hart starts the kernel in S-mode.
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
  SbiFirmware(Hart& hart, Bus& bus, Uart16550& uart) : hart_(hart), bus_(bus), uart_(uart) {}

  // Puts the hart where firmware would leave it: S-mode at `entry`, a0 = hartid, a1 = 0 (no
  // device tree), exceptions (but ECALL from S) and supervisor interrupts delegated to S.
  void start(uint32_t entry);
  // The hart's ECALL hook: serves ECALLs from S-mode; the others trap as usual.
  EcallAction handle_ecall(Hart& hart);
  // Serves the call in a0..a7 whatever the hart's mode (a monitor's guest calls from U-mode).
  EcallAction serve(Hart& hart);

  std::function<void(std::string_view bytes)> on_output;
  // Whether the debug console extension (DBCN) is offered: a kernel without it drives the
  // console device itself (MachineOptions::console).
  bool offer_console = true;
  // How the firmware reads the caller's physical memory (the bus by default; a monitor gives
  // its guest-physical view).
  std::function<bool(uint32_t paddr, std::span<uint8_t> out)> read_physical;

 private:
  Hart& hart_;
  Bus& bus_;
  Uart16550& uart_;
};

}  // namespace vmscope
