// The hypervisor extension (privileged spec 1.12, chapter 8) on the hart: the V bit, the H and
// VS CSRs with their WARL behaviour and the aliasing of the S CSRs in VS-mode, the access rules
// that raise virtual-instruction exceptions, two-stage translation with a VMID-tagged TLB,
// HLV/HLVX/HSV and the HFENCEs. Traps and returns across V are in trap.cpp.
#include <cstring>

#include "csr_numbers.h"
#include "hart/hart.h"
#include "hart/zicsr.h"

namespace vmscope {

namespace {
constexpr uint32_t kVsToS = 1;  // VS-level interrupt bits sit one above the S-level ones (2 -> 1, ...)
constexpr uint16_t kVsOffset = csr::vsstatus - csr::sstatus;  // a VS CSR's number: its S one's + 0x100
}  // namespace

const char* Hart::mode_name() const {
  if (priv_ == Priv::M) return "M";
  if (!config_.hypervisor) return priv_ == Priv::S ? "S" : "U";
  if (virt_) return priv_ == Priv::S ? "VS" : "VU";
  return priv_ == Priv::S ? "HS" : "U";
}

void Hart::set_virt_mode(bool v) {
  if (v == virt_) return;
  virt_ = v;
  flush_micro_tlbs();  // the fast paths are per mode (U/S/M) and V changes what a mode means
}

bool Hart::data_virt() const {
  if (virt_) return true;
  return priv_ == Priv::M && (csr_.mstatus & kMstatusMprv) && (csr_.mstatush & kMstatushMpv) &&
         ((csr_.mstatus & kMstatusMpp) >> kMstatusMppShift) != 3;
}

uint32_t Hart::vs_interrupts_pending() const { return csr_.hvip & kVsInterrupts; }

// ---- CSR access rules -------------------------------------------------------------------------

uint16_t Hart::csr_alias(uint16_t n) const { return virt_ ? vs_alias(n) : n; }

Hart::CsrDenial Hart::csr_denial(uint16_t n, bool writes) const {
  uint32_t unused;
  if (!csr_read(n, unused, false)) return CsrDenial::illegal;  // not implemented
  if (!virt_) {
    if (!csr_permitted(n, writes, priv_, csr_.mcounteren, csr_.scounteren)) return CsrDenial::illegal;
    if (priv_ == Priv::S && (csr_.mstatus & kMstatusTvm) && (n == csr::satp || n == csr::hgatp)) return CsrDenial::illegal;
    return CsrDenial::none;
  }
  // V = 1: what HS-mode may do but the guest may not is a virtual instruction.
  const unsigned level = (n >> 8) & 3u;  // 0 U, 1 S, 2 H (hypervisor and VS CSRs), 3 M
  if (writes && (n >> 10) == 3) return CsrDenial::illegal;  // read-only
  const bool counter = n >= csr::cycle && n <= csr::hpmcounter31h;
  const unsigned bit = n & 31;
  if (level == 3) return CsrDenial::illegal;
  if (level == 2) return CsrDenial::virtual_instruction;
  if (level == 1) {
    if (priv_ == Priv::U) return CsrDenial::virtual_instruction;
    if (n == csr::satp && (csr_.hstatus & kHstatusVtvm)) return CsrDenial::virtual_instruction;
    return CsrDenial::none;
  }
  if (counter) {
    if (!(csr_.mcounteren >> bit & 1)) return CsrDenial::illegal;
    if (!(csr_.hcounteren >> bit & 1)) return CsrDenial::virtual_instruction;
    if (priv_ == Priv::U && !(csr_.scounteren >> bit & 1)) return CsrDenial::virtual_instruction;
  }
  return CsrDenial::none;
}

bool Hart::hypervisor_csr_read(uint16_t n, uint32_t& v) const {
  const uint32_t mip_h = (csr_.mip | csr_.hvip) & kHypervisorInterrupts;
  switch (n) {
    case 0x200: v = csr_.vsstatus; return true;
    case 0x204: v = (csr_.mie & csr_.hideleg & kVsInterrupts) >> kVsToS; return true;
    case csr::vstvec: case csr::vsscratch: case csr::vsepc: case csr::vscause: case csr::vstval: case csr::vsatp:
      return csr_.vs.read(static_cast<uint16_t>(n - kVsOffset), v);  // the S level's rules
    case 0x244: v = (mip_h & csr_.hideleg & kVsInterrupts) >> kVsToS; return true;
    case 0x600: v = csr_.hstatus; return true;
    case 0x602: v = csr_.hedeleg; return true;
    case 0x603: v = csr_.hideleg; return true;
    case 0x604: v = csr_.mie & kHypervisorInterrupts; return true;
    case 0x605: v = static_cast<uint32_t>(csr_.htimedelta); return true;
    case 0x615: v = static_cast<uint32_t>(csr_.htimedelta >> 32); return true;
    case 0x606: v = csr_.hcounteren; return true;
    case 0x607: case 0xe12: v = 0; return true;  // hgeie, hgeip: no guest external interrupt lines
    case 0x60a: case 0x61a: v = 0; return true;  // henvcfg(h): no fields implemented
    case 0x643: v = csr_.htval; return true;
    case 0x644: v = mip_h; return true;
    case 0x645: v = csr_.hvip; return true;
    case 0x64a: v = csr_.htinst; return true;
    case 0x680: v = csr_.hgatp; return true;
    case 0x310: v = csr_.mstatush; return true;
    case 0x34a: v = csr_.mtinst; return true;
    case 0x34b: v = csr_.mtval2; return true;
    default: return false;
  }
}

bool Hart::hypervisor_csr_write(uint16_t n, uint32_t v) {
  switch (n) {
    case 0x200: {
      const uint32_t old = csr_.vsstatus;
      csr_.vsstatus = v & kSstatusMask;
      if ((old ^ csr_.vsstatus) & (kMstatusSum | kMstatusMxr)) flush_micro_tlbs();
      return true;
    }
    case 0x204: {
      const uint32_t mask = csr_.hideleg & kVsInterrupts;
      csr_.mie = (csr_.mie & ~mask) | ((v << kVsToS) & mask);
      return true;
    }
    case csr::vstvec: case csr::vsscratch: case csr::vsepc: case csr::vscause: case csr::vstval:
      return csr_.vs.write(static_cast<uint16_t>(n - kVsOffset), v);
    case 0x244:  // only VSSIP is writable, and only when delegated
      if (csr_.hideleg & kMipVssip) csr_.hvip = (csr_.hvip & ~kMipVssip) | ((v << kVsToS) & kMipVssip);
      return true;
    case csr::vsatp: csr_.vs.write(csr::satp, v); flush_micro_tlbs(); return true;
    case 0x600: csr_.hstatus = v & kHstatusWritable; return true;
    case 0x602: csr_.hedeleg = v & kHedelegWritable; return true;
    case 0x603: csr_.hideleg = v & kVsInterrupts; return true;
    case 0x604: csr_.mie = (csr_.mie & ~kHypervisorInterrupts) | (v & kHypervisorInterrupts); return true;
    case 0x605: csr_.htimedelta = (csr_.htimedelta & ~0xffffffffull) | v; return true;
    case 0x615: csr_.htimedelta = (csr_.htimedelta & 0xffffffffull) | static_cast<uint64_t>(v) << 32; return true;
    case 0x606: csr_.hcounteren = v; return true;
    case 0x607: case 0x60a: case 0x61a: return true;  // WARL with no implemented values
    case 0x643: csr_.htval = v; return true;
    case 0x644: csr_.hvip = (csr_.hvip & ~kMipVssip) | (v & kMipVssip); return true;
    case 0x645: csr_.hvip = v & kVsInterrupts; return true;
    case 0x64a: csr_.htinst = v; return true;
    case 0x680:  // Bare or Sv32x4; a 7-bit VMID; the root 16 KiB aligned
      csr_.hgatp = (v & (kHgatpModeSv32x4 | kHgatpVmidMask << kHgatpVmidShift)) | (v & 0x3ffffcu);
      flush_micro_tlbs();
      return true;
    case 0x310: csr_.mstatush = v & (kMstatushMpv | kMstatushGva); flush_micro_tlbs(); return true;
    case 0x34a: csr_.mtinst = v; return true;
    case 0x34b: csr_.mtval2 = v; return true;
    default: return false;
  }
}

// ---- two-stage translation --------------------------------------------------------------------

TwoStageContext Hart::guest_context(Priv mode, bool hlvx) const {
  TwoStageContext c;
  c.vsatp = csr_.vs.atp;
  c.hgatp = csr_.hgatp;
  c.mode = mode;
  c.sum = csr_.vsstatus & kMstatusSum;
  c.g_mxr = csr_.mstatus & kMstatusMxr;
  c.vs_mxr = c.g_mxr || (csr_.vsstatus & kMstatusMxr);
  c.hlvx = hlvx;
  c.hardware_ad = config_.hardware_ad_update;
  return c;
}

bool Hart::translate_guest(uint32_t vaddr, AccessType type, Priv mode, bool hlvx, uint32_t& paddr) {
  const TwoStageContext ctx = guest_context(mode, hlvx);
  const auto asid = static_cast<uint16_t>((csr_.vs.atp >> kSatpAsidShift) & kSatpAsidMask);
  const auto vmid = static_cast<uint16_t>((csr_.hgatp >> kHgatpVmidShift) & kHgatpVmidMask);
  const uint16_t tag_asid = (csr_.vs.atp & kSatpModeSv32) ? asid : 0;
  if (const TlbEntry* e = tlb_.lookup(vaddr, tag_asid, true, vmid); e && !hlvx) {
    const uint32_t needed = kPteA | (type == AccessType::store ? kPteD : 0);
    if ((e->pte_flags & needed) == needed && (e->g_flags & needed) == needed &&
        sv32_permits(e->pte_flags, type, mode, ctx.sum, ctx.vs_mxr) &&
        sv32_permits(e->g_flags, type, Priv::U, false, ctx.g_mxr)) {
      paddr = (e->ppn << 12) | (vaddr & 0xfff);
      return true;
    }
  }
  // (Both stages' page-table reads pass PMP as S-level accesses, as the VS-stage's own walk does.)
  const TwoStageWalk w = two_stage_walk(BusPteMemory(bus_, &pmp_), ctx, vaddr, type, true);
  ++tlb_.stats.walks;
  tlb_.stats.walk_accesses += w.access_count;
  if (!w.ok) {
    raise(w.fault, vaddr);
    pending_gva_ = true;
    pending_gpa_ = is_guest_page_fault(w.fault) ? w.fault_gpa : 0;
    // For a fault in an implicit VS-stage page-table access: the standard pseudo-instruction
    // (a 32-bit load, or store for the A/D update).
    pending_tinst_ = w.implicit ? (w.implicit_write ? 0x00002020u : 0x00002000u) : 0;
    return false;
  }
  if (!hlvx) {
    TlbEntry e;
    e.valid = true;
    e.vpn = vaddr >> 12;
    e.asid = tag_asid;
    e.ppn = w.hpa >> 12;
    e.pte_flags = (csr_.vs.atp & kSatpModeSv32) ? w.vs_flags : (w.vs_flags & ~kPteG);
    e.g_flags = w.g_flags;
    e.virt = true;
    e.vmid = vmid;
    if (const TlbEntry& replaced = tlb_.entries()[Tlb::set_of(vaddr)]; replaced.valid) drop_fast_paths_for(replaced);
    tlb_.insert(e, vaddr);
  }
  paddr = w.hpa;
  return true;
}

TwoStageWalk Hart::debug_translate_guest(uint32_t vaddr, AccessType type, Priv priv) const {
  return two_stage_walk(bus_, guest_context(priv, false), vaddr, type, false);
}

// ---- HLV, HLVX, HSV and the HFENCEs -------------------------------------------------------------

bool Hart::execute_hypervisor_access(const Slot& s) {
  using isa::Op;
  const auto op = static_cast<Op>(s.handler);
  if (virt_) {
    raise_virtual_instruction();
    return false;
  }
  if (priv_ == Priv::U && !(csr_.hstatus & kHstatusHu)) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  const bool store = op == Op::hsv_b || op == Op::hsv_h || op == Op::hsv_w;
  const bool hlvx = op == Op::hlvx_hu || op == Op::hlvx_wu;
  const unsigned size = op == Op::hlv_b || op == Op::hlv_bu || op == Op::hsv_b                        ? 1
                        : op == Op::hlv_h || op == Op::hlv_hu || op == Op::hlvx_hu || op == Op::hsv_h ? 2
                                                                                                       : 4;
  const uint32_t vaddr = x_[s.rs1];
  const Priv mode = (csr_.hstatus & kHstatusSpvp) ? Priv::S : Priv::U;
  const AccessType type = store ? AccessType::store : AccessType::load;
  if (vaddr & (size - 1)) {
    raise(store ? ExceptionCause::misaligned_store : ExceptionCause::misaligned_load, vaddr);
    pending_gva_ = true;
    return false;
  }
  uint32_t paddr;
  if (!translate_guest(vaddr, type, mode, hlvx, paddr)) return false;
  if (store) {
    if (!bus_.write(paddr, size, x_[s.rs2])) {
      raise(ExceptionCause::store_access, vaddr);
      pending_gva_ = true;
      return false;
    }
    return true;
  }
  uint64_t v;
  if (!bus_.read(paddr, size, v)) {
    raise(ExceptionCause::load_access, vaddr);
    pending_gva_ = true;
    return false;
  }
  uint32_t value = static_cast<uint32_t>(v);
  if (op == Op::hlv_b) value = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(value)));
  if (op == Op::hlv_h) value = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(value)));
  x_[s.rd] = value;
  return true;
}

bool Hart::do_hfence(bool gvma, uint32_t addr, uint32_t id, bool by_addr, bool by_id) {
  if (virt_) {
    raise_virtual_instruction();
    return false;
  }
  if (priv_ == Priv::U || (gvma && priv_ == Priv::S && (csr_.mstatus & kMstatusTvm))) {
    raise(ExceptionCause::illegal_instruction, instruction_bits(pc_));
    return false;
  }
  if (gvma) {
    tlb_.flush_guest(by_id, static_cast<uint16_t>(id & kHgatpVmidMask));
  } else {
    const auto vmid = static_cast<uint16_t>((csr_.hgatp >> kHgatpVmidShift) & kHgatpVmidMask);
    tlb_.flush(by_addr, addr, by_id, static_cast<uint16_t>(id & kSatpAsidMask), true, vmid);
  }
  flush_micro_tlbs();
  return true;
}

}  // namespace vmscope
