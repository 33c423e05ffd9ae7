// Zicsr once (unprivileged spec, chapter 9; privileged spec 1.12, 2.1): what a CSR instruction
// reads and writes, the value it writes, and the access rules of a mode that is not a
// virtualized one — for the hart (csr_file.cpp) and for a monitor emulating its guest's CSR
// instructions on a virtual CPU (vmm/monitor.cpp). Which CSRs exist is each one's own.
#pragma once

#include <cstdint>

#include "isa/decoder.h"
#include "isa/privilege.h"

namespace vmscope {

struct CsrInstruction {
  isa::Op op;
  uint16_t number;
  uint32_t source;  // rs1's value, or the 5-bit immediate of CSRRWI/CSRRSI/CSRRCI
  bool reads;       // CSRRW(I) with rd = x0 does not read the CSR
  bool writes;      // CSRRS(I)/CSRRC(I) with rs1 = x0 (uimm = 0) do not write it

  // From the instruction's fields: `rs1` is the register number (the immediate for the I forms).
  static CsrInstruction of(isa::Op op, uint32_t imm, bool rd_is_x0, unsigned rs1, uint32_t rs1_value);
  uint32_t written(uint32_t old) const;  // the value written, given the CSR's old value
};

// Whether `mode` (M, S or U, not VS/VU) may make the access: the CSR's privilege level (bits
// 9:8; HS-mode reaches the hypervisor CSRs), no write to a read-only one (bits 11:10 = 3), and a
// counter (cycle..hpmcounter31h) enabled by mcounteren, and by scounteren too for U.
bool csr_permitted(uint16_t number, bool writes, Priv mode, uint32_t mcounteren, uint32_t scounteren);

// The hypervisor extension: in VS/VU the S-level CSRs a guest reaches are the VS ones (sstatus ->
// vsstatus, ..., satp -> vsatp); any other number stands for itself.
uint16_t vs_alias(uint16_t number);

}  // namespace vmscope
