// Breakpoints and watchpoints: listed, added by address or symbol, removed.
#include <imgui.h>

#include "panels.h"

namespace vmscope::ui {

void draw_breakpoints(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::breakpoints)) return;
  if (!s.machine()) {
    ImGui::End();
    return;
  }
  ImGui::SetNextItemWidth(-60);
  const bool add = ImGui::InputTextWithHint("##bp", "address or symbol", p.breakpoint_text, sizeof p.breakpoint_text,
                                            ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Add") || add) {
    if (const auto a = parse_address(s, p.breakpoint_text)) {
      s.toggle_breakpoint(*a & ~1u);
      p.breakpoint_text[0] = '\0';
    }
  }
  const std::vector<uint32_t> bps = s.breakpoints();  // a copy: removing changes the list
  for (uint32_t a : bps) {
    ImGui::PushID(static_cast<int>(a));
    if (ImGui::SmallButton("x")) s.toggle_breakpoint(a);
    ImGui::SameLine();
    ImGui::Text("0x%08x %s", a, symbol_for(s, a).c_str());
    ImGui::PopID();
  }

  ImGui::Separator();
  ImGui::TextUnformatted("Watchpoints (virtual ranges)");
  ImGui::SetNextItemWidth(90);
  ImGui::InputTextWithHint("##wb", "from", p.watch_begin, sizeof p.watch_begin);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::InputTextWithHint("##we", "to (excl.)", p.watch_end, sizeof p.watch_end);
  ImGui::Checkbox("read", &p.watch_read);
  ImGui::SameLine();
  ImGui::Checkbox("write", &p.watch_write);
  ImGui::SameLine();
  std::vector<Hart::Watchpoint> watches = s.machine()->hart().watchpoints();
  if (ImGui::Button("Watch")) {
    const auto b = parse_address(s, p.watch_begin);
    const auto e = parse_address(s, p.watch_end);
    if (b && (p.watch_read || p.watch_write)) {
      watches.push_back({*b, e && *e > *b ? *e : *b + 4, p.watch_read, p.watch_write});
      s.set_watchpoints(watches);
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
  ImGui::End();
}

}  // namespace vmscope::ui
