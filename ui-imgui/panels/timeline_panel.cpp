// The timeline: the whole recorded run on an instruction-count axis, one lane per kind of event
// (traps, monitor exits by what the monitor did, satp writes, translations, console lines...),
// zoomable; clicking a mark or dragging the cursor travels there, and every panel shows that
// moment. Buttons go back and forth by one instruction, over calls, to breakpoints and to the
// previous or next event of the chosen lane.
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
std::string describe(const DebugSession& s, const Event& e) {
  char text[200];
  switch (e.kind) {
    case EventKind::exception:
      std::snprintf(text, sizeof text, "%s at 0x%08x (tval 0x%08x)", exception_name(e.code), e.pc, e.value);
      break;
    case EventKind::interrupt: std::snprintf(text, sizeof text, "%s at 0x%08x", interrupt_name(e.code), e.pc); break;
    case EventKind::monitor_exit:
      std::snprintf(text, sizeof text, "exit: %s; cause %s at 0x%08x", to_string(static_cast<ExitAction>(e.code)),
                    e.value >> 31 ? interrupt_name(e.value & 0x7fffffff) : exception_name(e.value), e.pc);
      break;
    case EventKind::shadow_invalidation:
      if (e.code) std::snprintf(text, sizeof text, "shadow table #%u emptied (the guest fenced everything)", e.value);
      else std::snprintf(text, sizeof text, "shadow entry for guest page 0x%08x dropped", e.value);
      break;
    case EventKind::satp_write: std::snprintf(text, sizeof text, "satp = 0x%08x (ASID %u)", e.value, (e.value >> 22) & 0x1ff); break;
    case EventKind::tlb_flush: std::snprintf(text, sizeof text, "SFENCE.VMA at 0x%08x", e.pc); break;
    case EventKind::syscall: std::snprintf(text, sizeof text, "system call %u at 0x%08x", e.code, e.pc); break;
    case EventKind::sbi_call: std::snprintf(text, sizeof text, "SBI call: extension 0x%x, function %u", e.code, e.value); break;
    case EventKind::block_translated: std::snprintf(text, sizeof text, "block translated at 0x%08x", e.value); break;
    case EventKind::block_invalidated: std::snprintf(text, sizeof text, "block invalidated at 0x%08x", e.value); break;
    case EventKind::block_evicted:
      std::snprintf(text, sizeof text, e.value ? "block evicted at 0x%08x" : "code cache flushed", e.value);
      break;
    case EventKind::console_line: std::snprintf(text, sizeof text, "a line of output"); break;
    case EventKind::input: std::snprintf(text, sizeof text, "%u bytes of input", e.value); break;
    case EventKind::balloon:
      std::snprintf(text, sizeof text, "balloon %s: the host holds %u reclaimed pages", e.code ? "deflated" : "inflated", e.value);
      break;
    case EventKind::disk: {
      const unsigned type = e.code & 0xff, status = (e.code >> 8) & 0xff, sectors = e.code >> 16;
      const char* what = type == 0 ? "read" : type == 1 ? "write" : type == 4 ? "flush" : type == 8 ? "get-id" : "request";
      std::snprintf(text, sizeof text, "disk %s: %u sectors at sector %u%s", what, sectors, e.value,
                    status == 0 ? "" : status == 1 ? " (I/O error)" : " (unsupported)");
      break;
    }
  }
  const std::string sym = e.pc ? symbol_for(s, e.pc) : "";
  return std::string(text) + (sym.empty() ? "" : " <" + sym + ">");
}

ImU32 lane_color(size_t lane) {
  static const ImU32 colors[] = {IM_COL32(255, 110, 90, 255), IM_COL32(255, 200, 60, 255), IM_COL32(120, 200, 255, 255),
                                 IM_COL32(140, 240, 140, 255), IM_COL32(230, 140, 255, 255), IM_COL32(255, 160, 200, 255)};
  return colors[lane % (sizeof colors / sizeof colors[0])];
}
}  // namespace

void draw_timeline(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::timeline)) return;
  TimeMachine* tm = s.time();
  if (!tm) {
    ImGui::TextUnformatted("No program loaded.");
    ImGui::End();
    return;
  }
  const uint64_t here = tm->position(), frontier = std::max<uint64_t>(1, tm->frontier());
  const std::vector<TimelineLane>& lanes = timeline_lanes();
  p.timeline_lane = std::clamp(p.timeline_lane, 0, static_cast<int>(lanes.size()) - 1);
  const TimelineLane& chosen = lanes[static_cast<size_t>(p.timeline_lane)];

  // ---- travel controls
  const bool busy = s.running();
  ImGui::BeginDisabled(busy);
  if (ImGui::Button("|<")) s.travel_to(0);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to the start");
  ImGui::SameLine();
  if (ImGui::Button("Reverse continue (F6)")) s.reverse_continue();
  ImGui::SameLine();
  if (ImGui::Button("Back over (Shift+F10)")) s.step_back_over();
  ImGui::SameLine();
  if (ImGui::Button("Step back (Shift+F11)")) s.step_back();
  ImGui::SameLine();
  if (ImGui::Button(">|")) s.travel_to(tm->frontier());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("To the furthest point recorded");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Text("step %llu of %llu", static_cast<unsigned long long>(here), static_cast<unsigned long long>(tm->frontier()));

  ImGui::BeginDisabled(busy);
  if (ImGui::Button("< Previous")) s.previous_event(chosen);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(260.0f, ImGui::GetContentRegionAvail().x * 0.4f));
  if (ImGui::BeginCombo("##lane", chosen.name.c_str())) {
    for (size_t i = 0; i < lanes.size(); ++i)
      if (ImGui::Selectable(lanes[i].name.c_str(), static_cast<int>(i) == p.timeline_lane)) {
        p.timeline_lane = static_cast<int>(i);
        p.timeline_lane_picked = true;
      }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::Button("Next >")) s.next_event(chosen);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Fit")) p.timeline_fit = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the whole run (the wheel over the lanes zooms)");
  ImGui::SameLine();
  const size_t snapshots = tm->snapshots().all().size();
  ImGui::TextDisabled("%zu events, %zu snapshots (%.1f MiB)", tm->timeline().size(), snapshots,
                      static_cast<double>(tm->snapshots().memory_bytes()) / (1 << 20));

  // ---- the plot: which lanes have events (counted as events arrive), the visible range
  const std::vector<Event>& events = tm->timeline();
  if (p.timeline_counts.size() != lanes.size() || events.size() < p.timeline_counted) {
    p.timeline_counts.assign(lanes.size(), 0);
    p.timeline_counted = 0;
  }
  for (; p.timeline_counted < events.size(); ++p.timeline_counted) ++p.timeline_counts[timeline_lane_of(events[p.timeline_counted])];
  const std::vector<size_t>& count = p.timeline_counts;
  std::vector<size_t> shown, row_of(lanes.size(), SIZE_MAX);
  for (size_t l = 0; l < lanes.size(); ++l)
    if (count[l]) {
      row_of[l] = shown.size();
      shown.push_back(l);
    }
  // Until someone picks a lane, Previous/Next (and [ ]) go by the first one this run has.
  if (!p.timeline_lane_picked && !shown.empty() && !count[static_cast<size_t>(p.timeline_lane)])
    p.timeline_lane = static_cast<int>(shown.front());
  if (p.timeline_fit || p.timeline_hi <= p.timeline_lo || p.timeline_hi > frontier) {  // the whole run, as it grows
    p.timeline_lo = 0;
    p.timeline_hi = frontier;
  }
  const double lo = static_cast<double>(p.timeline_lo), hi = static_cast<double>(p.timeline_hi);

  // The lanes scroll inside their own region, so that a short window never clips the controls.
  ImGui::BeginChild("##lanes", ImVec2(0, 0), false);
  const float label_w = ImGui::CalcTextSize("exit: write to a guest page table: emulated").x * 0.62f;
  const float row_h = ImGui::GetTextLineHeight() + 2;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(50.0f, ImGui::GetContentRegionAvail().x - label_w);
  const float axis_h = row_h;
  const float height = axis_h + row_h * static_cast<float>(std::max<size_t>(shown.size(), 1));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 plot0(origin.x + label_w, origin.y);
  const auto x_of = [&](double pos) { return plot0.x + static_cast<float>((pos - lo) / (hi - lo)) * width; };
  const auto pos_of = [&](float x) { return lo + (static_cast<double>(x - plot0.x) / width) * (hi - lo); };

  ImGui::InvisibleButton("##timeline", ImVec2(label_w + width, height));
#ifdef IMGUI_ENABLE_TEST_ENGINE  // (InvisibleButton does not tell the test hooks by itself)
  {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    IMGUI_TEST_ENGINE_ITEM_INFO(ImGui::GetItemID(), "##timeline", 0);
  }
#endif
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  // Zoom with the wheel around the mouse; drag (or click) the cursor to travel.
  if (hovered && ImGui::GetIO().MouseWheel != 0 && mouse.x >= plot0.x) {
    const double at = pos_of(mouse.x), factor = ImGui::GetIO().MouseWheel > 0 ? 0.7 : 1.0 / 0.7;
    double nlo = at - (at - lo) * factor, nhi = at + (hi - at) * factor;
    nlo = std::max(0.0, nlo);
    nhi = std::min(static_cast<double>(frontier), std::max(nhi, nlo + 20));
    p.timeline_lo = static_cast<uint64_t>(nlo);
    p.timeline_hi = static_cast<uint64_t>(std::ceil(nhi));
    p.timeline_fit = p.timeline_lo == 0 && p.timeline_hi >= frontier;
  }
  // Axis: ticks at round numbers (1, 2 or 5 times a power of ten), far enough apart for their labels.
  draw->AddRectFilled(plot0, ImVec2(plot0.x + width, origin.y + height), IM_COL32(30, 32, 40, 255));
  const double span = std::max(1.0, static_cast<double>(hi - lo));
  const double min_gap = ImGui::CalcTextSize("8888.8M").x + ImGui::GetFontSize();
  double tick = 1;
  for (int i = 0; tick * width / span < min_gap && i < 60; ++i) tick *= i % 3 == 1 ? 2.5 : 2;  // 1 2 5 10 20 50 ...
  for (double t = std::ceil(lo / tick) * tick; t <= hi; t += tick) {
    const float x = x_of(t);
    draw->AddLine(ImVec2(x, origin.y), ImVec2(x, origin.y + height), IM_COL32(70, 72, 85, 255));
    char label[32];
    if (t >= 1e9) std::snprintf(label, sizeof label, "%gG", t / 1e9);
    else if (t >= 1e6) std::snprintf(label, sizeof label, "%gM", t / 1e6);
    else if (t >= 1e3) std::snprintf(label, sizeof label, "%gk", t / 1e3);
    else std::snprintf(label, sizeof label, "%g", t);
    draw->AddText(ImVec2(x + 2, origin.y), IM_COL32(200, 200, 210, 255), label);
  }
  // Lanes: their names, then the marks (one per pixel column and lane at most), in one pass over
  // the events in view (they are in order of position).
  const Event* hover_event = nullptr;
  for (size_t row = 0; row < shown.size(); ++row) {
    const size_t l = shown[row];
    const float y = origin.y + axis_h + row_h * static_cast<float>(row);
    char name[96];
    std::snprintf(name, sizeof name, "%s (%zu)", lanes[l].name.c_str(), count[l]);
    draw->PushClipRect(origin, ImVec2(plot0.x - 4, y + row_h), true);
    draw->AddText(ImVec2(origin.x, y), static_cast<int>(l) == p.timeline_lane ? IM_COL32(255, 255, 255, 255) : IM_COL32(210, 210, 220, 255), name);
    draw->PopClipRect();
  }
  std::vector<float> last_x(lanes.size(), -1);
  const auto first = std::lower_bound(events.begin(), events.end(), p.timeline_lo > 0 ? p.timeline_lo - 1 : 0,
                                      [](const Event& e, uint64_t pos) { return e.position < pos; });
  for (auto it = first; it != events.end() && static_cast<double>(it->position) <= hi + 1; ++it) {
    const Event& e = *it;
    const double pos = static_cast<double>(e.position);
    if (pos < lo || pos > hi) continue;
    const size_t l = timeline_lane_of(e);
    const float y = origin.y + axis_h + row_h * static_cast<float>(row_of[l]);
    const float x = std::floor(x_of(pos));
    if (hovered && std::fabs(mouse.x - x) <= 3 && mouse.y >= y && mouse.y < y + row_h) hover_event = &e;
    if (x == last_x[l]) continue;
    last_x[l] = x;
    draw->AddLine(ImVec2(x, y + 2), ImVec2(x, y + row_h - 2), lane_color(l), 2.0f);
  }
  if (shown.empty())
    draw->AddText(ImVec2(plot0.x + 6, origin.y + axis_h), IM_COL32(200, 200, 210, 255), "no events yet: run the program");
  // The frontier and the cursor (where the machine is now).
  draw->AddLine(ImVec2(x_of(static_cast<double>(here)), origin.y), ImVec2(x_of(static_cast<double>(here)), origin.y + height),
                IM_COL32(255, 255, 255, 255), 2.0f);
  if (hover_event) {
    ImGui::SetTooltip("step %llu: %s\nclick to travel here", static_cast<unsigned long long>(hover_event->position),
                      describe(s, *hover_event).c_str());
  } else if (hovered && mouse.x >= plot0.x) {
    ImGui::SetTooltip("step %llu: click or drag to travel", static_cast<unsigned long long>(std::max(0.0, pos_of(mouse.x))));
  }
  if (!busy && ImGui::IsItemActive() && mouse.x >= plot0.x && (ImGui::IsMouseClicked(0) || ImGui::IsMouseDragging(0))) {
    const uint64_t target = hover_event ? hover_event->position
                                        : static_cast<uint64_t>(std::clamp(pos_of(mouse.x), 0.0, static_cast<double>(frontier)));
    if (target != tm->position()) s.travel_to(target);
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vmscope::ui
