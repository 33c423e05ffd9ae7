// The monitor: how a supervisor kernel runs (emulation or trap-and-emulate), the shadow
// strategy and the teaching quirks; then the virtual CPU next to the real hart, the guest's
// page tables next to the shadow tables (each mapping followed guest-virtual -> guest-physical
// -> host-physical), the exits as a timeline and a log, and the monitor's statistics.
#include <imgui.h>

#include <initializer_list>

#include <algorithm>
#include <cstdio>

#include "panels.h"
#include "mem/tlb.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
ImVec4 action_color(ExitAction a) {
  switch (a) {
    case ExitAction::emulated_csr: case ExitAction::emulated_sret: case ExitAction::emulated_wfi:
    case ExitAction::emulated_sfence: return ImVec4(0.35f, 0.65f, 1.0f, 1);  // blue: emulated
    case ExitAction::callout: return ImVec4(0.3f, 0.9f, 0.9f, 1);              // cyan: translated code
    case ExitAction::sbi_call: return ImVec4(0.6f, 0.5f, 1.0f, 1);
    case ExitAction::hidden_fault: return ImVec4(0.6f, 0.6f, 0.6f, 1);         // grey: invisible
    case ExitAction::reflected: return ImVec4(1.0f, 0.75f, 0.3f, 1);           // orange: the guest's
    case ExitAction::page_table_write: return ImVec4(0.3f, 0.85f, 0.5f, 1);
    case ExitAction::timer: return ImVec4(1.0f, 1.0f, 0.45f, 1);
    case ExitAction::quirk_escape: return ImVec4(1.0f, 0.3f, 0.3f, 1);         // red: lost
    case ExitAction::hypercall: return ImVec4(0.45f, 0.95f, 0.55f, 1);         // green: asked for
    case ExitAction::g_stage_fill: return ImVec4(0.6f, 0.6f, 0.6f, 1);         // grey: invisible to the guest
    case ExitAction::injected_fault: return ImVec4(1.0f, 0.75f, 0.3f, 1);      // orange: the guest's
    case ExitAction::emulated_device: return ImVec4(0.35f, 0.65f, 1.0f, 1);   // blue: emulated
  }
  return ImVec4(1, 1, 1, 1);
}

// Puts the next group of `labels` (radio buttons or checkboxes, after a text) on this line if it
// fits, on the next otherwise: the switches wrap instead of running out of the window.
bool same_line_if_fits(std::initializer_list<const char*> labels) {
  const ImGuiStyle& st = ImGui::GetStyle();
  float width = 0;
  for (const char* l : labels) width += ImGui::CalcTextSize(l).x + ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + st.ItemSpacing.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + width >= right) return false;
  ImGui::SameLine();
  return true;
}

void switches(DebugSession& s) {
  VmSettings v = s.vm_settings();
  bool changed = false;
  ImGui::TextUnformatted("Kernel runs by");
  ImGui::SameLine();
  int mode = static_cast<int>(v.virtualization);
  changed |= ImGui::RadioButton("emulation", &mode, static_cast<int>(Virtualization::emulation));
  ImGui::SameLine();
  changed |= ImGui::RadioButton("trap-and-emulate", &mode, static_cast<int>(Virtualization::trap_and_emulate));
  ImGui::SameLine();
  changed |= ImGui::RadioButton("+ binary translation", &mode, static_cast<int>(Virtualization::binary_translation));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The kernel's code is translated: every sensitive instruction becomes a callout to the\n"
                      "monitor, so the quirks cannot break the illusion (VMware's classic hybrid).");
  ImGui::SameLine();
  changed |= ImGui::RadioButton("paravirtual", &mode, static_cast<int>(Virtualization::paravirtual));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The kernel's paravirtual build (kernel-pv): it knows it runs under the monitor and\n"
                      "calls it (hypercalls, a shared page) instead of executing privileged instructions,\n"
                      "as Xen's guests do. Choosing it loads that build.");
  ImGui::SameLine();
  changed |= ImGui::RadioButton("hardware-assisted", &mode, static_cast<int>(Virtualization::hardware_assisted));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The unmodified kernel in the hart's VS-mode (the H extension), behind the monitor's\n"
                      "G-stage table: the hardware translates both stages and delivers the guest's own\n"
                      "traps; the monitor sees SBI calls, guest-page faults and its timer. No shadow tables.");
  v.virtualization = static_cast<Virtualization>(mode);
  const bool shadows = v.virtualization == Virtualization::trap_and_emulate || v.virtualization == Virtualization::binary_translation;
  ImGui::BeginDisabled(!shadows);
  ImGui::TextDisabled(same_line_if_fits({"|  shadows follow the guest by", "SFENCE.VMA", "write-protect", "check every exit"})
                          ? "|  shadows follow the guest by"
                          : "Shadows follow the guest by");
  ImGui::SameLine();
  int wp = v.invalidation == ShadowInvalidation::write_protect;
  changed |= ImGui::RadioButton("SFENCE.VMA", &wp, 0);
  ImGui::SameLine();
  changed |= ImGui::RadioButton("write-protect", &wp, 1);
  v.invalidation = wp ? ShadowInvalidation::write_protect : ShadowInvalidation::sfence;
  ImGui::SameLine();
  changed |= ImGui::Checkbox("check every exit", &v.check_shadows);
  ImGui::EndDisabled();
  // The console: a combo (the panel's switches must leave the tables room on a 720-line screen).
  static const char* const kConsoles[] = {"SBI call", "16550 passed through", "16550 emulated", "virtio-console"};
  ImGui::TextDisabled(same_line_if_fits({"|  console:", "16550 passed through"}) ? "|  console:" : "Console:");
  ImGui::SameLine();
  int console = static_cast<int>(v.console);
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("16550 passed through").x + ImGui::GetFrameHeight() * 2);
  changed |= ImGui::Combo("##console", &console, kConsoles, 4);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("How the kernel reaches its console (switching restarts it):\n"
                      "SBI call: through the firmware (DBCN), one call and one exit per string;\n"
                      "16550 passed through: it drives the UART itself, its registers mapped: no exit;\n"
                      "16550 emulated: it drives the UART, but every register access traps and the\n"
                      "monitor carries it out (two exits a byte);\n"
                      "virtio-console: a paravirtual device, buffers in shared rings, one exit per string.");
  v.console = static_cast<Console>(console);
  ImGui::TextUnformatted("Quirks in U-mode:");
  ImGui::SameLine();
  changed |= ImGui::Checkbox("status-read (PUSHF)", &v.quirks.status_read);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("status-write (POPF)", &v.quirks.status_write);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("sret-jump (JRST 1)", &v.quirks.sret_jump);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Each quirk makes a sensitive instruction unprivileged, as on machines that could not\n"
                      "be virtualized by trap-and-emulate. Switching mode restarts the kernel.");
  if (changed) s.set_vm_settings(v);
}

void vcpu_view(const Machine& m, const Monitor& mon) {
  const VirtualCpu& v = mon.vcpu();
  const Hart& h = m.hart();
  auto real = [&h](uint16_t n) {
    uint32_t value = 0;
    h.debug_read_csr(n, value);
    return value;
  };
  if (!ImGui::BeginTable("vcpu", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn("virtual CPU (what the guest sees)");
  ImGui::TableSetupColumn("real hart (what runs)");
  ImGui::TableHeadersRow();
  auto row = [](const char* name, const char* guest, const char* host) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(guest);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(host);
  };
  char g[96], r[96];
  std::snprintf(g, sizeof g, "%s-mode", to_string(v.mode));
  std::snprintf(r, sizeof r, "%s-mode%s", to_string(h.priv()), h.priv() == Priv::U ? " (always, under the monitor)" : "");
  row("privilege", g, r);
  std::snprintf(g, sizeof g, "0x%08x", h.pc());
  row("pc", g, g);
  auto csr = [&](const char* name, uint32_t guest, const char* real_name, uint32_t host) {
    std::snprintf(g, sizeof g, "0x%08x", guest);
    std::snprintf(r, sizeof r, "%s 0x%08x", real_name, host);
    row(name, g, r);
  };
  csr("sstatus", v.sstatus, "mstatus", real(0x300));
  csr("sie", v.sie, "mie", real(0x304));
  uint32_t sip = v.sip | (h.csrs().mip & kMipStip);
  csr("sip", sip, "mip", real(0x344));
  csr("stvec", v.s.tvec, "mtvec (unused)", real(0x305));
  csr("sscratch", v.s.scratch, "sscratch", real(0x140));
  csr("sepc", v.s.epc, "sepc (mirrored)", real(0x141));
  csr("scause", v.s.cause, "scause", real(0x142));
  csr("stval", v.s.tval, "stval", real(0x143));
  csr("satp", v.s.atp, "satp (shadow table)", real(0x180));
  std::snprintf(g, sizeof g, "%llu", static_cast<unsigned long long>(mon.guest_instret()));
  std::snprintf(r, sizeof r, "%llu (the monitor emulated the rest)", static_cast<unsigned long long>(h.instret()));
  row("instret", g, r);
  ImGui::EndTable();
}

// One row of the side-by-side view: a guest leaf, its shadow entry, or both.
struct MappingRow {
  uint32_t gva = 0, gpa = 0, guest_pte = 0;
  bool guest = false, superpage = false, paging = false;
  const ShadowMapping* shadow = nullptr;
};

std::vector<MappingRow> mapping_rows(const Monitor& mon, int table, const std::vector<ShadowMapping>& maps,
                                     bool only_shadowed) {
  std::vector<MappingRow> rows;
  if (table < 0 || !mon.shadow().tables()[table].live) return rows;
  const ShadowKey& key = mon.shadow().tables()[table].key;
  const GuestMemory& g = mon.guest_memory();
  if (key.paging() && !only_shadowed) {  // the guest's own table, read as the hart would
    for (uint32_t i = 0; i < 1024; ++i) {
      uint32_t l1 = 0;
      if (!g.read_pte(key.root() + i * 4, l1) || !(l1 & kPteV)) continue;
      if (l1 & (kPteR | kPteX)) {
        rows.push_back({i << 22, (l1 >> 20) << 22, l1, true, true, true, nullptr});
        continue;
      }
      const uint32_t l0 = (l1 >> 10) << 12;
      for (uint32_t j = 0; j < 1024; ++j) {
        uint32_t leaf = 0;
        if (g.read_pte(l0 + j * 4, leaf) && (leaf & kPteV)) rows.push_back({i << 22 | j << 12, (leaf >> 10) << 12, leaf, true, false, true, nullptr});
      }
    }
  }
  for (const ShadowMapping& m : maps) {  // both sorted by address: merge
    auto it = std::lower_bound(rows.begin(), rows.end(), m.gva, [](const MappingRow& r, uint32_t v) { return r.gva < v; });
    if (it != rows.end() && it->gva == m.gva && !it->superpage) {
      it->shadow = &m;
    } else {
      if (it != rows.end() && it->gva == m.gva) ++it;  // after the superpage's own row
      rows.insert(it, {m.gva, m.gpa, m.guest_pte, only_shadowed && m.guest_pte != 0, false, key.paging(), &m});
    }
  }
  return rows;
}

// Hardware-assisted: the monitor's G-stage table (what it has backed of the guest's memory) and
// the guest's own CSRs, which the hart holds (VS CSRs) next to the monitor's (HS).
void g_stage_view(const Machine& m, const Monitor& mon) {
  ImGui::TextWrapped("No shadow tables: the hart walks the guest's own page table (vsatp) and, for every address "
                     "it yields, the monitor's G-stage table (hgatp). The monitor backs the guest's memory as it "
                     "is touched: %u region%s so far (4 MiB of RAM or one device page each). The MMU panel steps "
                     "through a two-dimensional walk.",
                     mon.g_stage_regions(), mon.g_stage_regions() == 1 ? "" : "s");
  if (!ImGui::BeginTable("gstage", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupColumn("guest-physical");
  ImGui::TableSetupColumn("host-physical");
  ImGui::TableSetupColumn("G-stage entry");
  ImGui::TableHeadersRow();
  for (uint32_t i = 0; i < 4096; ++i) {
    uint64_t pte = 0;
    m.bus().peek(mon.g_stage_root() + i * 4, 4, pte);
    if (!(pte & kPteV)) continue;
    const uint64_t gpa = static_cast<uint64_t>(i) << 22;
    auto row = [](uint64_t g, uint64_t h, const char* what, uint32_t e) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("0x%09llx", static_cast<unsigned long long>(g));
      ImGui::TableNextColumn();
      ImGui::Text("0x%09llx", static_cast<unsigned long long>(h));
      ImGui::TableNextColumn();
      ImGui::Text("%s %s", what, pte_flags(e).c_str());
    };
    if (pte & (kPteR | kPteX)) {
      row(gpa, (pte >> 10) << 12, "4 MiB", static_cast<uint32_t>(pte));
      continue;
    }
    for (uint32_t j = 0; j < 1024; ++j) {
      uint64_t leaf = 0;
      m.bus().peek(static_cast<uint32_t>((pte >> 10) << 12) + j * 4, 4, leaf);
      if (leaf & kPteV) row(gpa | j << 12, (leaf >> 10) << 12, "4 KiB", static_cast<uint32_t>(leaf));
    }
  }
  ImGui::EndTable();
}

void guest_csrs_view(const Hart& h) {
  if (!ImGui::BeginTable("vscsrs", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn("the guest's (VS CSRs, in the hart)");
  ImGui::TableSetupColumn("the monitor's (HS)");
  ImGui::TableHeadersRow();
  auto row = [&h](const char* name, uint16_t guest, const char* host_name, uint16_t host) {
    uint32_t g = 0, v = 0;
    h.debug_read_csr(guest, g);
    h.debug_read_csr(host, v);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    ImGui::TableNextColumn();
    ImGui::Text("0x%08x", g);
    ImGui::TableNextColumn();
    ImGui::Text("%s 0x%08x", host_name, v);
  };
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("mode");
  ImGui::TableNextColumn();
  ImGui::Text("%s (V=%d)", h.mode_name(), h.virt() ? 1 : 0);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("HS when it exits");
  row("sstatus", 0x200, "hstatus", 0x600);
  row("sie", 0x204, "hideleg", 0x603);
  row("stvec", 0x205, "hedeleg", 0x602);
  row("sscratch", 0x240, "hvip", 0x645);
  row("sepc", 0x241, "htval", 0x643);
  row("scause", 0x242, "htinst", 0x64a);
  row("stval", 0x243, "hcounteren", 0x606);
  row("sip", 0x244, "hip", 0x644);
  row("satp", 0x280, "hgatp", 0x680);
  ImGui::EndTable();
}

void page_table_view(const Monitor& mon, Panels& p) {
  const ShadowMmu& sh = mon.shadow();
  const auto& tables = sh.tables();
  if (p.monitor_table < 0 || !tables[p.monitor_table].live || p.monitor_follow) p.monitor_table = sh.current_table();
  ImGui::Checkbox("follow the current table", &p.monitor_follow);
  ImGui::SameLine();
  ImGui::TextDisabled("%u of %u shadow pages in use; strategy: %s", sh.pages_in_use(), sh.pool_pages(),
                      to_string(sh.strategy()));
  // The shadow tables, one per guest view.
  // (A short window gives the mappings below most of its room.)
  const float row_h = ImGui::GetTextLineHeightWithSpacing();
  const float tables_h = std::clamp(ImGui::GetContentRegionAvail().y * 0.25f, row_h * 2.6f, row_h * 5);
  if (ImGui::BeginTable("tables", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, tables_h))) {
    ImGui::TableSetupColumn("shadow table");
    ImGui::TableSetupColumn("guest satp");
    ImGui::TableSetupColumn("guest view");
    ImGui::TableSetupColumn("host ASID");
    ImGui::TableSetupColumn("root (host)");
    ImGui::TableHeadersRow();
    for (unsigned t = 0; t < ShadowMmu::kMaxTables; ++t) {
      const ShadowMmu::TableInfo& info = tables[t];
      if (!info.live) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char label[48];
      std::snprintf(label, sizeof label, "#%u%s##table%u", t, static_cast<int>(t) == sh.current_table() ? " (current)" : "", t);
      if (ImGui::Selectable(label, p.monitor_table == static_cast<int>(t), ImGuiSelectableFlags_SpanAllColumns)) {
        p.monitor_table = static_cast<int>(t);
        p.monitor_follow = false;
      }
      ImGui::TableNextColumn();
      if (info.key.paging()) ImGui::Text("0x%08x (ASID %u)", info.key.satp, info.key.asid());
      else ImGui::TextUnformatted("paging off");
      ImGui::TableNextColumn();
      ImGui::Text("%s-mode%s%s", to_string(info.key.mode), info.key.sum ? " SUM" : "", info.key.mxr ? " MXR" : "");
      ImGui::TableNextColumn();
      ImGui::Text("%u", info.host_asid);
      ImGui::TableNextColumn();
      ImGui::Text("0x%08x", info.root_hpa);
    }
    ImGui::EndTable();
  }
  // The chosen table's guest view, side by side with its shadow: every leaf of the guest's
  // page table (a 4 MiB superpage as one row), and the shadow entry filled for it, if any yet.
  const std::vector<ShadowMapping> maps = sh.mappings(p.monitor_table);
  const std::vector<MappingRow> rows = mapping_rows(mon, p.monitor_table, maps, p.monitor_only_shadowed);
  ImGui::Text("%zu shadow entries in table #%d (filled on hidden page faults)", maps.size(), p.monitor_table);
  ImGui::SameLine();
  ImGui::Checkbox("only shadowed", &p.monitor_only_shadowed);
  const float pt_list_height = ImGui::GetTextLineHeightWithSpacing() * 2.5f;
  if (ImGui::BeginTable("mappings", 6,
                        ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                            ImGuiTableFlags_SizingStretchProp,
                        ImVec2(0, std::max(80.0f, ImGui::GetContentRegionAvail().y - pt_list_height)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("guest virtual");
    ImGui::TableSetupColumn("guest PTE");
    ImGui::TableSetupColumn("-> guest physical");
    ImGui::TableSetupColumn("shadow PTE");
    ImGui::TableSetupColumn("-> host physical");
    ImGui::TableSetupColumn("note");
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(rows.size()));
    while (clip.Step()) {
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
        const MappingRow& r = rows[i];
        const ShadowMapping* m = r.shadow;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char gva[24];
        std::snprintf(gva, sizeof gva, "%08x##map", r.gva);
        ImGui::Selectable(gva, false, ImGuiSelectableFlags_SpanAllColumns);  // a row the tests can find
        ImGui::TableNextColumn();
        if (r.guest) ImGui::Text("%s%s", pte_flags(r.guest_pte).c_str(), r.superpage ? " 4 MiB" : "");
        else ImGui::TextDisabled("%s", r.paging ? "(in a superpage)" : "(paging off)");
        ImGui::TableNextColumn();
        ImGui::Text("%08x", r.gpa);
        ImGui::TableNextColumn();
        if (m) ImGui::TextUnformatted(pte_flags(m->shadow_pte).c_str());
        else ImGui::TextDisabled("-");
        ImGui::TableNextColumn();
        if (m) ImGui::Text("%08x", m->hpa);
        else ImGui::TextDisabled("-");
        ImGui::TableNextColumn();
        if (m && m->write_protected) ImGui::TextColored(ImVec4(0.3f, 0.85f, 0.5f, 1), "write-protected: a page table");
        else if (m && m->stale) ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1), "stale until SFENCE.VMA");
        else if (m && m->hpa == m->gpa) ImGui::TextDisabled("device, passed through");
        else if (!m && r.superpage) ImGui::TextDisabled("shadowed page by page, below");
        else if (!m) ImGui::TextDisabled("not shadowed yet: filled on first access");
      }
    }
    ImGui::EndTable();
  }
  const std::vector<GuestPageTable> pts = sh.guest_page_tables();
  ImGui::Text("Guest page-table pages (%zu)%s:", pts.size(),
              sh.strategy() == ShadowInvalidation::write_protect ? ", write-protected in every shadow" : "");
  std::string line;
  for (const GuestPageTable& t : pts) {
    char item[64];
    std::snprintf(item, sizeof item, "%s%08x (%s)", line.empty() ? "" : "  ", t.gpa,
                  t.as_root ? (t.as_leaf_table ? "root+table" : "root") : "table");
    line += item;
  }
  ImGui::TextWrapped("%s", line.c_str());
}

void exit_view(const Monitor& mon) {
  const auto& log = mon.exits();
  // Timeline: the last exits along the guest's steps, coloured by what the monitor did.
  const size_t n = std::min<size_t>(log.size(), 400);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = 28;
  draw->AddRectFilled(at, ImVec2(at.x + w, at.y + h), IM_COL32(30, 30, 38, 255));
  if (n > 1) {
    const uint64_t first = log[log.size() - n].step, last = log.back().step;
    const double span = static_cast<double>(std::max<uint64_t>(1, last - first));
    for (size_t i = log.size() - n; i < log.size(); ++i) {
      const float x = at.x + 2 + static_cast<float>((static_cast<double>(log[i].step - first) / span) * (w - 4));
      draw->AddLine(ImVec2(x, at.y + 2), ImVec2(x, at.y + h - 2), ImGui::ColorConvertFloat4ToU32(action_color(log[i].action)));
    }
  }
  ImGui::Dummy(ImVec2(w, h));
  for (const ExitAction a : {ExitAction::emulated_csr, ExitAction::callout, ExitAction::sbi_call, ExitAction::hypercall,
                             ExitAction::hidden_fault, ExitAction::g_stage_fill, ExitAction::reflected,
                             ExitAction::page_table_write, ExitAction::timer, ExitAction::quirk_escape}) {
    ImGui::TextColored(action_color(a), "|");
    ImGui::SameLine(0, 2);
    ImGui::TextDisabled("%s", a == ExitAction::emulated_csr ? "emulated" : to_string(a));
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (!ImGui::BeginTable("exits", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("step");
  ImGui::TableSetupColumn("cause");
  ImGui::TableSetupColumn("pc");
  ImGui::TableSetupColumn("tval");
  ImGui::TableSetupColumn("guest");
  ImGui::TableSetupColumn("monitor");
  ImGui::TableHeadersRow();
  int shown = 0;
  for (auto it = log.rbegin(); it != log.rend() && shown < 300; ++it, ++shown) {
    const unsigned code = it->cause & 0x7fffffff;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(it->step));
    ImGui::TableNextColumn();
    if (it->action == ExitAction::quirk_escape) ImGui::Text("(no trap: %s)", to_string(static_cast<Quirk>(code)));
    else ImGui::TextUnformatted(it->cause >> 31 ? interrupt_name(code) : exception_name(code));
    ImGui::TableNextColumn();
    ImGui::Text("%08x", it->epc);
    ImGui::TableNextColumn();
    ImGui::Text("%08x", it->tval);
    ImGui::TableNextColumn();
    ImGui::Text("%s-mode", to_string(it->guest_mode));
    ImGui::TableNextColumn();
    ImGui::TextColored(action_color(it->action), "%s%s", to_string(it->action), it->injected ? " + virtual interrupt" : "");
  }
  ImGui::EndTable();
}

void plot(const char* label, const std::deque<StatsSample>& samples, float (*value)(const StatsSample&)) {
  std::vector<float> v;
  float peak = 1;
  for (const StatsSample& s : samples) {
    v.push_back(value(s));
    peak = std::max(peak, v.back());
  }
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%s %.1f", label, v.empty() ? 0.0f : v.back());
  ImGui::PushID(label);
  ImGui::PlotLines("##plot", v.data(), static_cast<int>(v.size()), 0, overlay, 0.0f, peak * 1.1f,
                   ImVec2(ImGui::GetContentRegionAvail().x, 44));
  ImGui::PopID();
}

void stats_view(const DebugSession& s, const Monitor& mon) {
  const MonitorStats& st = mon.stats();
  const ShadowStats& sh = mon.shadow().stats();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  ImGui::Text("exits %llu   emulated %llu (CSR %llu, SRET %llu, WFI %llu, SFENCE.VMA %llu, SBI %llu, page-table writes %llu)",
              u(st.exits), u(st.emulated), u(st.csr), u(st.sret), u(st.wfi), u(st.sfence), u(st.sbi_calls),
              u(st.page_table_writes));
  if (mon.binary_translation) ImGui::Text("callouts from translated kernel code: %llu", u(st.callouts));
  if (mon.hardware_assisted)
    ImGui::Text("G-stage: %llu guest-page faults filled it (%u regions backed); %llu faults injected into the guest",
                u(st.g_stage_fills), mon.g_stage_regions(), u(st.injected_faults));
  if (mon.paravirtual) {
    std::string calls;
    for (unsigned f = 0; f < kPvFunctionCount; ++f)
      if (st.hypercalls_by_function[f])
        calls += std::string(calls.empty() ? "" : ", ") + pv_function_name(f) + " " + std::to_string(st.hypercalls_by_function[f]);
    ImGui::TextWrapped("hypercalls %llu (%s); page-table entries written for the guest in batches: %llu", u(st.hypercalls),
                       calls.empty() ? "none yet" : calls.c_str(), u(st.pte_updates));
  }
  ImGui::Text("page faults: %llu hidden, %llu reflected; %llu other exceptions reflected; %llu virtual interrupts",
              u(st.hidden_faults), u(st.reflected_page_faults), u(st.reflected_other), u(st.injected_interrupts));
  ImGui::Text("shadows: %llu filled, %llu invalidated, %llu tables cleared, %llu write-protected",
              u(sh.fills), u(sh.invalidated_entries), u(sh.cleared_tables), u(sh.protected_entries));
  ImGui::Text("efficiency (Popek-Goldberg): %.4f%% of %llu guest instructions ran with no exit",
              100 * st.efficiency(mon.guest_steps()), u(mon.guest_steps()));
  if (st.checks) ImGui::Text("consistency checks passed: %llu", u(st.checks));
  plot("exits/frame", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.exits); });
  plot("hidden faults/frame", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.hidden_faults); });
  plot("reflected/frame", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.reflected); });
  plot("emulated/frame", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.emulated); });
  plot("efficiency %", s.stats(), [](const StatsSample& x) { return static_cast<float>(100 * x.efficiency); });
  ImGui::TextDisabled("exits by cause:");
  for (unsigned c = 0; c < 16; ++c)
    if (st.exits_by_exception[c]) ImGui::BulletText("%s: %llu", exception_name(c), u(st.exits_by_exception[c]));
  for (unsigned c = 0; c < 16; ++c)
    if (st.exits_by_interrupt[c]) ImGui::BulletText("%s: %llu", interrupt_name(c), u(st.exits_by_interrupt[c]));
}
}  // namespace

void draw_monitor(DebugSession& s, Panels& p) {
  if (!s.is_supervisor_kernel()) return;  // only kernels on SBI firmware can be virtualized
  if (!p.begin(Panel::monitor)) return;
  switches(s);
  if (ImGui::Button("Compare every way")) {
    if (s.compare_ways()) {
      p.is_open(Panel::compare) = true;
      p.layout.bring_forward(Panel::compare);
    }
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Runs this kernel to the end under every way at once (emulation, trap-and-emulate with\n"
                      "either shadow strategy, binary translation, paravirtual) and shows them side by side.");
  ImGui::SameLine();
  if (ImGui::Button("Compare the consoles")) {
    if (s.compare_consoles()) {
      p.is_open(Panel::compare) = true;
      p.layout.bring_forward(Panel::compare);
    }
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Runs this kernel to the end four times, its console by SBI call, on the 16550 passed\n"
                      "through, on the 16550 emulated by the monitor and on a virtio-console, side by side.");
  ImGui::SameLine();
  const bool can_live = s.machine() && s.machine()->monitor();
  if (!can_live) p.migration_kind = 0;
  if (ImGui::Button(p.migration_kind ? "Migrate from here (live)" : "Migrate from here (cold)")) {
    migration::Options o;
    o.kind = p.migration_kind ? migration::Kind::live : migration::Kind::cold;
    if (s.migrate(o)) {
      p.migration_round = 0;
      p.is_open(Panel::migration) = true;
      p.layout.bring_forward(Panel::migration);
    }
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Moves a copy of this VM, as it is now, to a second machine (its own RAM and monitor) and\n"
                      "runs it to the end there; the Migration window shows the rounds and both machines.");
  ImGui::SameLine();
  ImGui::RadioButton("cold", &p.migration_kind, 0);
  ImGui::SameLine();
  ImGui::BeginDisabled(!can_live);
  ImGui::RadioButton("live", &p.migration_kind, 1);
  ImGui::EndDisabled();
  if (!can_live && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("Live migration needs a monitor to keep the dirty log: choose a way other than emulation.");
  ImGui::SameLine();
  if (ImGui::Button("Balloon...")) {
    p.is_open(Panel::balloon) = true;
    p.layout.bring_forward(Panel::balloon);
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The Balloon window: the host asks the guest for memory back, and sees what it got.");
  const Machine* m = s.machine();
  const Monitor* mon = m ? m->monitor() : nullptr;
  if (mon && !mon->illusion_broken().empty())
    ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.35f, 1), "ILLUSION BROKEN: %s", mon->illusion_broken().c_str());
  ImGui::Separator();
  if (!mon) {
    ImGui::TextWrapped("The kernel runs by emulation: its S-mode is the hart's S-mode, no monitor is involved. "
                       "Choose trap-and-emulate to run it deprivileged in U-mode under vmscope's monitor, with "
                       "shadow page tables and its RAM at an offset in host memory.");
    ImGui::End();
    return;
  }
  if (ImGui::BeginTabBar("monitor")) {
    if (ImGui::BeginTabItem(mon->hardware_assisted ? "G-stage" : "Page tables")) {
      if (mon->hardware_assisted) g_stage_view(*m, *mon);
      else page_table_view(*mon, p);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("vCPU")) {
      if (mon->hardware_assisted) guest_csrs_view(m->hart());
      else vcpu_view(*m, *mon);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Exits")) {
      exit_view(*mon);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Statistics")) {
      stats_view(s, *mon);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace vmscope::ui
