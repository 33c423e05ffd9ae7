// The application frame: the machine's slice, the keyboard shortcuts, then every panel.
#include "app.h"

#include <GLFW/glfw3.h>  // key codes: both front ends feed Dear ImGui GLFW's key numbers
#include <imgui.h>
#include <imgui_internal.h>  // the settings handler

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "panels/panels.h"
#include "text_position.h"

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
  session_.read_program = [this](const std::string& name) {
    for (const BundledProgram& p : programs_)
      if (p.name == name) return p.read();
    return std::vector<uint8_t>{};
  };
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

bool DebuggerApp::open_file(std::span<const uint8_t> bytes, const std::string& name) {
  const auto starts = [&](const char* magic) { return bytes.size() >= 8 && std::memcmp(bytes.data(), magic, 8) == 0; };
  if (starts("VMSCSNP\n") || starts("VMSCREC\n")) {
    runner_->stop();
    if (!session_.open_saved(bytes, name)) {
      error_ = session_.last_error();
      return false;
    }
    error_.clear();
    panels_->panels.on_program_loaded(session_);
    return true;
  }
  if (name.ends_with(".toml"))
    return start_lesson_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), name);
  // Not an ELF: a raw disk image (whole 512-byte sectors) for the board's virtio-blk drive.
  const bool elf = bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0;
  if (!elf && !bytes.empty() && bytes.size() % kSectorSize == 0) {
    if (!session_.loaded()) {
      error_ = name + " looks like a disk image: open a program for the board first, then its disk";
      return false;
    }
    if (!session_.set_disk(std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end()),
                           name.substr(name.find_last_of('/') + 1))) {
      error_ = session_.last_error();
      return false;
    }
    bundled_disk_ = false;
    error_.clear();
    panels_->panels.on_program_loaded(session_);
    return true;
  }
  return load_program(bytes, name);
}

std::string DebuggerApp::save_disk() {
  if (session_.disk_name().empty() || !save_file) return {};
  std::string name = session_.disk_name();
  if (name.ends_with(".img")) name.resize(name.size() - 4);
  name += "-step" + std::to_string(session_.time() ? session_.time()->position() : 0) + ".img";
  if (!save_file(name, session_.disk_contents())) {
    error_ = "cannot write " + name;
    return {};
  }
  return name;
}

std::string DebuggerApp::save_snapshot() {
  if (!session_.time() || !save_file) return {};
  std::string base = session_.program_name();
  base = base.substr(base.find_last_of('/') + 1);
  if (base.ends_with(".elf")) base.resize(base.size() - 4);
  const std::string name = "vmscope-" + base + "-step" + std::to_string(session_.time()->position()) + ".snap";
  if (!save_file(name, session_.save_snapshot())) {
    error_ = "cannot write " + name;
    return {};
  }
  return name;
}

bool DebuggerApp::load_bundled(const std::string& name) {
  for (const BundledProgram& p : programs_) {
    if (p.name != name) continue;
    // Its own disk, or none (a disk the user opened stays for other programs).
    if (p.read_disk) {
      if (!session_.set_disk(std::make_shared<const std::vector<uint8_t>>(p.read_disk()), p.name + ".img", false)) {
        error_ = session_.last_error();
        return false;
      }
      bundled_disk_ = true;
    } else if (bundled_disk_) {
      session_.remove_disk(false);
      bundled_disk_ = false;
    }
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

void DebuggerApp::set_analyzer_view(const std::string& filter, const std::string& selected) {
  panels_->panels.analyzer_filter = filter;
  panels_->panels.analyzer_selected = selected;
}

void DebuggerApp::show_analyzer_tab(const std::string& tab) { panels_->panels.analyzer_tab = tab; }
const std::string& DebuggerApp::analyzer_selected() const { return panels_->panels.analyzer_selected; }

void DebuggerApp::analyzer_find(const std::string& text) {
  Panels& p = panels_->panels;
  p.analyzer_find = text;
  const std::string& all = p.workbench.text();
  const size_t at = find_wrapping(all, text, static_cast<size_t>(p.analyzer_cursor));
  if (at == std::string::npos) return;
  p.analyzer_goto = static_cast<int>(at);
  p.analyzer_goto_end = static_cast<int>(at + text.size());
  p.analyzer_tab = "Description";
}

int DebuggerApp::analyzer_cursor_line() const {
  return line_column_of(panels_->panels.workbench.text(), static_cast<size_t>(panels_->panels.analyzer_cursor)).line;
}

bool DebuggerApp::run_kernel_with_quirk(const std::string& quirk_setting) {
  VmSettings vm = session_.vm_settings();
  vm.virtualization = Virtualization::trap_and_emulate;
  vm.quirks = {};
  if (quirk_setting == "quirk.status_read") vm.quirks.status_read = true;
  else if (quirk_setting == "quirk.status_write") vm.quirks.status_write = true;
  else if (quirk_setting == "quirk.sret_jump") vm.quirks.sret_jump = true;
  else return false;
  session_.set_vm_settings(vm);
  if (!load_bundled("kernel")) return false;
  set_panel_open("Console", true);
  set_panel_open("Monitor", true, false);
  return true;
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

std::string DebuggerApp::share_query() const {
  std::string q;
  const auto add = [&q](const std::string& name, const std::string& value) {
    q += (q.empty() ? "?" : "&") + name + "=" + value;
  };
  if (runner_->lesson()) {
    add("lesson", lesson_name_);
    add("step", std::to_string(runner_->step() + 1));
  } else if (session_.loaded()) {
    add("program", session_.program_name());
  }
  const VmSettings& vm = session_.vm_settings();
  if (session_.is_supervisor_kernel()) {
    add("virt", to_string(vm.virtualization));
    add("shadow", to_string(vm.invalidation));
    if (vm.console != Console::sbi) add("console", to_string(vm.console));
    if (vm.balloon) add("balloon", "1");
    std::string quirks;
    for (unsigned i = 0; i < kQuirkCount; ++i) {
      const bool on = i == 0 ? vm.quirks.status_read : i == 1 ? vm.quirks.status_write : vm.quirks.sret_jump;
      if (on) quirks += (quirks.empty() ? "" : ",") + std::string(to_string(static_cast<Quirk>(i)));
    }
    if (!quirks.empty()) add("quirk", quirks);
  }
  if (session_.misaligned() != Misaligned::emulate) add("misaligned", to_string(session_.misaligned()));
  const TranslatorSettings& t = session_.translator_settings();
  add("engine", t.engine == Engine::translator ? "translate" : "interp");
  if (t.engine == Engine::translator) {
    add("chain", t.options.chaining ? "1" : "0");
    add("cache", std::to_string(t.options.capacity_kib));
    add("evict", to_string(t.options.eviction));
    if (t.options.backend != TranslatorBackend::native) add("backend", to_string(t.options.backend));
    if (t.options.tiering.hot_threshold != TieringOptions{}.hot_threshold)
      add("hot", std::to_string(t.options.tiering.hot_threshold));
  }
  char speed[32];
  std::snprintf(speed, sizeof speed, "%.0f", session_.speed());
  add("speed", session_.speed() > 0 ? speed : "full");
  if (const TimeMachine* tm = session_.time()) add("t", std::to_string(tm->position()));
  if (embedded()) add("embed", "1");
  return q;
}

std::vector<std::string> DebuggerApp::open_link(const std::vector<std::pair<std::string, std::string>>& options) {
  VmSettings vm;
  TranslatorSettings translator;
  Misaligned misaligned = Misaligned::emulate;
  std::string program, lesson;
  std::optional<size_t> step;
  std::optional<uint64_t> position;
  std::vector<std::string> problems;  // a mistyped link is reported, never silently ignored
  const auto bad_value = [&problems](const std::string& name, const std::string& value, const char* expected) {
    problems.push_back("?" + name + "=" + value + " is not understood (expected " + expected + ")");
  };
  const auto is_number = [](const std::string& v) {
    return !v.empty() && v.size() < 19 && v.find_first_not_of("0123456789") == std::string::npos;
  };
  for (const auto& [name, value] : options) {
    if (name == "program") program = value;
    else if (name == "scenario" || name == "lesson") {
      lesson = value;
      if (!find_lesson(value)) problems.push_back("?" + name + "=" + value + " is not a lesson");
    } else if (name == "unknown") problems.push_back("unknown URL parameter '" + value + "'");
    else if (name == "virt") {
      if (const std::optional<Virtualization> way = parse_virtualization(value)) vm.virtualization = *way;
      else bad_value(name, value, virtualization_names().c_str());
    } else if (name == "shadow") {
      if (value == "write-protect" || value == "sfence")
        vm.invalidation = value == "write-protect" ? ShadowInvalidation::write_protect : ShadowInvalidation::sfence;
      else bad_value(name, value, "sfence or write-protect");
    } else if (name == "console") {
      if (const std::optional<Console> c = parse_console(value)) vm.console = *c;
      else bad_value(name, value, "sbi, pass-through, emulated or virtio");
    } else if (name == "gdb") {  // let gdb attach (natively on this port; in the browser through the bridge's)
      std::string error;
      if (!is_number(value) || std::stoul(value) == 0 || std::stoul(value) > 65535) bad_value(name, value, "a TCP port");
      else if (!gdb_.listen(static_cast<unsigned>(std::stoul(value)), error)) problems.push_back("?gdb=" + value + ": " + error);
    } else if (name == "balloon") {
      if (value == "0" || value == "1") vm.balloon = value == "1";
      else bad_value(name, value, "0 or 1");
    } else if (name == "check") {
      if (value == "0" || value == "1") vm.check_shadows = value == "1";
      else bad_value(name, value, "0 or 1");
    } else if (name == "misaligned") {
      if (const std::optional<Misaligned> m = parse_misaligned(value)) misaligned = *m;
      else bad_value(name, value, "emulate or trap");
    } else if (name == "engine") {
      if (value == "translate" || value == "interp") translator.engine = value == "translate" ? Engine::translator : Engine::interpreter;
      else bad_value(name, value, "interp or translate");
    } else if (name == "chain") {
      if (value == "0" || value == "1") translator.options.chaining = value != "0";
      else bad_value(name, value, "0 or 1");
    } else if (name == "cache") {  // the session clamps it to the panel's range
      if (is_number(value)) translator.options.capacity_kib = static_cast<uint32_t>(std::stoul(value));
      else bad_value(name, value, "a size in KiB");
    } else if (name == "evict") {
      if (const auto e = eviction_from_string(value)) translator.options.eviction = *e;
      else bad_value(name, value, "fifo, lru or flush");
    } else if (name == "backend") {
      if (const auto b = translator_backend_from_string(value)) translator.options.backend = *b;
      else bad_value(name, value, native_backend_exists() ? "threaded, or native/wasm: the host's code" : "threaded");
    } else if (name == "hot") {  // entries before a block is compiled (WebAssembly)
      if (is_number(value) && std::stoul(value) >= 1 && std::stoul(value) <= 100000)
        translator.options.tiering.hot_threshold = static_cast<uint32_t>(std::stoul(value));
      else bad_value(name, value, "a number of entries from 1 to 100000");
    } else if (name == "speed") {
      if (value == "full") session_.set_speed(0);
      else if (is_number(value) && std::stod(value) > 0) session_.set_speed(std::stod(value));
      else bad_value(name, value, "full or instructions per second");
    } else if (name == "quirk") {
      for (size_t start = 0; start <= value.size();) {
        const size_t comma = value.find(',', start);
        const std::string q = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (q == "status-read") vm.quirks.status_read = true;
        else if (q == "status-write") vm.quirks.status_write = true;
        else if (q == "sret-jump") vm.quirks.sret_jump = true;
        else bad_value(name, q, "status-read, status-write or sret-jump");
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (name == "step") {
      if (is_number(value) && std::stoul(value) >= 1) step = std::stoul(value);
      else bad_value(name, value, "a lesson step, from 1");
    } else if (name == "t" || name == "at") {
      if (is_number(value)) position = std::stoull(value);
      else bad_value(name, value, "a step of the run");
    } else if (name == "snapshots") {  // the snapshots' memory budget in MiB
      if (is_number(value) && std::stoul(value) >= 1 && std::stoul(value) <= 4096)
        session_.set_snapshot_budget(static_cast<size_t>(std::stoul(value)) << 20);
      else bad_value(name, value, "a budget in MiB, 1 to 4096");
    } else if (name == "embed") {
      if (value == "0" || value == "1") set_embedded(value == "1");
      else bad_value(name, value, "0 or 1");
    } else {
      problems.push_back("unknown option '" + name + "'");
    }
  }
  session_.set_vm_settings(vm);
  session_.set_translator_settings(translator);
  session_.set_misaligned(misaligned, false);
  if (!program.empty() && !load_bundled(program)) problems.push_back(error_);
  if (!lesson.empty() && find_lesson(lesson)) start_lesson(lesson);
  if (step || position) open_moment(step, position);
  return problems;
}

void DebuggerApp::open_moment(std::optional<size_t> lesson_step, std::optional<uint64_t> position) {
  if (lesson_step && runner_->lesson()) {
    while (runner_->step() + 1 < *lesson_step && runner_->step() + 1 < runner_->lesson()->steps.size()) {
      session_.pause();  // a step that runs: let the next one start from where it is
      runner_->next();
    }
    session_.pause();
  }
  if (position) session_.run_until(*position);
}

void DebuggerApp::set_embedded(bool on) { panels_->panels.embedded = on; }

bool DebuggerApp::embedded() const { return panels_->panels.embedded; }

void DebuggerApp::set_mmu_translate(const std::string& address, int mode, int walk_step) {
  Panels& p = panels_->panels;
  std::snprintf(p.translate_text, sizeof p.translate_text, "%s", address.c_str());
  p.translate_mode = mode;
  p.walk_step = walk_step;
}

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
  gdb_.tick(session_, session_.target_frame_seconds / 2);  // (a guest running for gdb: half a frame each)
  session_.tick(frame_seconds);
  // The analyzer's RV32 description follows the hart's quirk switches (its quirk.* settings).
  const Quirks& q = session_.vm_settings().quirks;
  if (q.status_read != analyzer_quirks_.status_read || q.status_write != analyzer_quirks_.status_write ||
      q.sret_jump != analyzer_quirks_.sret_jump) {
    analyzer_quirks_ = q;
    AnalyzerWorkbench& a = analyzer();
    if (!a.specs().empty() && a.specs()[a.chosen()].file == "isa-specs/rv32.toml") {
      a.set_setting("quirk.status_read", q.status_read ? "1" : "0");
      a.set_setting("quirk.status_write", q.status_write ? "1" : "0");
      a.set_setting("quirk.sret_jump", q.sret_jump ? "1" : "0");
    }
  }
  handle_keys();
  panels_->panels.draw_all(*this, programs_);
}

}  // namespace vmscope::ui
