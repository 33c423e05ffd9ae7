// Where the panels go the first time (later, Dear ImGui's saved layout wins), and what they share.
#include "panels.h"

#include <imgui.h>

namespace vmscope::ui {

namespace {
// Places the next window on a 1280x800 grid scaled to the display, the first time only.
void place(float x, float y, float w, float h) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float sx = d.x / 1280.0f, sy = d.y / 800.0f;
  ImGui::SetNextWindowPos(ImVec2(x * sx, y * sy), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w * sx, h * sy), ImGuiCond_FirstUseEver);
}
}  // namespace

std::string pte_flags(uint32_t pte) {
  std::string f;
  const char* names = "VRWXUGAD";
  for (int i = 0; i < 8; ++i) f += (pte >> i & 1) ? names[i] : '-';
  return f;
}

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

void Panels::draw_all(DebuggerApp& app, const std::vector<BundledProgram>& programs) {
  DebugSession& s = app.session();
  place(0, 0, 1280, 72);
  draw_control(app, *this);
  place(0, 72, 220, 300);
  draw_programs(app, *this, programs);
  place(0, 372, 220, 428);
  draw_breakpoints(s, *this);
  place(220, 72, 470, 368);
  draw_disassembly(s, *this);
  place(690, 72, 280, 368);
  draw_registers(s, *this);
  place(970, 72, 310, 368);
  draw_mmu(s, *this);
  place(220, 440, 380, 190);
  draw_console(s, *this);
  place(600, 440, 370, 190);
  draw_memory(s, *this);
  place(970, 440, 310, 190);
  draw_stats(s, *this);
  place(220, 630, 1060, 170);  // the whole run: travel anywhere in it
  draw_timeline(s, *this);
  place(220, 72, 1060, 420);  // over the code views: a kernel's monitor is the lesson
  draw_monitor(s, *this);
  place(50, 76, 1210, 716);  // over everything but the control bar
  draw_code_cache(s, *this);
  place(160, 90, 1000, 640);
  draw_analyzer(*this);
  place(240, 90, 520, 560);
  draw_scenarios(app, *this);
  if (show_help) {
    place(340, 200, 600, 400);
    draw_help(*this);
  }
}

}  // namespace vmscope::ui
