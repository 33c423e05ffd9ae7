// The CSRs: which exist, who may access them, and their WARL legalization (privileged spec 1.12).
#include "csr_numbers.h"
#include "hart/hart.h"
#include "hart/zicsr.h"

namespace vmscope {

namespace {
// Counter CSRs are 64 bits seen as two halves; writing one half keeps the other.
uint64_t with_half(uint64_t current, uint32_t value, bool high) {
  return high ? (current & 0xffffffffull) | static_cast<uint64_t>(value) << 32
              : (current & ~0xffffffffull) | value;
}
// M-level CSRs that exist with no implemented values: PMP entries 16..63 (and pmpcfg4..15), the
// event selectors and counters 3..31. They read 0 and ignore writes (WARL).
bool reads_as_zero(uint16_t n) {
  return (n >= csr::pmpcfg0 && n <= csr::pmpaddr63) || (n >= csr::mhpmevent3 && n <= csr::mhpmevent31) ||
         (n >= csr::mhpmcounter3 && n <= csr::mhpmcounter31) || (n >= csr::mhpmcounter3h && n <= csr::mhpmcounter31h);
}
}  // namespace

bool Hart::csr_read(uint16_t n, uint32_t& v, bool checked) const {
  if (checked && csr_denial(n, false) != CsrDenial::none) return false;
  const uint64_t cycle = time_steps() + cycle_offset_;
  const uint64_t retired = instret() + instret_offset_;
  if (config_.hypervisor && hypervisor_csr_read(n, v)) return true;
  if (triggers_.read(n, v)) return true;
  if (csr_.s.read(n, v)) return true;  // stvec, sscratch, sepc, scause, stval, satp
  switch (n) {
    case csr::cycle: case csr::mcycle: v = static_cast<uint32_t>(cycle); return true;
    case csr::cycleh: case csr::mcycleh: v = static_cast<uint32_t>(cycle >> 32); return true;
    case csr::instret: case csr::minstret: v = static_cast<uint32_t>(retired); return true;
    case csr::instreth: case csr::minstreth: v = static_cast<uint32_t>(retired >> 32); return true;
    case csr::time: v = static_cast<uint32_t>(mtime() + (virt_ ? csr_.htimedelta : 0)); return true;
    case csr::timeh: v = static_cast<uint32_t>((mtime() + (virt_ ? csr_.htimedelta : 0)) >> 32); return true;
    case csr::sstatus: v = csr_.mstatus & kSstatusMask; return true;
    // With H the VS-level and guest-external bits are hie's and hip's, not sie's and sip's.
    case csr::sie: v = csr_.mie & csr_.mideleg & ~kHypervisorInterrupts; return true;
    case csr::scounteren: v = csr_.scounteren; return true;
    case csr::senvcfg: v = 0; return true;  // senvcfg: no fields implemented
    case csr::sip: v = external_view(csr_.mip) & csr_.mideleg & ~kHypervisorInterrupts; return true;
    case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mhartid: case csr::mconfigptr: v = 0; return true;
    case csr::mstatus: v = csr_.mstatus; return true;
    case csr::misa: v = kMisa | (config_.hypervisor ? kMisaH : 0); return true;
    case csr::medeleg: v = csr_.medeleg; return true;
    case csr::mideleg: v = csr_.mideleg; return true;
    case csr::mie: v = csr_.mie; return true;
    case csr::mtvec: v = csr_.mtvec; return true;
    case csr::mcounteren: v = csr_.mcounteren; return true;
    case csr::menvcfg: case csr::menvcfgh: case csr::mstatush: case csr::mcountinhibit: v = 0; return true;  // menvcfg(h), mstatush, mcountinhibit
    case csr::mscratch: v = csr_.mscratch; return true;
    case csr::mepc: v = csr_.mepc; return true;
    case csr::mcause: v = csr_.mcause; return true;
    case csr::mtval: v = csr_.mtval; return true;
    case csr::mip:
      v = external_view(csr_.mip);
      if (mtime() >= mtimecmp_) v |= kMipMtip;
      return true;
    default: break;
  }
  if (n >= csr::pmpcfg0 && n <= csr::pmpcfg3) {  // (RV32: all four hold configurations)
    v = pmp_.read_cfg(n - csr::pmpcfg0);
    return true;
  }
  if (n >= csr::pmpaddr0 && n <= csr::pmpaddr15) {
    v = pmp_.read_addr(n - csr::pmpaddr0);
    return true;
  }
  // Unimplemented but architecturally present: read as zero (PMP entries 16..63, performance counters).
  if (reads_as_zero(n) || (n >= csr::hpmcounter3 && n <= csr::hpmcounter31) ||
      (n >= csr::hpmcounter3h && n <= csr::hpmcounter31h)) {
    v = 0;
    return true;
  }
  return false;
}

bool Hart::csr_write(uint16_t n, uint32_t v) {
  if (config_.hypervisor && hypervisor_csr_write(n, v)) return true;
  if (triggers_.write(n, v)) {
    flush_micro_tlbs();  // a load or store trigger: accesses take the slow path, where they are checked
    return true;
  }
  if (csr_.s.write(n, v)) {  // stvec, sscratch, sepc, scause, stval, satp
    if (n == csr::satp) {
      flush_micro_tlbs();  // the TLB itself keeps its ASID-tagged entries
      if (on_event && !trap_hook) on_event({steps_ + 1, EventKind::satp_write, 0, pc_, v});  // a monitor tells its guest's
    }
    return true;
  }
  switch (n) {
    case csr::mcycle: cycle_offset_ = with_half(time_steps() + cycle_offset_, v, false) - time_steps(); return true;
    case csr::mcycleh: cycle_offset_ = with_half(time_steps() + cycle_offset_, v, true) - time_steps(); return true;
    case csr::minstret: instret_offset_ = with_half(instret() + instret_offset_, v, false) - instret(); return true;
    case csr::minstreth: instret_offset_ = with_half(instret() + instret_offset_, v, true) - instret(); return true;
    case csr::sstatus: {
      const uint32_t old = csr_.mstatus;
      csr_.mstatus = (old & ~kSstatusMask) | (v & kSstatusMask);
      if ((old ^ csr_.mstatus) & (kMstatusSum | kMstatusMxr)) flush_micro_tlbs();
      return true;
    }
    case csr::sie: csr_.mie = (csr_.mie & ~csr_.mideleg) | (v & csr_.mideleg & kAllInterrupts); return true;
    case csr::scounteren: csr_.scounteren = v; return true;
    case csr::senvcfg: return true;
    case csr::sip: {
      const uint32_t mask = kMipSsip & csr_.mideleg;
      csr_.mip = (csr_.mip & ~mask) | (v & mask);
      return true;
    }
    case csr::mstatus: {
      const uint32_t old = csr_.mstatus;
      uint32_t m = (old & ~kMstatusWritable) | (v & kMstatusWritable);
      if (((m & kMstatusMpp) >> kMstatusMppShift) == 2) m = (m & ~kMstatusMpp) | (old & kMstatusMpp);
      csr_.mstatus = m;
      if ((old ^ m) & (kMstatusSum | kMstatusMxr | kMstatusMprv | kMstatusMpp)) flush_micro_tlbs();
      return true;
    }
    case csr::misa: return true;  // misa is read-only here
    case csr::medeleg: csr_.medeleg = v & (config_.hypervisor ? kDelegableExceptionsH : kDelegableExceptions); return true;
    // With H the VS-level interrupts and SGEI are always delegated to HS (read-only ones).
    case csr::mideleg: csr_.mideleg = (v & kSupervisorInterrupts) | (config_.hypervisor ? kHypervisorInterrupts : 0); return true;
    case csr::mie: csr_.mie = v & (kAllInterrupts | (config_.hypervisor ? kHypervisorInterrupts : 0)); return true;
    case csr::mtvec: csr_.mtvec = legal_tvec(v); return true;
    case csr::mcounteren: csr_.mcounteren = v; return true;
    case csr::menvcfg: case csr::menvcfgh: case csr::mstatush: case csr::mcountinhibit: return true;
    case csr::mscratch: csr_.mscratch = v; return true;
    case csr::mepc: csr_.mepc = legal_epc(v); return true;
    case csr::mcause: csr_.mcause = v; return true;
    case csr::mtval: csr_.mtval = v; return true;
    case csr::mip: {
      const uint32_t mask = kMipSsip | kMipStip | kMipSeip;
      csr_.mip = (csr_.mip & ~mask) | (v & mask);
      return true;
    }
    default: break;
  }
  if ((n >= csr::pmpcfg0 && n <= csr::pmpcfg3) || (n >= csr::pmpaddr0 && n <= csr::pmpaddr15)) {
    if (n <= csr::pmpcfg3) pmp_.write_cfg(n - csr::pmpcfg0, v);
    else pmp_.write_addr(n - csr::pmpaddr0, v);
    flush_micro_tlbs();  // the old rules' fast paths go
    return true;
  }
  return reads_as_zero(n);  // (writes ignored)
}

bool Hart::csr_op(const Slot& s) {
  // (A slot's rd is 32, a register no one reads, for x0.)
  const CsrInstruction c = CsrInstruction::of(static_cast<isa::Op>(s.handler), s.imm, s.rd == 32, s.rs1, x_[s.rs1]);
  const uint16_t number = c.number;
  const bool reads = c.reads, writes = c.writes;
  // The teaching quirks: sstatus in U-mode, read (status_read) or written (status_write)
  // without a trap. A write is dropped; what the instruction reads is the real sstatus.
  if (priv_ == Priv::U && number == csr::sstatus && (writes ? quirks_.status_write : reads && quirks_.status_read)) {
    note_quirk(writes ? Quirk::status_write : Quirk::status_read);
    x_[s.rd] = csr_.mstatus & kSstatusMask;
    return true;
  }
  if (const CsrDenial denial = csr_denial(number, writes); denial != CsrDenial::none) {
    if (denial == CsrDenial::virtual_instruction) raise_virtual_instruction();
    else raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  const uint16_t target = csr_alias(number);  // in VS-mode the S CSRs are the guest's own (vs*)
  uint32_t old = 0;
  bool ok = true;
  if (reads || writes) ok = csr_read(target, old, false);
  if (ok && writes) {
    // CSRRS/CSRRC of mip modify the SEIP bit software wrote, not the interrupt controller's line
    // that reads OR in (priv spec 3.1.9): else setting SSIP while a device interrupts latches SEIP.
    const uint32_t base = target == csr::mip ? (old & ~kMipSeip) | (csr_.mip & kMipSeip) : old;
    ok = csr_write(target, c.written(base));
    // Zicsr: the write is done instead of this instruction's own increment of minstret, so
    // the next instruction reads the value written (debugger writes retire nothing).
    if (ok && (number == csr::minstret || number == csr::minstreth)) --instret_offset_;
  }
  if (!ok) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  x_[s.rd] = old;
  refresh_modes();
  return true;
}

}  // namespace vmscope
