// Where the panels go the first time (later, Dear ImGui's saved layout wins), and what they share.
#include "panels.h"

#include <imgui.h>
#include <imgui_internal.h>  // MarkIniSettingsDirty

namespace vmscope::ui {

std::string pte_flags(uint32_t pte) { return pte_flag_letters(pte); }

void Panels::on_program_loaded(DebugSession&) {
  follow_pc = true;
  disasm_cursor_set = false;
  memory_address = 0;
  cache_block.reset();  // another machine: its blocks live elsewhere
}

uint32_t Panels::cursor_or_pc(const DebugSession& s) const {
  if (disasm_cursor_set) return disasm_cursor;
  return s.machine() ? s.machine()->hart().pc() : 0;
}

Panels::Panels() {
  open.fill(true);
  for (Panel p : {Panel::lesson, Panel::code_cache, Panel::analyzer, Panel::compare, Panel::migration, Panel::balloon,
                  Panel::devices, Panel::syscalls})
    is_open(p) = false;
}

void Panels::draw_all(DebuggerApp& app, const std::vector<BundledProgram>& programs) {
  DebugSession& s = app.session();
  if (!embedded) draw_menu_bar(app, *this);
  // The panels tile what the menu bar leaves.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float menu = embedded ? 0 : ImGui::GetFrameHeight();
  std::array<bool, kPanelCount> available;
  available.fill(true);
  available[static_cast<size_t>(Panel::monitor)] = s.is_supervisor_kernel();  // only kernels can be virtualized
  available[static_cast<size_t>(Panel::compare)] = s.comparison().has_value();
  available[static_cast<size_t>(Panel::migration)] = s.migration().has_value();
  available[static_cast<size_t>(Panel::balloon)] = s.is_supervisor_kernel();
  available[static_cast<size_t>(Panel::devices)] = s.machine() && s.machine()->kind() == MachineKind::system;
  available[static_cast<size_t>(Panel::syscalls)] = s.machine() && s.machine()->kind() == MachineKind::process;
  std::array<bool, kPanelCount> shown = open;
  if (embedded && app.lessons().lesson())  // in a course page: the lesson and the panels its step names
    for (size_t i = 0; i < kPanelCount; ++i)
      shown[i] = open[i] && (static_cast<Panel>(i) == Panel::lesson || layout.highlighted(static_cast<Panel>(i)));
  layout.arrange(shown, available, ImVec2(0, menu), ImVec2(display.x, display.y - menu), embedded);
  layout.draw_tabs();
  draw_control(app, *this);
  draw_lesson(app, *this);
  draw_programs(app, *this, programs);
  draw_breakpoints(s, *this);
  draw_disassembly(s, *this);
  draw_registers(s, *this);
  draw_mmu(s, *this);
  draw_console(s, *this);
  draw_memory(s, *this);
  draw_stats(s, *this);
  draw_timeline(s, *this);
  draw_monitor(s, *this);
  draw_code_cache(s, *this);
  draw_analyzer(app, *this);
  draw_compare(s, *this);
  draw_migration(s, *this);
  draw_balloon(s, *this);
  draw_devices(app, *this);
  draw_syscalls(s, *this);
  if (show_help) draw_help(*this);
  if (show_share) draw_share(app, *this);
  if (show_gdb) draw_gdb(app, *this);
  if (show_file_browser) draw_file_browser(app, *this);
  if (open != saved_open) {  // which panels are open is kept with the settings
    saved_open = open;
    ImGui::MarkIniSettingsDirty();
  }
}

}  // namespace vmscope::ui
