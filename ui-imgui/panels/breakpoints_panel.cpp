// Breakpoints and watchpoints: listed, added by address or symbol, removed; software ones (the
// debugger's own, any number) or hardware ones (the hart's debug triggers, which the guest may
// hold too), and what each trigger holds.
#include <imgui.h>

#include "panels.h"

namespace vmscope::ui {

void draw_breakpoints(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::breakpoints)) return;
  if (!s.machine()) {
    ImGui::End();
    return;
  }
  const float buttons = ImGui::CalcTextSize("Add Add HW").x + ImGui::GetStyle().FramePadding.x * 4 +
                        ImGui::GetStyle().ItemSpacing.x * 2;
  ImGui::SetNextItemWidth(-buttons);
  const bool add = ImGui::InputTextWithHint("##bp", "address or symbol", p.breakpoint_text, sizeof p.breakpoint_text,
                                            ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Add") || add) {
    if (const auto a = parse_address(s, p.breakpoint_text)) {
      s.toggle_breakpoint(*a & ~1u);
      p.breakpoint_text[0] = '\0';
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Add HW")) {
    if (const auto a = parse_address(s, p.breakpoint_text)) {
      s.add_hardware_stop({true, *a & ~1u, 1, false, false});
      p.breakpoint_text[0] = '\0';
    }
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("A hardware breakpoint: one of the hart's debug triggers");
  const std::vector<uint32_t> bps = s.breakpoints();  // a copy: removing changes the list
  for (uint32_t a : bps) {
    ImGui::PushID(static_cast<int>(a));
    if (ImGui::SmallButton("x")) s.toggle_breakpoint(a);
    ImGui::SameLine();
    ImGui::Text("0x%08x %s", a, symbol_for(s, a).c_str());
    ImGui::PopID();
  }

  ImGui::Separator();
  ImGui::TextWrapped("Watchpoints (virtual ranges)");
  ImGui::SetNextItemWidth(90);
  ImGui::InputTextWithHint("##wb", "from", p.watch_begin, sizeof p.watch_begin);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::InputTextWithHint("##we", "to (excl.)", p.watch_end, sizeof p.watch_end);
  ImGui::Checkbox("read", &p.watch_read);
  ImGui::SameLine();
  ImGui::Checkbox("write", &p.watch_write);
  std::vector<Hart::Watchpoint> watches = s.machine()->hart().watchpoints();
  if (ImGui::Button("Watch")) {
    const auto b = parse_address(s, p.watch_begin);
    const auto e = parse_address(s, p.watch_end);
    if (b && (p.watch_read || p.watch_write)) {
      watches.push_back({*b, e && *e > *b ? *e : *b + 4, p.watch_read, p.watch_write});
      s.set_watchpoints(watches);
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("HW watch")) {
    const auto b = parse_address(s, p.watch_begin);
    const auto e = parse_address(s, p.watch_end);
    if (b && (p.watch_read || p.watch_write)) {
      // A trigger watches a naturally aligned power-of-two range (NAPOT): the smallest one
      // holding [from, to).
      const uint64_t end = e && *e > *b ? *e : uint64_t{*b} + 4;
      uint64_t size = 1;
      while (size < (uint64_t{1} << 31) && (*b & ~(size - 1)) + size < end) size <<= 1;
      s.add_hardware_stop({false, static_cast<uint32_t>(*b & ~(size - 1)), static_cast<uint32_t>(size), p.watch_read,
                           p.watch_write});
    }
  }
  for (size_t i = 0; i < watches.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) {
      watches.erase(watches.begin() + static_cast<std::ptrdiff_t>(i));
      s.set_watchpoints(watches);
      ImGui::PopID();
      break;
    }
    ImGui::SameLine();
    ImGui::Text("[0x%08x, 0x%08x) %s%s", watches[i].begin, watches[i].end, watches[i].on_read ? "r" : "",
                watches[i].on_write ? "w" : "");
    ImGui::PopID();
  }

  ImGui::Separator();
  const std::vector<Hart::HardwareStop> hardware = s.hardware_stops();  // a copy: removing changes the list
  ImGui::TextWrapped("Hardware (debug triggers): %zu of %zu placed", s.hardware_stops_placed(), hardware.size());
  for (size_t i = 0; i < hardware.size(); ++i) {
    const Hart::HardwareStop& h = hardware[i];
    ImGui::PushID(static_cast<int>(1000 + i));
    if (ImGui::SmallButton("x")) s.remove_hardware_stop(i);
    ImGui::SameLine();
    const char* state = i < s.hardware_stops_placed() ? "" : "  (waiting: no free trigger)";
    if (h.execute)
      ImGui::TextWrapped("break 0x%08x %s%s", h.address, symbol_for(s, h.address).c_str(), state);
    else
      ImGui::TextWrapped("watch [0x%08x, 0x%08llx) %s%s%s", h.address,
                         static_cast<unsigned long long>(uint64_t{h.address} + h.size), h.on_read ? "r" : "",
                         h.on_write ? "w" : "", state);
    ImGui::PopID();
  }
  const Triggers& triggers = s.machine()->hart().triggers();
  for (unsigned i = 0; i < Triggers::kCount; ++i)
    ImGui::TextWrapped("trigger %u%s: %s", i, triggers.selected() == i ? " (tselect)" : "", triggers.describe(i).c_str());
  ImGui::End();
}

}  // namespace vmscope::ui
