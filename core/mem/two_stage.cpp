// The two-stage walk (two_stage.h): Sv32 over Sv32x4, A/D and permissions at both stages.
#include "mem/two_stage.h"

#include <iterator>

#include "isa/csr_fields.h"
#include "mem/bus.h"

namespace vmscope {

ExceptionCause guest_page_fault_for(AccessType type) {
  switch (type) {
    case AccessType::fetch: return ExceptionCause::fetch_guest_page_fault;
    case AccessType::load: return ExceptionCause::load_guest_page_fault;
    default: return ExceptionCause::store_guest_page_fault;
  }
}

bool is_guest_page_fault(ExceptionCause c) {
  return c == ExceptionCause::fetch_guest_page_fault || c == ExceptionCause::load_guest_page_fault ||
         c == ExceptionCause::store_guest_page_fault;
}

namespace {
constexpr uint32_t kAllFlags = kPteV | kPteR | kPteW | kPteX | kPteU | kPteA | kPteD;

// What a leaf must allow. HLVX reads need X (MXR does not apply); otherwise as Sv32.
bool leaf_permits(uint32_t flags, AccessType type, Priv mode, bool sum, bool mxr, bool hlvx) {
  if (hlvx && type == AccessType::load) return sv32_permits(flags, AccessType::fetch, mode, sum, false);
  return sv32_permits(flags, type, mode, sum, mxr);
}

void record(TwoStageWalk& w, bool g, unsigned level, uint32_t hpa, uint32_t pte, uint64_t gpa) {
  if (w.access_count < std::size(w.accesses)) w.accesses[w.access_count++] = {g, level, hpa, pte, gpa};
}

// The G-stage, appending its accesses to `w`; false with w.fault set on a fault.
// `exec_read`: the access is HLVX's (a read that needs X).
bool g_stage(const PteMemory& memory, const TwoStageContext& ctx, uint64_t gpa, AccessType perm, AccessType cause_type,
             bool exec_read, bool side_effects, TwoStageWalk& w, uint32_t& hpa, uint32_t& leaf_flags) {
  if (!(ctx.hgatp & kHgatpModeSv32x4)) {  // Bare: guest-physical is host-physical
    if (gpa > 0xffffffffull) {
      w.fault = access_fault_for(cause_type);
      return false;
    }
    hpa = static_cast<uint32_t>(gpa);
    leaf_flags = kAllFlags;
    return true;
  }
  auto guest_fault = [&] {
    w.fault = guest_page_fault_for(cause_type);
    w.fault_gpa = gpa;
    return false;
  };
  if (gpa >> 34) return guest_fault();
  uint64_t table = static_cast<uint64_t>(ctx.hgatp & 0x3ffffcu) << 12;  // 16 KiB aligned
  const uint32_t vpn[2] = {static_cast<uint32_t>(gpa >> 12) & 0x3ff, static_cast<uint32_t>(gpa >> 22)};
  for (int level = 1; level >= 0; --level) {
    const uint64_t pte_addr = table + vpn[level] * 4ull;
    uint32_t pte;
    if (pte_addr > 0xfffffffcull || !memory.read_pte(static_cast<uint32_t>(pte_addr), pte)) {
      w.fault = access_fault_for(cause_type);
      return false;
    }
    record(w, true, static_cast<unsigned>(level), static_cast<uint32_t>(pte_addr), pte, gpa);
    if (!(pte & kPteV) || (!(pte & kPteR) && (pte & kPteW))) return guest_fault();
    if (!(pte & (kPteR | kPteX))) {
      if (level == 0) return guest_fault();
      table = static_cast<uint64_t>(pte >> 10) << 12;
      continue;
    }
    const uint32_t ppn = pte >> 10;
    if (level == 1 && (ppn & 0x3ff)) return guest_fault();  // misaligned superpage
    // Every G-stage access is a U-mode access: the leaf must have U.
    if (!leaf_permits(pte, perm, Priv::U, false, ctx.g_mxr, exec_read)) return guest_fault();
    const uint32_t needed = kPteA | (perm == AccessType::store ? kPteD : 0);
    leaf_flags = pte & 0xff;
    if ((pte & needed) != needed) {
      if (!ctx.hardware_ad) return guest_fault();
      leaf_flags |= needed;
      if (side_effects) memory.write_pte(static_cast<uint32_t>(pte_addr), pte | needed);
    }
    const uint64_t pa = level == 1 ? (static_cast<uint64_t>(ppn >> 10) << 22) | (gpa & 0x3fffff)
                                   : (static_cast<uint64_t>(ppn) << 12) | (gpa & 0xfff);
    if (pa > 0xffffffffull) {
      w.fault = access_fault_for(cause_type);
      return false;
    }
    hpa = static_cast<uint32_t>(pa);
    return true;
  }
  return guest_fault();
}
}  // namespace

TwoStageWalk g_stage_walk(const PteMemory& memory, const TwoStageContext& ctx, uint64_t gpa, AccessType perm,
                          AccessType cause_type, bool side_effects) {
  TwoStageWalk w;
  w.gpa = gpa;
  w.ok = g_stage(memory, ctx, gpa, perm, cause_type, false, side_effects, w, w.hpa, w.g_flags);
  return w;
}

TwoStageWalk two_stage_walk(Bus& bus, const TwoStageContext& ctx, uint32_t gva, AccessType type, bool side_effects) {
  return two_stage_walk(BusPteMemory(bus), ctx, gva, type, side_effects);
}

TwoStageWalk two_stage_walk(const PteMemory& memory, const TwoStageContext& ctx, uint32_t gva, AccessType type,
                            bool side_effects) {
  TwoStageWalk w;
  uint64_t gpa = gva;
  w.vs_flags = kAllFlags;
  if (ctx.vsatp & kSatpModeSv32) {
    uint64_t table = static_cast<uint64_t>(ctx.vsatp & 0x3fffff) << 12;
    const uint32_t vpn[2] = {(gva >> 12) & 0x3ff, gva >> 22};
    bool leaf_found = false;
    for (int level = 1; level >= 0 && !leaf_found; --level) {
      const uint64_t pte_gpa = table + vpn[level] * 4ull;
      uint32_t pte_hpa, unused;
      if (!g_stage(memory, ctx, pte_gpa, AccessType::load, type, false, side_effects, w, pte_hpa, unused)) {
        w.implicit = is_guest_page_fault(w.fault);
        return w;
      }
      uint32_t pte;
      if (!memory.read_pte(pte_hpa, pte)) {
        w.fault = access_fault_for(type);
        return w;
      }
      record(w, false, static_cast<unsigned>(level), pte_hpa, pte, pte_gpa);
      auto page_fault = [&] {
        w.fault = page_fault_for(type);
        return w;
      };
      if (!(pte & kPteV) || (!(pte & kPteR) && (pte & kPteW))) return page_fault();
      if (!(pte & (kPteR | kPteX))) {
        if (level == 0) return page_fault();
        table = static_cast<uint64_t>(pte >> 10) << 12;
        continue;
      }
      const uint32_t ppn = pte >> 10;
      if (level == 1 && (ppn & 0x3ff)) return page_fault();
      if (!leaf_permits(pte, type, ctx.mode, ctx.sum, ctx.vs_mxr, ctx.hlvx)) return page_fault();
      const uint32_t needed = kPteA | (type == AccessType::store ? kPteD : 0);
      w.vs_flags = pte & 0xff;
      if ((pte & needed) != needed) {
        if (!ctx.hardware_ad) return page_fault();
        // Setting A/D is a write of the PTE: the G-stage must allow it.
        uint32_t write_hpa, unused_flags;
        if (!g_stage(memory, ctx, pte_gpa, AccessType::store, type, false, side_effects, w, write_hpa, unused_flags)) {
          w.implicit = w.implicit_write = is_guest_page_fault(w.fault);
          return w;
        }
        w.vs_flags |= needed;
        if (side_effects) memory.write_pte(write_hpa, pte | needed);
      }
      gpa = level == 1 ? (static_cast<uint64_t>(ppn >> 10) << 22) | (gva & 0x3fffff)
                       : (static_cast<uint64_t>(ppn) << 12) | (gva & 0xfff);
      leaf_found = true;
    }
  }
  w.gpa = gpa;
  if (!g_stage(memory, ctx, gpa, type, type, ctx.hlvx, side_effects, w, w.hpa, w.g_flags)) return w;
  w.ok = true;
  return w;
}

}  // namespace vmscope
