// Where every panel goes: the debugger's windows tile the screen (no two overlap, none leaves
// it), recomputed every frame from the display's size and the font, so that a 1280x720
// projector and a 4K desktop both get a usable screen. Panels that share a place become tabs.
// Dear ImGui 1.86 has no docking: this is the small part of it the debugger needs.
#pragma once

#include <imgui.h>
#include <imgui_internal.h>  // ImRect

#include <array>
#include <cstdint>
#include <vector>

#include "panel_names.h"

namespace vmscope::ui {

class Layout {
 public:
  // Lays out the open panels in the work area (below the menu bar). `available[p]` says whether
  // panel p has something to show at all (the Monitor only for a supervisor kernel).
  void arrange(const std::array<bool, kPanelCount>& open, const std::array<bool, kPanelCount>& available,
               ImVec2 origin, ImVec2 size, bool embed);
  // Draws the tab strips of places that hold several panels (before the panels).
  void draw_tabs();
  // Positions the panel's window and begins it; false when it is not shown this frame (closed, or
  // a tab behind another): then nothing must be drawn and End() must not be called. `open`
  // gets the close button's answer for closable panels.
  bool begin(Panel p, bool* open, ImGuiWindowFlags extra = 0);
  // Brings a panel to the front of its place (its tab selected), and marks it for attention
  // (a bright frame) when `highlight` is set.
  void bring_forward(Panel p) { want_front_[static_cast<size_t>(p)] = true; }
  void set_highlight(Panel p, bool on) { highlight_[static_cast<size_t>(p)] = on; }
  void clear_highlights() { highlight_.fill(false); }
  bool highlighted(Panel p) const { return highlight_[static_cast<size_t>(p)]; }

 private:
  struct Place {
    ImRect rect;
    std::vector<Panel> panels;  // the open panels placed here, in tab order
    Panel front = Panel::count;  // the tab shown
  };
  void put(Place& place, Panel p) { place.panels.push_back(p); }
  std::vector<Place> places_;
  std::array<ImRect, kPanelCount> rect_{};
  std::array<bool, kPanelCount> shown_{};
  std::array<bool, kPanelCount> highlight_{};
  std::array<bool, kPanelCount> tabbed_{};  // shown under a tab strip
  std::array<Panel, 16> front_{};  // per place index: the tab last shown
  std::array<bool, kPanelCount> want_front_{};
  std::array<bool, kPanelCount> was_open_{};
  float tab_height_ = 0;
};

}  // namespace vmscope::ui
