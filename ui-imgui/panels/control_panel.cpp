// The control bar (run, pause, step, step over, run to cursor, reset, speed), the program picker
// and the help window.
#include <imgui.h>

#include <cstdio>
#include <cstdlib>

#include "panels.h"
#include "vmm/monitor.h"
#include "scenarios.h"

namespace vmscope::ui {

std::optional<uint32_t> parse_address(const DebugSession& s, const char* text) {
  if (!text || !*text) return std::nullopt;
  char* end = nullptr;
  const unsigned long v = std::strtoul(text, &end, 16);
  if (end && *end == '\0') return static_cast<uint32_t>(v);
  if (s.machine())
    if (const ElfSymbol* sym = s.machine()->symbols().find(text)) return sym->value;
  return std::nullopt;
}

std::string symbol_for(const DebugSession& s, uint32_t address) {
  if (!s.machine()) return {};
  uint32_t offset = 0;
  const ElfSymbol* sym = s.machine()->symbols().lookup(address, &offset);
  if (!sym) return {};
  if (!offset) return sym->name;
  char buf[24];
  std::snprintf(buf, sizeof buf, "+0x%x", offset);
  return sym->name + buf;
}

void draw_control(DebuggerApp& app, Panels& p) {
  DebugSession& s = app.session();
  ImGui::Begin("Control", nullptr, ImGuiWindowFlags_NoCollapse);
  const bool loaded = s.loaded();
  ImGui::BeginDisabled(!loaded);
  if (s.running()) {
    if (ImGui::Button("Pause (Shift+F5)")) s.pause();
  } else {
    if (ImGui::Button(s.finished() ? "Run again (F5)" : "Run (F5)")) s.run();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!loaded || s.running());
  ImGui::BeginDisabled(s.finished());
  if (ImGui::Button("Step (F11)")) s.step();
  ImGui::SameLine();
  if (ImGui::Button("Step over (F10)")) s.step_over();
  ImGui::SameLine();
  if (ImGui::Button("Run to cursor")) s.run_to(p.cursor_or_pc(s));
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Step back (Shift+F11)")) s.step_back();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!loaded);
  if (ImGui::Button("Reset")) s.reset();
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("full speed").x + ImGui::GetFrameHeight() * 2);
  if (ImGui::BeginCombo("speed", speed_name(s.speed()).c_str())) {
    for (const double preset : kSpeedPresets)
      if (ImGui::Selectable(speed_name(preset).c_str(), preset == s.speed())) s.set_speed(preset);
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Instructions per second. At slow speeds the current instruction and the registers\n"
                      "it changed are highlighted as they go; every run is recorded, so the Timeline\n"
                      "can go back to any moment of it.");
  ImGui::SameLine();
  if (ImGui::Button("Timeline")) p.show_timeline = !p.show_timeline;
  ImGui::SameLine();
  if (ImGui::Button("Scenarios")) p.show_scenarios = !p.show_scenarios;
  ImGui::SameLine();
  if (ImGui::Button("Analyzer")) p.show_analyzer = !p.show_analyzer;
  ImGui::SameLine();
  if (ImGui::Button("Code cache")) p.show_code_cache = !p.show_code_cache;
  ImGui::SameLine();
  if (ImGui::Button("Help")) p.show_help = !p.show_help;

  if (const Machine* m = s.machine()) {
    const Hart& h = m->hart();
    if (const Monitor* mon = m->monitor()) {  // what the guest believes, and what really runs
      ImGui::Text("%s (%s) | pc 0x%08x %s | guest in %s-mode, hart in %s-mode | %llu guest instructions retired | %s",
                  s.program_name().c_str(), to_string(m->options().virtualization), h.pc(),
                  symbol_for(s, h.pc()).c_str(), to_string(mon->vcpu().mode), to_string(h.priv()),
                  static_cast<unsigned long long>(mon->guest_instret()), s.status().c_str());
    } else {
      ImGui::Text("%s (%s VM) | pc 0x%08x %s | %s mode | %llu instructions retired | %s", s.program_name().c_str(),
                  to_string(m->kind()), h.pc(), symbol_for(s, h.pc()).c_str(), to_string(h.priv()),
                  static_cast<unsigned long long>(h.instret()), s.status().c_str());
    }
  } else {
    ImGui::TextUnformatted("No program loaded: pick one on the left.");
  }
  ImGui::End();
}

void draw_programs(DebuggerApp& app, Panels&, const std::vector<BundledProgram>& programs) {
  ImGui::Begin("Programs");
  if (app.open_file_dialog && ImGui::Button("Open file...")) app.open_file_dialog();
  if (!app.error().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.4f, 0.4f, 1.0f));
    ImGui::TextWrapped("Cannot load: %s", app.error().c_str());
    ImGui::PopStyleColor();
  }
  if (!app.warning().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
    ImGui::TextWrapped("%s", app.warning().c_str());
    ImGui::PopStyleColor();
  }
  std::string group;
  bool open = false;
  for (const BundledProgram& prog : programs) {
    if (prog.group != group) {
      group = prog.group;
      open = ImGui::CollapsingHeader(group.c_str(),
                                     group == "system" || group == "process" || group == "kernel" ? ImGuiTreeNodeFlags_DefaultOpen : 0);
    }
    if (!open) continue;
    const bool current = app.session().program_name() == prog.name;
    if (ImGui::Selectable(prog.name.c_str(), current)) app.load_bundled(prog.name);
    if (!prog.description.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", prog.description.c_str());
  }
  ImGui::End();
}

// Ready-made lessons (scenarios.h): pick one, read what to watch.
void draw_scenarios(DebuggerApp& app, Panels& p) {
  if (!p.show_scenarios) return;
  ImGui::SetNextWindowBgAlpha(1.0f);
  ImGui::Begin("Scenarios", &p.show_scenarios);
  for (const Scenario& sc : scenarios()) {
    if (ImGui::Selectable(sc.title.c_str(), app.scenario() == sc.name)) app.start_scenario(sc.name);
    ImGui::Indent();
    ImGui::PushStyleColor(ImGuiCol_Text, app.scenario() == sc.name ? ImVec4(0.75f, 0.85f, 1.0f, 1.0f)
                                                                   : ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s", sc.description.c_str());
    ImGui::PopStyleColor();
    ImGui::Unindent();
    ImGui::Spacing();
  }
  ImGui::End();
}

void draw_help(Panels& p) {
  ImGui::Begin("Help", &p.show_help);
  ImGui::TextUnformatted("Keyboard");
  ImGui::BulletText("F5        run / continue");
  ImGui::BulletText("Shift+F5  pause");
  ImGui::BulletText("F10       step over (a call runs until it returns)");
  ImGui::BulletText("F11       step one instruction");
  ImGui::BulletText("F9        toggle a breakpoint at the disassembly cursor (or the pc)");
  ImGui::BulletText("Shift+F11 step back one instruction");
  ImGui::BulletText("Shift+F10 step back over a call that just returned");
  ImGui::BulletText("F6        reverse continue: back to the previous breakpoint or watchpoint hit");
  ImGui::BulletText("[ and ]   previous / next event of the Timeline's chosen kind");
  ImGui::Separator();
  ImGui::TextWrapped(
      "Disassembly: click a line to put the cursor there, click its left margin to toggle a breakpoint. "
      "Registers: values the last step or frame changed are yellow. Memory: physical or virtual "
      "(through a page walk without side effects); click a byte to edit it. MMU: satp, the current page "
      "table, a step-by-step translation and the TLB. Statistics: MIPS, TLB hit rate and traps by cause. "
      "Code cache: the interpreter or the block translator, and the translator's blocks, links and events. "
      "Timeline: every run is recorded; click a mark or drag the cursor to travel there, the wheel zooms. "
      "Speed: instructions per second, from 1 to full speed.");
  ImGui::End();
}

}  // namespace vmscope::ui
