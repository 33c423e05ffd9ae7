// How the debugger looks: its font (DejaVu Sans Mono, from Debian's fonts-dejavu-core) at a
// chosen size, a projector preset (larger text, higher contrast), and the panels left open —
// kept in Dear ImGui's settings (imgui.ini natively, localStorage in the browser), so they
// survive a restart or a reload.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace vmscope::ui {

struct UiSettings {
  float font_size = 16;    // pixels (CSS pixels in the browser), before the screen's zoom
  bool projector = false;  // larger text and higher contrast, for a lecture hall
  static constexpr float kMinSize = 10, kMaxSize = 40, kProjectorSize = 26;
  float effective_size() const { return projector && font_size < kProjectorSize ? kProjectorSize : font_size; }
  bool operator==(const UiSettings&) const = default;
};

class Appearance {
 public:
  // The TTF bytes (kept: the atlas reads them whenever it is rebuilt). Empty: Dear ImGui's own
  // bitmap font, scaled.
  void set_font(std::vector<uint8_t> ttf) {
    ttf_ = std::move(ttf);
    applied_ = false;
  }
  const UiSettings& settings() const { return settings_; }
  void set(UiSettings s);  // clamped; marks Dear ImGui's settings for saving
  // Rebuilds the font atlas and the style if the settings, the zoom (a screen's content scale,
  // natively) or the raster scale (the device pixel ratio, in the browser) changed. Call before
  // ImGui::NewFrame; true when the renderer must remake its font texture.
  bool apply(float zoom, float raster_scale);

 private:
  std::vector<uint8_t> ttf_;
  UiSettings settings_;
  bool applied_ = false;
  UiSettings applied_settings_;
  float applied_zoom_ = 0, applied_raster_ = 0;
};

}  // namespace vmscope::ui
