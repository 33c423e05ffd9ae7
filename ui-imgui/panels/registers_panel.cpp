// Registers and CSRs, with what the last step (or frame) changed highlighted.
#include <imgui.h>

#include "isa/isa_table.h"
#include "panels.h"

namespace vmscope::ui {

namespace {
const ImVec4 kChanged(1.0f, 0.85f, 0.3f, 1.0f);

void value_text(uint32_t v, int format) {
  if (format == 0)
    ImGui::Text("0x%08x", v);
  else
    ImGui::Text("%d", static_cast<int32_t>(v));
}
}  // namespace

void draw_registers(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::registers)) return;
  const Machine* m = s.machine();
  if (!m) {
    ImGui::End();
    return;
  }
  const Hart& h = m->hart();
  ImGui::RadioButton("hex", &p.register_format, 0);
  ImGui::SameLine();
  ImGui::RadioButton("decimal", &p.register_format, 1);
  ImGui::SameLine();
  ImGui::Checkbox("ABI names", &p.abi_names);
  ImGui::Text("pc   0x%08x   %s-mode", h.pc(), to_string(h.priv()));

  if (ImGui::BeginTable("gprs", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
    for (unsigned r = 0; r < 32; ++r) {
      if (r % 2 == 0) ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (p.abi_names)
        ImGui::TextUnformatted(isa::kAbiRegisterNames[r]);
      else
        ImGui::Text("x%u", r);
      ImGui::TableNextColumn();
      const bool changed = h.reg(r) != s.previous_registers()[r];
      if (changed) ImGui::PushStyleColor(ImGuiCol_Text, kChanged);
      value_text(h.reg(r), p.register_format);
      if (changed) ImGui::PopStyleColor();
    }
    ImGui::EndTable();
  }

  if (ImGui::CollapsingHeader("CSRs", ImGuiTreeNodeFlags_DefaultOpen)) {
    static constexpr uint16_t kShown[] = {0x300, 0x301, 0x302, 0x303, 0x304, 0x344, 0x305, 0x341, 0x342, 0x343,
                                          0x340, 0x306, 0x100, 0x104, 0x144, 0x105, 0x141, 0x142, 0x143,
                                          0x140, 0x106, 0x180, 0xb00, 0xb02, 0xc01};
    if (ImGui::BeginTable("csrs", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
      for (uint16_t n : kShown) {
        uint32_t v = 0;
        if (!h.debug_read_csr(n, v)) continue;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(isa::csr_name(n));
        ImGui::TableNextColumn();
        ImGui::Text("0x%08x", v);
      }
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted("mtimecmp");
      ImGui::TableNextColumn();
      ImGui::Text("0x%016llx", static_cast<unsigned long long>(h.mtimecmp()));
      ImGui::EndTable();
    }
  }
  ImGui::End();
}

}  // namespace vmscope::ui
