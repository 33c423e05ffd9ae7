// Live statistics as plots (MIPS, TLB hit rate), traps by cause, and the log of recent traps.
#include <imgui.h>

#include <vector>

#include "panels.h"

namespace vmscope::ui {

namespace {
void plot(const char* label, const std::deque<StatsSample>& samples, float (*value)(const StatsSample&), float max) {
  std::vector<float> v;
  v.reserve(samples.size());
  for (const StatsSample& s : samples) v.push_back(value(s));
  char overlay[48];
  std::snprintf(overlay, sizeof overlay, "%s %.1f", label, v.empty() ? 0.0f : v.back());
  ImGui::PlotLines("##plot", v.data(), static_cast<int>(v.size()), 0, overlay, 0.0f, max,
                   ImVec2(ImGui::GetContentRegionAvail().x, 50));
}
// One table row per trap cause that happened: its name and how often.
void cause_rows(const std::array<uint64_t, 32>& counts, const char* (*name)(unsigned)) {
  for (unsigned c = 0; c < 32; ++c) {
    if (!counts[c]) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name(c));
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(counts[c]));
  }
}
}  // namespace

void draw_stats(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::statistics)) return;
  const Machine* m = s.machine();
  if (!m) {
    ImGui::End();
    return;
  }
  const Hart& h = m->hart();
  if (ImGui::BeginTabBar("stats")) {
    if (ImGui::BeginTabItem("Live")) {
      ImGui::Text("retired %llu  exceptions %llu  interrupts %llu", static_cast<unsigned long long>(h.instret()),
                  static_cast<unsigned long long>(h.exceptions()), static_cast<unsigned long long>(h.interrupts()));
      float peak = 1;
      for (const StatsSample& x : s.stats()) peak = std::max(peak, static_cast<float>(x.mips));
      ImGui::PushID("mips");
      plot("MIPS", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.mips); }, peak * 1.1f);
      ImGui::PopID();
      float trap_peak = 1;
      for (const StatsSample& x : s.stats()) trap_peak = std::max(trap_peak, static_cast<float>(x.traps));
      ImGui::PushID("traps");
      plot("traps/frame", s.stats(), [](const StatsSample& x) { return static_cast<float>(x.traps); }, trap_peak * 1.1f);
      ImGui::PopID();
      ImGui::PushID("tlb");
      plot("TLB hit %", s.stats(), [](const StatsSample& x) { return static_cast<float>(100 * x.tlb_hit_rate); }, 100);
      ImGui::PopID();
      if (ImGui::BeginTable("causes", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        cause_rows(h.exception_counts(), exception_name);
        cause_rows(h.interrupt_counts(), interrupt_name);
        ImGui::EndTable();
      }
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Traps")) {
      const auto& log = h.trap_log().records();
      if (ImGui::BeginTable("traps", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("step");
        ImGui::TableSetupColumn("cause");
        ImGui::TableSetupColumn("epc / tval");
        ImGui::TableSetupColumn("mode");
        ImGui::TableHeadersRow();
        int shown = 0;
        for (auto it = log.rbegin(); it != log.rend() && shown < 200; ++it, ++shown) {
          const unsigned code = it->cause & 0x7fffffff;
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::Text("%llu", static_cast<unsigned long long>(it->step));
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(it->cause >> 31 ? interrupt_name(code) : exception_name(code));
          ImGui::TableNextColumn();
          ImGui::Text("%08x / %08x", it->epc, it->tval);
          ImGui::TableNextColumn();
          ImGui::Text("%s->%s", to_string(it->from), to_string(it->to));
        }
        ImGui::EndTable();
      }
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace vmscope::ui
