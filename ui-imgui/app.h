// The debugger application: every panel, the keyboard shortcuts and the program picker, drawn
// with Dear ImGui for one DebugSession. Front ends (native GLFW + OpenGL 3 in native_main.cpp,
// WebAssembly + WebGL 2 in web/) own the window and the frame loop and call frame() once per
// frame between ImGui::NewFrame() and ImGui::Render().
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "gdb_link.h"
#include "analyzer_workbench.h"
#include "appearance.h"
#include "lesson_runner.h"
#include "session.h"

namespace vmscope::ui {

// A program the picker offers: its ELF bytes are read through `read` when chosen.
struct BundledProgram {
  std::string name;         // e.g. "sv32_paging"
  std::string group;        // process, system, bench, kernel (started in S-mode on vmscope's SBI)
  std::string description;  // one line
  std::function<std::vector<uint8_t>()> read;
  // Its disk image (an OS written for a disk, e.g. os/pebble.img beside os/pebble.elf), or null.
  std::function<std::vector<uint8_t>()> read_disk;
};

class DebuggerApp {
 public:
  DebuggerApp();
  void set_bundled_programs(std::vector<BundledProgram> programs);
  // Loads bytes as the current program (from the picker, a file dialog, a drop, a URL); on
  // failure the error is shown in the UI and the previous program stays.
  bool load_program(std::span<const uint8_t> bytes, const std::string& name);
  bool load_bundled(const std::string& name);
  // Opens a file by what it holds: a snapshot or recording (vmscope's own files), a lesson
  // (.toml), or a program. False, with error() or lesson_errors(), when it cannot.
  bool open_file(std::span<const uint8_t> bytes, const std::string& name);
  // Saves a snapshot of this moment through save_file (a download in the browser, a file in the
  // current folder natively); its name is returned.
  std::string save_snapshot();
  // Saves (downloads) the disk as the guest sees it now; its name is returned.
  std::string save_disk();
  std::function<bool(const std::string& name, const std::vector<uint8_t>& bytes)> save_file;
  // A lesson (lesson.h): a shipped one by name, or one read from a file (its text; a bad one
  // leaves its file:line errors in lesson_errors()). Loads its program with its settings and
  // performs its first step. False (and error()) when it cannot start.
  bool start_lesson(const std::string& name);
  bool start_lesson_text(std::string_view text, const std::string& file);
  bool start_scenario(const std::string& name) { return start_lesson(name); }  // the old ?scenario= names
  const std::string& scenario() const { return lesson_name_; }  // the last lesson started
  LessonRunner& lessons() { return *runner_; }
  const std::vector<LessonError>& lesson_errors() const { return lesson_errors_; }

  void frame(double frame_seconds);  // runs the machine's slice, then draws everything

  // ---- how it looks (appearance.h): the font, its size, the projector preset
  // Front ends call install_settings() once after ImGui::CreateContext (before loading saved
  // settings) and apply_appearance() before each ImGui::NewFrame.
  void install_settings();
  void set_font(std::vector<uint8_t> ttf) { appearance_.set_font(std::move(ttf)); }
  bool apply_appearance(float zoom, float raster_scale) { return appearance_.apply(zoom, raster_scale); }
  const UiSettings& ui_settings() const { return appearance_.settings(); }
  void set_ui_settings(const UiSettings& s) { appearance_.set(s); }
  // Opens what a link (or the native command line) asks for: settings (virt, shadow, quirk, check,
  // engine, chain, cache, evict, speed), then a program or a lesson (lesson, scenario), then a
  // lesson step and a step of the run (step, t), and embed. Returns what was not understood
  // (an unknown name is given as ("unknown", name)); a failed load leaves error().
  std::vector<std::string> open_link(const std::vector<std::pair<std::string, std::string>>& options);

  // ---- sharing a moment: a link (URL query) that opens the debugger exactly here: the program
  // or lesson and its step, the settings, the step of the run (replayed to on opening).
  std::string share_query() const;
  // What opening such a link does after the program or lesson is there: go to the lesson step
  // (1-based), then run to `position` (the run is replayed there, paused).
  void open_moment(std::optional<size_t> lesson_step, std::optional<uint64_t> position);
  // Embedded in a course page (?embed=1): no menu, no program list; the lesson and its panels.
  void set_embedded(bool on);
  bool embedded() const;

  // Panels by title ("Timeline", "Monitor", ...): open or close one.
  bool set_panel_open(const std::string& title, bool open, bool bring_forward = true);
  // The MMU panel's Translate: this address (text as typed), as this mode (0 the hart's, 1 U,
  // 2 S, 3 VU, 4 VS), its walk shown up to this step (two-dimensional walks).
  void set_mmu_translate(const std::string& address, int mode, int walk_step);
  bool panel_open(const std::string& title) const;

  DebugSession& session() { return session_; }
  GdbLink& gdb() { return gdb_; }
  void set_cursor(uint32_t address);  // the disassembly cursor (F9, run to cursor)
  // The analyzer window and what it shows.
  AnalyzerWorkbench& analyzer();
  void show_analyzer(bool show);
  // Its instruction table: the name filter, and the instruction whose facts are explained.
  void set_analyzer_view(const std::string& filter, const std::string& selected);
  void show_analyzer_tab(const std::string& tab);  // Instructions, Facts, Description or Oracle
  const std::string& analyzer_selected() const;
  // The description editor: find the next `text` (as its find box does), and its cursor's line.
  void analyzer_find(const std::string& text);
  int analyzer_cursor_line() const;
  // The guest kernel under trap-and-emulate on a hart with this teaching quirk on (a description
  // setting, "quirk.status_read"), so the verdict and the machine are seen together.
  bool run_kernel_with_quirk(const std::string& quirk_setting);
  // The Code cache window and the block it shows (by physical address), for scripts and tests.
  void show_code_cache(bool show);
  bool code_cache_shown() const;
  void select_block(std::optional<uint32_t> paddr);
  std::optional<uint32_t> selected_block() const;
  // The Timeline's chosen lane (what Previous/Next and [ ] go by), an index in timeline_lanes().
  void set_timeline_lane(int lane);
  int timeline_lane() const;
  const std::string& error() const { return error_; }  // the last load error shown, if any
  // A problem with how the debugger was opened (an unknown URL parameter or value): shown until
  // replaced, so that a mistyped link never fails silently.
  void warn(std::string message) { warning_ = std::move(message); }
  const std::string& warning() const { return warning_; }
  // The page's address, for shared links (the browser); natively links are command lines.
  std::function<std::string()> page_address;
  // Front ends with a file picker show a button for it in the program panel.
  std::function<void()> open_file_dialog;

 private:
  void handle_keys();
  bool start(const Lesson& lesson);
  DebugSession session_;
  GdbLink gdb_;
  Appearance appearance_;
  std::vector<BundledProgram> programs_;
  std::string error_, warning_;
  bool bundled_disk_ = false;  // the disk came with a bundled program (another one removes it)
  std::string lesson_name_;
  std::vector<LessonError> lesson_errors_;
  std::unique_ptr<LessonRunner> runner_;
  Quirks analyzer_quirks_;  // the quirks the analyzer's settings last followed
  struct PanelState;
  std::shared_ptr<PanelState> panels_;
};

}  // namespace vmscope::ui
