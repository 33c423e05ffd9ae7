// The MMU: satp, the current Sv32 page table as a tree, a virtual address translated step by
// step, and the TLB with its ASIDs and counters. With the hypervisor extension also the guest's
// two stages (vsatp over hgatp), a guest address's two-dimensional walk with every memory
// access numbered, and the TLB's VMIDs. Page tables are read without side effects.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "mem/sv32.h"
#include "mem/two_stage.h"
#include "panels.h"

namespace vmscope::ui {

namespace {
// Page tables read from the bus without side effects (the G-stage walk that finds the guest's tables).
class PeekPteMemory final : public PteMemory {
 public:
  explicit PeekPteMemory(const Bus& bus) : bus_(bus) {}
  bool read_pte(uint32_t paddr, uint32_t& pte) const override {
    uint64_t v = 0;
    if (!bus_.peek(paddr, 4, v)) return false;
    pte = static_cast<uint32_t>(v);
    return true;
  }
  void write_pte(uint32_t, uint32_t) const override {}

 private:
  const Bus& bus_;
};

uint32_t read_pte(const Machine& m, uint64_t address) {
  uint64_t v = 0;
  if (address > 0xfffffffcull || !m.bus().peek(static_cast<uint32_t>(address), 4, v)) return 0;
  return static_cast<uint32_t>(v);
}

// A table's entries where the table is not at a host-physical address (the guest's, at a
// guest-physical one): `to_host` maps the table's address; identity for the host's own.
using ToHost = std::function<uint64_t(uint64_t)>;

// `entries`: 1024 (Sv32), or 4096 for the G-stage's 16 KiB Sv32x4 root.
void page_table_tree(const Machine& m, uint32_t satp, const char* in = "pa", unsigned entries = 1024,
                     const ToHost& to_host = [](uint64_t a) { return a; }) {
  const uint64_t root = static_cast<uint64_t>(entries == 4096 ? satp & 0x3ffffc : satp & 0x3fffff) << 12;
  int shown = 0;
  for (uint32_t i = 0; i < entries && shown < 256; ++i) {
    const uint32_t pte = read_pte(m, to_host(root + i * 4));
    if (!(pte & kPteV)) continue;
    ++shown;
    const uint64_t va = static_cast<uint64_t>(i) << 22;
    const char* from = entries == 4096 ? "gpa" : "va";
    const uint64_t next = static_cast<uint64_t>(pte >> 10) << 12;
    if (pte & (kPteR | kPteX)) {  // a 4 MiB superpage
      ImGui::BulletText("VPN[1]=%u  %s 0x%09llx-0x%09llx -> %s 0x%09llx  %s  (4 MiB superpage%s)", i, from,
                        static_cast<unsigned long long>(va), static_cast<unsigned long long>(va + 0x3fffff), in,
                        static_cast<unsigned long long>(next), pte_flags(pte).c_str(), (pte >> 10) & 0x3ff ? ", misaligned!" : "");
      continue;
    }
    char label[128];
    std::snprintf(label, sizeof label, "VPN[1]=%u  %s 0x%09llx-0x%09llx -> table at 0x%09llx", i, from,
                  static_cast<unsigned long long>(va), static_cast<unsigned long long>(va + 0x3fffff),
                  static_cast<unsigned long long>(next));
    if (ImGui::TreeNode(label)) {
      for (uint32_t j = 0; j < 1024; ++j) {
        const uint32_t leaf = read_pte(m, to_host(next + j * 4));
        if (!(leaf & kPteV)) continue;
        ImGui::BulletText("%s 0x%09llx -> %s 0x%09llx  %s", from, static_cast<unsigned long long>(va | j << 12), in,
                          static_cast<unsigned long long>(leaf >> 10) << 12, pte_flags(leaf).c_str());
      }
      ImGui::TreePop();
    }
  }
}
// The guest's translation of `gva`: every memory access of the two-dimensional walk, numbered,
// up to the one the slider has reached.
void two_dimensional_walk(const Hart& h, Panels& p, uint32_t gva, AccessType type, Priv mode) {
  const TwoStageWalk w = h.debug_translate_guest(gva, type, mode);
  ImGui::Text("guest-virtual 0x%08x: VS-stage (vsatp) over G-stage (hgatp): %u memory accesses", gva, w.access_count);
  if (w.access_count) {
    p.walk_step = std::clamp(p.walk_step, 1, static_cast<int>(w.access_count));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    ImGui::SliderInt("step through the walk", &p.walk_step, 1, static_cast<int>(w.access_count));
  }
  for (unsigned i = 0; i < w.access_count && static_cast<int>(i) < p.walk_step; ++i) {
    const NestedAccess& a = w.accesses[i];
    const ImVec4 color = static_cast<int>(i) + 1 == p.walk_step ? ImVec4(1, 0.85f, 0.35f, 1)
                         : a.g_stage                            ? ImVec4(0.55f, 0.75f, 1, 1)
                                                                : ImVec4(0.6f, 0.95f, 0.6f, 1);
    if (a.g_stage)
      ImGui::TextColored(color, "%2u. G-stage level %u (for gpa 0x%09llx): PTE at hpa 0x%08x = 0x%08x %s", i + 1, a.level,
                         static_cast<unsigned long long>(a.gpa), a.pte_hpa, a.pte, pte_flags(a.pte).c_str());
    else
      ImGui::TextColored(color, "%2u. VS-stage level %u: PTE at gpa 0x%09llx (hpa 0x%08x) = 0x%08x %s", i + 1, a.level,
                         static_cast<unsigned long long>(a.gpa), a.pte_hpa, a.pte, pte_flags(a.pte).c_str());
  }
  if (w.ok) {
    ImGui::Text("-> guest-physical 0x%09llx -> host-physical 0x%08x", static_cast<unsigned long long>(w.gpa), w.hpa);
  } else {
    ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "-> %s%s", exception_name(static_cast<unsigned>(w.fault)),
                       w.implicit ? " (in the VS-stage's own page-table access)" : "");
    if (is_guest_page_fault(w.fault))
      ImGui::Text("   at guest-physical 0x%09llx (htval = 0x%08llx)", static_cast<unsigned long long>(w.fault_gpa),
                  static_cast<unsigned long long>(w.fault_gpa >> 2));
  }
  ImGui::TextDisabled("Without nested paging this would be 2 accesses; each VS-stage access costs a G-stage walk too.");
}
}  // namespace

void draw_mmu(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::mmu)) return;
  Machine* m = s.machine();
  if (!m) {
    ImGui::End();
    return;
  }
  const Hart& h = m->hart();
  uint32_t satp = 0, mstatus = 0;
  h.debug_read_csr(0x180, satp);
  h.debug_read_csr(0x300, mstatus);
  const bool sv32 = satp & kSatpModeSv32;
  ImGui::Text("satp 0x%08x: %s, ASID %u, root table at 0x%09llx", satp, sv32 ? "Sv32" : "Bare",
              (satp >> kSatpAsidShift) & kSatpAsidMask, static_cast<unsigned long long>(satp & kSatpPpnMask) << 12);
  ImGui::Text("SUM %d  MXR %d  MPRV %d  (%s-mode%s)", !!(mstatus & kMstatusSum), !!(mstatus & kMstatusMxr),
              !!(mstatus & kMstatusMprv), h.mode_name(), h.has_hypervisor() ? (h.virt() ? ", V=1" : ", V=0") : "");
  const CsrState& c = h.csrs();
  const bool guest_paging = h.has_hypervisor() && (c.hgatp & kHgatpModeSv32x4);
  if (h.has_hypervisor())
    ImGui::Text("guest: vsatp 0x%08x (%s, ASID %u)  hgatp 0x%08x (%s, VMID %u, root at 0x%09llx)", c.vs.atp,
                c.vs.atp & kSatpModeSv32 ? "Sv32" : "Bare", (c.vs.atp >> kSatpAsidShift) & kSatpAsidMask, c.hgatp,
                guest_paging ? "Sv32x4" : "Bare", (c.hgatp >> kHgatpVmidShift) & kHgatpVmidMask,
                static_cast<unsigned long long>(c.hgatp & 0x3ffffc) << 12);

  // (While a guest runs, the host's own table is not what translates: its tables come first.)
  if (!h.virt() && ImGui::CollapsingHeader("Page table", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (sv32)
      page_table_tree(*m, satp);
    else
      ImGui::TextUnformatted("Translation is off (satp.MODE = Bare).");
  }
  if (h.has_hypervisor() && ImGui::CollapsingHeader("Guest page tables: VS-stage and G-stage", ImGuiTreeNodeFlags_DefaultOpen)) {
    // The VS-stage's tables are at guest-physical addresses: the G-stage says where they are.
    const ToHost gpa_to_hpa = [m, &h](uint64_t gpa) -> uint64_t {
      TwoStageContext ctx;
      ctx.hgatp = h.csrs().hgatp;
      const TwoStageWalk w = g_stage_walk(PeekPteMemory(m->bus()), ctx, gpa, AccessType::load, AccessType::load, false);
      return w.ok ? w.hpa : ~uint64_t{0};
    };
    if (ImGui::TreeNode("VS-stage (vsatp): guest-virtual -> guest-physical")) {
      if (c.vs.atp & kSatpModeSv32) page_table_tree(*m, c.vs.atp, "gpa", 1024, gpa_to_hpa);
      else ImGui::TextUnformatted("Bare: guest-virtual = guest-physical.");
      ImGui::TreePop();
    }
    if (ImGui::TreeNode("G-stage (hgatp): guest-physical -> host-physical")) {
      if (guest_paging) page_table_tree(*m, c.hgatp, "hpa", 4096);
      else ImGui::TextUnformatted("Bare: guest-physical = host-physical.");
      ImGui::TreePop();
    }
  }

  if (ImGui::CollapsingHeader("Translate", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("0x00000000__").x);
    ImGui::InputTextWithHint("##va", "virtual address", p.translate_text, sizeof p.translate_text);
    // Which access, from which mode (by default the hart's own).
    static const char* kKinds[] = {"load", "store", "fetch"};
    static const char* kModes[] = {"the hart's mode", "U-mode", "S-mode", "VU-mode (guest)", "VS-mode (guest)"};
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("fetch___").x + ImGui::GetFrameHeight());
    ImGui::Combo("##kind", &p.translate_kind, kKinds, 3);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("the hart's mode_").x + ImGui::GetFrameHeight());
    ImGui::Combo("##mode", &p.translate_mode, kModes, h.has_hypervisor() ? 5 : 3);
    const Priv mode = p.translate_mode == 1 || p.translate_mode == 3 ? Priv::U
                      : p.translate_mode == 2 || p.translate_mode == 4 ? Priv::S
                                                                        : h.priv();
    const bool guest = h.has_hypervisor() && (p.translate_mode >= 3 || (p.translate_mode == 0 && h.virt()));
    const AccessType type = p.translate_kind == 1 ? AccessType::store : p.translate_kind == 2 ? AccessType::fetch : AccessType::load;
    if (const auto va = parse_address(s, p.translate_text); va && guest) {
      two_dimensional_walk(h, p, *va, type, mode);
    } else if (va) {
      if (!sv32 || mode == Priv::M) {
        ImGui::Text("0x%08x -> 0x%08x (no translation in this mode)", *va, *va);
      } else {
        const Sv32Context ctx{satp, mode, static_cast<bool>(mstatus & kMstatusSum),
                              static_cast<bool>(mstatus & kMstatusMxr), h.config().hardware_ad_update};
        const Sv32Walk w = sv32_walk(m->bus(), ctx, *va, type, false);  // reads only
        ImGui::Text("VPN[1]=%u VPN[0]=%u offset=0x%03x", *va >> 22, (*va >> 12) & 0x3ff, *va & 0xfff);
        for (unsigned i = 0; i < w.step_count; ++i)
          ImGui::BulletText("level %u: PTE at 0x%08x = 0x%08x  %s", w.steps[i].level, w.steps[i].pte_paddr,
                            w.steps[i].pte, pte_flags(w.steps[i].pte).c_str());
        if (w.ok) {
          ImGui::Text("-> physical 0x%08x (%s allowed in %s-mode)", w.paddr, kKinds[p.translate_kind], to_string(mode));
        } else {
          ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "-> %s", exception_name(static_cast<unsigned>(w.fault)));
          ImGui::TextWrapped("because %s", sv32_explain(w, ctx, type).c_str());
        }
      }
    }
  }

  if (ImGui::CollapsingHeader("TLB", ImGuiTreeNodeFlags_DefaultOpen)) {
    const Tlb& tlb = h.tlb();
    const uint64_t lookups = tlb.stats.hits + tlb.stats.misses;
    ImGui::Text("hits %llu  misses (walks) %llu  flushes %llu  hit rate %.1f%%",
                static_cast<unsigned long long>(tlb.stats.hits), static_cast<unsigned long long>(tlb.stats.misses),
                static_cast<unsigned long long>(tlb.stats.flushes), lookups ? 100.0 * tlb.stats.hits / lookups : 0.0);
    const bool h_ext = h.has_hypervisor();
    if (ImGui::BeginTable("tlb", h_ext ? 6 : 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("virtual");
      ImGui::TableSetupColumn("physical");
      if (h_ext) ImGui::TableSetupColumn("V / VMID");
      ImGui::TableSetupColumn("ASID");
      ImGui::TableSetupColumn("flags");
      ImGui::TableSetupColumn("size");
      ImGui::TableHeadersRow();
      for (const TlbEntry& e : tlb.entries()) {
        if (!e.valid) continue;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("0x%08x", e.vpn << 12);
        ImGui::TableNextColumn();
        ImGui::Text("0x%09llx", static_cast<unsigned long long>(e.ppn) << 12);
        if (h_ext) {
          ImGui::TableNextColumn();
          if (e.virt) ImGui::Text("guest, VMID %u", e.vmid);
          else ImGui::TextUnformatted("host");
        }
        ImGui::TableNextColumn();
        if (e.pte_flags & kPteG)
          ImGui::TextUnformatted("global");
        else
          ImGui::Text("%u", e.asid);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(pte_flags(e.pte_flags).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.superpage ? "4 MiB" : "4 KiB");
      }
      ImGui::EndTable();
    }
  }

  // PMP: each entry that is on, the physical range it covers and what it allows.
  const Pmp& pmp = h.pmp();
  if (pmp.entries() && ImGui::CollapsingHeader("PMP: physical memory protection")) {
    ImGui::TextWrapped("%u entries. The lowest-numbered entry that matches an access decides; S and U reach "
                       "nothing no entry matches; M obeys only locked (L) entries.", pmp.entries());
    bool any = false;
    if (ImGui::BeginTable("pmp", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      for (const char* c : {"entry", "mode", "physical range", "allows"}) ImGui::TableSetupColumn(c);
      ImGui::TableHeadersRow();
      static const char* const kModes[] = {"OFF", "TOR", "NA4", "NAPOT"};
      for (unsigned e = 0; e < pmp.entries(); ++e) {
        const Pmp::Region r = pmp.region(e);
        if (r.mode == Pmp::kOff) continue;
        any = true;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%u", e);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(kModes[r.mode]);
        ImGui::TableNextColumn();
        ImGui::Text("0x%09llx - 0x%09llx", static_cast<unsigned long long>(r.lo), static_cast<unsigned long long>(r.hi));
        ImGui::TableNextColumn();
        ImGui::Text("%c%c%c%s", r.cfg & Pmp::kR ? 'R' : '-', r.cfg & Pmp::kW ? 'W' : '-', r.cfg & Pmp::kX ? 'X' : '-',
                    r.cfg & Pmp::kL ? "  locked" : "");
      }
      ImGui::EndTable();
    }
    if (!any) ImGui::TextDisabled("Every entry is off: S and U reach no memory at all.");
  }
  ImGui::End();
}

}  // namespace vmscope::ui
