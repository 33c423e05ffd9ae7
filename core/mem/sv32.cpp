// Two-level Sv32 walk: 4 KiB pages and 4 MiB superpages, A/D handled per Sv32Context.
#include "mem/sv32.h"

#include "mem/bus.h"

namespace vmscope {

ExceptionCause page_fault_for(AccessType type) {
  switch (type) {
    case AccessType::fetch: return ExceptionCause::fetch_page_fault;
    case AccessType::load: return ExceptionCause::load_page_fault;
    default: return ExceptionCause::store_page_fault;
  }
}

ExceptionCause access_fault_for(AccessType type) {
  switch (type) {
    case AccessType::fetch: return ExceptionCause::fetch_access;
    case AccessType::load: return ExceptionCause::load_access;
    default: return ExceptionCause::store_access;
  }
}

bool sv32_permits(uint32_t flags, AccessType type, Priv mode, bool sum, bool mxr) {
  const bool user_page = flags & kPteU;
  if (mode == Priv::U && !user_page) return false;
  if (mode == Priv::S && user_page && (type == AccessType::fetch || !sum)) return false;
  switch (type) {
    case AccessType::fetch: return flags & kPteX;
    case AccessType::load: return (flags & kPteR) || (mxr && (flags & kPteX));
    default: return flags & kPteW;
  }
}

bool BusPteMemory::read_pte(uint32_t paddr, uint32_t& pte) const {
  if (pmp_ && pmp_->entries() && !pmp_->allows(paddr, AccessType::load, Priv::S)) return false;
  uint8_t raw[4];
  if (!bus_.read_bytes(paddr, raw)) return false;
  pte = raw[0] | raw[1] << 8 | raw[2] << 16 | static_cast<uint32_t>(raw[3]) << 24;
  return true;
}

void BusPteMemory::write_pte(uint32_t paddr, uint32_t pte) const { bus_.write(paddr, 4, pte); }

Sv32Walk sv32_walk(Bus& bus, const Sv32Context& ctx, uint32_t vaddr, AccessType type, bool side_effects) {
  return sv32_walk(BusPteMemory(bus), ctx, vaddr, type, side_effects);
}

Sv32Walk sv32_walk(const PteMemory& memory, const Sv32Context& ctx, uint32_t vaddr, AccessType type,
                   bool side_effects) {
  Sv32Walk w;
  uint64_t table = static_cast<uint64_t>(ctx.satp & 0x3fffff) << 12;
  const uint32_t vpn[2] = {(vaddr >> 12) & 0x3ff, vaddr >> 22};
  for (int level = 1; level >= 0; --level) {
    const uint64_t pte_addr = table + vpn[level] * 4;
    uint32_t pte;
    if (pte_addr > 0xfffffffcull || !memory.read_pte(static_cast<uint32_t>(pte_addr), pte)) {
      w.fault = access_fault_for(type);
      return w;
    }
    w.steps[w.step_count++] = {static_cast<unsigned>(level), static_cast<uint32_t>(pte_addr), pte};
    if (!(pte & kPteV) || (!(pte & kPteR) && (pte & kPteW))) break;  // invalid or reserved
    if (!(pte & (kPteR | kPteX))) {  // pointer to the next level
      table = static_cast<uint64_t>(pte >> 10) << 12;
      continue;
    }
    // A leaf.
    const uint32_t ppn = pte >> 10;
    if (level == 1 && (ppn & 0x3ff)) break;  // misaligned superpage
    if (!sv32_permits(pte, type, ctx.mode, ctx.sum, ctx.mxr)) break;
    const uint32_t needed = kPteA | (type == AccessType::store ? kPteD : 0);
    uint32_t flags = pte & 0xff;
    if ((pte & needed) != needed) {
      if (!ctx.hardware_ad) break;  // Svade: software must set A/D in its fault handler
      flags |= needed;
      if (side_effects) memory.write_pte(static_cast<uint32_t>(pte_addr), pte | needed);
    }
    const uint64_t paddr = level == 1 ? (static_cast<uint64_t>(ppn >> 10) << 22) | (vaddr & 0x3fffff)
                                      : (static_cast<uint64_t>(ppn) << 12) | (vaddr & 0xfff);
    if (paddr > 0xffffffffull) {  // Sv32 reaches 34 bits; this board has 32
      w.fault = access_fault_for(type);
      return w;
    }
    w.ok = true;
    w.paddr = static_cast<uint32_t>(paddr);
    w.entry.valid = true;
    w.entry.superpage = level == 1;
    w.entry.vpn = level == 1 ? (vaddr >> 22) << 10 : vaddr >> 12;
    w.entry.asid = static_cast<uint16_t>((ctx.satp >> 22) & 0x1ff);
    w.entry.ppn = ppn;
    w.entry.pte_flags = flags;
    w.entry.pte_paddr = static_cast<uint32_t>(pte_addr);
    return w;
  }
  w.fault = page_fault_for(type);
  return w;
}

std::string sv32_explain(const Sv32Walk& w, const Sv32Context& ctx, AccessType type) {
  if (w.ok) return {};
  char text[200];
  if (w.step_count == 0) {
    std::snprintf(text, sizeof text, "the root table (satp.PPN) lies outside memory: an access fault");
    return text;
  }
  const Sv32Step& s = w.steps[w.step_count - 1];
  const unsigned level = s.level;
  const uint32_t pte = s.pte;
  const char* kind = type == AccessType::fetch ? "fetch" : type == AccessType::load ? "load" : "store";
  if (w.fault == ExceptionCause::load_access || w.fault == ExceptionCause::store_access ||
      w.fault == ExceptionCause::fetch_access) {
    std::snprintf(text, sizeof text, "the level %u PTE points outside memory (or past 32 bits): an access fault", level);
  } else if (!(pte & kPteV)) {
    std::snprintf(text, sizeof text, "level %u PTE at 0x%08x is not valid (V = 0)", level, s.pte_paddr);
  } else if (!(pte & kPteR) && (pte & kPteW)) {
    std::snprintf(text, sizeof text, "level %u PTE at 0x%08x is reserved: W = 1 without R", level, s.pte_paddr);
  } else if (!(pte & (kPteR | kPteX))) {
    std::snprintf(text, sizeof text, "level 0 PTE at 0x%08x points to yet another table: Sv32 has two levels", s.pte_paddr);
  } else if (level == 1 && ((pte >> 10) & 0x3ff)) {
    std::snprintf(text, sizeof text, "level 1 leaf at 0x%08x is a misaligned superpage (PPN[0] = 0x%x, must be 0)",
                  s.pte_paddr, (pte >> 10) & 0x3ff);
  } else if (ctx.mode == Priv::U && !(pte & kPteU)) {
    std::snprintf(text, sizeof text, "the leaf (level %u) is a supervisor page (U = 0): U-mode may not %s it", level, kind);
  } else if (ctx.mode == Priv::S && (pte & kPteU) && type == AccessType::fetch) {
    std::snprintf(text, sizeof text, "the leaf (level %u) is a user page (U = 1): S-mode never executes user code", level);
  } else if (ctx.mode == Priv::S && (pte & kPteU) && !ctx.sum) {
    std::snprintf(text, sizeof text, "the leaf (level %u) is a user page (U = 1) and sstatus.SUM = 0: S-mode may not %s it",
                  level, kind);
  } else if (!sv32_permits(pte, type, ctx.mode, ctx.sum, ctx.mxr)) {
    const char* bit = type == AccessType::fetch ? "X" : type == AccessType::load ? "R (nor X with MXR)" : "W";
    std::snprintf(text, sizeof text, "the leaf (level %u) does not allow a %s: %s = 0", level, kind, bit);
  } else {
    std::snprintf(text, sizeof text, "the leaf (level %u) has %s clear and A/D are set by software here (Svade)", level,
                  (pte & kPteA) ? "D" : "A");
  }
  return text;
}

std::string pte_flag_letters(uint32_t pte) {
  std::string f;
  const char* names = "VRWXUGAD";
  for (int i = 0; i < 8; ++i) f += (pte >> i & 1) ? names[i] : '-';
  return f;
}

}  // namespace vmscope
