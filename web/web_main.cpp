// The browser front end: the same DebuggerApp as the native debugger, in a WebGL 2 canvas that
// fills the page. Emscripten's GLFW (JS) owns the canvas and the input events; Dear ImGui draws
// through its OpenGL 3 backend ("#version 300 es"). web/vmscope-web.js loads this module, fetches
// the bundled programs and exposes window.vmscope, the small test interface built on the
// EMSCRIPTEN_KEEPALIVE functions at the end of this file (see web/README.md).
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "app.h"
#include "isa/decoder.h"
#include "isa/disassembler.h"
#include "panel_names.h"
#include "vmm/monitor.h"

using namespace vmscope;
using namespace vmscope::ui;

// ---- JavaScript side (implemented in the page's context; web/vmscope-web.js fills vmscopeWeb)
// Every EM_JS body reaches the page through Module.vmscopeWeb so that the page owns the policy.

EM_JS(int, js_program_count, (), { return Module.vmscopeWeb.programs.length; });
// Returns a malloc'd UTF-8 string (the caller frees it): field of bundled program i.
EM_JS(char*, js_program_field, (int i, const char* field), {
  const p = Module.vmscopeWeb.programs[i];
  const v = String(p[UTF8ToString(field)] || "");
  const n = lengthBytesUTF8(v) + 1;
  const s = _malloc(n);
  stringToUTF8(v, s, n);
  return s;
});
EM_JS(int, js_program_size, (const char* name), {
  const b = Module.vmscopeWeb.bytes[UTF8ToString(name)];
  return b ? b.length : -1;
});
EM_JS(void, js_program_copy, (const char* name, uint8_t* dest), {
  HEAPU8.set(Module.vmscopeWeb.bytes[UTF8ToString(name)], dest);
});
// A bundled program's disk image (web.disks[name]: an OS written with a disk), -1 if none.
EM_JS(int, js_program_disk_size, (const char* name), {
  const b = Module.vmscopeWeb.disks[UTF8ToString(name)];
  return b ? b.length : -1;
});
EM_JS(void, js_program_disk_copy, (const char* name, uint8_t* dest), {
  HEAPU8.set(Module.vmscopeWeb.disks[UTF8ToString(name)], dest);
});
EM_JS(void, js_open_file_dialog, (), { Module.vmscopeWeb.openFileDialog(); });
// Offers bytes as a file download (a snapshot).
EM_JS(void, js_download, (const char* name, const uint8_t* data, int size), {
  const blob = new Blob([HEAPU8.slice(data, data + size)], { type: 'application/octet-stream' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = UTF8ToString(name);
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
});
// The page's address without its query (for shared links); a malloc'd string.
EM_JS(char*, js_page_address, (), {
  const v = window.location.origin + window.location.pathname;
  const n = lengthBytesUTF8(v) + 1;
  const s = _malloc(n);
  stringToUTF8(v, s, n);
  return s;
});
// The TTF font the page fetched (0 bytes: none; Dear ImGui's bitmap font is used).
EM_JS(int, js_font_size, (), { return Module.vmscopeWeb.font ? Module.vmscopeWeb.font.length : 0; });
EM_JS(void, js_font_copy, (uint8_t* dest), { HEAPU8.set(Module.vmscopeWeb.font, dest); });
EM_JS(void, js_warn, (const char* text), { console.warn(UTF8ToString(text)); });
EM_JS(void, js_signal_ready, (), { Module.vmscopeWeb.signalReady(); });
EM_JS(void, js_fail, (const char* text), { Module.vmscopeWeb.fail(UTF8ToString(text)); });
// The canvas's size in CSS pixels and the device pixel ratio, in three doubles.
EM_JS(void, js_canvas_metrics, (double* out), {
  const c = Module.canvas;
  const r = c.getBoundingClientRect();
  HEAPF64[out >> 3] = r.width || window.innerWidth;
  HEAPF64[(out >> 3) + 1] = r.height || window.innerHeight;
  HEAPF64[(out >> 3) + 2] = window.devicePixelRatio || 1;
});
// The mouse cursor's CSS name for Dear ImGui's cursor (emscripten's GLFW cannot change it).
EM_JS(void, js_set_cursor, (int cursor), {
  const names = ["default", "text", "move", "ns-resize", "ew-resize", "nesw-resize", "nwse-resize", "pointer", "not-allowed"];
  Module.canvas.style.cursor = cursor < 0 ? "none" : (names[cursor] || "default");
});
// The last wheel event in notches (+y up, as GLFW counts), from vmscope-web.js's listener:
// emscripten 3.1.6's GLFW passes the DOM's pixel deltas with the sign of a page scroll.
EM_JS(void, js_wheel, (double* out), {
  const w = Module.vmscopeWeb.wheel;
  HEAPF64[out >> 3] = w[0];
  HEAPF64[(out >> 3) + 1] = w[1];
});
// Resizes the canvas's backing store; emscripten's GLFW hears of it and resizes the window.
// (glfwSetWindowSize would ask for full screen whenever the size equals the screen's.)
EM_JS(void, js_set_canvas_size, (int width, int height), { Module.setCanvasSize(width, height); });
// Copy goes to the system clipboard too (when the page may write it); paste reads the text
// the page kept from the last paste event (see vmscope-web.js), as emscripten's GLFW has none.
EM_JS(void, js_clipboard_write, (const char* text), {
  const t = UTF8ToString(text);
  Module.vmscopeWeb.clipboard = t;
  try { if (navigator.clipboard) navigator.clipboard.writeText(t).catch(() => {}); } catch (e) {}
});
EM_JS(char*, js_clipboard_read, (), {
  const v = Module.vmscopeWeb.clipboard || "";
  const n = lengthBytesUTF8(v) + 1;
  const s = _malloc(n);
  stringToUTF8(v, s, n);
  return s;
});
EM_JS(char*, js_load_layout, (), {
  let v = null;
  try { v = window.localStorage.getItem(Module.vmscopeWeb.layoutKey); } catch (e) {}
  if (!v) return 0;
  const n = lengthBytesUTF8(v) + 1;
  const s = _malloc(n);
  stringToUTF8(v, s, n);
  return s;
});
EM_JS(void, js_save_layout, (const char* ini), {
  try { window.localStorage.setItem(Module.vmscopeWeb.layoutKey, UTF8ToString(ini)); } catch (e) {}
});

namespace {

// ---- item rectangles through Dear ImGui's test-engine hooks (IMGUI_ENABLE_TEST_ENGINE is set
// for the WebAssembly build by web/CMakeLists.txt): every labelled widget drawn in a frame, with
// its window and rectangle, so tests can click real buttons without guessing coordinates.
struct ItemRecord {
  std::string label, id_label, window;  // the text shown (before "##"), the whole label
  ImRect rect;
  bool visible;
  ImGuiID id = 0;
  bool placed = true;  // false: described before it was placed (tabs), its rectangle comes later
};
std::unordered_map<ImGuiID, ImRect> g_frame_rects;
std::vector<ItemRecord> g_frame_items, g_last_items;

struct Web {
  GLFWwindow* window = nullptr;
  DebuggerApp app;
  double last_time = 0;
  uint64_t frames = 0;
  bool ready = false;
  double css_w = 0, css_h = 0, dpr = 0, font_scale = 0;
  int cursor = ImGuiMouseCursor_Arrow;
  double frame_ms = 0;  // time spent in main_loop per frame (emulation + drawing), smoothed
  std::string reported_error;  // the last load error written to the console
  std::string json;            // the buffer the last JSON answer points into
  // Keys pressed and released between two frames: the release waits for the frame after, so a
  // quick tap (or an automated press) is still seen as a press by Dear ImGui 1.86.
  GLFWkeyfun imgui_key_callback = nullptr;
  GLFWscrollfun imgui_scroll_callback = nullptr;
  std::vector<int> pressed_this_frame;
  struct Release { int key, scancode, mods; };
  std::vector<Release> deferred_releases;
};
Web* g_web = nullptr;

// The tests' JSON (nlohmann-json; built without exceptions here: bytes that are not UTF-8 are
// replaced rather than thrown about).
using Json = nlohmann::ordered_json;
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string ascii_only(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const unsigned char c : s) out += (c < 0x80) ? static_cast<char>(c) : '?';
  return out;
}

std::string take_js_string(char* s) {
  if (!s) return {};
  std::string out(s);
  std::free(s);
  return out;
}

std::vector<BundledProgram> bundled_programs() {
  std::vector<BundledProgram> list;
  const int n = js_program_count();
  for (int i = 0; i < n; ++i) {
    BundledProgram p;
    p.name = take_js_string(js_program_field(i, "name"));
    p.group = take_js_string(js_program_field(i, "group"));
    p.description = take_js_string(js_program_field(i, "description"));
    const std::string name = p.name;
    p.read = [name] {
      const int size = js_program_size(name.c_str());
      std::vector<uint8_t> bytes(size > 0 ? static_cast<size_t>(size) : 0);
      if (size > 0) js_program_copy(name.c_str(), bytes.data());
      return bytes;
    };
    if (js_program_disk_size(name.c_str()) >= 0) {
      p.read_disk = [name] {
        std::vector<uint8_t> bytes(static_cast<size_t>(js_program_disk_size(name.c_str())));
        js_program_disk_copy(name.c_str(), bytes.data());
        return bytes;
      };
    }
    list.push_back(std::move(p));
  }
  return list;
}

// Writes a load error to the browser console (a warning: a bad file is the user's, not ours).
void report_error_if_new(Web& w) {
  const std::string& e = w.app.error();
  if (e.empty() || e == w.reported_error) return;
  w.reported_error = e;
  js_warn(("vmscope: cannot load the program: " + e).c_str());
}

void report_load(Web& w, bool ok) {
  if (ok) {
    w.reported_error.clear();
    return;
  }
  w.reported_error.clear();  // the same message again is a new failure: say it again
  report_error_if_new(w);
}

void key_callback(GLFWwindow* window, int key, int scancode, int action, int mods) {
  Web& w = *g_web;
  if (action == GLFW_PRESS) w.pressed_this_frame.push_back(key);
  if (action == GLFW_RELEASE &&
      std::find(w.pressed_this_frame.begin(), w.pressed_this_frame.end(), key) != w.pressed_this_frame.end()) {
    w.deferred_releases.push_back({key, scancode, mods});
    return;
  }
  if (w.imgui_key_callback) w.imgui_key_callback(window, key, scancode, action, mods);
}

void scroll_callback(GLFWwindow* window, double, double) {
  double notches[2];
  js_wheel(notches);
  if (g_web->imgui_scroll_callback) g_web->imgui_scroll_callback(window, notches[0], notches[1]);
}

void set_clipboard(void*, const char* text) { js_clipboard_write(text); }

const char* get_clipboard(void*) {
  static std::string text;
  text = take_js_string(js_clipboard_read());
  return text.c_str();
}

void after_frame_keys(Web& w) {
  w.pressed_this_frame.clear();
  std::vector<Web::Release> releases;
  releases.swap(w.deferred_releases);
  for (const Web::Release& r : releases)
    if (w.imgui_key_callback) w.imgui_key_callback(w.window, r.key, r.scancode, GLFW_RELEASE, r.mods);
}

// Keeps the canvas's backing store at its CSS size times the device pixel ratio.
void follow_canvas_size(Web& w) {
  double m[3];
  js_canvas_metrics(m);
  const double css_w = std::max(1.0, m[0]), css_h = std::max(1.0, m[1]);
  const double dpr = std::clamp(m[2], 0.5, 4.0);
  if (css_w != w.css_w || css_h != w.css_h || dpr != w.dpr) {
    w.css_w = css_w;
    w.css_h = css_h;
    w.dpr = dpr;
    js_set_canvas_size(static_cast<int>(std::lround(css_w * dpr)), static_cast<int>(std::lround(css_h * dpr)));
  }
  // Font texels per CSS pixel: at least 1, in steps of a half so that zooming does not thrash.
  w.font_scale = std::max(1.0, std::round(dpr * 2.0) / 2.0);
}

void save_layout_now() {
  const char* ini = ImGui::SaveIniSettingsToMemory();
  js_save_layout(ini);
  ImGui::GetIO().WantSaveIniSettings = false;
}

void main_loop() {
  Web& w = *g_web;
  follow_canvas_size(w);
  const double now = emscripten_get_now() / 1000.0;
  const double dt = w.last_time ? now - w.last_time : 1.0 / 60.0;
  w.last_time = now;

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // The font at the device's resolution, shown at its size in CSS pixels: sharp text on high-DPI.
  if (w.app.apply_appearance(1.0f, static_cast<float>(w.font_scale))) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  // GLFW's window is the canvas's backing store in device pixels; Dear ImGui works in CSS pixels.
  ImGuiIO& io = ImGui::GetIO();
  const float scale = static_cast<float>(w.dpr);
  io.DisplaySize = ImVec2(static_cast<float>(w.css_w), static_cast<float>(w.css_h));
  io.DisplayFramebufferScale = ImVec2(scale, scale);
  if (ImGui::IsMousePosValid(&io.MousePos)) io.MousePos = ImVec2(io.MousePos.x / scale, io.MousePos.y / scale);

  g_frame_rects.clear();
  g_frame_items.clear();
  ImGui::NewFrame();
  w.app.frame(dt);
  ImGui::Render();
  g_last_items.swap(g_frame_items);
  if (const int cursor = ImGui::GetMouseCursor(); cursor != w.cursor) {
    w.cursor = cursor;
    js_set_cursor(cursor);
  }
  after_frame_keys(w);
  report_error_if_new(w);

  int fb_w, fb_h;
  glfwGetFramebufferSize(w.window, &fb_w, &fb_h);
  glViewport(0, 0, fb_w, fb_h);
  glClearColor(0.08f, 0.08f, 0.1f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

  if (io.WantSaveIniSettings) save_layout_now();
  const double spent = emscripten_get_now() - now * 1000.0;
  w.frame_ms = w.frames ? 0.9 * w.frame_ms + 0.1 * spent : spent;
  ++w.frames;
  if (!w.ready) {
    w.ready = true;
    js_signal_ready();
  }
}

}  // namespace

// ---- Dear ImGui test-engine hooks (see ItemRecord above)
static bool item_visible(const ImGuiWindow* window, const ImRect& rect) {
  // (A menu bar lies outside the window's inner clip rectangle.)
  const bool in_menu_bar = window && (window->Flags & ImGuiWindowFlags_MenuBar) && window->MenuBarRect().Overlaps(rect);
  return window && window->Active && !window->Hidden && !window->Collapsed &&
         (window->InnerClipRect.Overlaps(rect) || in_menu_bar);
}

void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, const ImRect& bb, ImGuiID id) {
  g_frame_rects[id] = bb;
  // A tab item is described before it is placed (imgui 1.86's TabItemEx): its rectangle is this one.
  for (auto it = g_frame_items.rbegin(); it != g_frame_items.rend() && it - g_frame_items.rbegin() < 8; ++it)
    if (it->id == id && !it->placed) {
      it->rect = bb;
      it->visible = item_visible(ctx->CurrentWindow, bb);
      it->placed = true;
      break;
    }
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext* ctx, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
  if (!label) return;
  const auto it = g_frame_rects.find(id);
  const bool placed = it != g_frame_rects.end() || ctx->LastItemData.ID == id;
  const ImRect rect = it != g_frame_rects.end() ? it->second : ctx->LastItemData.Rect;
  const ImGuiWindow* window = ctx->CurrentWindow;
  std::string text(label), whole(label);
  if (const size_t hashes = text.find("##"); hashes != std::string::npos) text.resize(hashes);
  g_frame_items.push_back({std::move(text), std::move(whole), window ? window->Name : "", rect,
                           placed && item_visible(window, rect), id, placed});
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}

const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }

// ---- the test interface (wrapped by window.vmscope in vmscope-web.js; JSON strings)
extern "C" {

// Everything the tests check about the machine, as one JSON object.
EMSCRIPTEN_KEEPALIVE const char* vmscope_state() {
  Web& w = *g_web;
  DebugSession& s = w.app.session();
  Json j;
  j["program"] = s.program_name();
  j["loaded"] = s.loaded();
  j["running"] = s.running();
  j["finished"] = s.finished();
  j["status"] = s.status();
  j["misaligned"] = to_string(s.misaligned());
  j["error"] = w.app.error();
  j["console"] = ascii_only(s.console());
  j["frames"] = w.frames;
  j["instructionsPerFrame"] = s.instructions_per_frame;
  j["sliceMips"] = s.stats().empty() ? 0.0 : s.stats().back().mips;
  j["frameMs"] = w.frame_ms;
  j["display"] = {{"width", w.css_w}, {"height", w.css_h}, {"scale", w.dpr}};
  {  // the analyzer window
    const AnalyzerWorkbench& a = w.app.analyzer();
    Json an_json = {{"file", std::string(a.specs()[a.chosen()].file)}, {"edited", a.edited()}};
    Json errors = Json::array();
    for (const auto& e : a.errors()) errors.push_back(e.str());
    an_json["errors"] = errors;
    if (const auto& an = a.analysis()) {
      an_json["theorems"] = {an->theorem1.holds, an->theorem2.holds, an->theorem3.holds};
      if (an->guest_condition) an_json["guestCondition"] = an->guest_condition->holds;
      Json critical = Json::array();
      for (const auto& c : an->instructions)
        if (c.critical.value) critical.push_back(c.instruction);
      an_json["critical"] = critical;
      an_json["timingDependent"] = an->timing_dependent;
      Json oracle = {{"running", a.oracle_running()}, {"progress", a.oracle_progress()}, {"done", a.oracle().has_value()}};
      if (const auto& r = a.oracle()) {
        oracle["forms"] = r->forms;
        oracle["disagreements"] = r->disagreements.size();
        oracle["encodingsRun"] = r->encodings_run;
        oracle["encodings"] = r->encodings;
      }
      an_json["oracle"] = oracle;
    }
    j["analyzer"] = an_json;
  }
  {  // how guest code runs, and the code cache (the Code cache window)
    const TranslatorSettings& t = s.translator_settings();
    Json tr = {{"engine", to_string(t.engine)},
               {"chaining", t.options.chaining},
               {"cacheKib", t.options.capacity_kib},
               {"eviction", to_string(t.options.eviction)},
               {"windowOpen", w.app.code_cache_shown()}};
    const auto selected = w.app.selected_block();
    tr["selected"] = selected ? Json(*selected) : Json(nullptr);
    if (const Machine* m = s.machine()) {
      const BlockCache& c = m->block_cache();
      tr["backend"] = c.backend().name();
      tr["blocks"] = c.block_count();
      tr["usedBytes"] = c.used_bytes();
      tr["translated"] = c.stats.translated;
      tr["invalidated"] = c.stats.invalidated;
      tr["evicted"] = c.stats.evicted;
      tr["retranslated"] = c.stats.retranslated;
      tr["flushes"] = c.stats.flushes;
      tr["links"] = c.stats.links;
      tr["entries"] = c.entries();
      tr["chained"] = c.entries() - std::min(c.entries(), c.stats.lookups);  // entries through links
      tr["events"] = c.events().size();
      if (const TierStats* t = c.backend().tiers()) {  // the WebAssembly backend
        tr["tiers"] = {{"modulesMade", t->modules_made}, {"modulesLive", t->modules_live},
                       {"modulesEvicted", t->modules_evicted}, {"failures", t->failures},
                       {"blocksCompiled", t->blocks_compiled}, {"pending", t->pending}, {"compileMs", t->compile_ms}};
        tr["log"] = Json(std::vector<std::string>(c.log.begin(), c.log.end()));
      }
      // The selected block: its tier and its host form's text (what the window shows).
      if (selected && m->bus().in_ram(*selected, 2))
        if (const Block* b = c.find(*selected)) {
          tr["selectedCompiled"] = b->host_code != nullptr;
          tr["selectedSummary"] = c.backend().summary(*b);
          std::vector<std::string> lines;
          for (const HostLine& l : c.backend().listing(*b)) lines.push_back(l.text);
          tr["selectedHost"] = lines;
        }
    }
    j["translator"] = tr;
  }
  j["scenario"] = w.app.scenario();
  // The lesson: its name, the step shown (1-based), its steps, the errors of a bad lesson file.
  if (const Lesson* l = w.app.lessons().lesson())
    j["lesson"] = {{"name", l->name}, {"step", w.app.lessons().step() + 1}, {"steps", l->steps.size()}};
  else
    j["lesson"] = nullptr;
  Json lesson_errors = Json::array();
  for (const auto& e : w.app.lesson_errors()) lesson_errors.push_back(e.str());
  j["lessonErrors"] = lesson_errors;
  {  // the gdb link: off, listening (through the bridge), attached or running
    static const char* const kStates[] = {"off", "listening", "attached", "running"};
    j["gdb"] = kStates[static_cast<int>(w.app.gdb().state())];
  }
  if (const auto& m = s.migration()) {  // the last migration: how it went
    j["migration"] = {{"kind", migration::to_string(m->options.kind)},
                      {"switched", m->result.switched},
                      {"unnoticed", m->same_as_unmoved()},
                      {"rounds", m->result.rounds.size()},
                      {"downtime", m->result.downtime_instructions},
                      {"firstRoundBytes", m->result.rounds.empty() ? 0 : m->result.rounds.front().bytes},
                      {"error", m->result.error}};
  }
  if (const Machine* m = s.machine(); m && m->balloon()) {  // the balloon and the host's memory
    const VirtioBalloon& b = *m->balloon();
    j["balloon"] = {{"target", b.target()},
                    {"actual", b.actual()},
                    {"reclaimed", m->bus().reclaimed_pages()},
                    {"given", b.counts().inflated},
                    {"takenBack", b.counts().deflated},
                    {"touched", m->monitor() ? m->monitor()->reclaimed_touched() : 0}};
  }
  if (const Machine* m = s.machine(); m && m->disk()) {  // the virtio-blk disk
    const VirtioBlock::Counts& c = m->disk()->counts();
    j["disk"] = {{"name", s.disk_name()},
                 {"sectors", m->disk()->sectors()},
                 {"reads", c.reads},
                 {"writes", c.writes},
                 {"written", m->disk()->overlay_sectors()}};
  }
  if (const Machine* m = s.machine(); m && m->kind() == MachineKind::system)  // the PLIC's claims
    j["plic"] = {{"claims", m->plic().claims()}};
  if (const auto& c = s.comparison()) {  // each run: what it was, what it did
    Json runs = Json::array();
    for (const RunFigures& r : c->runs)
      runs.push_back({{"label", r.label},
                      {"program", r.program},
                      {"instret", r.counters.empty() ? 0 : r.counters[0].second},
                      {"exitCode", r.exit_code},
                      {"sameOutput", r.output == c->runs[0].output},
                      {"exits", r.counter("monitor exits")}});
    j["comparison"] = runs;
  }
  j["warning"] = w.app.warning();
  j["share"] = w.app.share_query();
  j["embedded"] = w.app.embedded();
  {  // how it looks: the text size, the projector preset, the panels open
    Json open = Json::array();
    for (size_t i = 0; i < ui::kPanelCount; ++i) {
      const ui::PanelSpec& p = ui::panel_spec(static_cast<ui::Panel>(i));
      if (p.closable && w.app.panel_open(p.title)) open.push_back(p.title);
    }
    j["ui"] = {{"fontSize", w.app.ui_settings().font_size}, {"projector", w.app.ui_settings().projector}, {"open", open}};
  }
  j["speed"] = s.speed();
  if (const TimeMachine* tm = s.time()) {  // time travel
    j["time"] = {{"position", tm->position()},
                 {"frontier", tm->frontier()},
                 {"events", tm->timeline().size()},
                 {"snapshots", tm->snapshots().all().size()},
                 {"snapshotBytes", tm->snapshots().memory_bytes()},
                 {"interval", tm->snapshot_interval()}};
  }
  j["breakpoints"] = s.breakpoints();
  if (const Machine* m = s.machine()) {
    const Hart& h = m->hart();
    j["kind"] = to_string(m->kind());
    j["priv"] = to_string(h.priv());
    Json triggers = Json::array();
    for (unsigned i = 0; i < Triggers::kCount; ++i) triggers.push_back(h.triggers().describe(i));
    j["hardwareStops"] = {{"placed", s.hardware_stops_placed()}, {"count", s.hardware_stops().size()}, {"triggers", triggers}};
    j["pc"] = h.pc();
    j["instret"] = h.instret();
    Json regs = Json::array();
    for (unsigned r = 0; r < 32; ++r) regs.push_back(h.reg(r));
    j["regs"] = regs;
    if (const Monitor* mon = m->monitor()) {
      size_t entries = 0;
      for (unsigned t = 0; t < ShadowMmu::kMaxTables; ++t) entries += mon->shadow().mappings(static_cast<int>(t)).size();
      j["monitor"] = {{"exits", mon->stats().exits},
                      {"hiddenFaults", mon->stats().hidden_faults},
                      {"pageTableWrites", mon->stats().page_table_writes},
                      {"shadowEntries", entries},
                      {"guestPageTables", mon->shadow().guest_page_tables().size()},
                      {"guestInstret", mon->guest_instret()},
                      {"strategy", to_string(mon->shadow().strategy())},
                      {"illusionBroken", !mon->illusion_broken().empty()}};
    }
    const uint32_t bits = h.instruction_bits(h.pc());
    const isa::DecodedInsn d = isa::decode(bits);
    // (may go elsewhere than the next instruction: a jump, a branch, or what may trap)
    const bool control = isa::kOpTraits[static_cast<int>(d.op)] &
                         (isa::kTraitBranch | isa::kTraitJump | isa::kTraitIndirect | isa::kTraitSystem);
    isa::Disassembler dis;
    j["insn"] = {{"text", dis.disassemble(h.pc(), bits)}, {"length", d.length}, {"isCall", isa::is_call(d)}, {"isControl", control}};
  }
  w.json = dump(j);
  return w.json.c_str();
}

// Loads a bundled program by name (as the picker does). 1 on success; 0 and error() otherwise.
EMSCRIPTEN_KEEPALIVE int vmscope_load_bundled(const char* name) {
  const bool ok = g_web->app.load_bundled(name);
  report_load(*g_web, ok);
  return ok;
}

// Loads ELF bytes (a file from the file dialog, a drop, or a test). 1 on success.
EMSCRIPTEN_KEEPALIVE int vmscope_load_bytes(const uint8_t* bytes, int size, const char* name) {
  // A program, a snapshot or a recording (by its contents).
  const bool ok = g_web->app.open_file(std::span<const uint8_t>(bytes, static_cast<size_t>(std::max(size, 0))), name);
  report_load(*g_web, ok);
  return ok;
}

// The labelled widgets of the last frame whose label (the text before any "##", or the whole
// label such as "##bp") equals `label`, or all of them when `label` is empty:
// [{label, window, x, y, w, h, visible}] in CSS pixels.
EMSCRIPTEN_KEEPALIVE const char* vmscope_items(const char* label) {
  const std::string want = label ? label : "";
  Json items = Json::array();
  for (const ItemRecord& it : g_last_items) {
    if (!want.empty() && it.label != want && it.id_label != want) continue;
    items.push_back({{"label", it.label}, {"window", it.window}, {"x", it.rect.Min.x}, {"y", it.rect.Min.y},
                     {"w", it.rect.GetWidth()}, {"h", it.rect.GetHeight()}, {"visible", it.visible}});
  }
  g_web->json = dump(items);
  return g_web->json.c_str();
}

// The windows shown in the last frame: [{name, x, y, w, h, collapsed}] in CSS pixels.
EMSCRIPTEN_KEEPALIVE const char* vmscope_windows() {
  Json windows = Json::array();
  for (const ImGuiWindow* win : ImGui::GetCurrentContext()->Windows) {
    if (!win->WasActive || win->Hidden || (win->Flags & ImGuiWindowFlags_ChildWindow) ||
        (win->Flags & ImGuiWindowFlags_Tooltip))
      continue;
    windows.push_back({{"name", win->Name}, {"x", win->Pos.x}, {"y", win->Pos.y}, {"w", win->Size.x},
                       {"h", win->Size.y}, {"collapsed", win->Collapsed}});
  }
  g_web->json = dump(windows);
  return g_web->json.c_str();
}

// The address of a symbol of the loaded program, or -1.
EMSCRIPTEN_KEEPALIVE double vmscope_symbol(const char* name) {
  const Machine* m = g_web->app.session().machine();
  if (!m) return -1;
  const ElfSymbol* sym = m->symbols().find(name);
  return sym ? static_cast<double>(sym->value) : -1;
}

// Puts the disassembly cursor at an address (F9 then toggles a breakpoint there).
EMSCRIPTEN_KEEPALIVE void vmscope_set_cursor(uint32_t address) { g_web->app.set_cursor(address); }

// Starts a lesson from a lesson file's text; 1 on success, 0 when it has errors (then shown in
// the Lesson panel and in state().lessonErrors).
EMSCRIPTEN_KEEPALIVE int vmscope_start_lesson_text(const char* text, const char* name) {
  return g_web->app.start_lesson_text(text ? text : "", name ? name : "lesson.toml") ? 1 : 0;
}

// Goes to the lesson's next (+1) or previous (-1) step.
EMSCRIPTEN_KEEPALIVE void vmscope_lesson_step(int direction) {
  if (direction > 0) g_web->app.lessons().next();
  else g_web->app.lessons().back();
}

// A problem to show in the Programs panel (a lesson the page could not fetch).
EMSCRIPTEN_KEEPALIVE void vmscope_warn(const char* text) { g_web->app.warn(text ? text : ""); }

// Travels to a step of the recorded run (as the timeline does); returns the milliseconds it
// took, or -1 if the step is beyond what was recorded.
EMSCRIPTEN_KEEPALIVE double vmscope_travel(double position) {
  DebugSession& s = g_web->app.session();
  if (!s.time() || position < 0 || position > static_cast<double>(s.time()->frontier())) return -1;
  const double t0 = emscripten_get_now();
  s.travel_to(static_cast<uint64_t>(position));
  return emscripten_get_now() - t0;
}

// Writes the layout to localStorage now (the page calls it when it is hidden or unloaded).
EMSCRIPTEN_KEEPALIVE void vmscope_save_layout() {
  if (g_web) save_layout_now();
}

}  // extern "C"

int main(int argc, char** argv) {
  if (!glfwInit()) {
    js_fail("cannot initialise GLFW");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  g_web = new Web;
  Web& w = *g_web;
  w.window = glfwCreateWindow(1280, 800, "vmscope debugger", nullptr, nullptr);
  if (!w.window) {
    js_fail("this browser gives no WebGL 2 context");
    return 1;
  }
  glfwMakeContextCurrent(w.window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetCurrentContext()->TestEngineHookItems = true;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the settings live in localStorage
  w.app.install_settings();
  {  // the font the page fetched (DejaVu Sans Mono)
    const int size = js_font_size();
    std::vector<uint8_t> ttf(size > 0 ? static_cast<size_t>(size) : 0);
    if (size > 0) js_font_copy(ttf.data());
    w.app.set_font(std::move(ttf));
  }
  // The cursor shape is set on the canvas here: emscripten's glfwSetCursor does nothing, and the
  // backend would call the browser's pointer-lock API every frame through glfwSetInputMode.
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
  io.IniSavingRate = 1.0f;
  const std::string layout = take_js_string(js_load_layout());
  if (!layout.empty()) ImGui::LoadIniSettingsFromMemory(layout.c_str(), layout.size());
  follow_canvas_size(w);
  ImGui_ImplGlfw_InitForOpenGL(w.window, true);
  w.imgui_key_callback = glfwSetKeyCallback(w.window, key_callback);
  w.imgui_scroll_callback = glfwSetScrollCallback(w.window, scroll_callback);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  io.SetClipboardTextFn = set_clipboard;
  io.GetClipboardTextFn = get_clipboard;

  w.app.set_bundled_programs(bundled_programs());
  w.app.open_file_dialog = [] { js_open_file_dialog(); };
  w.app.page_address = [] { return take_js_string(js_page_address()); };
  w.app.save_file = [](const std::string& name, const std::vector<uint8_t>& bytes) {
    js_download(name.c_str(), bytes.data(), static_cast<int>(bytes.size()));
    return true;
  };
  // The default program first, so that a bad ?program= name leaves a working debugger behind
  // with the error shown in the program panel.
  report_load(w, w.app.load_bundled("sv32_paging"));
  // Then the monitor's switches from the URL (vmscope-web.js passes them as --NAME VALUE), which
  // apply to kernels: ?program=kernel&virt=trap-and-emulate&shadow=write-protect&quirk=status-read
  std::vector<std::pair<std::string, std::string>> link;  // (name, value) without the dashes
  for (int i = 2; i + 1 < argc; i += 2) link.emplace_back(std::string(argv[i]).substr(2), argv[i + 1]);
  if (argc > 1 && std::string(argv[1]) != "sv32_paging") link.emplace_back("program", argv[1]);
  const std::vector<std::string> problems = w.app.open_link(link);
  report_load(w, w.app.error().empty());
  if (!problems.empty()) {
    std::string text = "This link has problems: ";
    for (size_t i = 0; i < problems.size(); ++i) text += (i ? "; " : "") + problems[i];
    w.app.warn(text);
    js_warn(("vmscope: " + text).c_str());
  }

  emscripten_set_main_loop(main_loop, 0, true);
  return 0;
}
