// The script interpreter behind `vmscope-debugger --script`.
#include "machine/linux_process.h"
#include "script.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>  // the window list, for "expect tiled"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "isa/isa_table.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string rest_after(const std::string& line, size_t words) {
  size_t pos = 0;
  for (size_t i = 0; i < words; ++i) {
    pos = line.find_first_not_of(" \t", pos);
    pos = line.find_first_of(" \t", pos);
    if (pos == std::string::npos) return "";
  }
  const size_t start = line.find_first_not_of(" \t", pos);
  return start == std::string::npos ? "" : line.substr(start);
}

std::optional<unsigned> register_number(const std::string& name) {
  for (unsigned i = 0; i < 32; ++i)
    if (name == isa::kAbiRegisterNames[i] || name == "x" + std::to_string(i)) return i;
  if (name == "fp") return 8;
  return std::nullopt;
}

int key_code(const std::string& name) {
  if (name == "F5") return GLFW_KEY_F5;
  if (name == "F6") return GLFW_KEY_F6;
  if (name == "[") return GLFW_KEY_LEFT_BRACKET;
  if (name == "PageDown") return GLFW_KEY_PAGE_DOWN;
  if (name == "PageUp") return GLFW_KEY_PAGE_UP;
  if (name == "]") return GLFW_KEY_RIGHT_BRACKET;
  if (name == "F9") return GLFW_KEY_F9;
  if (name == "F10") return GLFW_KEY_F10;
  if (name == "F11") return GLFW_KEY_F11;
  return 0;
}
}  // namespace

Script::Script(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines_.push_back(line);
  }
}

std::optional<uint32_t> Script::address_of(const DebuggerApp& app, const std::string& text) const {
  try {
    size_t used = 0;
    const unsigned long v = std::stoul(text, &used, 0);
    if (used == text.size()) return static_cast<uint32_t>(v);
  } catch (...) {
  }
  const Machine* m = const_cast<DebuggerApp&>(app).session().machine();
  if (!m) return std::nullopt;
  if (const ElfSymbol* s = m->symbols().find(text)) return s->value;
  return std::nullopt;
}

namespace {
int gdb_state(const std::string& name) {
  if (name == "off") return static_cast<int>(GdbLink::State::off);
  if (name == "listening") return static_cast<int>(GdbLink::State::listening);
  if (name == "attached") return static_cast<int>(GdbLink::State::attached);
  if (name == "running") return static_cast<int>(GdbLink::State::running);
  return -1;
}
}  // namespace

void Script::step(DebuggerApp& app, std::ostream& log) {
  ImGuiIO& io = ImGui::GetIO();
  if (releasing_) {  // a key is held for exactly one frame
    io.KeysDown[releasing_] = false;
    if (release_shift_) io.KeyShift = false;
    releasing_ = 0;
    release_shift_ = false;
    return;
  }
  DebugSession& s = app.session();
  if (waiting_stop_) {
    if (s.running() && --wait_frames_ > 0) return;
    waiting_stop_ = false;
    wait_frames_ = 0;  // what is left of the limit is not a pause to take
    if (s.running()) {
      ++failures_;
      log << "FAIL: still running after waiting\n";
    }
    return;
  }
  if (waiting_gdb_ >= 0) {
    if (static_cast<int>(app.gdb().state()) != waiting_gdb_ && --wait_frames_ > 0) return;
    if (static_cast<int>(app.gdb().state()) != waiting_gdb_) {
      ++failures_;
      log << "FAIL: the gdb link is not there yet: " << app.gdb().describe() << "\n";
    }
    waiting_gdb_ = -1;
    wait_frames_ = 0;
    return;
  }
  if (wait_frames_ > 0) {
    --wait_frames_;
    return;
  }
  if (next_ >= lines_.size()) return;
  const std::string line = lines_[next_++];
  const std::vector<std::string> w = split(line);
  log << "> " << line << std::endl;  // flushed: a slow step shows where it is
  auto bad = [&](const std::string& why) {
    ++failures_;
    log << "FAIL: " << why << "\n";
  };

  if (w[0] == "load" && w.size() == 2) {
    if (!app.load_bundled(w[1])) bad(app.error());
  } else if (w[0] == "key" && w.size() == 2) {
    const bool shift = w[1].rfind("shift+", 0) == 0;
    const int code = key_code(shift ? w[1].substr(6) : w[1]);
    if (!code) return bad("unknown key " + w[1]);
    io.KeysDown[code] = true;
    if (shift) io.KeyShift = true;
    releasing_ = code;
    release_shift_ = shift;
  } else if ((w[0] == "cursor" || w[0] == "break" || w[0] == "run-to") && w.size() == 2) {
    const auto a = address_of(app, w[1]);
    if (!a) return bad("unknown address or symbol " + w[1]);
    if (w[0] == "cursor") app.set_cursor(*a);
    else if (w[0] == "break") s.toggle_breakpoint(*a);
    else s.run_to(*a);
  } else if (w[0] == "hw-break" && w.size() == 2) {  // a hardware breakpoint (a debug trigger)
    const auto a = address_of(app, w[1]);
    if (!a) return bad("unknown address or symbol " + w[1]);
    s.add_hardware_stop({true, *a & ~1u, 1, false, false});
  } else if (w[0] == "hw-watch" && w.size() == 4 && (w[3] == "r" || w[3] == "w" || w[3] == "rw")) {  // hw-watch ADDRESS SIZE r|w|rw
    const auto a = address_of(app, w[1]);
    if (!a) return bad("unknown address or symbol " + w[1]);
    s.add_hardware_stop({false, *a, static_cast<uint32_t>(std::stoul(w[2], nullptr, 0)), w[3] != "w", w[3] != "r"});
  } else if (w[0] == "virt" && w.size() == 2) {
    VmSettings v = s.vm_settings();
    const std::optional<Virtualization> way = parse_virtualization(w[1]);
    if (!way) return bad("virt " + virtualization_names());
    v.virtualization = *way;
    s.set_vm_settings(v);
  } else if (w[0] == "gdb-listen" && w.size() == 2) {
    std::string error;
    if (!app.gdb().listen(static_cast<unsigned>(std::stoul(w[1])), error)) return bad("gdb-listen: " + error);
  } else if (w[0] == "wait-gdb" && (w.size() == 2 || w.size() == 3)) {
    const int state = gdb_state(w[1]);
    if (state < 0) return bad("wait-gdb off|listening|attached|running");
    waiting_gdb_ = state;
    wait_frames_ = w.size() == 3 ? std::stoi(w[2]) : 1200;
  } else if (w[0] == "balloon-device" && w.size() == 2 && (w[1] == "on" || w[1] == "off")) {
    VmSettings v = s.vm_settings();
    v.balloon = w[1] == "on";
    s.set_vm_settings(v);
  } else if ((w[0] == "shadow" || w[0] == "quirk") && w.size() >= 2) {
    VmSettings v = s.vm_settings();
    if (w[0] == "shadow" && w[1] == "write-protect") v.invalidation = ShadowInvalidation::write_protect;
    else if (w[0] == "shadow" && w[1] == "sfence") v.invalidation = ShadowInvalidation::sfence;
    else if (w[0] == "quirk" && w[1] == "status-read") v.quirks.status_read = w.size() < 3 || w[2] != "off";
    else if (w[0] == "quirk" && w[1] == "status-write") v.quirks.status_write = w.size() < 3 || w[2] != "off";
    else if (w[0] == "quirk" && w[1] == "sret-jump") v.quirks.sret_jump = w.size() < 3 || w[2] != "off";
    else return bad("unknown setting " + w[1]);
    s.set_vm_settings(v);
  } else if (w[0] == "misaligned" && w.size() == 2 && parse_misaligned(w[1])) {  // the Machine menu's choice
    s.set_misaligned(*parse_misaligned(w[1]));
  } else if (w[0] == "engine" && w.size() == 2 && (w[1] == "translate" || w[1] == "interp")) {
    TranslatorSettings t = s.translator_settings();
    t.engine = w[1] == "translate" ? Engine::translator : Engine::interpreter;
    s.set_translator_settings(t);
  } else if (w[0] == "translator" && w.size() >= 2) {
    TranslatorSettings t = s.translator_settings();
    TranslatorOptions& o = t.options;
    if (w[1] == "flush" && w.size() == 2) return s.flush_code_cache();
    if (w.size() != 3) return bad("translator chaining|cache-kib|evict|backend|hot|traces VALUE, or translator flush");
    const bool number = w[2].size() < 10 && w[2].find_first_not_of("0123456789") == std::string::npos;
    if (w[1] == "chaining" && (w[2] == "on" || w[2] == "off")) o.chaining = w[2] == "on";
    else if (w[1] == "cache-kib" && number) o.capacity_kib = static_cast<uint32_t>(std::stoul(w[2]));
    else if (w[1] == "evict" && eviction_from_string(w[2])) o.eviction = *eviction_from_string(w[2]);
    else if (w[1] == "backend" && translator_backend_from_string(w[2])) o.backend = *translator_backend_from_string(w[2]);
    else if (w[1] == "hot" && number && std::stoul(w[2]) > 0) o.tiering.hot_threshold = static_cast<uint32_t>(std::stoul(w[2]));
    else if (w[1] == "traces" && number && std::stoul(w[2]) <= kMaxTraceThreshold) o.trace_threshold = static_cast<uint32_t>(std::stoul(w[2]));
    else return bad("unknown translator setting " + w[1] + " " + w[2]);
    s.set_translator_settings(t);
  } else if (w[0] == "code-cache" && w.size() == 2 && (w[1] == "open" || w[1] == "close")) {
    app.show_code_cache(w[1] == "open");
  } else if (w[0] == "code-cache" && w.size() == 3 && w[1] == "select") {
    if (!s.machine()) return bad("no program loaded");
    const auto blocks = s.machine()->block_cache().blocks();
    const Block* pick = nullptr;
    if (w[2] == "hottest") {
      for (const Block* b : blocks)
        if (!pick || b->executions > pick->executions) pick = b;
    } else if (w[2] == "trace") {  // the head of the most entered trace
      const Trace* best = nullptr;
      for (const Trace* t : s.machine()->block_cache().traces())
        if (!best || t->entries > best->entries) best = t;
      if (best) pick = best->blocks.front();
    } else if (const auto a = address_of(app, w[2])) {
      for (const Block* b : blocks)
        if (b->paddr == *a) pick = b;
    }
    if (!pick) return bad("no live block " + w[2]);
    app.select_block(pick->paddr);
  } else if ((w[0] == "scenario" || w[0] == "lesson") && w.size() == 2) {  // a shipped lesson by name
    if (!app.start_lesson(w[1])) bad(app.error());
  } else if (w[0] == "lesson-file" && w.size() == 2) {  // a lesson file (errors stay in the Lesson panel)
    std::ifstream in(w[1]);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in) return bad("cannot read " + w[1]);
    app.start_lesson_text(text, w[1]);
  } else if (w[0] == "lesson-next" && w.size() == 1) {
    app.lessons().next();
  } else if (w[0] == "lesson-back" && w.size() == 1) {
    app.lessons().back();
  } else if (w[0] == "migrate" && w.size() == 2 && (w[1] == "cold" || w[1] == "live")) {
    migration::Options o;
    o.kind = w[1] == "live" ? migration::Kind::live : migration::Kind::cold;
    if (!app.session().migrate(o)) return bad("nothing to migrate (a kernel on SBI firmware; live: under a monitor)");
    app.set_panel_open("Migration", true);
  } else if (w[0] == "balloon" && w.size() == 2 && w[1].find_first_not_of("0123456789") == std::string::npos) {
    if (!app.session().set_balloon_target(static_cast<uint32_t>(std::stoul(w[1])))) return bad("the machine has no balloon");
    app.set_panel_open("Balloon", true);
  } else if (w[0] == "analyzer" && w.size() == 2) {
    app.show_analyzer(true);
    if (!app.analyzer().choose(w[1])) bad("no shipped description " + w[1]);
  } else if (w[0] == "analyzer-set" && w.size() == 2 && w[1].find('=') != std::string::npos) {
    app.analyzer().set_setting(w[1].substr(0, w[1].find('=')), w[1].substr(w[1].find('=') + 1));
  } else if (w[0] == "analyzer-select" && w.size() >= 2) {  // analyzer-select NAME: filtered to it, explained
    const std::string name = rest_after(line, 1);
    if (!app.analyzer().spec() || !app.analyzer().spec()->find_instruction(name)) return bad("no instruction '" + name + "'");
    app.set_analyzer_view(name, name);
  } else if (w[0] == "analyzer-find" && w.size() >= 2) {  // the description editor's find box, and Enter
    app.analyzer_find(rest_after(line, 1));
  } else if (w[0] == "analyzer-tab" && w.size() == 2) {
    app.show_analyzer_tab(w[1]);
  } else if (w[0] == "analyzer-trap" && w.size() == 3 && (w[2] == "on" || w[2] == "off")) {
    // analyzer-trap MODE on|off: the fact editor's "traps" box for the selected instruction
    const std::string name = app.analyzer_selected();
    if (!app.analyzer().set_traps(name, w[1], w[2] == "on")) return bad(app.analyzer().edit_error());
  } else if (w[0] == "analyzer-run-quirk" && w.size() == 1) {  // the fact editor's button
    const std::string quirk = app.analyzer().quirk_of(app.analyzer_selected());
    if (quirk.empty() || !app.run_kernel_with_quirk(quirk)) return bad("no teaching quirk for '" + app.analyzer_selected() + "'");
  } else if (w[0] == "analyzer-edit") {  // analyzer-edit OLD => NEW ("\n" for a newline)
    const std::string rest = rest_after(line, 1);
    const size_t arrow = rest.find(" => ");
    auto unescape = [](std::string t) {
      for (size_t at; (at = t.find("\\n")) != std::string::npos;) t.replace(at, 2, "\n");
      return t;
    };
    std::string text = app.analyzer().text();
    const std::string from = arrow == std::string::npos ? "" : unescape(rest.substr(0, arrow));
    const size_t at = from.empty() ? std::string::npos : text.find(from);
    if (at == std::string::npos) return bad("the description has no '" + from + "'");
    text.replace(at, from.size(), unescape(rest.substr(arrow + 4)));
    app.analyzer().set_text(text);
  } else if (w[0] == "panel" && w.size() >= 3 && (w[1] == "open" || w[1] == "close")) {  // panel open|close TITLE
    if (!app.set_panel_open(rest_after(line, 2), w[1] == "open")) return bad("no closable panel '" + rest_after(line, 2) + "'");
  } else if (w[0] == "mmu-translate" && w.size() == 4 && w[2].size() == 1 && w[2][0] >= '0' && w[2][0] <= '4' &&
             w[3].size() < 3 && w[3].find_first_not_of("0123456789") == std::string::npos) {
    app.set_mmu_translate(w[1], w[2][0] - '0', std::stoi(w[3]));  // mmu-translate ADDRESS MODE STEP
  } else if (w[0] == "font" && w.size() == 2 && w[1].find_first_not_of("0123456789") == std::string::npos && w[1].size() < 4) {
    UiSettings ui = app.ui_settings();
    ui.font_size = std::stof(w[1]);
    app.set_ui_settings(ui);
  } else if (w[0] == "projector" && w.size() == 2 && (w[1] == "on" || w[1] == "off")) {
    UiSettings ui = app.ui_settings();
    ui.projector = w[1] == "on";
    app.set_ui_settings(ui);
  } else if (w[0] == "speed" && w.size() == 2) {  // speed full | N (instructions per second)
    if (w[1] == "full") s.set_speed(0);
    else if (w[1].find_first_not_of("0123456789") == std::string::npos && w[1].size() < 12) s.set_speed(std::stod(w[1]));
    else return bad("speed full|N");
  } else if (w[0] == "travel" && w.size() == 2) {  // travel N | end
    if (!s.time()) return bad("no program loaded");
    if (w[1] == "end") s.travel_to(s.time()->frontier());
    else if (w[1].find_first_not_of("0123456789") == std::string::npos && w[1].size() < 20) s.travel_to(std::stoull(w[1]));
    else return bad("travel N|end");
  } else if (w[0] == "lane") {  // the Timeline's chosen lane, by name ("lane exit: hidden page fault: shadow filled")
    const std::string name = rest_after(line, 1);
    const auto& lanes = timeline_lanes();
    const auto it = std::find_if(lanes.begin(), lanes.end(), [&](const TimelineLane& l) { return l.name == name; });
    if (it == lanes.end()) return bad("no timeline lane '" + name + "'");
    app.set_timeline_lane(static_cast<int>(it - lanes.begin()));
  } else if (w[0] == "type") {
    s.type_input(rest_after(line, 1) + "\n");
  } else if (w[0] == "wait-stopped") {
    waiting_stop_ = true;
    wait_frames_ = w.size() > 1 ? std::stoi(w[1]) : 600;
  } else if (w[0] == "frames" && w.size() == 2) {
    wait_frames_ = std::stoi(w[1]);
  } else if (w[0] == "expect") {
    expect(app, w, line, log);
  } else {
    bad("unknown command");
  }
}

void Script::expect(DebuggerApp& app, const std::vector<std::string>& w, const std::string& line, std::ostream& log) {
  DebugSession& s = app.session();
  const Machine* m = s.machine();
  auto check = [&](bool ok, const std::string& got) {
    if (ok) {
      log << "ok\n";
    } else {
      ++failures_;
      log << "FAIL: got " << got << "\n";
    }
  };
  auto hex = [](uint64_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << v;
    return o.str();
  };
  if (w.size() == 3 && w[1] == "analyzer-line" && w[2].find_first_not_of("0123456789") == std::string::npos &&
      !w[2].empty() && w[2].size() < 7) {  // the description editor's cursor
    const int line = app.analyzer_cursor_line();
    return check(line == std::stoi(w[2]), "line " + std::to_string(line));
  }
  if (w.size() == 4 && w[1] == "theorem" && (w[3] == "holds" || w[3] == "fails")) {  // the analyzer's verdict
    const auto& a = app.analyzer().analysis();
    if (!a) return check(false, "no analysis: " + (app.analyzer().errors().empty() ? std::string() : app.analyzer().errors()[0].str()));
    if (w[2] == "guest") {  // the guest-mode condition of a hardware-assisted machine
      if (!a->guest_condition) return check(false, "the description has no guest modes");
      return check(a->guest_condition->holds == (w[3] == "holds"), a->guest_condition->holds ? "holds" : "fails");
    }
    const analyzer::Theorem& t = w[2] == "1" ? a->theorem1 : w[2] == "2" ? a->theorem2 : a->theorem3;
    return check(t.holds == (w[3] == "holds"), t.holds ? "holds" : "fails");
  }
  if (w.size() == 2 && w[1] == "tiled") {  // no two windows overlap, every one is inside the screen
    std::string problem;
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    std::vector<const ImGuiWindow*> shown;
    for (const ImGuiWindow* win : ImGui::GetCurrentContext()->Windows)
      if (win->WasActive && !win->Hidden && !(win->Flags & (ImGuiWindowFlags_ChildWindow | ImGuiWindowFlags_Tooltip |
                                                             ImGuiWindowFlags_Popup)) &&
          std::string(win->Name) != "##MainMenuBar")
        shown.push_back(win);
    for (size_t i = 0; i < shown.size() && problem.empty(); ++i) {
      const ImRect a(shown[i]->Pos, ImVec2(shown[i]->Pos.x + shown[i]->Size.x, shown[i]->Pos.y + shown[i]->Size.y));
      if (a.Min.x < -0.5f || a.Min.y < -0.5f || a.Max.x > d.x + 0.5f || a.Max.y > d.y + 0.5f)
        problem = std::string(shown[i]->Name) + " leaves the screen";
      for (size_t j = i + 1; j < shown.size() && problem.empty(); ++j) {
        const ImRect b(shown[j]->Pos, ImVec2(shown[j]->Pos.x + shown[j]->Size.x, shown[j]->Pos.y + shown[j]->Size.y));
        const float ox = std::min(a.Max.x, b.Max.x) - std::max(a.Min.x, b.Min.x);
        const float oy = std::min(a.Max.y, b.Max.y) - std::max(a.Min.y, b.Min.y);
        if (ox > 1 && oy > 1) problem = std::string(shown[i]->Name) + " overlaps " + shown[j]->Name;
      }
    }
    return check(problem.empty() && shown.size() >= 8, problem.empty() ? std::to_string(shown.size()) + " windows" : problem);
  }
  if (!m) return check(false, "no program loaded");
  const Hart& h = m->hart();
  if (w.size() == 4 && w[1] == "pc" && w[2] == "==") {
    const auto a = address_of(app, w[3]);
    check(a && h.pc() == *a, hex(h.pc()));
  } else if (w.size() == 5 && w[1] == "reg" && w[3] == "==") {
    const auto r = register_number(w[2]);
    const auto v = address_of(app, w[4]);
    check(r && v && h.reg(*r) == *v, r ? hex(h.reg(*r)) : "unknown register");
  } else if (w.size() == 2 && w[1] == "running") {
    check(s.running(), s.status());
  } else if (w.size() == 2 && w[1] == "stopped") {
    check(!s.running(), s.status());
  } else if (w.size() == 2 && w[1] == "finished") {
    check(s.finished(), s.status());
  } else if (w.size() >= 4 && w[1] == "console" && w[2] == "contains") {
    check(s.console().find(rest_after(line, 3)) != std::string::npos, "console: " + std::string(s.console().substr(0, 200)));
  } else if (w.size() >= 4 && w[1] == "syscalls" && w[2] == "contains") {  // the System calls panel's log
    std::string all;
    if (const LinuxProcess* process = m->process())
      for (const LinuxProcess::SyscallRecord& r : process->syscall_log()) all += r.text + "\n";
    check(all.find(rest_after(line, 3)) != std::string::npos, "system calls: " + all.substr(0, 300));
  } else if (w.size() >= 4 && w[1] == "status" && w[2] == "contains") {
    check(s.status().find(rest_after(line, 3)) != std::string::npos, "status: " + s.status());
  } else if (w.size() == 4 && w[1] == "position" && (w[2] == "==" || w[2] == "<" || w[2] == ">")) {
    if (!s.time()) return check(false, "no time machine");
    const uint64_t got = s.time()->position();
    const uint64_t want = w[3] == "frontier" ? s.time()->frontier() : std::stoull(w[3]);
    check(w[2] == "==" ? got == want : w[2] == "<" ? got < want : got > want,
          std::to_string(got) + " (frontier " + std::to_string(s.time()->frontier()) + ")");
  } else if (w.size() == 3 && w[1] == "lesson-step") {  // 1-based, as the panel shows it
    check(app.lessons().lesson() && app.lessons().step() + 1 == std::stoul(w[2]),
          app.lessons().lesson() ? std::to_string(app.lessons().step() + 1) : "no lesson");
  } else if (w.size() == 2 && w[1] == "lesson-holds") {  // the step's own expectations
    const auto unmet = app.lessons().unmet();
    check(app.lessons().lesson() && unmet.empty(), unmet.empty() ? "no lesson" : unmet[0]);
  } else if (w.size() >= 4 && w[1] == "lesson-error" && w[2] == "contains") {
    std::string all;
    for (const LessonError& e : app.lesson_errors()) all += e.str() + "\n";
    check(all.find(rest_after(line, 3)) != std::string::npos, "lesson errors: " + all);
  } else if (w.size() == 4 && w[1] == "events" && w[2] == ">=") {
    if (!s.time()) return check(false, "no time machine");
    check(s.time()->timeline().size() >= std::stoull(w[3]), std::to_string(s.time()->timeline().size()));
  } else if (w.size() >= 4 && w[1] == "console" && w[2] == "lacks") {
    check(s.console().find(rest_after(line, 3)) == std::string::npos, "console: " + std::string(s.console().substr(0, 200)));
  } else if (w.size() == 4 && w[1] == "instret" && w[2] == ">=") {
    check(h.instret() >= std::stoull(w[3]), std::to_string(h.instret()));
  } else if (w.size() == 3 && w[1] == "migration" && w[2] == "unnoticed") {  // moved, and ended as if it had not
    const auto& mg = s.migration();
    if (!mg) return check(false, "no migration");
    check(mg->result.switched && mg->same_as_unmoved() && mg->result.rounds.size() >= 1,
          mg->result.switched ? (mg->same_as_unmoved() ? "unnoticed" : "the guest could tell") : "failed: " + mg->result.error);
  } else if (w.size() == 3 && w[1] == "gdb") {
    check(static_cast<int>(app.gdb().state()) == gdb_state(w[2]), app.gdb().describe());
  } else if (w.size() == 3 && w[1] == "balloon") {  // the balloon holds N pages, and the host reclaimed them
    const VirtioBalloon* b = m->balloon();
    if (!b) return check(false, "no balloon");
    const uint32_t want = static_cast<uint32_t>(std::stoul(w[2]));
    check(b->actual() == want && m->bus().reclaimed_pages() == want,
          "the balloon holds " + std::to_string(b->actual()) + ", the host reclaimed " + std::to_string(m->bus().reclaimed_pages()));
  } else if (w.size() == 3 && w[1] == "comparison") {  // N runs, all printing what the first printed
    const auto& c = s.comparison();
    if (!c) return check(false, "no comparison");
    bool same = true;
    for (const RunFigures& r : c->runs) same &= r.output == c->runs[0].output && r.reason == StopReason::exited;
    check(c->runs.size() == std::stoull(w[2]) && same,
          std::to_string(c->runs.size()) + " runs, " + (same ? "the same output" : "different outputs"));
  } else if (w.size() == 5 && w[1] == "monitor" && w[3] == ">=") {
    const Monitor* mon = m->monitor();
    if (!mon) return check(false, "no monitor (the kernel runs by emulation)");
    uint64_t got = 0;
    if (w[2] == "exits") got = mon->stats().exits;
    else if (w[2] == "hidden-faults") got = mon->stats().hidden_faults;
    else if (w[2] == "page-table-writes") got = mon->stats().page_table_writes;
    else if (w[2] == "hypercalls") got = mon->stats().hypercalls;
    else if (w[2] == "shadow-entries")
      for (unsigned t = 0; t < ShadowMmu::kMaxTables; ++t) got += mon->shadow().mappings(static_cast<int>(t)).size();
    else return check(false, "unknown monitor counter " + w[2]);
    check(got >= std::stoull(w[4]), std::to_string(got));
  } else if (w.size() >= 3 && w[1] == "illusion" && (w[2] == "kept" || w[2] == "broken")) {
    const Monitor* mon = m->monitor();
    const bool broken = mon && !mon->illusion_broken().empty();
    check(broken == (w[2] == "broken"), broken ? mon->illusion_broken() : "kept");
  } else if (w.size() == 3 && w[1] == "engine" && (w[2] == "translator" || w[2] == "interpreter")) {
    check(to_string(m->engine()) == w[2], to_string(m->engine()));
  } else if (w.size() == 5 && w[1] == "translator" && (w[3] == ">=" || w[3] == "<=" || w[3] == "==")) {
    const BlockCache& c = m->block_cache();
    uint64_t got = 0;
    if (w[2] == "blocks") got = c.block_count();
    else if (w[2] == "translated") got = c.stats.translated;
    else if (w[2] == "invalidated") got = c.stats.invalidated;
    else if (w[2] == "evicted") got = c.stats.evicted;
    else if (w[2] == "retranslated") got = c.stats.retranslated;
    else if (w[2] == "flushes") got = c.stats.flushes;
    else if (w[2] == "links") got = c.stats.links;
    else if (w[2] == "traces") got = c.stats.traces;
    else if (w[2] == "live-traces") got = c.traces().size();
    else if (w[2] == "entries") got = c.entries();
    else if (w[2] == "chained") got = c.entries() - std::min(c.entries(), c.stats.lookups);  // entered through links
    else return check(false, "unknown translator counter " + w[2]);
    const uint64_t want = std::stoull(w[4]);
    check(w[3] == ">=" ? got >= want : w[3] == "<=" ? got <= want : got == want, std::to_string(got));
  } else if (w.size() == 3 && w[1] == "code-cache" && w[2] == "selected") {
    const auto a = app.selected_block();
    const bool live = a && m->bus().in_ram(*a, 2) && m->block_cache().find(*a);
    const std::string got = !app.code_cache_shown() ? "the window is closed"
                            : a                     ? hex(*a) + " is gone"
                                                    : "no selection";
    check(app.code_cache_shown() && live, got);
  } else {
    check(false, "an expectation vmscope does not know");
  }
}

}  // namespace vmscope::ui
