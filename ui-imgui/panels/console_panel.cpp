// The console: what the guest writes (UART, or the process's stdout/stderr), and a line of input.
#include <imgui.h>

#include "panels.h"

namespace vmscope::ui {

void draw_console(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::console)) return;
  const bool process = s.machine() && s.machine()->kind() == MachineKind::process;
  const float input_height = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("output", ImVec2(0, -input_height), true, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::TextUnformatted(s.console().data(), s.console().data() + s.console().size());
  if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 4) ImGui::SetScrollHereY(1.0f);  // stick to the end
  ImGui::EndChild();
  ImGui::SetNextItemWidth(process ? -90.0f : -1.0f);
  if (ImGui::InputTextWithHint("##input", "input for the guest: Enter sends the line", p.console_input,
                               sizeof p.console_input, ImGuiInputTextFlags_EnterReturnsTrue)) {
    s.type_input(std::string(p.console_input) + "\n");
    p.console_input[0] = '\0';
    ImGui::SetKeyboardFocusHere(-1);
  }
  if (process) {
    ImGui::SameLine();
    if (ImGui::Button("End input")) s.close_input();  // the guest's next read() returns 0
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("End of input on stdin, like Ctrl-D in a terminal");
  }
  ImGui::End();
}

}  // namespace vmscope::ui
