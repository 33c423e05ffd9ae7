// Two runs side by side (comparison.h): what each configuration did, in one table with the
// ratio, and both timelines on one axis, so that where the difference comes from shows.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"

namespace vmscope::ui {

namespace {
// One run's events as marks on a strip, one row per lane that has any.
void strip(const char* label, const RunFigures& r, double span, float width, float label_w) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float row = ImGui::GetTextLineHeight() * 0.55f;
  std::vector<size_t> rows(timeline_lanes().size(), SIZE_MAX);
  size_t used = 0;
  for (const Event& e : r.events)
    if (rows[timeline_lane_of(e)] == SIZE_MAX) rows[timeline_lane_of(e)] = used++;
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float h = std::max(1.0f, static_cast<float>(used)) * row + 4;
  draw->AddText(ImVec2(o.x, o.y), IM_COL32(220, 220, 230, 255), label);
  const ImVec2 p0(o.x + label_w, o.y);
  draw->AddRectFilled(p0, ImVec2(p0.x + width, o.y + h), IM_COL32(30, 32, 40, 255));
  std::vector<float> last(rows.size(), -1);
  for (const Event& e : r.events) {
    const size_t l = timeline_lane_of(e);
    const float x = std::floor(p0.x + static_cast<float>(static_cast<double>(e.position) / span) * width);
    if (x == last[l]) continue;
    last[l] = x;
    const float y = o.y + 2 + row * static_cast<float>(rows[l]);
    static const ImU32 colors[] = {IM_COL32(255, 110, 90, 255), IM_COL32(255, 200, 60, 255), IM_COL32(120, 200, 255, 255),
                                   IM_COL32(140, 240, 140, 255), IM_COL32(230, 140, 255, 255), IM_COL32(255, 160, 200, 255)};
    draw->AddLine(ImVec2(x, y), ImVec2(x, y + row - 1), colors[l % 6], 1.5f);
  }
  ImGui::Dummy(ImVec2(label_w + width, h + 2));
}
}  // namespace

void draw_compare(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::compare)) return;
  const std::optional<Comparison>& c = s.comparison();
  if (!c) {
    ImGui::TextWrapped("No comparison yet: a lesson's step starts one (the same program under two configurations, "
                       "run to the end side by side).");
    ImGui::End();
    return;
  }
  ImGui::TextWrapped("%s, run to the end twice: A = %s; B = %s", c->program.c_str(), c->a.label.c_str(), c->b.label.c_str());
  if (ImGui::BeginTable("##compare", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY,
                        ImVec2(0, ImGui::GetContentRegionAvail().y * 0.62f))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("A", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("000000000000").x);
    ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("000000000000").x);
    ImGui::TableSetupColumn("B / A", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("0000.00x").x);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < c->a.counters.size() && i < c->b.counters.size(); ++i) {
      const uint64_t a = c->a.counters[i].second, b = c->b.counters[i].second;
      if (!a && !b) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c->a.counters[i].first.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(a));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(b));
      ImGui::TableNextColumn();
      if (a) {
        const double ratio = static_cast<double>(b) / static_cast<double>(a);
        const bool same = a == b;
        ImGui::TextColored(same ? ImVec4(0.6f, 0.9f, 0.6f, 1) : ImVec4(1, 0.85f, 0.4f, 1), same ? "same" : "%.2fx", ratio);
      } else {
        ImGui::TextDisabled("-");
      }
    }
    ImGui::EndTable();
  }
  // Both timelines on one axis (the longer run's steps).
  const double span = static_cast<double>(std::max<uint64_t>({c->a.steps, c->b.steps, 1}));
  const float label_w = ImGui::CalcTextSize("A ").x;
  const float width = std::max(40.0f, ImGui::GetContentRegionAvail().x - label_w);
  ImGui::TextDisabled("events over the run (one row per kind), A above B, on one axis of %.0f steps", span);
  strip("A", c->a, span, width, label_w);
  strip("B", c->b, span, width, label_w);
  ImGui::End();
}

}  // namespace vmscope::ui
