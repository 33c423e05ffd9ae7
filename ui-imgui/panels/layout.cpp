// The tiling: the control bar on top; a left column (lesson, programs, breakpoints); the code
// and machine views in two rows on the right, big windows (Monitor, Code cache, Analyzer,
// Compare) sharing the top row's right part with the registers and the MMU as tabs; the
// timeline along the bottom. Closed panels give their room to their neighbours.
#include "layout.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cstdio>

namespace vmscope::ui {

namespace {
enum Place : size_t { kControl, kLeftTop, kLeftBottom, kCode, kSide, kRegs, kMmu, kConsole, kMemory, kStats, kTimeline, kPlaces };

// Splits [lo, lo + length) among the places with panels, by weight.
void split(std::vector<std::pair<ImRect*, float>> parts, float lo, float length, bool horizontal, const ImRect& across) {
  float total = 0;
  for (auto& [r, w] : parts) total += w;
  float at = lo;
  for (auto& [r, w] : parts) {
    const float len = total > 0 ? length * w / total : 0;
    *r = horizontal ? ImRect(at, across.Min.y, at + len, across.Max.y) : ImRect(across.Min.x, at, across.Max.x, at + len);
    at += len;
  }
}
}  // namespace

void Layout::arrange(const std::array<bool, kPanelCount>& open, const std::array<bool, kPanelCount>& available,
                     ImVec2 origin, ImVec2 size, bool embed) {
  const auto on = [&](Panel p) { return open[static_cast<size_t>(p)] && available[static_cast<size_t>(p)]; };
  places_.assign(kPlaces, Place{});
  shown_.fill(false);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float font = ImGui::GetFontSize(), line = ImGui::GetFrameHeightWithSpacing();
  tab_height_ = std::max(ImGui::GetFrameHeight() + 2 * 3.0f, style.WindowMinSize.y);  // (no window is smaller)

  // Which panels go where.
  if (!embed) put(places_[kControl], Panel::control);
  for (Panel p : {Panel::lesson, Panel::programs})
    if (on(p) && !(embed && p == Panel::programs)) put(places_[kLeftTop], p);
  if (on(Panel::breakpoints) && !embed) put(places_[kLeftBottom], Panel::breakpoints);
  bool big = false;
  for (Panel p : {Panel::monitor, Panel::code_cache, Panel::analyzer, Panel::compare, Panel::migration, Panel::balloon,
                  Panel::devices})
    if (on(p)) {
      put(places_[kSide], p);
      big = true;
    }
  // A big window needs the width: on a narrow screen the code view joins it as a tab.
  const bool narrow = size.x < 90 * font;
  if (on(Panel::disassembly)) put(places_[big && narrow ? kSide : kCode], Panel::disassembly);
  if (on(Panel::registers)) put(places_[big ? kSide : kRegs], Panel::registers);
  if (on(Panel::mmu)) put(places_[big ? kSide : kMmu], Panel::mmu);
  if (on(Panel::console)) put(places_[kConsole], Panel::console);
  if (on(Panel::syscalls)) put(places_[kConsole], Panel::syscalls);  // (a tab beside the console)
  if (on(Panel::memory)) put(places_[kMemory], Panel::memory);
  if (on(Panel::statistics)) put(places_[kStats], Panel::statistics);
  if (on(Panel::timeline)) put(places_[kTimeline], Panel::timeline);
  const auto used = [&](size_t i) { return !places_[i].panels.empty(); };

  // The control bar: two lines (buttons, status).
  const float control_h = used(kControl) ? 2 * line + 2 * style.WindowPadding.y : 0;
  places_[kControl].rect = ImRect(origin.x, origin.y, origin.x + size.x, origin.y + control_h);
  const float top = origin.y + control_h, bottom = origin.y + size.y;
  // The left column.
  const bool left = used(kLeftTop) || used(kLeftBottom);
  const float left_w = left ? std::min(size.x * 0.3f, std::clamp(size.x * 0.19f, 15 * font, 28 * font)) : 0;
  const ImRect left_col(origin.x, top, origin.x + left_w, bottom);
  std::vector<std::pair<ImRect*, float>> column;
  if (used(kLeftTop)) column.push_back({&places_[kLeftTop].rect, on(Panel::lesson) ? 0.68f : 0.55f});
  if (used(kLeftBottom)) column.push_back({&places_[kLeftBottom].rect, on(Panel::lesson) ? 0.32f : 0.45f});
  split(column, top, bottom - top, false, left_col);
  // The right part: two rows of views, the timeline below.
  const ImRect right(origin.x + left_w, top, origin.x + size.x, bottom);
  const float height = right.GetHeight();
  const float timeline_h = used(kTimeline) ? std::min(height * 0.45f, std::clamp(height * 0.26f, 6 * line, 14 * line)) : 0;
  places_[kTimeline].rect = ImRect(right.Min.x, bottom - timeline_h, right.Max.x, bottom);
  const float views_bottom = bottom - timeline_h;
  std::vector<std::pair<ImRect*, float>> row1, row2;
  if (used(kCode)) row1.push_back({&places_[kCode].rect, big ? 0.36f : 0.42f});
  if (used(kSide)) row1.push_back({&places_[kSide].rect, 0.64f});
  if (used(kRegs)) row1.push_back({&places_[kRegs].rect, 0.25f});
  if (used(kMmu)) row1.push_back({&places_[kMmu].rect, 0.33f});
  if (used(kConsole)) row2.push_back({&places_[kConsole].rect, 0.36f});
  if (used(kMemory)) row2.push_back({&places_[kMemory].rect, 0.36f});
  if (used(kStats)) row2.push_back({&places_[kStats].rect, 0.28f});
  const float views_h = views_bottom - top;
  const float row1_h = row2.empty() ? views_h : row1.empty() ? 0 : views_h * (big ? 0.66f : 0.6f);
  split(row1, right.Min.x, right.GetWidth(), true, ImRect(right.Min.x, top, right.Max.x, top + row1_h));
  split(row2, right.Min.x, right.GetWidth(), true, ImRect(right.Min.x, top + row1_h, right.Max.x, views_bottom));

  // Which tab each place shows: one asked for, else one just opened, else the one shown before.
  for (size_t i = 0; i < kPlaces; ++i) {
    Place& place = places_[i];
    if (place.panels.empty()) continue;
    Panel front = front_[i];
    for (Panel p : place.panels)  // the first one just opened (a big window before the registers)
      if (!was_open_[static_cast<size_t>(p)]) {
        front = p;
        break;
      }
    for (Panel p : place.panels)
      if (want_front_[static_cast<size_t>(p)]) {
        front = p;
        break;
      }
    if (std::find(place.panels.begin(), place.panels.end(), front) == place.panels.end()) front = place.panels.front();
    place.front = front;
    const bool tabs = place.panels.size() > 1;
    ImRect r = place.rect;
    if (tabs) r.Min.y += tab_height_;
    for (Panel p : place.panels) {
      rect_[static_cast<size_t>(p)] = r;
      tabbed_[static_cast<size_t>(p)] = tabs;
    }
    shown_[static_cast<size_t>(front)] = true;
  }
  for (size_t p = 0; p < kPanelCount; ++p) was_open_[p] = on(static_cast<Panel>(p));
  want_front_.fill(false);
}

void Layout::draw_tabs() {
  for (size_t i = 0; i < places_.size(); ++i) {
    Place& place = places_[i];
    if (place.panels.size() < 2) continue;
    char name[32];
    std::snprintf(name, sizeof name, "##tabs%zu", i);
    ImGui::SetNextWindowPos(place.rect.Min, ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(place.rect.GetWidth(), tab_height_), ImGuiCond_Always);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(4, 3));
    ImGui::Begin(name, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoFocusOnAppearing);
    ImGui::PopStyleVar();
    if (ImGui::BeginTabBar("##tabbar", ImGuiTabBarFlags_FittingPolicyScroll)) {
      // The tab bar always shows the layout's choice; a click on another tab changes the choice.
      Panel clicked = Panel::count;
      for (Panel p : place.panels) {
        if (highlight_[static_cast<size_t>(p)]) ImGui::PushStyleColor(ImGuiCol_Tab, ImVec4(0.75f, 0.55f, 0.05f, 1));
        const bool open = ImGui::BeginTabItem(panel_spec(p).title, nullptr, p == place.front ? ImGuiTabItemFlags_SetSelected : 0);
        if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) clicked = p;
        if (highlight_[static_cast<size_t>(p)]) ImGui::PopStyleColor();
        if (open) ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
      if (clicked != Panel::count && clicked != place.front) {
        shown_[static_cast<size_t>(place.front)] = false;
        shown_[static_cast<size_t>(clicked)] = true;
        place.front = clicked;
      }
    }
    front_[i] = place.front;
    ImGui::End();
  }
  for (size_t i = 0; i < places_.size(); ++i)
    if (places_[i].panels.size() == 1) front_[i] = places_[i].panels.front();
}

bool Layout::begin(Panel p, bool* open, ImGuiWindowFlags extra) {
  const size_t i = static_cast<size_t>(p);
  if (!shown_[i]) return false;
  const ImRect& r = rect_[i];
  ImGui::SetNextWindowPos(r.Min, ImGuiCond_Always);
  ImGui::SetNextWindowSize(r.GetSize(), ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(1.0f);
  const bool lit = highlight_[i];
  if (tabbed_[i]) extra |= ImGuiWindowFlags_NoTitleBar;  // its tab names it
  if (lit) {  // a lesson says: look here
    ImGui::PushStyleColor(ImGuiCol_Border, ImVec4(1.0f, 0.78f, 0.1f, 1));
    ImGui::PushStyleColor(ImGuiCol_TitleBg, ImVec4(0.55f, 0.4f, 0.02f, 1));
    ImGui::PushStyleColor(ImGuiCol_TitleBgActive, ImVec4(0.7f, 0.5f, 0.02f, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 3.0f);
  }
  const bool visible = ImGui::Begin(panel_spec(p).title, panel_spec(p).closable ? open : nullptr,
                                    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus | extra);
  if (lit) {
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
  }
  if (!visible) {
    ImGui::End();
    return false;
  }
  return true;
}

}  // namespace vmscope::ui
