// The virtual CPU a monitor presents to its guest kernel: the privilege mode the guest
// believes it runs in, and the supervisor CSRs it believes it owns. The real hart runs the
// guest in U-mode whatever this says.
#pragma once

#include <cstdint>

#include "hart/supervisor_level.h"
#include "isa/privilege.h"

namespace vmscope {

struct VirtualCpu {
  Priv mode = Priv::S;
  uint32_t sstatus = 0;  // SIE, SPIE, SPP, SUM, MXR
  uint32_t sie = 0;      // SSIE, STIE, SEIE
  uint32_t sip = 0;      // SSIP only: STIP follows the (real) timer
  SupervisorLevel s;     // stvec, sscratch, sepc, scause, stval, satp: the hart's S level's rules
  uint32_t scounteren = 0;
  // What M-mode firmware would allow S-mode to read (cycle, time, instret).
  static constexpr uint32_t kMcounteren = 0x7;
};

}  // namespace vmscope
