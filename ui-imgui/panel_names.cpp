// The panels' titles.
#include "panel_names.h"

namespace vmscope::ui {

namespace {
const PanelSpec kSpecs[kPanelCount] = {
    {"Control", false},   {"Lesson", true},     {"Programs", true},   {"Breakpoints", true}, {"Disassembly", true},
    {"Registers", true},  {"MMU", true},        {"Console", true},    {"Memory", true},      {"Statistics", true},
    {"Timeline", true},   {"Monitor", true},    {"Code cache", true}, {"Analyzer", true},    {"Compare", true},
    {"Migration", true},  {"Balloon", true},    {"Devices", true},     {"System calls", true},
};
}  // namespace

const PanelSpec& panel_spec(Panel p) { return kSpecs[static_cast<size_t>(p)]; }

std::optional<Panel> panel_by_title(std::string_view title) {
  for (size_t i = 0; i < kPanelCount; ++i)
    if (title == kSpecs[i].title) return static_cast<Panel>(i);
  return std::nullopt;
}

}  // namespace vmscope::ui
