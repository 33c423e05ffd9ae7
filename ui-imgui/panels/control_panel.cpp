// The control bar (run, pause, step, step over, run to cursor, reset, speed), the program picker
// and the help window.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdlib>

#include "panels.h"
#include "vmm/monitor.h"
#include "lesson.h"

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

// The front end's file dialog (the browser's), or the debugger's own file browser natively.
void open_file(DebuggerApp& app, Panels& p) {
  if (app.open_file_dialog) app.open_file_dialog();
  else p.show_file_browser = true;
}

// A file browser for front ends without a dialog of their own (natively): folders and the files
// the debugger opens (programs, lessons, snapshots, recordings); a click opens one.
void draw_file_browser(DebuggerApp& app, Panels& p) {
  namespace fs = std::filesystem;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(d.x * 0.9f, ImGui::GetFontSize() * 50), std::min(d.y * 0.8f, ImGui::GetFontSize() * 30)),
                           ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(1.0f);
  ImGui::Begin("Open a file", &p.show_file_browser, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                                        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize);
  std::error_code ec;
  if (p.browse_dir.empty()) p.browse_dir = fs::current_path(ec).string();
  ImGui::TextWrapped("%s", p.browse_dir.c_str());
  ImGui::TextDisabled("programs (ELF), lessons (.toml), snapshots (.snap), recordings (.rec), disk images (.img)");
  ImGui::BeginChild("##files", ImVec2(0, 0), true);
  if (ImGui::Selectable("..")) p.browse_dir = fs::path(p.browse_dir).parent_path().string();
  std::vector<fs::directory_entry> entries;
  for (const auto& e : fs::directory_iterator(p.browse_dir, fs::directory_options::skip_permission_denied, ec)) entries.push_back(e);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.is_directory() != b.is_directory() ? a.is_directory() : a.path().filename() < b.path().filename();
  });
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    if (e.is_directory(ec)) {
      if (!name.starts_with(".") && ImGui::Selectable((name + "/").c_str())) p.browse_dir = e.path().string();
      continue;
    }
    const std::string ext = e.path().extension().string();
    if (ext != ".elf" && ext != ".toml" && ext != ".snap" && ext != ".rec" && ext != ".img" && !ext.empty()) continue;
    if (ImGui::Selectable(name.c_str())) {
      std::ifstream in(e.path(), std::ios::binary);
      const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      app.open_file(bytes, e.path().string());
      p.show_file_browser = false;
    }
  }
  ImGui::EndChild();
  ImGui::End();
}

void draw_control(DebuggerApp& app, Panels& p) {
  DebugSession& s = app.session();
  if (!p.begin(Panel::control, ImGuiWindowFlags_NoTitleBar)) return;
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
  if (const std::string g = app.gdb().describe(); !g.empty()) {  // gdb's indicator: where, and who has the machine
    ImGui::SameLine();
    const bool attached = app.gdb().state() != GdbLink::State::listening;
    ImGui::TextColored(attached ? ImVec4(1.0f, 0.75f, 0.3f, 1) : ImVec4(0.55f, 0.8f, 1.0f, 1), "| %s", g.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("File > Debug with gdb...: the port, and stopping it");
    if (ImGui::IsItemClicked()) p.show_gdb = true;
  }


  if (const Machine* m = s.machine()) {
    const Hart& h = m->hart();
    if (const Monitor* mon = m->monitor(); mon && mon->hardware_assisted) {  // the guest runs in the hart's VS-mode
      ImGui::Text("%s (%s) | pc %08x %s | hart %s-mode (V=%d) | %llu guest instructions | %s", s.program_name().c_str(),
                  to_string(m->options().virtualization), h.pc(), symbol_for(s, h.pc()).c_str(), h.mode_name(),
                  h.virt() ? 1 : 0, static_cast<unsigned long long>(mon->guest_instret()), s.status().c_str());
    } else if (mon) {  // what the guest believes, and what really runs
      ImGui::Text("%s (%s) | pc %08x %s | guest %s-mode, hart %s-mode | %llu guest instructions | %s",
                  s.program_name().c_str(), to_string(m->options().virtualization), h.pc(),
                  symbol_for(s, h.pc()).c_str(), to_string(mon->vcpu().mode), to_string(h.priv()),
                  static_cast<unsigned long long>(mon->guest_instret()), s.status().c_str());
    } else {
      ImGui::Text("%s (%s VM) | pc %08x %s | %s-mode%s | %llu instructions | %s", s.program_name().c_str(),
                  to_string(m->kind()), h.pc(), symbol_for(s, h.pc()).c_str(), h.mode_name(),
                  h.has_hypervisor() ? (h.virt() ? " (V=1)" : " (V=0)") : "",
                  static_cast<unsigned long long>(h.instret()), s.status().c_str());
    }
  } else {
    ImGui::TextUnformatted("No program loaded: pick one on the left.");
  }
  ImGui::End();
}

void draw_programs(DebuggerApp& app, Panels& p, const std::vector<BundledProgram>& programs) {
  if (!p.begin(Panel::programs)) return;
  if (ImGui::Button("Open file...")) open_file(app, p);
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
      const char* shown = group == "kernel" ? "kernel (a small OS: start here for virtualization)"
                          : group == "os"   ? "os (written for QEMU's virt board, with a disk)"
                                            : group.c_str();
      ImGui::PushID(group.c_str());
      open = ImGui::CollapsingHeader(shown, group == "system" || group == "process" || group == "kernel" || group == "os"
                                                ? ImGuiTreeNodeFlags_DefaultOpen
                                                : 0);
      ImGui::PopID();
    }
    if (!open) continue;
    const bool current = app.session().program_name() == prog.name;
    if (ImGui::Selectable(prog.name.c_str(), current)) app.load_bundled(prog.name);
    if (!prog.description.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", prog.description.c_str());
  }
  ImGui::End();
}

// The lesson, docked in the left column: its step's text, Back and Next (PageUp/PageDown, as a
// presenter's clicker sends), the other lessons; a bad lesson file's errors, file:line.
void draw_lesson(DebuggerApp& app, Panels& p) {
  if (!p.begin(Panel::lesson)) return;
  LessonRunner& runner = app.lessons();
  if (!app.lesson_errors().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.45f, 1.0f));
    ImGui::TextWrapped("This lesson file cannot be used:");
    for (const LessonError& e : app.lesson_errors()) ImGui::TextWrapped("%s", e.str().c_str());
    ImGui::PopStyleColor();
    ImGui::Separator();
  }
  if (const Lesson* l = runner.lesson()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.85f, 0.35f, 1.0f));
    ImGui::TextWrapped("%s", l->title.c_str());
    ImGui::PopStyleColor();
    const size_t n = l->steps.size(), k = runner.step();
    ImGui::BeginDisabled(k == 0);
    if (ImGui::Button("< Back")) runner.back();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Text("step %zu of %zu", k + 1, n);
    ImGui::SameLine();
    ImGui::BeginDisabled(k + 1 >= n);
    if (ImGui::Button("Next >")) runner.next();
    ImGui::EndDisabled();
    ImGui::Separator();
    ImGui::BeginChild("##step", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 1.2f));
    ImGui::TextWrapped("%s", l->steps[k].text.c_str());
    ImGui::EndChild();
    if (ImGui::Button("Other lessons")) ImGui::OpenPopup("##lessons");
  } else {
    ImGui::TextWrapped("A lesson loads its program and settings, then walks you through what to watch, step by "
                       "step. Pick one (or drop a lesson file here):");
    for (const Lesson& l : shipped_lessons())
      if (ImGui::Selectable(l.title.c_str(), false)) app.start_lesson(l.name);
  }
  if (ImGui::BeginPopup("##lessons")) {
    for (const Lesson& l : shipped_lessons())
      if (ImGui::MenuItem(l.title.c_str(), nullptr, app.scenario() == l.name)) app.start_lesson(l.name);
    ImGui::EndPopup();
  }
  ImGui::End();
}

// The menu bar: lessons, which panels are shown, the font, help.
void draw_menu_bar(DebuggerApp& app, Panels& p) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open...", nullptr, false)) open_file(app, p);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("A program (ELF), a lesson (.toml), a snapshot, a recording, or a disk image (raw\n"
                        "512-byte sectors: the board's virtio-blk disk, for the program loaded)");
    DebugSession& s = app.session();
    if (ImGui::MenuItem("Save disk image", nullptr, false, !s.disk_name().empty() && app.save_file != nullptr)) {
      const std::string name = app.save_disk();
      if (!name.empty()) p.saved_snapshot = name;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The disk as the guest sees it now, its writes included (the image opened is never changed)");
    if (ImGui::MenuItem("Remove disk", nullptr, false, !s.disk_name().empty())) s.remove_disk();
    if (ImGui::MenuItem("Save snapshot", nullptr, false, app.session().loaded() && app.save_file != nullptr)) {
      const std::string name = app.save_snapshot();
      if (!name.empty()) p.saved_snapshot = name;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The whole machine at this moment and its recording, in a file: open it later (here, in the\n"
                        "browser, or with vmscope replay FILE) and it goes on exactly from here");
    if (!p.saved_snapshot.empty()) ImGui::TextDisabled("saved %s", p.saved_snapshot.c_str());
    if (ImGui::MenuItem("Debug with gdb...", nullptr, p.show_gdb)) p.show_gdb = !p.show_gdb;
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Let gdb (gdb-multiarch: target remote :PORT) attach to this session, as it is now");
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Lessons")) {
    for (const Lesson& l : shipped_lessons())
      if (ImGui::MenuItem(l.title.c_str(), nullptr, app.scenario() == l.name)) app.start_lesson(l.name);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Machine")) {
    DebugSession& s = app.session();
    ImGui::TextDisabled("Misaligned loads and stores (restarts the program):");
    if (ImGui::MenuItem("  carried out, as on QEMU's virt", nullptr, s.misaligned() == Misaligned::emulate))
      s.set_misaligned(Misaligned::emulate);
    if (ImGui::MenuItem("  trap: address-misaligned exception", nullptr, s.misaligned() == Misaligned::trap))
      s.set_misaligned(Misaligned::trap);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("The spec allows either. Trapping shows a handler's work (mcause 4 or 6, mtval = the\n"
                        "address); atomics always trap when misaligned.");
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (size_t i = 0; i < kPanelCount; ++i) {
      const Panel panel = static_cast<Panel>(i);
      if (!panel_spec(panel).closable) continue;
      if (ImGui::MenuItem(panel_spec(panel).title, nullptr, p.is_open(panel))) {
        p.is_open(panel) = !p.is_open(panel);
        if (p.is_open(panel)) p.layout.bring_forward(panel);
      }
    }
    ImGui::Separator();
    UiSettings ui = app.ui_settings();
    if (ImGui::MenuItem("Larger text", "Ctrl +")) ui.font_size += 2;
    if (ImGui::MenuItem("Smaller text", "Ctrl -")) ui.font_size -= 2;
    if (ImGui::MenuItem("Projector (large text, high contrast)", nullptr, ui.projector)) ui.projector = !ui.projector;
    app.set_ui_settings(ui);
    ImGui::EndMenu();
  }
  // Quick switches for the big windows (they open as tabs beside the registers).
  for (Panel panel : {Panel::timeline, Panel::monitor, Panel::code_cache, Panel::analyzer}) {
    if (panel == Panel::monitor && !app.session().is_supervisor_kernel()) continue;
    if (ImGui::MenuItem(panel_spec(panel).title, nullptr, p.is_open(panel))) {
      p.is_open(panel) = !p.is_open(panel);
      if (p.is_open(panel)) p.layout.bring_forward(panel);
    }
  }
  if (ImGui::MenuItem("Share", nullptr, p.show_share)) p.show_share = !p.show_share;
  if (ImGui::MenuItem("Help", "F1", p.show_help)) p.show_help = !p.show_help;
  ImGui::EndMainMenuBar();
}

namespace {
// A small dialog over the panels, a third of the way down the screen, `width` font sizes wide.
void begin_dialog(const char* title, bool* open, float width) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.3f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(d.x * 0.9f, ImGui::GetFontSize() * width), 0), ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(1.0f);
  ImGui::Begin(title, open, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                                ImGuiWindowFlags_NoResize);
}
}  // namespace

// A link to this very moment: the program or lesson and step, the settings, the step of the run.
void draw_share(DebuggerApp& app, Panels& p) {
  begin_dialog("Share this moment", &p.show_share, 60);
  const std::string query = app.share_query();
  std::string link;
  if (app.page_address) {
    link = app.page_address() + query;
    ImGui::TextWrapped("This link opens the debugger exactly here (the run is replayed to this step):");
  } else {  // natively: the same as a command line
    link = "vmscope-debugger";
    std::string rest = query.substr(query.empty() ? 0 : 1);
    for (size_t start = 0; start < rest.size();) {
      const size_t amp = rest.find('&', start);
      const std::string pair = rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      const size_t eq = pair.find('=');
      const std::string name = pair.substr(0, eq), value = pair.substr(eq + 1);
      link += name == "program" ? " " + value : " --" + (name == "t" ? std::string("at") : name) + " " + value;
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    ImGui::TextWrapped("This command opens the debugger exactly here (the run is replayed to this step); in the "
                       "browser the same goes in the link: %s", query.c_str());
  }
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Copy").x - ImGui::GetStyle().FramePadding.x * 4);
  ImGui::InputText("##link", link.data(), link.size() + 1, ImGuiInputTextFlags_ReadOnly);
  ImGui::SameLine();
  if (ImGui::Button("Copy")) ImGui::SetClipboardText(link.c_str());
  ImGui::End();
}

// File > Debug with gdb...: listen for gdb on a port (the running session, as it is), or stop.
void draw_gdb(DebuggerApp& app, Panels& p) {
  begin_dialog("Debug with gdb", &p.show_gdb, 46);
  GdbLink& g = app.gdb();
  if (g.state() == GdbLink::State::off) {
#ifdef __EMSCRIPTEN__
    ImGui::TextUnformatted("The bridge's port for this page");
#else
    ImGui::TextUnformatted("Port");
#endif
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("000000").x + ImGui::GetFrameHeight() * 3);
    ImGui::InputInt("##port", &p.gdb_port);
    p.gdb_port = std::clamp(p.gdb_port, 1, 65535);
    ImGui::SameLine();
    if (ImGui::Button("Listen")) {
      p.gdb_error.clear();
      if (!g.listen(static_cast<unsigned>(p.gdb_port), p.gdb_error)) p.gdb_error = "cannot listen: " + p.gdb_error;
    }
    if (!p.gdb_error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", p.gdb_error.c_str());
  } else {
    ImGui::TextUnformatted(g.describe().c_str());
    ImGui::SameLine();
    if (ImGui::Button("Stop listening")) g.close(app.session());
  }
#ifdef __EMSCRIPTEN__
  ImGui::TextWrapped("A web page cannot be connected to, so a bridge stands between: run it where gdb runs, "
                     "`node scripts/gdb-bridge --page-port %d --gdb-port 1234` (from vmscope's sources), then in gdb:",
                     p.gdb_port);
  ImGui::TextUnformatted("  gdb-multiarch PROGRAM.elf -ex 'target remote :1234'");
#else
  ImGui::TextWrapped("Then, in gdb (gdb-multiarch), with the program's ELF for its symbols:");
  ImGui::TextUnformatted(("  gdb-multiarch " + app.session().program_name() + " -ex 'target remote :" +
                          std::to_string(g.state() == GdbLink::State::off ? p.gdb_port : static_cast<int>(g.port())) + "'")
                             .c_str());
#endif
  ImGui::TextWrapped("While gdb is attached it has the machine: this window's commands wait, every panel shows what "
                     "gdb does (reverse-stepi and reverse-continue travel back here too). Detach gdb to take it back.");
  ImGui::End();
}

void draw_help(Panels& p) {
  // Over everything, opaque, in the middle: it is read, then closed (its X, F1 or Escape).
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(d.x * 0.5f, d.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(d.x * 0.9f, ImGui::GetFontSize() * 52), std::min(d.y * 0.85f, ImGui::GetFontSize() * 30)),
                           ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(1.0f);
  ImGui::SetNextWindowFocus();
  ImGui::Begin("Help", &p.show_help, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoResize);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) p.show_help = false;
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
  ImGui::BulletText("Ctrl + / Ctrl -  larger / smaller text (View menu: the projector preset)");
  ImGui::BulletText("F1        this help");
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
