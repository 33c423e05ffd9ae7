// The MMU: satp, the current Sv32 page table as a tree, a virtual address translated step by
// step, and the TLB with its ASIDs and counters. Page tables are read without side effects.
#include <imgui.h>

#include <cstdio>

#include "mem/sv32.h"
#include "panels.h"

namespace vmscope::ui {

namespace {
uint32_t read_pte(const Machine& m, uint64_t address) {
  uint64_t v = 0;
  if (address > 0xfffffffcull || !m.bus().peek(static_cast<uint32_t>(address), 4, v)) return 0;
  return static_cast<uint32_t>(v);
}

void page_table_tree(const Machine& m, uint32_t satp) {
  const uint64_t root = static_cast<uint64_t>(satp & 0x3fffff) << 12;
  int shown = 0;
  for (uint32_t i = 0; i < 1024 && shown < 256; ++i) {
    const uint32_t pte = read_pte(m, root + i * 4);
    if (!(pte & kPteV)) continue;
    ++shown;
    const uint32_t va = i << 22;
    const uint64_t next = static_cast<uint64_t>(pte >> 10) << 12;
    if (pte & (kPteR | kPteX)) {  // a 4 MiB superpage
      ImGui::BulletText("VPN[1]=%u  va 0x%08x-0x%08x -> pa 0x%09llx  %s  (4 MiB superpage%s)", i, va, va + 0x3fffff,
                        static_cast<unsigned long long>(next), pte_flags(pte).c_str(),
                        (pte >> 10) & 0x3ff ? ", misaligned!" : "");
      continue;
    }
    char label[96];
    std::snprintf(label, sizeof label, "VPN[1]=%u  va 0x%08x-0x%08x -> table at 0x%09llx", i, va, va + 0x3fffff,
                  static_cast<unsigned long long>(next));
    if (ImGui::TreeNode(label)) {
      for (uint32_t j = 0; j < 1024; ++j) {
        const uint32_t leaf = read_pte(m, next + j * 4);
        if (!(leaf & kPteV)) continue;
        ImGui::BulletText("va 0x%08x -> pa 0x%09llx  %s", va | j << 12,
                          static_cast<unsigned long long>(leaf >> 10) << 12, pte_flags(leaf).c_str());
      }
      ImGui::TreePop();
    }
  }
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
  ImGui::Text("SUM %d  MXR %d  MPRV %d  (%s-mode)", !!(mstatus & kMstatusSum), !!(mstatus & kMstatusMxr),
              !!(mstatus & kMstatusMprv), to_string(h.priv()));

  if (ImGui::CollapsingHeader("Page table", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (sv32)
      page_table_tree(*m, satp);
    else
      ImGui::TextUnformatted("Translation is off (satp.MODE = Bare).");
  }

  if (ImGui::CollapsingHeader("Translate", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("0x00000000__").x);
    ImGui::InputTextWithHint("##va", "virtual address", p.translate_text, sizeof p.translate_text);
    // Which access, from which mode (by default the hart's own).
    static const char* kKinds[] = {"load", "store", "fetch"};
    static const char* kModes[] = {"the hart's mode", "U-mode", "S-mode"};
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("fetch___").x + ImGui::GetFrameHeight());
    ImGui::Combo("##kind", &p.translate_kind, kKinds, 3);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("the hart's mode_").x + ImGui::GetFrameHeight());
    ImGui::Combo("##mode", &p.translate_mode, kModes, 3);
    const Priv mode = p.translate_mode == 1 ? Priv::U : p.translate_mode == 2 ? Priv::S : h.priv();
    const AccessType type = p.translate_kind == 1 ? AccessType::store : p.translate_kind == 2 ? AccessType::fetch : AccessType::load;
    if (const auto va = parse_address(s, p.translate_text)) {
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
    if (ImGui::BeginTable("tlb", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("virtual");
      ImGui::TableSetupColumn("physical");
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
  ImGui::End();
}

}  // namespace vmscope::ui
