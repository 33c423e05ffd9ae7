// Memory as hex and ASCII, by host-physical, virtual or (under the monitor) guest-physical
// address, read without side effects; clicking a byte edits it through the debugger's write path.
#include <imgui.h>

#include <cstdio>
#include <cstdlib>

#include "panels.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {
enum View : int { kHostPhysical = 0, kVirtual = 1, kGuestPhysical = 2 };

// Reads one byte the way the panel shows it: no TLB fill, no device side effect. Virtual
// addresses go through the hart's translation (under the monitor: the shadow tables, else the
// guest's own); guest-physical ones through the monitor's map of the guest's RAM.
bool peek_byte(const Machine& m, uint32_t address, int view, uint8_t& out, uint32_t* paddr_out = nullptr) {
  uint32_t paddr = address;
  if (view == kVirtual) {
    const Hart& h = m.hart();
    const auto t = h.debug_translate(address, AccessType::load, h.priv());
    if (!t.ok) return false;
    paddr = t.paddr;
  } else if (view == kGuestPhysical) {
    const Monitor* mon = m.monitor();
    if (!mon || !mon->guest_memory().to_host(address, paddr)) return false;
    paddr |= address & 0xfff;
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
  // A new machine: under the monitor, the guest's view first (its RAM where it believes it is).
  if (p.memory_machine != m) {
    p.memory_machine = m;
    p.memory_view = m->monitor() ? kGuestPhysical : kHostPhysical;
    p.memory_address = m->monitor() ? m->monitor()->guest_memory().ram_base() : m->bus().ram_base();
  }
  if (!m->monitor() && p.memory_view == kGuestPhysical) p.memory_view = kHostPhysical;
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("0x00000000__").x);
  if (ImGui::InputTextWithHint("##addr", "address or symbol", p.memory_goto, sizeof p.memory_goto,
                               ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (const auto a = parse_address(s, p.memory_goto)) p.memory_address = *a & ~15u;
  }
  ImGui::SameLine();
  static const char* kViews[] = {"host-physical", "virtual", "guest-physical"};
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("guest-physical__").x + ImGui::GetFrameHeight());
  ImGui::Combo("##view", &p.memory_view, kViews, m->monitor() ? 3 : 2);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(m->monitor() ? "host-physical: the board's RAM (the monitor's own memory first)\n"
                                     "virtual: through the hart's translation (the shadow tables, else the guest's)\n"
                                     "guest-physical: the guest's RAM where the guest believes it is"
                                   : "host-physical: the board's RAM\nvirtual: through the current page table");
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
      const bool ok = peek_byte(*m, row + i, p.memory_view, b, &paddr);
      ascii[i] = ok && b >= 32 && b < 127 ? static_cast<char>(b) : '.';
      char cell[8];
      std::snprintf(cell, sizeof cell, ok ? "%02x" : "??", b);
      ImGui::PushID(static_cast<int>(row + i));
      ImGui::TextUnformatted(cell);
      if (ok && ImGui::IsItemClicked()) ImGui::OpenPopup("edit");
      if (ImGui::BeginPopup("edit")) {
        static char value[8];
        ImGui::Text("byte at 0x%08x (host-physical 0x%08x)", row + i, paddr);
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
