// One supervisor level's trap CSRs and their rules (privileged spec 1.12, chapter 4), written
// once for the three places that keep such a level: the hart's S level, its VS level (the
// hypervisor extension's guest copies: vstvec, vsepc, ...) and a monitor's virtual CPU, for a
// guest kernel it runs deprivileged (vmm/virtual_cpu.h). The level's status register is not
// here: the hart's sstatus is a view of mstatus, while vsstatus and the virtual CPU's sstatus
// are their own; the trap entry and return below update whichever the caller passes.
#pragma once

#include <cstdint>

#include "isa/privilege.h"

namespace vmscope {

// WARL rules shared with the M level: xtvec keeps MODE 0 (direct) or 1 (vectored), a reserved
// MODE leaves BASE with MODE 0; xepc keeps 16-bit alignment (IALIGN = 16 with C).
inline uint32_t legal_tvec(uint32_t value) { return (value & 3) <= 1 ? value : value & ~3u; }
inline uint32_t legal_epc(uint32_t value) { return value & ~1u; }
// Where a trap goes: vectored mode sends interrupts to BASE + 4 * cause, exceptions to BASE.
inline uint32_t trap_vector(uint32_t tvec, uint32_t xcause) {
  const bool interrupt = xcause >> 31;
  return (tvec & ~3u) + ((tvec & 1) && interrupt ? 4 * (xcause & 31) : 0);
}

struct SupervisorLevel {
  uint32_t tvec = 0, scratch = 0, epc = 0, cause = 0, tval = 0, atp = 0;

  // Zicsr access by the S-level number (stvec, sscratch, sepc, scause, stval, satp); false for
  // any other CSR. Writes apply the WARL rules.
  bool read(uint16_t number, uint32_t& value) const;
  bool write(uint16_t number, uint32_t value);

  // A trap into this level from mode `from`: records cause, epc and tval, sets status's SPP,
  // SPIE and SIE, and returns the handler's address.
  uint32_t enter_trap(uint32_t& status, uint32_t xcause, uint32_t epc, uint32_t tval, Priv from);
  // SRET: restores SIE from SPIE, sets SPIE, clears SPP (and MPRV, when status is mstatus) and
  // returns the mode it goes back to; execution goes on at epc.
  static Priv return_from_trap(uint32_t& status);
};

}  // namespace vmscope
