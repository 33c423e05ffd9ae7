// Two-stage address translation of the hypervisor extension (privileged spec 1.12, section
// 8.5): the VS-stage (Sv32 through vsatp) maps guest-virtual to guest-physical addresses, the
// G-stage (Sv32x4 through hgatp: a 16 KiB root, 34-bit guest-physical addresses) maps those to
// host-physical ones. Every page-table access of the VS-stage is itself a guest-physical access
// the G-stage translates, so one walk makes up to eight memory accesses; the walk records them
// all, in order, for the debugger's view of a two-dimensional walk.
#pragma once

#include <cstdint>

#include "isa/causes.h"
#include "isa/privilege.h"
#include "mem/sv32.h"

namespace vmscope {

struct TwoStageContext {
  uint32_t vsatp = 0, hgatp = 0;
  Priv mode = Priv::S;  // of the access: VS (S) or VU (U)
  bool sum = false;     // vsstatus.SUM
  bool vs_mxr = false;  // vsstatus.MXR or mstatus.MXR: executable pages readable at the VS-stage
  bool g_mxr = false;   // mstatus.MXR: the same at the G-stage
  bool hlvx = false;    // HLVX: a read that needs execute permission (at both stages)
  bool hardware_ad = true;
};

// One page-table entry the walk read.
struct NestedAccess {
  bool g_stage;        // a G-stage entry (translating `gpa`), or a VS-stage one
  unsigned level;      // 1 = root, 0 = second level
  uint32_t pte_hpa;    // where it was read (host-physical)
  uint32_t pte;
  uint64_t gpa;        // G-stage: the guest-physical address being translated; VS-stage: where the PTE is
};

struct TwoStageWalk {
  bool ok = false;
  ExceptionCause fault{};   // page fault (VS-stage), guest-page fault (G-stage) or access fault
  uint64_t fault_gpa = 0;   // a guest-page fault's guest-physical address (htval/mtval2 = it >> 2)
  bool implicit = false;    // that fault was in a VS-stage page-table access (htinst: a pseudo-instruction)
  bool implicit_write = false;  // ... writing its A/D bits
  uint64_t gpa = 0;
  uint32_t hpa = 0;
  uint32_t vs_flags = 0, g_flags = 0;  // the two leaves' flags as the walk left them (A/D set)
  NestedAccess accesses[9]{};
  unsigned access_count = 0;
};

// G-stage alone: a guest-physical address to host-physical (`perm` is checked, `cause_type`
// names the guest-page fault: the original access's type). Used for the final address and for
// each VS-stage page-table access.
TwoStageWalk g_stage_walk(const PteMemory& memory, const TwoStageContext& ctx, uint64_t gpa, AccessType perm,
                          AccessType cause_type, bool side_effects);
// Both stages, guest-virtual to host-physical. With `side_effects` false nothing is written.
TwoStageWalk two_stage_walk(const PteMemory& memory, const TwoStageContext& ctx, uint32_t gva, AccessType type,
                            bool side_effects);
TwoStageWalk two_stage_walk(Bus& bus, const TwoStageContext& ctx, uint32_t gva, AccessType type, bool side_effects);

ExceptionCause guest_page_fault_for(AccessType type);
bool is_guest_page_fault(ExceptionCause c);

}  // namespace vmscope
