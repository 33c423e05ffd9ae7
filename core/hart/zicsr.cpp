#include "hart/zicsr.h"

#include "csr_numbers.h"

namespace vmscope {

using isa::Op;

CsrInstruction CsrInstruction::of(Op op, uint32_t imm, bool rd_is_x0, unsigned rs1, uint32_t rs1_value) {
  const bool immediate = op == Op::csrrwi || op == Op::csrrsi || op == Op::csrrci;
  const bool swap = op == Op::csrrw || op == Op::csrrwi;
  return {op, static_cast<uint16_t>(imm & 0xfff), immediate ? rs1 : rs1_value, !swap || !rd_is_x0, swap || rs1 != 0};
}

uint32_t CsrInstruction::written(uint32_t old) const {
  switch (op) {
    case Op::csrrs: case Op::csrrsi: return old | source;
    case Op::csrrc: case Op::csrrci: return old & ~source;
    default: return source;  // csrrw, csrrwi
  }
}

bool csr_permitted(uint16_t number, bool writes, Priv mode, uint32_t mcounteren, uint32_t scounteren) {
  const unsigned level = (number >> 8) & 3u;  // 0 U, 1 S, 2 hypervisor (and VS), 3 M
  if (writes && (number >> 10) == 3) return false;
  if (mode == Priv::M) return true;
  if (level > (mode == Priv::S ? 2u : 0u)) return false;
  if (number >= csr::cycle && number <= csr::hpmcounter31h) {  // cycle, time, instret, hpmcounterN (and their high halves)
    const unsigned bit = number & 31;
    if (!(mcounteren >> bit & 1) || (mode == Priv::U && !(scounteren >> bit & 1))) return false;
  }
  return true;
}

uint16_t vs_alias(uint16_t number) {
  switch (number) {
    case csr::sstatus: case csr::sie: case csr::stvec: case csr::sscratch: case csr::sepc: case csr::scause:
    case csr::stval: case csr::sip: case csr::satp:
      return static_cast<uint16_t>(number + (csr::vsstatus - csr::sstatus));
    default:
      return number;
  }
}

}  // namespace vmscope
