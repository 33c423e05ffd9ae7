// Memory as hex and ASCII, by physical or virtual address (virtual through a page walk without
// side effects); clicking a byte edits it through the debugger's write path.
#include <imgui.h>

#include <cstdio>
#include <cstdlib>

#include "panels.h"

namespace vmscope::ui {

namespace {
// Reads one byte the way the panel shows it: no TLB fill, no device side effect.
bool peek_byte(const Machine& m, uint32_t address, bool virt, uint8_t& out, uint32_t* paddr_out = nullptr) {
  uint32_t paddr = address;
  if (virt) {
    const Hart& h = m.hart();
    const auto t = h.debug_translate(address, AccessType::load, h.priv());
    if (!t.ok) return false;
    paddr = t.paddr;
  }
  uint64_t v;
  if (!m.bus().peek(paddr, 1, v)) return false;
  out = static_cast<uint8_t>(v);
  if (paddr_out) *paddr_out = paddr;
  return true;
}
}  // namespace

void draw_memory(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::memory)) return;
  Machine* m = s.machine();
  if (!m) {
    ImGui::End();
    return;
  }
  if (p.memory_address == 0) p.memory_address = m->bus().ram_base();
  ImGui::SetNextItemWidth(140);
  if (ImGui::InputTextWithHint("##addr", "address or symbol", p.memory_goto, sizeof p.memory_goto,
                               ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (const auto a = parse_address(s, p.memory_goto)) p.memory_address = *a & ~15u;
  }
  ImGui::SameLine();
  ImGui::Checkbox("virtual", &p.memory_virtual);
  ImGui::SameLine();
  if (ImGui::SmallButton("-")) p.memory_address -= 256;
  ImGui::SameLine();
  if (ImGui::SmallButton("+")) p.memory_address += 256;

  const float line_height = ImGui::GetTextLineHeightWithSpacing();
  const int rows = std::max(4, static_cast<int>(ImGui::GetContentRegionAvail().y / line_height) - 1);
  ImGui::BeginChild("bytes");
  for (int r = 0; r < rows; ++r) {
    const uint32_t row = p.memory_address + static_cast<uint32_t>(r) * 16;
    ImGui::Text("%08x:", row);
    char ascii[17] = {};
    for (unsigned i = 0; i < 16; ++i) {
      ImGui::SameLine(0, i == 8 ? 10 : 4);
      uint8_t b;
      uint32_t paddr;
      const bool ok = peek_byte(*m, row + i, p.memory_virtual, b, &paddr);
      ascii[i] = ok && b >= 32 && b < 127 ? static_cast<char>(b) : '.';
      char cell[8];
      std::snprintf(cell, sizeof cell, ok ? "%02x" : "??", b);
      ImGui::PushID(static_cast<int>(row + i));
      ImGui::TextUnformatted(cell);
      if (ok && ImGui::IsItemClicked()) ImGui::OpenPopup("edit");
      if (ImGui::BeginPopup("edit")) {
        static char value[8];
        ImGui::Text("byte at 0x%08x (physical 0x%08x)", row + i, paddr);
        ImGui::SetNextItemWidth(60);
        if (ImGui::IsWindowAppearing()) {
          std::snprintf(value, sizeof value, "%02x", b);
          ImGui::SetKeyboardFocusHere();
        }
        if (ImGui::InputText("hex", value, sizeof value, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CharsHexadecimal)) {
          const uint8_t nb = static_cast<uint8_t>(std::strtoul(value, nullptr, 16));
          m->bus().write_bytes(paddr, std::span(&nb, 1));  // keeps decoded code coherent
          ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
      }
      ImGui::PopID();
    }
    ImGui::SameLine(0, 10);
    ImGui::TextUnformatted(ascii);
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vmscope::ui
