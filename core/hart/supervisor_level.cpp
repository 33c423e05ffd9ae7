#include "hart/supervisor_level.h"

#include "csr_numbers.h"
#include "isa/csr_fields.h"

namespace vmscope {

bool SupervisorLevel::read(uint16_t number, uint32_t& value) const {
  switch (number) {
    case csr::stvec: value = tvec; return true;
    case csr::sscratch: value = scratch; return true;
    case csr::sepc: value = epc; return true;
    case csr::scause: value = cause; return true;
    case csr::stval: value = tval; return true;
    case csr::satp: value = atp; return true;
    default: return false;
  }
}

bool SupervisorLevel::write(uint16_t number, uint32_t value) {
  switch (number) {
    case csr::stvec: tvec = legal_tvec(value); return true;
    case csr::sscratch: scratch = value; return true;
    case csr::sepc: epc = legal_epc(value); return true;
    case csr::scause: cause = value; return true;
    case csr::stval: tval = value; return true;
    case csr::satp: atp = value; return true;  // (Sv32's MODE is one bit: every value is legal)
    default: return false;
  }
}

uint32_t SupervisorLevel::enter_trap(uint32_t& status, uint32_t xcause, uint32_t trap_epc, uint32_t trap_tval,
                                     Priv from) {
  cause = xcause;
  epc = trap_epc;
  tval = trap_tval;
  uint32_t s = status & ~(kMstatusSpp | kMstatusSpie | kMstatusSie);
  if (from == Priv::S) s |= kMstatusSpp;
  if (status & kMstatusSie) s |= kMstatusSpie;
  status = s;
  return trap_vector(tvec, xcause);
}

Priv SupervisorLevel::return_from_trap(uint32_t& status) {
  const Priv to = (status & kMstatusSpp) ? Priv::S : Priv::U;
  uint32_t s = status & ~(kMstatusSpp | kMstatusSie | kMstatusMprv);  // (SRET never returns to M)
  if (status & kMstatusSpie) s |= kMstatusSie;
  status = s | kMstatusSpie;
  return to;
}

}  // namespace vmscope
