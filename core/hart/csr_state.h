// The values behind the CSRs the hart implements (their fields: isa/csr_fields.h).
#pragma once

#include <cstdint>

#include "hart/supervisor_level.h"
#include "isa/csr_fields.h"

namespace vmscope {

struct CsrState {
  uint32_t mstatus = 0;
  uint32_t medeleg = 0, mideleg = 0;
  uint32_t mie = 0, mip = 0;  // mip.MTIP is derived from mtime/mtimecmp when read
  uint32_t mtvec = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  uint32_t mcounteren = 0, scounteren = 0;
  SupervisorLevel s;  // stvec, sscratch, sepc, scause, stval, satp (sstatus, sie, sip: views of the M ones)
  bool external_line = false;    // the board's machine external interrupt input (mip.MEIP)
  bool external_line_s = false;  // its supervisor external interrupt input (ORed into mip.SEIP)
  // The hypervisor extension (all zero and unused without it). VS-level interrupt pending bits
  // live in hvip (what hip and vsip show of them), their enables in mie.
  uint32_t mstatush = 0, mtval2 = 0, mtinst = 0;
  uint32_t hstatus = 0, hedeleg = 0, hideleg = 0, hvip = 0, hcounteren = 0, htval = 0, htinst = 0, hgatp = 0;
  uint64_t htimedelta = 0;
  uint32_t vsstatus = 0;
  SupervisorLevel vs;  // vstvec, vsscratch, vsepc, vscause, vstval, vsatp
};

}  // namespace vmscope
