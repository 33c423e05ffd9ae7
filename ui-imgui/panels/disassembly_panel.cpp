// Disassembly around the pc (or the cursor), with symbols, breakpoints in the left margin and
// a box to go to an address or symbol. Instruction bytes come from side-effect-free fetches.
#include <imgui.h>

#include <algorithm>
#include <vector>

#include "isa/disassembler.h"
#include "isa/isa_table.h"
#include "panels.h"

namespace vmscope::ui {

namespace {
// Where to start listing so that `anchor` lands on an instruction boundary a few lines down.
// With compressed code, decoding must start on a real boundary: walk from the enclosing symbol
// (a function's first instruction) when it is near; otherwise try starting points before the
// anchor and keep the first whose walk reaches it exactly.
uint32_t listing_start(const Machine& m, uint32_t anchor, unsigned lines_before) {
  const Hart& h = m.hart();
  uint32_t offset = 0;
  const ElfSymbol* sym = m.symbols().lookup(anchor, &offset);
  if (sym && offset <= 8192) {
    std::vector<uint32_t> boundaries;
    for (uint32_t a = sym->value; a < anchor; a += isa::instruction_length(h.instruction_bits(a)))
      boundaries.push_back(a);
    if (boundaries.empty() || boundaries.back() + isa::instruction_length(h.instruction_bits(boundaries.back())) == anchor)
      return boundaries.size() > lines_before ? boundaries[boundaries.size() - lines_before] :
             boundaries.empty() ? anchor : boundaries.front();
  }
  for (uint32_t back = 4 * lines_before; back >= 2; back -= 2) {
    uint32_t a = anchor - back;
    for (int guard = 0; a < anchor && guard < 64; ++guard) a += isa::instruction_length(h.instruction_bits(a));
    if (a == anchor) return anchor - back;
  }
  return anchor;
}
}  // namespace

void draw_disassembly(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::disassembly)) return;
  const Machine* m = s.machine();
  if (!m) {
    ImGui::End();
    return;
  }
  const Hart& h = m->hart();
  if (p.namer_machine != m) {
    p.namer = std::make_shared<SymbolNamer>(m->image());
    p.namer_machine = m;
  }
  ImGui::Checkbox("follow pc", &p.follow_pc);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  bool go = ImGui::InputTextWithHint("##goto", "address or symbol", p.goto_text, sizeof p.goto_text,
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  go |= ImGui::Button("Go");
  if (go) {
    if (const auto a = parse_address(s, p.goto_text)) {
      p.disasm_cursor = *a & ~1u;
      p.disasm_cursor_set = true;
      p.follow_pc = false;
    }
  }

  const uint32_t anchor = p.follow_pc || !p.disasm_cursor_set ? h.pc() : p.disasm_cursor;
  const float line_height = ImGui::GetTextLineHeightWithSpacing();
  const int lines = std::max(8, static_cast<int>(ImGui::GetContentRegionAvail().y / line_height) - 1);
  uint32_t a = listing_start(*m, anchor, static_cast<unsigned>(lines / 3));
  isa::Disassembler dis([&](uint32_t x) { return (*p.namer)(x); });
  const auto& bps = s.breakpoints();

  ImGui::BeginChild("listing");
  for (int i = 0; i < lines; ++i) {
    uint32_t offset = 1;
    const ElfSymbol* label = m->symbols().lookup(a, &offset);
    if (label && offset == 0) ImGui::TextColored(ImVec4(0.5f, 0.8f, 1.0f, 1.0f), "%s:", label->name.c_str());
    const uint32_t word = h.instruction_bits(a);
    const unsigned len = isa::instruction_length(word);
    const bool is_bp = std::find(bps.begin(), bps.end(), a) != bps.end();
    const bool is_pc = a == h.pc();
    const bool is_cursor = p.disasm_cursor_set && a == p.disasm_cursor;
    ImGui::PushID(static_cast<int>(a));
    // The margin: a breakpoint dot; clicking it toggles the breakpoint.
    ImGui::PushStyleColor(ImGuiCol_Text, is_bp ? ImVec4(1, 0.25f, 0.25f, 1) : ImVec4(0.4f, 0.4f, 0.4f, 1));
    if (ImGui::SmallButton(is_bp ? "o" : " ")) s.toggle_breakpoint(a);
    ImGui::PopStyleColor();
    ImGui::SameLine();
    char text[160];
    const std::string insn = dis.disassemble(a, word);
    if (len == 4)
      std::snprintf(text, sizeof text, "%s %08x:  %08x  %s", is_pc ? ">" : " ", a, word, insn.c_str());
    else
      std::snprintf(text, sizeof text, "%s %08x:  %04x      %s", is_pc ? ">" : " ", a, word & 0xffff, insn.c_str());
    for (char* c = text; *c; ++c)
      if (*c == '\t') *c = ' ';
    if (is_pc) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.4f, 1.0f, 0.4f, 1.0f));
    if (ImGui::Selectable(text, is_cursor)) {
      p.disasm_cursor = a;
      p.disasm_cursor_set = true;
      p.follow_pc = false;
    }
    if (is_pc) ImGui::PopStyleColor();
    ImGui::PopID();
    a += len;
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vmscope::ui
