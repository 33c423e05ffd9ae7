// The Sv32 page-table walk and permission check (privileged spec 1.12, section 4.3).
#pragma once

#include <cstdint>
#include <string>

#include "isa/causes.h"
#include "isa/privilege.h"
#include "mem/pmp.h"
#include "mem/tlb.h"

namespace vmscope {

class Bus;

struct Sv32Step {
  unsigned level;      // 1 = root table, 0 = second level
  uint32_t pte_paddr;  // where the PTE was read
  uint32_t pte;        // what was read
};

struct Sv32Walk {
  bool ok = false;
  ExceptionCause fault{};  // when !ok
  uint32_t paddr = 0;
  TlbEntry entry;  // the leaf, ready for the TLB
  Sv32Step steps[2]{};
  unsigned step_count = 0;
};

struct Sv32Context {
  uint32_t satp;
  Priv mode;  // effective privilege of the access (MPRV already applied)
  bool sum, mxr;
  bool hardware_ad;  // set A/D in memory (true) or fault when they need setting (false)
};

// Where a walk reads page-table entries and writes A/D bits: the physical bus (the hart), or
// a guest's physical memory (a monitor walking its guest's tables).
class PteMemory {
 public:
  virtual bool read_pte(uint32_t paddr, uint32_t& pte) const = 0;
  virtual void write_pte(uint32_t paddr, uint32_t pte) const = 0;

 protected:
  ~PteMemory() = default;
};

// The hart's physical memory as page tables live in it (reads and A/D writes through the bus).
// With a PMP, the walk's reads are checked as S-mode loads (a denied one: an access fault).
class BusPteMemory final : public PteMemory {
 public:
  explicit BusPteMemory(Bus& bus, const Pmp* pmp = nullptr) : bus_(bus), pmp_(pmp) {}
  bool read_pte(uint32_t paddr, uint32_t& pte) const override;
  void write_pte(uint32_t paddr, uint32_t pte) const override;

 private:
  Bus& bus_;
  const Pmp* pmp_;
};

// With `side_effects` false the walk only reads memory: no A/D update (for the debugger).
Sv32Walk sv32_walk(const PteMemory& memory, const Sv32Context& ctx, uint32_t vaddr, AccessType type,
                   bool side_effects);
Sv32Walk sv32_walk(Bus& bus, const Sv32Context& ctx, uint32_t vaddr, AccessType type, bool side_effects);

// Whether a leaf with these PTE flags allows the access (U/SUM/MXR rules, not A/D).
bool sv32_permits(uint32_t pte_flags, AccessType type, Priv mode, bool sum, bool mxr);
// A PTE's flag bits as "VRWXUGAD", a dash for each clear one.
std::string pte_flag_letters(uint32_t pte);
// Why a walk failed, in words, naming the level and the PTE bit: "level 0 PTE at 0x80012008 is
// not valid (V = 0)", "the leaf is a supervisor page (U = 0): U-mode may not touch it", ...
// Empty for a walk that succeeded.
std::string sv32_explain(const Sv32Walk& walk, const Sv32Context& ctx, AccessType type);

ExceptionCause page_fault_for(AccessType type);
ExceptionCause access_fault_for(AccessType type);

}  // namespace vmscope
