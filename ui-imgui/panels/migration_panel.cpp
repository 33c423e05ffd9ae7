// Migration (migration/experiment.h): the two machines, whether the guest could tell it moved,
// the downtime, each round (what was sent, what the guest dirtied meanwhile) as a table and a
// plot, and a map of guest RAM for one round: pages sent with contents, pages dirtied meanwhile.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"

namespace vmscope::ui {

namespace {

const ImU32 kSent = IM_COL32(90, 160, 255, 255), kDirty = IM_COL32(255, 120, 70, 255);
const ImVec4 kGood(0.4f, 0.85f, 0.5f, 1), kBad(1.0f, 0.4f, 0.4f, 1);

unsigned long long u(uint64_t v) { return static_cast<unsigned long long>(v); }

void machines(const migration::Experiment& e) {
  if (!ImGui::BeginTable("machines", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableSetupColumn("source (host A)", ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableSetupColumn("destination (host B)", ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableHeadersRow();
  const migration::Result& r = e.result;
  const auto row = [](const char* what, const std::string& a, const std::string& b) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", what);
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", a.c_str());
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", b.c_str());
  };
  const std::string end = std::string(e.end.reason == StopReason::exited ? "exited" : to_string(e.end.reason)) +
                          ", exit code " + std::to_string(e.exit_code);
  row("the guest", r.switched ? "gave it up at the switch-over" : "kept it: " + end,
      r.switched ? "ran it to the end: " + end : "never got it");
  row("pages in use", std::to_string(e.source_pages_in_use) + " of " + std::to_string(e.guest_pages) + " pages",
      r.switched ? std::to_string(e.destination_pages_in_use) + " of " + std::to_string(e.guest_pages) + " pages" : "-");
  ImGui::EndTable();
}

// Pages sent with contents and pages dirtied, per round, on a log scale (the first round sends
// everything, the last ones a handful).
void plot(const migration::Result& r) {
  const size_t n = r.rounds.size();
  const float line = ImGui::GetTextLineHeight();
  const float h = line * 5, label_w = ImGui::CalcTextSize("10000").x + 6;
  const float w = std::min(ImGui::GetContentRegionAvail().x - label_w, std::max(line * 3, static_cast<float>(n) * line * 3));
  uint64_t top = 1;
  for (const migration::Round& round : r.rounds) top = std::max({top, static_cast<uint64_t>(round.with_data.size()), round.pages_dirtied});
  const double scale = std::log10(static_cast<double>(top) + 1);
  ImDrawList* d = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const ImVec2 p0(o.x + label_w, o.y);
  d->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(30, 32, 40, 255));
  for (double v = 1; v <= static_cast<double>(top); v *= 10) {  // decades
    const float y = p0.y + h - static_cast<float>(std::log10(v + 1) / scale) * h;
    d->AddLine(ImVec2(p0.x, y), ImVec2(p0.x + w, y), IM_COL32(70, 70, 80, 255));
    char text[16];
    std::snprintf(text, sizeof text, "%.0f", v);
    d->AddText(ImVec2(o.x, y - line / 2), IM_COL32(160, 160, 170, 255), text);
  }
  const float slot = w / static_cast<float>(std::max<size_t>(n, 1)), bar = slot * 0.35f;
  for (size_t i = 0; i < n; ++i) {
    const auto height = [&](uint64_t v) { return static_cast<float>(std::log10(static_cast<double>(v) + 1) / scale) * h; };
    const float x = p0.x + slot * static_cast<float>(i) + slot * 0.1f;
    d->AddRectFilled(ImVec2(x, p0.y + h - height(r.rounds[i].with_data.size())), ImVec2(x + bar, p0.y + h), kSent);
    d->AddRectFilled(ImVec2(x + bar, p0.y + h - height(r.rounds[i].pages_dirtied)), ImVec2(x + 2 * bar, p0.y + h), kDirty);
  }
  ImGui::Dummy(ImVec2(label_w + w, h + 2));
}

// Guest RAM, one cell per page, for one round: sent with contents, dirtied while it was on the
// wire. The cells fill what room there is (at least a dozen lines' height), row after row.
void ram_map(const migration::Experiment& e, const migration::Round& round) {
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = std::max(ImGui::GetContentRegionAvail().y - 4, ImGui::GetTextLineHeight() * 12);
  const float cell = std::sqrt(width * height / static_cast<float>(std::max(e.guest_pages, 1u)));
  const auto columns = static_cast<uint32_t>(std::max(1.0f, std::floor(width / cell)));
  const uint32_t rows = (e.guest_pages + columns - 1) / columns;
  ImDrawList* d = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  d->AddRectFilled(o, ImVec2(o.x + cell * static_cast<float>(columns), o.y + cell * static_cast<float>(rows)),
                   IM_COL32(30, 32, 40, 255));
  const auto mark = [&](uint32_t page, ImU32 colour) {
    const float x = o.x + cell * static_cast<float>(page % columns), y = o.y + cell * static_cast<float>(page / columns);
    d->AddRectFilled(ImVec2(x, y), ImVec2(x + std::max(cell, 1.0f), y + std::max(cell, 1.0f)), colour);
  };
  for (const uint32_t page : round.with_data) mark(page, kSent);
  for (const uint32_t page : round.dirtied) mark(page, kDirty);
  ImGui::Dummy(ImVec2(cell * static_cast<float>(columns), cell * static_cast<float>(rows) + 2));
}

}  // namespace

void draw_migration(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::migration)) return;
  const std::optional<migration::Experiment>& m = s.migration();
  if (!m) {
    ImGui::TextWrapped("No migration yet: the Monitor's 'Migrate from here' moves a copy of the running VM to a "
                       "second machine, or a lesson's step does.");
    ImGui::End();
    return;
  }
  const migration::Experiment& e = *m;
  const migration::Result& r = e.result;
  ImGui::Text("%s migration of %s from instruction %llu", to_string(e.options.kind), e.program.c_str(), u(e.at));
  if (!r.error.empty()) ImGui::TextColored(kBad, "Refused: %s. The guest ran on at the source.", r.error.c_str());
  if (e.same_as_unmoved())
    ImGui::TextColored(kGood, "The guest cannot tell: the same output, exit code %d and %llu instructions as a copy "
                              "that never moved.", e.exit_code, u(e.retired));
  else
    ImGui::TextColored(kBad, "The guest CAN tell: its end differs from a copy that never moved.");
  // Left: the machines, the downtime and the rounds; right: the plot and the map of guest RAM.
  if (!ImGui::BeginTable("migration", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    ImGui::End();
    return;
  }
  ImGui::TableSetupColumn("left", ImGuiTableColumnFlags_WidthStretch, 1.25f);
  ImGui::TableSetupColumn("right", ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  machines(e);
  if (!r.rounds.empty()) {
    const uint64_t cold = static_cast<uint64_t>(static_cast<double>(r.rounds.front().bytes) / e.options.bytes_per_instruction);
    ImGui::TextWrapped("Downtime: %llu guest instructions (%.2f ms on the host).", u(r.downtime_instructions), r.downtime_host_ms);
    if (e.options.kind == migration::Kind::live && r.rounds.size() > 1)
      ImGui::TextWrapped("Cold, the guest would stand still about %llu while everything travels: live is %.1f%% of it. "
                         "%llu pages and %llu KiB sent in all; %llu store faults fed the dirty log.",
                         u(cold), cold ? 100.0 * static_cast<double>(r.downtime_instructions) / static_cast<double>(cold) : 0.0,
                         u(r.total_pages), u(r.total_bytes / 1024), u(r.dirty_faults));
  }
  if (ImGui::BeginTable("rounds", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (const char* h : {"round", "pages", "with data", "dirtied", "KiB", "guest ran"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < r.rounds.size(); ++i) {
      const migration::Round& round = r.rounds[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (ImGui::Selectable(round.stop_and_copy ? "stop+copy" : std::to_string(round.number).c_str(),
                            p.migration_round == static_cast<int>(i), ImGuiSelectableFlags_SpanAllColumns))
        p.migration_round = static_cast<int>(i);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.2f ms on the host", round.host_ms);
      ImGui::TableNextColumn();
      ImGui::Text("%llu", u(round.pages_sent));
      ImGui::TableNextColumn();
      ImGui::Text("%zu", round.with_data.size());
      ImGui::TableNextColumn();
      ImGui::Text(round.stop_and_copy ? "-" : "%llu", u(round.pages_dirtied));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", u(round.bytes / 1024));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", u(round.guest_instructions));
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip(round.stop_and_copy ? "the guest stood still this long: the downtime"
                                              : "the guest ran on this long while the round was on the wire");
    }
    ImGui::EndTable();
  }
  ImGui::TableNextColumn();
  if (!r.rounds.empty()) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kSent), "sent with data");
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kDirty), "dirtied meanwhile");
    plot(r);
    p.migration_round = std::clamp(p.migration_round, 0, static_cast<int>(r.rounds.size()) - 1);
    const migration::Round& round = r.rounds[static_cast<size_t>(p.migration_round)];
    ImGui::TextWrapped("Guest RAM in round %s (pick one in the table), a cell per 4 KiB page:",
                       round.stop_and_copy ? "stop+copy" : std::to_string(round.number).c_str());
    ram_map(e, round);
  }
  ImGui::EndTable();
  ImGui::End();
}

}  // namespace vmscope::ui
