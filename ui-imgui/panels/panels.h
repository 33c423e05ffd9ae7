// The debugger's panels. Each draws one view of the session, reads the machine only through
// side-effect-free calls (registers, debug_translate, Bus::peek, TLB and trap log), and changes
// it only through DebugSession commands or explicit debugger writes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer_workbench.h"
#include "app.h"
#include "elf/symbol_namer.h"
#include "panels/layout.h"

namespace vmscope::ui {

struct Panels {
  Panels();
  void draw_all(DebuggerApp& app, const std::vector<BundledProgram>& programs);
  // Which panels are open (closable ones are closed and reopened from the View menu), and where
  // they go this frame.
  std::array<bool, kPanelCount> open{};
  std::array<bool, kPanelCount> saved_open{};  // as last marked for saving
  bool& is_open(Panel panel) { return open[static_cast<size_t>(panel)]; }
  Layout layout;
  // Begins a panel's window where the layout puts it; false: not shown this frame (call no End).
  bool begin(Panel panel, ImGuiWindowFlags extra = 0) { return layout.begin(panel, &is_open(panel), extra); }
  void on_program_loaded(DebugSession& s);
  uint32_t cursor_or_pc(const DebugSession& s) const;

  // Per-panel view state (what the user selected, typed or scrolled to).
  uint32_t disasm_cursor = 0;
  bool disasm_cursor_set = false;
  bool follow_pc = true;
  char goto_text[64] = "";
  uint32_t memory_address = 0;
  int memory_view = 0;  // host-physical, virtual, guest-physical (memory_panel.cpp)
  const Machine* memory_machine = nullptr;  // the machine the view was chosen for
  char memory_goto[32] = "";
  char console_input[256] = "";
  char translate_text[32] = "";
  int translate_kind = 0, translate_mode = 0;  // the MMU's Translate: load/store/fetch; the hart's mode/U/S
  char watch_begin[32] = "", watch_end[32] = "";
  bool watch_read = false, watch_write = true;
  int register_format = 0;  // 0 hex, 1 signed decimal
  bool abi_names = true;
  int walk_step = 1;  // MMU: how far through a two-dimensional walk
  bool show_help = false;
  bool embedded = false;  // in a course page: no menu bar, no program list
  bool show_share = false;
  bool show_gdb = false;     // the "Debug with gdb" window
#ifdef __EMSCRIPTEN__
  int gdb_port = 1235;       // the bridge's WebSocket port (gdb itself connects to the bridge on 1234)
#else
  int gdb_port = 1234;
#endif
  std::string gdb_error;
  std::string saved_snapshot;  // the last snapshot file written
  bool show_file_browser = false;  // the debugger's own Open dialog (natively)
  std::string browse_dir;
  // The symbol namer for the loaded program (built once per program).
  const Machine* namer_machine = nullptr;
  std::shared_ptr<SymbolNamer> namer;
  char breakpoint_text[64] = "";
  char syscall_filter[64] = "";
  AnalyzerWorkbench workbench;  // the analyzer window's description, settings and analysis
  bool analyzer_show_critical = true, analyzer_show_sensitive = true, analyzer_show_innocuous = true;
  std::string analyzer_filter, analyzer_selected;
  std::string analyzer_tab;  // a tab to bring forward next frame ("Facts", ...), then cleared
  // The description editor: find, where its cursor is, and a place to move it to (an error's
  // line:column, a match) the next time it is drawn.
  std::string analyzer_find;
  int analyzer_cursor = 0;
  int analyzer_goto = -1, analyzer_goto_end = -1;
  std::string analyzer_editor_text;  // the text the editor widget last had (to see changes made elsewhere)
  size_t analyzer_shown = SIZE_MAX;  // the description last drawn: another one opens on its instructions
  int monitor_table = -1;      // the shadow table shown
  bool monitor_follow = true;  // show the current one
  bool monitor_only_shadowed = false;  // hide guest mappings with no shadow entry yet
  // The code cache's selected block, by physical address: blocks die between frames, so the
  // panel looks it up again each time.
  std::optional<uint32_t> cache_block;
  char cache_filter[64] = "";
  bool cache_show_trace = true;  // a block in a trace: the trace's code (else the block's own)
  int timeline_lane = 0;                       // the lane Previous/Next go by
  bool timeline_lane_picked = false;           // chosen by someone (else: the run's first lane)
  uint64_t timeline_lo = 0, timeline_hi = 0;   // the visible range
  bool timeline_fit = true;                    // the range follows the whole run
  std::vector<size_t> timeline_counts;         // events per lane, counted as they arrive
  size_t timeline_counted = 0;
  int migration_round = 0;    // the round whose pages the Migration panel's map shows (0: the first)
  int migration_kind = 1;     // what the Monitor's Migrate button does: 0 cold, 1 live
  int balloon_request = 256;  // the Balloon panel's target, in pages
  int balloon_seen_target = 0;  // the balloon's target when last drawn (set elsewhere: the slider follows)
  int balloon_region = 0;     // the 4 MiB of guest RAM its map shows (0: the kernel's)
};

// Reads an address typed by the user: hex (with or without 0x) or a symbol of the program.
std::optional<uint32_t> parse_address(const DebugSession& s, const char* text);
// A PTE's flag bits as "VRWXUGAD", a dash for each clear one.
std::string pte_flags(uint32_t pte);
// "sym+0x10" for an address, or "" when the program has no symbol at or below it.
std::string symbol_for(const DebugSession& s, uint32_t address);

void draw_control(DebuggerApp& app, Panels& p);
void draw_programs(DebuggerApp& app, Panels& p, const std::vector<BundledProgram>& programs);
void draw_registers(DebugSession& s, Panels& p);
void draw_disassembly(DebugSession& s, Panels& p);
void draw_memory(DebugSession& s, Panels& p);
void draw_console(DebugSession& s, Panels& p);
void draw_breakpoints(DebugSession& s, Panels& p);
void draw_mmu(DebugSession& s, Panels& p);
void draw_stats(DebugSession& s, Panels& p);
void draw_traps(DebugSession& s, Panels& p);
void draw_monitor(DebugSession& s, Panels& p);
void draw_code_cache(DebugSession& s, Panels& p);
void draw_timeline(DebugSession& s, Panels& p);
void draw_compare(DebugSession& s, Panels& p);
void draw_migration(DebugSession& s, Panels& p);
void draw_balloon(DebugSession& s, Panels& p);
void draw_devices(DebuggerApp& app, Panels& p);
void draw_syscalls(DebugSession& s, Panels& p);
void draw_analyzer(DebuggerApp& app, Panels& p);
void draw_lesson(DebuggerApp& app, Panels& p);
void draw_menu_bar(DebuggerApp& app, Panels& p);
void draw_help(Panels& p);
void draw_share(DebuggerApp& app, Panels& p);
void draw_gdb(DebuggerApp& app, Panels& p);
void draw_file_browser(DebuggerApp& app, Panels& p);
void open_file(DebuggerApp& app, Panels& p);

}  // namespace vmscope::ui
