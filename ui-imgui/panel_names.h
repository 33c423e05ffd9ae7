// The debugger's panels by identity and title (shared by the layout, lessons and tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vmscope::ui {

enum class Panel : uint8_t {
  control, lesson, programs, breakpoints, disassembly, registers, mmu, console, memory, statistics, timeline,
  monitor, code_cache, analyzer, compare, migration, balloon, devices, syscalls, count
};
inline constexpr size_t kPanelCount = static_cast<size_t>(Panel::count);

struct PanelSpec {
  const char* title;  // the window's name (tests and lessons find panels by it)
  bool closable;      // can be closed (and reopened from the View menu)
};
const PanelSpec& panel_spec(Panel p);
std::optional<Panel> panel_by_title(std::string_view title);

}  // namespace vmscope::ui
