// System calls: the process VM's calls as strace shows them (machine/strace.h), up to the
// current moment of the run; errors stand out; a click travels to the call.
#include <imgui.h>

#include <cstring>

#include "machine/linux_process.h"
#include "panels.h"

namespace vmscope::ui {

void draw_syscalls(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::syscalls)) return;
  const LinuxProcess* process = s.machine() ? s.machine()->process() : nullptr;
  if (!process) {
    ImGui::TextWrapped("System calls are the process VM's: load a Linux program (hello, files...).");
    ImGui::End();
    return;
  }
  // Only the calls made up to where the run stands now (travelling back hides the later ones).
  const uint64_t now = s.machine()->hart().steps();
  const auto& log = process->syscall_log();
  size_t shown = 0;
  while (shown < log.size() && log[shown].step < now) ++shown;
  ImGui::Text("%zu call%s so far%s", shown, shown == 1 ? "" : "s",
              log.size() == LinuxProcess::kSyscallLogSize ? " (the last ones)" : "");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##filter", "filter: a call's name or text", p.syscall_filter, sizeof p.syscall_filter);
  ImGui::BeginChild("calls", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  const ImVec4 error(1.0f, 0.55f, 0.45f, 1);
  for (size_t i = 0; i < shown; ++i) {
    const LinuxProcess::SyscallRecord& r = log[i];
    if (p.syscall_filter[0] && r.text.find(p.syscall_filter) == std::string::npos) continue;
    ImGui::PushID(static_cast<int>(i));
    char step[32];
    std::snprintf(step, sizeof step, "%llu", static_cast<unsigned long long>(r.step));
    if (ImGui::Selectable(step, false, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap))
      s.travel_to(r.step);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("travel to this call (step %s)", step);
    ImGui::SameLine();
    const bool failed = r.text.find(") = -1 ") != std::string::npos;
    if (failed) ImGui::PushStyleColor(ImGuiCol_Text, error);
    ImGui::TextUnformatted(r.text.c_str());
    if (failed) ImGui::PopStyleColor();
    ImGui::PopID();
  }
  if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 4) ImGui::SetScrollHereY(1.0f);  // stick to the end
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vmscope::ui
