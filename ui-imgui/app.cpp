// The application frame: the machine's slice, the keyboard shortcuts, then every panel.
#include "app.h"

#include <GLFW/glfw3.h>  // key codes: both front ends feed Dear ImGui GLFW's key numbers
#include <imgui.h>

#include <algorithm>

#include "panels/panels.h"
#include "scenarios.h"

namespace vmscope::ui {

struct DebuggerApp::PanelState {
  Panels panels;
};

DebuggerApp::DebuggerApp() : panels_(std::make_shared<PanelState>()) {}

void DebuggerApp::set_bundled_programs(std::vector<BundledProgram> programs) { programs_ = std::move(programs); }

bool DebuggerApp::load_program(std::span<const uint8_t> bytes, const std::string& name) {
  if (session_.load(bytes, name)) {
    error_.clear();
    panels_->panels.on_program_loaded(session_);
    return true;
  }
  error_ = session_.last_error();
  return false;
}

bool DebuggerApp::load_bundled(const std::string& name) {
  for (const BundledProgram& p : programs_) {
    if (p.name != name) continue;
    // A supervisor kernel (or a system program built for SBI, named *_sbi): on the board,
    // started in S-mode by vmscope's SBI firmware.
    const bool on_sbi = p.group == "kernel" || p.name.ends_with("_sbi");
    if (!on_sbi) return load_program(p.read(), p.name);
    if (session_.load(p.read(), p.name, MachineKind::system, Firmware::sbi)) {
      error_.clear();
      panels_->panels.on_program_loaded(session_);
      return true;
    }
    error_ = session_.last_error();
    return false;
  }
  error_ = "no bundled program named '" + name + "'";
  return false;
}

bool DebuggerApp::start_scenario(const std::string& name) {
  const Scenario* s = find_scenario(name);
  if (!s) {
    error_ = "no scenario named '" + name + "'";
    return false;
  }
  scenario_ = s->name;
  if (!s->program.empty()) {  // an analyzer-only lesson leaves the machine as it is
    session_.set_vm_settings(s->vm);
    if (!load_bundled(s->program)) return false;
  }
  if (!s->analyzer.empty()) {
    analyzer().choose(s->analyzer);
    if (s->analyzer == "isa-specs/rv32.toml") {  // the description's quirk settings follow the hart's
      analyzer().set_setting("quirk.status_read", s->vm.quirks.status_read ? "1" : "0");
      analyzer().set_setting("quirk.status_write", s->vm.quirks.status_write ? "1" : "0");
      analyzer().set_setting("quirk.sret_jump", s->vm.quirks.sret_jump ? "1" : "0");
    }
  }
  show_analyzer(!s->analyzer.empty() && s->program.empty());  // a kernel lesson keeps the Monitor in view
  return true;
}

void DebuggerApp::handle_keys() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;  // typing into a field: keys are text
  if (ImGui::IsKeyPressed(GLFW_KEY_F5)) {
    if (io.KeyShift)
      session_.pause();
    else
      session_.run();
  }
  const bool idle = !session_.running();
  if (ImGui::IsKeyPressed(GLFW_KEY_F10)) {
    if (io.KeyShift) {
      if (idle) session_.step_back_over();
    } else {
      session_.step_over();
    }
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F11)) {
    if (io.KeyShift) {
      if (idle) session_.step_back();
    } else {
      session_.step();
    }
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F6) && idle) session_.reverse_continue();
  const auto& lanes = timeline_lanes();
  const TimelineLane& lane = lanes[static_cast<size_t>(std::clamp(panels_->panels.timeline_lane, 0, static_cast<int>(lanes.size()) - 1))];
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT_BRACKET) && idle) session_.previous_event(lane);
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT_BRACKET) && idle) session_.next_event(lane);
  if (ImGui::IsKeyPressed(GLFW_KEY_F9) && session_.machine())
    session_.toggle_breakpoint(panels_->panels.cursor_or_pc(session_));
}

void DebuggerApp::set_cursor(uint32_t address) {
  panels_->panels.disasm_cursor = address;
  panels_->panels.disasm_cursor_set = true;
  panels_->panels.follow_pc = false;
}

AnalyzerWorkbench& DebuggerApp::analyzer() { return panels_->panels.workbench; }

void DebuggerApp::show_analyzer(bool show) { panels_->panels.show_analyzer = show; }

void DebuggerApp::set_timeline_lane(int lane) {
  panels_->panels.timeline_lane = lane;
  panels_->panels.timeline_lane_picked = true;
}

int DebuggerApp::timeline_lane() const { return panels_->panels.timeline_lane; }

void DebuggerApp::show_code_cache(bool show) { panels_->panels.show_code_cache = show; }

bool DebuggerApp::code_cache_shown() const { return panels_->panels.show_code_cache; }

void DebuggerApp::select_block(std::optional<uint32_t> paddr) { panels_->panels.cache_block = paddr; }

std::optional<uint32_t> DebuggerApp::selected_block() const { return panels_->panels.cache_block; }

void DebuggerApp::frame(double frame_seconds) {
  session_.tick(frame_seconds);
  handle_keys();
  panels_->panels.draw_all(*this, programs_);
}

}  // namespace vmscope::ui
