// The application frame: the machine's slice, the keyboard shortcuts, then every panel.
#include "app.h"

#include <GLFW/glfw3.h>  // key codes: both front ends feed Dear ImGui GLFW's key numbers
#include <imgui.h>
#include <imgui_internal.h>  // the settings handler

#include <algorithm>
#include <cstdio>

#include "panels/panels.h"

namespace vmscope::ui {

struct DebuggerApp::PanelState {
  Panels panels;
};

DebuggerApp::DebuggerApp() : panels_(std::make_shared<PanelState>()) {
  LessonRunner::Hooks hooks;
  hooks.load_program = [this](const std::string& name) { return load_bundled(name); };
  hooks.look = [this](const std::vector<std::string>& titles) {  // show those panels, lit
    Layout& layout = panels_->panels.layout;
    layout.clear_highlights();
    for (const std::string& t : titles)
      if (const auto panel = panel_by_title(t)) {
        panels_->panels.is_open(*panel) = true;
        layout.set_highlight(*panel, true);
        layout.bring_forward(*panel);
      }
  };
  hooks.open_analyzer = [this] { show_analyzer(true); };
  runner_ = std::make_unique<LessonRunner>(session_, panels_->panels.workbench, hooks);
}

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

bool DebuggerApp::start_lesson(const std::string& name) {
  const Lesson* l = find_lesson(name);
  if (!l) {
    error_ = "no lesson named '" + name + "'";
    return false;
  }
  lesson_errors_.clear();
  return start(*l);
}

bool DebuggerApp::start_lesson_text(std::string_view text, const std::string& file) {
  std::optional<Lesson> l = parse_lesson(text, file, lesson_errors_);
  Panels& p = panels_->panels;
  p.is_open(Panel::lesson) = true;
  p.layout.bring_forward(Panel::lesson);
  if (!l) return false;  // the Lesson panel lists the errors
  return start(*l);
}

bool DebuggerApp::start(const Lesson& lesson) {
  Panels& p = panels_->panels;
  lesson_name_ = lesson.name;
  p.is_open(Panel::lesson) = true;  // the lesson's text, docked and visible
  p.layout.bring_forward(Panel::lesson);
  if (!runner_->start(lesson)) {
    error_ = runner_->error();
    return false;
  }
  if (!lesson.program.empty() && session_.is_supervisor_kernel() && !p.is_open(Panel::monitor)) p.is_open(Panel::monitor) = true;
  return true;
}

void DebuggerApp::handle_keys() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;  // typing into a field: keys are text
  if (io.KeyCtrl) {  // the text size: Ctrl + / Ctrl - (Ctrl 0: the default)
    UiSettings ui = ui_settings();
    if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)) ui.font_size += 2;
    if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)) ui.font_size -= 2;
    if (ImGui::IsKeyPressed(GLFW_KEY_0)) ui.font_size = UiSettings{}.font_size;
    set_ui_settings(ui);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F1)) panels_->panels.show_help = !panels_->panels.show_help;
  if (runner_->lesson()) {  // a presenter's clicker sends PageDown / PageUp
    if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_DOWN)) runner_->next();
    if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_UP)) runner_->back();
  }
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

void DebuggerApp::show_analyzer(bool show) {
  panels_->panels.is_open(Panel::analyzer) = show;
  if (show) panels_->panels.layout.bring_forward(Panel::analyzer);
}

void DebuggerApp::set_timeline_lane(int lane) {
  panels_->panels.timeline_lane = lane;
  panels_->panels.timeline_lane_picked = true;
}

int DebuggerApp::timeline_lane() const { return panels_->panels.timeline_lane; }

void DebuggerApp::show_code_cache(bool show) {
  panels_->panels.is_open(Panel::code_cache) = show;
  if (show) panels_->panels.layout.bring_forward(Panel::code_cache);
}

bool DebuggerApp::code_cache_shown() const { return panels_->panels.open[static_cast<size_t>(Panel::code_cache)]; }

bool DebuggerApp::set_panel_open(const std::string& title, bool open, bool bring_forward) {
  for (size_t i = 0; i < kPanelCount; ++i) {
    const Panel p = static_cast<Panel>(i);
    if (title != panel_spec(p).title) continue;
    if (!panel_spec(p).closable && !open) return false;
    panels_->panels.is_open(p) = open;
    if (open && bring_forward) panels_->panels.layout.bring_forward(p);
    return true;
  }
  return false;
}

bool DebuggerApp::panel_open(const std::string& title) const {
  for (size_t i = 0; i < kPanelCount; ++i)
    if (title == panel_spec(static_cast<Panel>(i)).title) return panels_->panels.open[i];
  return false;
}

// Dear ImGui's settings file gets a [vmscope][ui] section: the text size, the projector preset
// and the panels closed.
void DebuggerApp::install_settings() {
  ImGuiSettingsHandler h;
  h.TypeName = "vmscope";
  h.TypeHash = ImHashStr("vmscope");
  h.UserData = this;
  h.ReadOpenFn = [](ImGuiContext*, ImGuiSettingsHandler* handler, const char* name) -> void* {
    return std::string(name) == "ui" ? handler->UserData : nullptr;
  };
  h.ReadLineFn = [](ImGuiContext*, ImGuiSettingsHandler*, void* entry, const char* line) {
    auto& app = *static_cast<DebuggerApp*>(entry);
    UiSettings ui = app.ui_settings();
    float size = 0;
    int on = 0;
    char title[64];
    if (std::sscanf(line, "font_size=%f", &size) == 1) ui.font_size = size;
    else if (std::sscanf(line, "projector=%d", &on) == 1) ui.projector = on != 0;
    else if (std::sscanf(line, "closed=%63[^\n]", title) == 1) app.set_panel_open(title, false, false);
    else if (std::sscanf(line, "open=%63[^\n]", title) == 1) app.set_panel_open(title, true, false);
    app.set_ui_settings(ui);
  };
  h.WriteAllFn = [](ImGuiContext*, ImGuiSettingsHandler* handler, ImGuiTextBuffer* out) {
    const auto& app = *static_cast<const DebuggerApp*>(handler->UserData);
    out->appendf("[vmscope][ui]\nfont_size=%g\nprojector=%d\n", app.ui_settings().font_size, app.ui_settings().projector ? 1 : 0);
    for (size_t i = 0; i < kPanelCount; ++i) {
      const Panel p = static_cast<Panel>(i);
      if (!panel_spec(p).closable) continue;
      out->appendf("%s=%s\n", app.panels_->panels.open[i] ? "open" : "closed", panel_spec(p).title);
    }
    out->append("\n");
  };
  ImGui::GetCurrentContext()->SettingsHandlers.push_back(h);
}

void DebuggerApp::select_block(std::optional<uint32_t> paddr) { panels_->panels.cache_block = paddr; }

std::optional<uint32_t> DebuggerApp::selected_block() const { return panels_->panels.cache_block; }

void DebuggerApp::frame(double frame_seconds) {
  session_.tick(frame_seconds);
  handle_keys();
  panels_->panels.draw_all(*this, programs_);
}

}  // namespace vmscope::ui
