// Runs side by side (compare/comparison.h): what each configuration did, in one table (with
// the ratio for two), and the timelines on one axis, so that where the difference comes from shows.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

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
  if (!c || c->runs.empty()) {
    ImGui::TextWrapped("No comparison yet: a lesson's step starts one (the same program under two configurations, "
                       "run to the end side by side), or the Monitor's 'Compare every way'.");
    ImGui::End();
    return;
  }
  const std::vector<RunFigures>& runs = c->runs;
  const size_t n = runs.size();
  static const char* const kNames[] = {"A", "B", "C", "D", "E", "F", "G", "H"};
  const size_t shown = std::min<size_t>(n, std::size(kNames));
  ImGui::TextWrapped("Run to the end, side by side:");
  for (size_t i = 0; i < shown; ++i) {
    const bool same = runs[i].output == runs[0].output;
    ImGui::BulletText("%s = %s (%s)%s", kNames[i], runs[i].label.c_str(), runs[i].program.c_str(),
                      i == 0 ? "" : same ? ": the same console output as A" : ": its console output differs from A's");
  }
  // Two runs: values and B / A. More: values, each coloured against A's.
  // (With more than two runs the table gets the room, the timelines fold away under it.)
  const int columns = 1 + static_cast<int>(shown) + (shown == 2 ? 1 : 0);
  const float avail = ImGui::GetContentRegionAvail().y;
  const float table_h = shown > 2 ? avail - 1.6f * ImGui::GetFrameHeightWithSpacing() : avail * 0.62f;
  if (ImGui::BeginTable("##compare", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY,
                        ImVec2(0, std::max(table_h, 4 * ImGui::GetTextLineHeightWithSpacing())))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
    for (size_t i = 0; i < shown; ++i)
      ImGui::TableSetupColumn(kNames[i], ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("00000000000").x);
    if (shown == 2) ImGui::TableSetupColumn("B / A", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("0000.00x").x);
    ImGui::TableHeadersRow();
    for (size_t row = 0; row < runs[0].counters.size(); ++row) {
      bool any = false;
      for (size_t i = 0; i < shown; ++i) any |= row < runs[i].counters.size() && runs[i].counters[row].second != 0;
      if (!any) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(runs[0].counters[row].first.c_str());
      const uint64_t a = runs[0].counters[row].second;
      for (size_t i = 0; i < shown; ++i) {
        ImGui::TableNextColumn();
        const uint64_t v = row < runs[i].counters.size() ? runs[i].counters[row].second : 0;
        if (i == 0 || shown == 2 || v == a) ImGui::Text("%llu", static_cast<unsigned long long>(v));
        else ImGui::TextColored(v < a ? ImVec4(0.6f, 0.9f, 0.6f, 1) : ImVec4(1, 0.85f, 0.4f, 1), "%llu", static_cast<unsigned long long>(v));
      }
      if (shown == 2) {
        ImGui::TableNextColumn();
        const uint64_t b = runs[1].counters[row].second;
        if (a) {
          const bool same = a == b;
          ImGui::TextColored(same ? ImVec4(0.6f, 0.9f, 0.6f, 1) : ImVec4(1, 0.85f, 0.4f, 1), same ? "same" : "%.2fx",
                             static_cast<double>(b) / static_cast<double>(a));
        } else {
          ImGui::TextDisabled("-");
        }
      }
    }
    ImGui::EndTable();
  }
  // Every timeline on one axis (the longest run's steps).
  uint64_t longest = 1;
  for (const RunFigures& r : runs) longest = std::max(longest, r.steps);
  const double span = static_cast<double>(longest);
  const float label_w = ImGui::CalcTextSize("A ").x;
  const float width = std::max(40.0f, ImGui::GetContentRegionAvail().x - label_w);
  char header[96];
  std::snprintf(header, sizeof header, "Events over each run (one row per kind), on one axis of %.0f steps", span);
  if (shown > 2 ? ImGui::CollapsingHeader(header) : (ImGui::TextDisabled("%s", header), true))
    for (size_t i = 0; i < shown; ++i) strip(kNames[i], runs[i], span, width, label_w);
  ImGui::End();
}

}  // namespace vmscope::ui
