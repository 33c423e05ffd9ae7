// The font atlas and the style, rebuilt when the text size or the screen changes.
#include "appearance.h"

#include <imgui.h>
#include <imgui_internal.h>  // MarkIniSettingsDirty

#include <algorithm>
#include <cmath>

namespace vmscope::ui {

void Appearance::set(UiSettings s) {
  s.font_size = std::clamp(std::round(s.font_size), UiSettings::kMinSize, UiSettings::kMaxSize);
  if (s == settings_) return;
  settings_ = s;
  if (ImGui::GetCurrentContext()) ImGui::MarkIniSettingsDirty();
}

bool Appearance::apply(float zoom, float raster_scale) {
  if (applied_ && applied_settings_ == settings_ && applied_zoom_ == zoom && applied_raster_ == raster_scale) return false;
  const float size = std::round(settings_.effective_size() * zoom);
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.OversampleH = 2;
  if (!ttf_.empty()) {
    config.FontDataOwnedByAtlas = false;  // the bytes stay ours
    io.Fonts->AddFontFromMemoryTTF(ttf_.data(), static_cast<int>(ttf_.size()), size * raster_scale, &config);
  } else {
    config.SizePixels = std::round(size * raster_scale);
    io.Fonts->AddFontDefault(&config);
  }
  io.FontGlobalScale = 1.0f / raster_scale;
  // The style: Dear ImGui's dark one, with grey text made readable from the back of a room and
  // sizes that grow with the text.
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  ImVec4* c = style.Colors;
  c[ImGuiCol_TextDisabled] = ImVec4(0.68f, 0.68f, 0.72f, 1.0f);
  c[ImGuiCol_WindowBg] = ImVec4(0.07f, 0.07f, 0.09f, 1.0f);
  c[ImGuiCol_TextSelectedBg] = ImVec4(0.26f, 0.59f, 0.98f, 0.55f);
  if (settings_.projector) {
    c[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.82f, 0.82f, 0.86f, 1.0f);
    c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_Border] = ImVec4(0.6f, 0.6f, 0.7f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.22f, 0.34f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.2f, 0.42f, 0.78f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.18f, 0.4f, 0.75f, 1.0f);
    c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = ImVec4(0.12f, 0.25f, 0.5f, 1.0f);
  }
  style.ScaleAllSizes(std::max(1.0f, size / 16.0f));
  ImGui::GetStyle() = style;
  applied_ = true;
  applied_settings_ = settings_;
  applied_zoom_ = zoom;
  applied_raster_ = raster_scale;
  return true;
}

}  // namespace vmscope::ui
