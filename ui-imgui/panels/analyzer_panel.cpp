// The analyzer: choose a shipped ISA description, see Popek and Goldberg's verdicts (the three
// theorems) and every instruction coloured by its class, filter them, read why each class holds,
// flip the description's settings, change what an instruction does per mode with the fact editor
// (or edit the text) and watch the verdict follow; for a
// hardware-assisted machine, the guest-mode condition and what each instruction does in the guest
// modes; for vmscope's own RV32 (with and without H), run the executing oracle on the hart.
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <utility>

#include "panels.h"
#include "text_position.h"

namespace vmscope::ui {

namespace {
using namespace analyzer;

const ImVec4 kCritical(1.0f, 0.4f, 0.4f, 1), kSensitive(0.45f, 0.7f, 1.0f, 1), kInnocuous(0.6f, 0.6f, 0.6f, 1);
const ImVec4 kHolds(0.4f, 0.85f, 0.5f, 1);
const ImVec4 kTiming(0.95f, 0.75f, 0.3f, 1);  // reads a clock where the guest runs: allowed, but noted

std::string classes_of(const Classification& c) {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : ", ") + std::string(name);
  };
  add(c.control_sensitive.value, "control");
  add(c.mode_sensitive.value, "mode");
  add(c.location_sensitive.value, "location");
  add(c.resource_sensitive.value, "resource");
  return s.empty() ? "innocuous" : s;
}

// One line per verdict, so the instruction table keeps its room on a 720-line projector: the
// explanation is cut to the line, and shown whole on hover.
void one_line(const std::string& text, bool disabled = false) {
  if (disabled) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  const float room = ImGui::GetContentRegionAvail().x;
  const bool fits_whole = ImGui::CalcTextSize(text.c_str()).x <= room;
  size_t fits = text.size();
  while (!fits_whole && fits != std::string::npos && fits > 0 &&
         ImGui::CalcTextSize((text.substr(0, fits) + "...").c_str()).x > room)
    fits = text.rfind(' ', fits - 1);
  ImGui::TextUnformatted(fits_whole ? text.c_str() : (text.substr(0, fits == std::string::npos ? 0 : fits) + "...").c_str());
  if (disabled) ImGui::PopStyleColor();
  if (!fits_whole && ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void verdict_line(const std::string& label, bool holds, const std::string& explanation) {
  ImGui::TextColored(holds ? kHolds : kCritical, "%s", label.c_str());
  ImGui::SameLine();
  one_line(explanation);
}

void theorem_line(const Theorem& t) {
  verdict_line("Theorem " + std::to_string(t.number) + (t.holds ? " holds" : " does not hold"), t.holds, t.explanation);
}

std::string guest_modes(const Spec& s) {
  std::string m;
  for (const std::string& g : s.guest_modes) m += (m.empty() ? "" : ", ") + g;
  return m;
}

void guest_condition_line(const Spec& s, const Theorem& t) {
  verdict_line("Guest modes " + guest_modes(s) + (t.holds ? " holds" : " does not hold"), t.holds, t.explanation);
}

// What an instruction does in the guest modes: traps to the VMM everywhere, runs on the guest's
// own state, or touches the machine's (guest-critical).
const char* in_guest(const Spec& s, const Classification& c, const AnalyzerWorkbench& w) {
  if (c.guest_critical.value) return "CRITICAL";
  const Instruction* in = s.find_instruction(c.instruction);
  for (const std::string& g : s.guest_modes)
    if (const Fact* f = in ? applicable_fact(*in, g, w.settings()) : nullptr; f && !f->traps) return "runs directly";
  return "traps";
}

void setting_combo(AnalyzerWorkbench& w, const Setting& s, float width) {
  const std::string current = w.settings().at(s.name);
  const std::string label = s.name + "=" + current;
  ImGui::SetNextItemWidth(width > 0 ? width : ImGui::CalcTextSize(label.c_str()).x + 40);
  if (ImGui::BeginCombo(("##setting-" + s.name).c_str(), label.c_str())) {
    for (const std::string& v : s.values)
      if (ImGui::Selectable((s.name + "=" + v).c_str(), v == current)) w.set_setting(s.name, v);
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered() && !s.description.empty()) ImGui::SetTooltip("%s", s.description.c_str());
}

// The settings changed from their defaults, on one flowing line, and all of them in a popup:
// a description with a dozen settings keeps the instruction table on screen.
void settings_row(AnalyzerWorkbench& w) {
  if (!w.spec() || w.spec()->settings.empty()) return;
  ImGui::TextDisabled("settings:");
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  size_t changed = 0;
  for (const Setting& s : w.spec()->settings) {
    if (w.settings().at(s.name) == s.default_value) continue;
    ++changed;
    const float width = ImGui::CalcTextSize((s.name + "=" + w.settings().at(s.name)).c_str()).x + 40;
    if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width < right) ImGui::SameLine();
    setting_combo(w, s, width);
  }
  const std::string all = changed ? "the other " + std::to_string(w.spec()->settings.size() - changed) + "..."
                                  : "all " + std::to_string(w.spec()->settings.size()) + " at their defaults...";
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(all.c_str()).x + 20 < right)
    ImGui::SameLine();
  if (ImGui::SmallButton(all.c_str())) ImGui::OpenPopup("all settings");
  if (ImGui::BeginPopup("all settings")) {
    float width = 0;
    for (const Setting& s : w.spec()->settings)
      width = std::max(width, ImGui::CalcTextSize((s.name + "=" + s.values.front()).c_str()).x + 60);
    for (const Setting& s : w.spec()->settings) setting_combo(w, s, width);
    ImGui::EndPopup();
  }
}

void instruction_table(AnalyzerWorkbench& w, Panels& p) {
  const Analysis& a = *w.analysis();
  ImGui::Checkbox("critical", &p.analyzer_show_critical);
  ImGui::SameLine();
  ImGui::Checkbox("sensitive, privileged", &p.analyzer_show_sensitive);
  ImGui::SameLine();
  ImGui::Checkbox("innocuous", &p.analyzer_show_innocuous);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  ImGui::InputTextWithHint("##analyzer-filter", "name contains", &p.analyzer_filter);
  ImGui::SameLine();
  ImGui::TextDisabled("double-click one to change its facts");
  const bool guest = !w.spec()->guest_modes.empty();
  if (!ImGui::BeginTable("instructions", guest ? 5 : 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                                                ImGuiTableFlags_SizingStretchProp,
                         ImVec2(0, std::max(ImGui::GetContentRegionAvail().y * 0.55f, ImGui::GetTextLineHeightWithSpacing() * 9))))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("instruction", ImGuiTableColumnFlags_WidthStretch, 3);
  ImGui::TableSetupColumn("class", ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableSetupColumn("sensitive because", ImGuiTableColumnFlags_WidthStretch, 2);
  ImGui::TableSetupColumn("user-sensitive", ImGuiTableColumnFlags_WidthStretch, 1);
  if (guest) ImGui::TableSetupColumn(("in " + guest_modes(*w.spec())).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.5f);
  ImGui::TableHeadersRow();
  for (const Classification& c : a.instructions) {
    const bool critical = c.critical.value, sensitive = c.sensitive.value;
    if ((critical && !p.analyzer_show_critical) || (!critical && sensitive && !p.analyzer_show_sensitive) ||
        (!sensitive && !p.analyzer_show_innocuous))
      continue;
    if (!p.analyzer_filter.empty() && c.instruction.find(p.analyzer_filter) == std::string::npos) continue;
    const ImVec4 colour = critical ? kCritical : sensitive ? kSensitive : c.timing_dependent.value ? kTiming : kInnocuous;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    if (ImGui::Selectable((c.instruction + "##insn").c_str(), p.analyzer_selected == c.instruction,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
      p.analyzer_selected = c.instruction;
      if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) p.analyzer_tab = "Facts";  // change what it does
    }
    ImGui::TableNextColumn();
    std::string cls = critical ? "critical" : sensitive ? (c.privileged.value ? "sensitive, privileged" : "sensitive")
                                                        : (c.privileged.value ? "innocuous, privileged" : "innocuous");
    if (c.timing_dependent.value) cls += ", reads a clock";
    ImGui::TextUnformatted(cls.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(sensitive ? classes_of(c).c_str() : "");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(c.user_sensitive.value ? (c.privileged.value ? "yes (privileged)" : "yes") : "");
    ImGui::PopStyleColor();
    if (guest) {
      ImGui::TableNextColumn();
      const char* what = in_guest(*w.spec(), c, w);
      ImGui::TextColored(c.guest_critical.value ? kCritical : kInnocuous, "%s", what);
    }
  }
  ImGui::EndTable();
}

void explanation(const AnalyzerWorkbench& w, const Panels& p) {
  const Analysis& a = *w.analysis();
  auto it = std::find_if(a.instructions.begin(), a.instructions.end(),
                         [&](const Classification& c) { return c.instruction == p.analyzer_selected; });
  if (it == a.instructions.end()) {
    ImGui::TextDisabled("Select an instruction to see which facts decide each class.");
    return;
  }
  const Classification& c = *it;
  ImGui::Text("%s", c.instruction.c_str());
  if (const Instruction* in = w.spec()->find_instruction(c.instruction); in && !in->summary.empty())
    ImGui::TextDisabled("%s", in->summary.c_str());
  auto row = [](const char* name, const Property& prop) {
    ImGui::TextColored(prop.value ? ImVec4(1, 1, 1, 1) : kInnocuous, "%s %s:", prop.value ? "is" : "not", name);
    ImGui::SameLine();
    ImGui::TextWrapped("%s", prop.why.c_str());
  };
  row("privileged", c.privileged);
  row("control-sensitive", c.control_sensitive);
  row("mode-sensitive", c.mode_sensitive);
  row("location-sensitive", c.location_sensitive);
  row("resource-sensitive", c.resource_sensitive);
  row("critical", c.critical);
  row("user-sensitive", c.user_sensitive);
  row("timing-dependent", c.timing_dependent);
  if (!w.spec()->guest_modes.empty()) row("guest-critical", c.guest_critical);
}

// The structured fact editor: for the selected instruction, per mode, whether it traps and which
// state classes it reads and writes, under the settings above; each click rewrites that fact in
// the description (analyzer/fact_edit.h), and the verdicts above follow.
void fact_editor(DebuggerApp& app, AnalyzerWorkbench& w, Panels& p) {
  const Spec& s = *w.spec();
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x * 0.6f, 30 * ImGui::GetFontSize()));
  if (ImGui::BeginCombo("##fact-instruction", p.analyzer_selected.empty() ? "pick an instruction" : p.analyzer_selected.c_str())) {
    for (const Instruction& in : s.instructions)
      if (ImGui::Selectable(in.name.c_str(), in.name == p.analyzer_selected)) p.analyzer_selected = in.name;
    ImGui::EndCombo();
  }
  const Instruction* in = s.find_instruction(p.analyzer_selected);
  if (!in) {
    ImGui::SameLine();
    ImGui::TextDisabled("the instruction whose facts to change");
    return;
  }
  ImGui::SameLine();
  ImGui::TextDisabled("per mode; a click rewrites its fact");
  static constexpr StateClass kClasses[] = {StateClass::mode,     StateClass::relocation, StateClass::interrupts,
                                            StateClass::control,  StateClass::time,       StateClass::registers,
                                            StateClass::memory,   StateClass::guest};
  // An edit re-parses the description (s, in and the facts go away): it is made after drawing.
  std::function<void()> edit;
  ImGui::BeginChild("facts", ImVec2(0, 0), false);
  for (const std::string& mode : s.modes) {
    const Fact* f = applicable_fact(*in, mode, w.settings());
    if (!f) continue;
    ImGui::PushID(mode.c_str());
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted((mode + (s.is_guest_mode(mode) ? " (guest)" : mode == s.user_mode ? " (user)" : "")).c_str());
    ImGui::SameLine(9 * ImGui::GetFontSize());
    bool traps = f->traps;
    if (ImGui::Checkbox(("traps##traps " + mode).c_str(), &traps))
      edit = [&w, name = in->name, mode, traps] { w.set_traps(name, mode, traps); };
    ImGui::SameLine();
    std::string where = "fact at line " + std::to_string(f->pos.line);
    if (!f->when.empty()) where += ", when " + describe_assignment(f->when);
    if (f->modes.size() != 1) where += " (shared: a change splits it)";
    ImGui::TextDisabled("%s", where.c_str());
    if (!f->traps) {
      for (const bool reads : {true, false}) {
        ImGui::Dummy(ImVec2(2 * ImGui::GetFontSize(), 0));
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(reads ? "reads " : "writes");
        for (const StateClass c : kClasses) {
          if (c == StateClass::guest && s.guest_modes.empty()) continue;
          ImGui::SameLine();
          const std::set<StateClass>& now = reads ? f->reads : f->writes;
          bool on = now.count(c) > 0;
          const std::string label = std::string(state_class_name(c)) + (reads ? "##r " : "##w ") + mode;
          if (ImGui::Checkbox(label.c_str(), &on)) {
            FactChange change{false, f->reads, f->writes};
            std::set<StateClass>& edited = reads ? change.reads : change.writes;
            if (on) edited.insert(c);
            else edited.erase(c);
            edit = [&w, name = in->name, mode, change] { w.set_fact(name, mode, change); };
          }
        }
      }
    }
    ImGui::PopID();
  }
  if (!w.edit_error().empty()) ImGui::TextColored(kCritical, "%s", w.edit_error().c_str());
  if (const std::string quirk = w.quirk_of(in->name); !quirk.empty()) {
    ImGui::Separator();
    ImGui::TextWrapped("vmscope's hart has a teaching quirk for this: %s. See the verdict and the machine together:",
                       quirk.c_str());
    if (ImGui::Button(("Analyze with " + quirk + "=1").c_str())) edit = [&w, quirk] { w.set_setting(quirk, "1"); };
    ImGui::SameLine();
    if (ImGui::Button("Run the guest kernel with it (trap-and-emulate)")) app.run_kernel_with_quirk(quirk);
  }
  ImGui::EndChild();
  if (edit) edit();
}

// Moves the description editor's cursor (and selection) when asked, and reports where it is.
int editor_callback(ImGuiInputTextCallbackData* d) {
  Panels& p = *static_cast<Panels*>(d->UserData);
  if (p.analyzer_goto >= 0) {
    d->SelectionStart = std::min(p.analyzer_goto, d->BufTextLen);  // (a match selected, the cursor at its end)
    d->CursorPos = d->SelectionEnd = std::min(p.analyzer_goto_end >= 0 ? p.analyzer_goto_end : p.analyzer_goto, d->BufTextLen);
    p.analyzer_goto = p.analyzer_goto_end = -1;
  }
  p.analyzer_cursor = d->CursorPos;
  return 0;
}

// The description's text: a gutter of line numbers (error lines marked), find, the cursor's
// line and column, and the editor itself.
void description_editor(AnalyzerWorkbench& w, Panels& p) {
  ImGui::SetNextItemWidth(14 * ImGui::GetFontSize());
  const bool find = ImGui::InputTextWithHint("##find", "find (Enter: next)", &p.analyzer_find,
                                             ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if ((ImGui::SmallButton("Next") || find) && !p.analyzer_find.empty()) {
    const size_t at = find_wrapping(w.text(), p.analyzer_find, static_cast<size_t>(p.analyzer_cursor));
    if (at != std::string::npos) {
      p.analyzer_goto = static_cast<int>(at);
      p.analyzer_goto_end = static_cast<int>(at + p.analyzer_find.size());
    }
  }
  const LineColumn at = line_column_of(w.text(), static_cast<size_t>(p.analyzer_cursor));
  ImGui::SameLine();
  ImGui::TextDisabled("line %d, column %d", at.line, at.column);
  ImGui::SameLine();
  ImGui::TextDisabled("- facts only: change one, the verdict follows");

  const int lines = static_cast<int>(std::count(w.text().begin(), w.text().end(), '\n')) + 1;
  const float gutter = ImGui::CalcTextSize(std::to_string(lines).c_str()).x + ImGui::GetFontSize() * 1.2f;
  const ImVec2 size = ImGui::GetContentRegionAvail();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(origin.x + gutter, origin.y));
  // The editor's own scrolling window (imgui 1.86 names it "parent/label_id"): the gutter follows it.
  const ImGuiID id = ImGui::GetID("##description");
  char child_name[256];
  ImFormatString(child_name, sizeof child_name, "%s/%s_%08X", ImGui::GetCurrentWindow()->Name, "##description", id);
  const ImGuiWindow* child = ImGui::FindWindowByName(child_name);
  // While active, the widget keeps its own copy of the text: a change made elsewhere (the fact
  // editor, revert, another description) deactivates it so that it shows the new text.
  if (w.text() != p.analyzer_editor_text) {
    if (ImGui::GetActiveID() == id) ImGui::ClearActiveID();
    p.analyzer_editor_text = w.text();
  }
  if (p.analyzer_goto >= 0) {  // (the keyboard focus goes only to a widget of the focused window)
    ImGui::SetWindowFocus();
    ImGui::SetKeyboardFocusHere();
  }
  std::string text = w.text();
  const bool changed = ImGui::InputTextMultiline("##description", &text, ImVec2(size.x - gutter, size.y),
                                                 ImGuiInputTextFlags_AllowTabInput | ImGuiInputTextFlags_CallbackAlways,
                                                 editor_callback, &p);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float line_height = ImGui::GetTextLineHeight();
  const float top = origin.y + ImGui::GetStyle().FramePadding.y - (child ? child->Scroll.y : 0);
  draw->PushClipRect(origin, ImVec2(origin.x + gutter, origin.y + size.y), true);
  const int first = std::max(1, static_cast<int>((origin.y - top) / line_height));
  for (int line = first; line <= lines && top + (line - 1) * line_height < origin.y + size.y; ++line) {
    const bool error = std::any_of(w.errors().begin(), w.errors().end(), [&](const SpecError& e) { return e.pos.line == line; });
    const std::string number = std::to_string(line);
    const float x = origin.x + gutter - ImGui::GetFontSize() * 0.6f - ImGui::CalcTextSize(number.c_str()).x;
    draw->AddText(ImVec2(x, top + (line - 1) * line_height), ImGui::GetColorU32(error ? kCritical : kInnocuous), number.c_str());
    if (error) draw->AddText(ImVec2(origin.x, top + (line - 1) * line_height), ImGui::GetColorU32(kCritical), "!");
  }
  draw->PopClipRect();
  if (changed) {
    w.set_text(std::move(text));
    p.analyzer_editor_text = w.text();
  }
}

void oracle_view(AnalyzerWorkbench& w) {
  if (!w.has_oracle()) {
    ImGui::TextWrapped("This description has no executing oracle: only descriptions of vmscope's own hart "
                       "(oracle = \"rv32\", or \"rv32h\" with the hypervisor extension) can be checked against a machine.");
    return;
  }
  if (w.oracle_running()) {  // a slice a frame: the page never freezes
    w.step_oracle(250);
    ImGui::ProgressBar(static_cast<float>(w.oracle_progress()), ImVec2(16 * ImGui::GetFontSize(), 0), "running the forms...");
  } else if (ImGui::Button("Run every form on the hart")) {
    w.start_oracle();
  }
  ImGui::SameLine();
  std::string modes;
  for (const std::string& m : w.spec()->modes) modes += (modes.empty() ? "" : ", ") + m;
  ImGui::TextDisabled("every instruction form and CSR number, in %s, in pairs of states", modes.c_str());
  if (!w.oracle()) return;
  const OracleReport& r = *w.oracle();
  ImGui::Text("%zu forms in %zu runs on %s", r.forms, r.runs, r.machine.c_str());
  ImGui::TextDisabled("coverage: %zu of the %zu encodings of isa-specs/rv32.opcodes exercised", r.encodings_run, r.encodings);
  std::string critical;
  for (const std::string& c : r.critical) critical += (critical.empty() ? "" : ", ") + c;
  ImGui::Text("critical on the hart: %s", critical.empty() ? "none" : critical.c_str());
  if (!w.spec()->guest_modes.empty()) {
    std::string guest;
    for (const std::string& c : r.guest_critical) guest += (guest.empty() ? "" : ", ") + c;
    ImGui::Text("guest-critical on the hart: %s", guest.empty() ? "none" : guest.c_str());
  }
  if (!r.timing_dependent.empty()) {
    std::string timing;
    for (const std::string& c : r.timing_dependent) timing += (timing.empty() ? "" : ", ") + c;
    ImGui::TextColored(kTiming, "timing-dependent on the hart (a clock read in %s): %s", w.spec()->user_mode.c_str(),
                       timing.c_str());
  }
  if (r.disagreements.empty()) {
    ImGui::TextColored(kHolds, "The description agrees with the hart.");
    return;
  }
  ImGui::TextColored(kCritical, "%zu disagreement%s:", r.disagreements.size(), r.disagreements.size() == 1 ? "" : "s");
  ImGui::BeginChild("disagreements");
  for (const Disagreement& d : r.disagreements)
    ImGui::TextWrapped("%s%s%s, %s: the description says it %s; the hart %s", d.instruction.c_str(),
                       d.form.empty() ? "" : " [", d.form.empty() ? "" : (d.form + "]").c_str(), d.property.c_str(),
                       d.description.c_str(), d.hart.c_str());
  ImGui::EndChild();
}
}  // namespace

void draw_analyzer(DebuggerApp& app, Panels& p) {
  if (!p.begin(Panel::analyzer)) return;
  AnalyzerWorkbench& w = p.workbench;
  const auto& specs = w.specs();
  ImGui::Text("%s", specs.empty() ? "" : std::string(specs[w.chosen()].file).c_str());
  ImGui::SameLine();
  if (ImGui::SmallButton("Other description...")) ImGui::OpenPopup("descriptions");
  ImGui::SameLine();
  bool edit = ImGui::SmallButton("Edit...");  // opens the Description tab
  if (ImGui::BeginPopup("descriptions")) {
    for (size_t i = 0; i < specs.size(); ++i)
      if (ImGui::Selectable(std::string(specs[i].file).c_str(), i == w.chosen())) w.choose(i);
    ImGui::EndPopup();
  }
  if (w.edited()) {
    ImGui::SameLine();
    if (ImGui::SmallButton("revert")) w.choose(w.chosen());
  }
  ImGui::SameLine();
  if (w.spec())
    one_line(w.spec()->name + " (user mode " + w.spec()->user_mode + ", supervisor mode " + w.spec()->supervisor_mode +
                 (w.spec()->guest_modes.empty() ? "" : ", guest modes " + guest_modes(*w.spec())) + ")" +
                 (w.edited() ? ", edited" : ""),
             true);
  if (!w.errors().empty()) {  // each one a link to its line and column in the Description tab
    ImGui::PushStyleColor(ImGuiCol_Text, kCritical);
    for (size_t i = 0; i < w.errors().size(); ++i) {
      const SpecError& e = w.errors()[i];
      if (ImGui::Selectable((e.str() + "##error" + std::to_string(i)).c_str())) {
        p.analyzer_tab = "Description";
        p.analyzer_goto = static_cast<int>(offset_of(w.text(), e.pos.line, e.pos.column));
      }
    }
    ImGui::PopStyleColor();
  } else if (w.analysis()) {
    theorem_line(w.analysis()->theorem1);
    theorem_line(w.analysis()->theorem2);
    theorem_line(w.analysis()->theorem3);
    if (w.analysis()->guest_condition) guest_condition_line(*w.spec(), *w.analysis()->guest_condition);
    settings_row(w);
  }
  ImGui::Separator();
  if (ImGui::BeginTabBar("analyzer")) {
    const bool other_description = p.analyzer_shown != w.chosen();
    p.analyzer_shown = w.chosen();
    if (edit) p.analyzer_tab = "Description";
    if (other_description && p.analyzer_tab.empty()) p.analyzer_tab = "Instructions";  // another one opens on its instructions
    const std::string requested = std::exchange(p.analyzer_tab, std::string());
    const auto select = [&](const char* tab) { return requested == tab ? ImGuiTabItemFlags_SetSelected : 0; };
    if (ImGui::BeginTabItem("Instructions", nullptr, select("Instructions"))) {
      if (w.analysis()) {
        instruction_table(w, p);
        explanation(w, p);
      } else {
        ImGui::TextDisabled("The description has errors: see above, and fix them in the Description tab.");
      }
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Facts", nullptr, select("Facts"))) {
      if (w.spec()) fact_editor(app, w, p);
      else ImGui::TextDisabled("The description has errors: see above, and fix them in the Description tab.");
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Description", nullptr, select("Description"))) {
      description_editor(w, p);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Oracle", nullptr, select("Oracle"))) {
      oracle_view(w);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace vmscope::ui
