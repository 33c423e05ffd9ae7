// Ballooning (devices/virtio_balloon.h): the host's request, what the guest's driver gave, the
// host memory that backs the guest's RAM (and, natively, what the host OS really holds), the
// balloon over the run as a plot, and a map of guest RAM page by page.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "panels.h"
#include "vmm/monitor.h"

namespace vmscope::ui {

namespace {

const ImU32 kBallooned = IM_COL32(255, 150, 60, 255), kInUse = IM_COL32(90, 160, 255, 255),
            kUntouched = IM_COL32(45, 48, 58, 255);
const ImVec4 kGood(0.4f, 0.85f, 0.5f, 1), kBusy(1.0f, 0.8f, 0.35f, 1);
constexpr uint32_t kRegion = 0x400000;  // the map shows 4 MiB at a time (one Sv32 superpage)

unsigned long long u(uint64_t v) { return static_cast<unsigned long long>(v); }
double mib(uint64_t pages) { return static_cast<double>(pages) / 256.0; }

// Where guest RAM sits in the host's (under a monitor: after the monitor's own memory).
uint32_t guest_host_base(const Machine& m) {
  return m.bus().ram_base() + (m.monitor() ? m.monitor()->guest_memory().offset() : 0);
}
uint32_t guest_pages(const Machine& m) {
  return (m.monitor() ? m.monitor()->guest_memory().ram_size() : m.bus().ram_size()) >> 12;
}

// The host's reclaimed pages over the run so far: a step line from the timeline's balloon events.
void plot(const DebugSession& s, uint32_t most) {
  const TimeMachine* t = s.time();
  ImGui::TextDisabled("Pages reclaimed, from instruction 0 to %llu (now):", u(t ? t->position() : 0));
  const float line = ImGui::GetTextLineHeight();
  const float label_w = ImGui::CalcTextSize("1024").x + 6;
  const float w = ImGui::GetContentRegionAvail().x - label_w, h = line * 2.5f;
  const uint64_t now = std::max<uint64_t>(t ? t->position() : 0, 1);
  const float top = static_cast<float>(std::max(most, 1u));
  ImDrawList* d = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos(), p0(o.x + label_w, o.y);
  d->AddRectFilled(p0, ImVec2(p0.x + w, p0.y + h), IM_COL32(30, 32, 40, 255));
  char text[16];
  std::snprintf(text, sizeof text, "%u", most);
  d->AddText(ImVec2(o.x, p0.y), IM_COL32(160, 160, 170, 255), text);
  d->AddText(ImVec2(o.x, p0.y + h - line), IM_COL32(160, 160, 170, 255), "0");
  const auto x_of = [&](uint64_t position) { return p0.x + w * static_cast<float>(std::min(position, now)) / static_cast<float>(now); };
  const auto y_of = [&](uint32_t pages) { return p0.y + h - h * static_cast<float>(pages) / top; };
  float x = p0.x;
  uint32_t level = 0;
  if (t)
    for (const Event& e : t->timeline()) {
      if (e.kind != EventKind::balloon || e.position > now) continue;
      const float xe = x_of(e.position);
      d->AddLine(ImVec2(x, y_of(level)), ImVec2(xe, y_of(level)), kBallooned, 2);
      d->AddLine(ImVec2(xe, y_of(level)), ImVec2(xe, y_of(e.value)), kBallooned, 2);
      x = xe;
      level = e.value;
    }
  d->AddLine(ImVec2(x, y_of(level)), ImVec2(p0.x + w, y_of(level)), kBallooned, 2);
  ImGui::Dummy(ImVec2(label_w + w, h + 2));
}

// 4 MiB of guest RAM, a cell per page: given to the balloon, holding host memory, or (natively,
// as the host OS says) never touched and costing nothing yet.
void ram_map(const Machine& m, int region, bool measured) {
  const Bus& bus = m.bus();
  const uint32_t base = guest_host_base(m) + static_cast<uint32_t>(region) * kRegion;
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = std::max(ImGui::GetContentRegionAvail().y - 4, ImGui::GetTextLineHeight() * 8);
  const float cell = std::max(3.0f, std::floor(std::min(width, height) / 32));
  ImDrawList* d = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const std::vector<bool> resident = measured ? bus.resident_map(base, 1024 * 4096) : std::vector<bool>{};
  for (uint32_t i = 0; i < 1024; ++i) {
    const uint32_t page = base + i * 4096;
    const ImU32 colour = bus.reclaimed(page) ? kBallooned
                         : !measured || (i < resident.size() && resident[i]) ? kInUse
                                                                        : kUntouched;
    const float x = o.x + cell * static_cast<float>(i % 32), y = o.y + cell * static_cast<float>(i / 32);
    d->AddRectFilled(ImVec2(x, y), ImVec2(x + cell - (cell > 4 ? 1 : 0), y + cell - (cell > 4 ? 1 : 0)), colour);
  }
  ImGui::Dummy(ImVec2(cell * 32, cell * 32 + 2));
}

}  // namespace

void draw_balloon(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::balloon)) return;
  VmSettings v = s.vm_settings();
  if (ImGui::Checkbox("a virtio-balloon on the board (virtio-mmio slot 1, 0x10002000)", &v.balloon)) s.set_vm_settings(v);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Adding or removing the device restarts the kernel.");
  const Machine* m = s.machine();
  if (!m || !m->balloon()) {
    ImGui::TextWrapped("Without a balloon the host cannot ask the guest for memory back. It could take pages behind "
                       "the guest's back (swap them out), but it cannot know which ones the guest no longer needs. "
                       "With a balloon, a driver in the guest kernel gives the host free pages when asked, and "
                       "takes them back later.");
    ImGui::End();
    return;
  }
  const VirtioBalloon& b = *m->balloon();
  const Bus& bus = m->bus();
  if (b.target() != static_cast<uint32_t>(p.balloon_seen_target)) {  // set elsewhere (a lesson, a script): follow it
    p.balloon_seen_target = static_cast<int>(b.target());
    p.balloon_request = p.balloon_seen_target;
  }
  // Left: the request, what the guest did, the host's memory, the plot; right: the map.
  if (!ImGui::BeginTable("balloon", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    ImGui::End();
    return;
  }
  ImGui::TableSetupColumn("left", ImGuiTableColumnFlags_WidthStretch, 1.6f);
  ImGui::TableSetupColumn("right", ImGuiTableColumnFlags_WidthStretch, 1);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();

  // The host's request.
  ImGui::TextUnformatted("The host asks for");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("0000 pages (0000 KiB)").x + ImGui::GetFrameHeight() * 2);
  char format[40];
  std::snprintf(format, sizeof format, "%%d pages (%d KiB)", p.balloon_request * 4);
  ImGui::SliderInt("##request", &p.balloon_request, 0, 1024, format, ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  if (ImGui::Button("Ask")) s.set_balloon_target(static_cast<uint32_t>(p.balloon_request));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Sets the balloon's target (num_pages) and raises its configuration interrupt. The kernel's\n"
                      "driver looks on its timer ticks and gives free pages, at most 256 a tick, keeping 128 free.");
  ImGui::SameLine();
  if (ImGui::Button("None")) {
    p.balloon_request = 0;
    s.set_balloon_target(0);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The host gives every page back: the balloon deflates.");

  // What the guest did.
  if (b.actual() == b.target())
    ImGui::TextColored(kGood, "The balloon holds %u pages (%u KiB): what the host asked for.", b.actual(), b.actual() * 4);
  else
    ImGui::TextColored(kBusy, "Asked for %u pages; the guest's driver says the balloon holds %u.", b.target(), b.actual());
  if (b.actual() != b.target() && ImGui::IsItemHovered())
    ImGui::SetTooltip("The driver moves on the kernel's timer ticks, at most 256 pages a tick, and always leaves\n"
                      "128 pages free for processes: it may stay short of the target, as Linux's driver may.");
  ImGui::TextDisabled("%llu pages given, %llu taken back, in %llu requests%s", u(b.counts().inflated),
                      u(b.counts().deflated), u(b.counts().requests), b.counts().refused ? " (some refused: not RAM)" : "");

  // The host's memory.
  const uint32_t pages = guest_pages(*m), reclaimed = bus.reclaimed_pages();
  ImGui::Text("Host memory for the guest's RAM: %.2f of %.0f MiB", mib(pages - reclaimed), mib(pages));
  ImGui::ProgressBar(static_cast<float>(pages - reclaimed) / static_cast<float>(std::max(pages, 1u)),
                     ImVec2(-1, ImGui::GetTextLineHeight() * 0.6f), "");
#ifdef __EMSCRIPTEN__
  const bool measured = false;
  ImGui::TextWrapped("%u pages reclaimed: zeroed, and free for the host's other guests (in the browser the memory "
                     "stays with the tab: WebAssembly memory cannot shrink).", reclaimed);
#else
  const bool measured = true;
  ImGui::TextWrapped("%u pages reclaimed: zeroed and released to the host OS. Measured, the OS holds %.1f MiB of "
                     "the guest's RAM now: pages never touched cost nothing.",
                     reclaimed, mib(bus.resident_pages(guest_host_base(*m), pages << 12)));
#endif
  if (const Monitor* mon = m->monitor()) {
    if (mon->hardware_assisted)
      ImGui::TextWrapped("The monitor cleared their G-stage entries (4 KiB entries where the balloon took pages). "
                         "Touched after being given: %llu (each backed again by a zero page).", u(mon->reclaimed_touched()));
    else
      ImGui::TextWrapped("The monitor removed %llu shadow entries mapping them. Touched after being given: %llu (each "
                         "backed again by a zero page).",
                         u(mon->shadow().stats().reclaimed_unmapped), u(mon->reclaimed_touched()));
  } else {
    ImGui::TextWrapped("No monitor (emulation): vmscope itself is the host, and nothing stops the guest from touching "
                       "a page it gave.");
  }
  plot(s, std::max<uint32_t>(1024, reclaimed));

  // The map.
  ImGui::TableNextColumn();
  const int regions = static_cast<int>(pages / 1024);
  p.balloon_region = std::clamp(p.balloon_region, 0, std::max(regions - 1, 0));
  char region[64];
  std::snprintf(region, sizeof region, "0x%08x-0x%08x%s", board::kRamBase + static_cast<uint32_t>(p.balloon_region) * kRegion,
                board::kRamBase + static_cast<uint32_t>(p.balloon_region + 1) * kRegion - 1,
                p.balloon_region == 0 ? " (the kernel's)" : "");
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##region", region)) {
    for (int r = 0; r < regions; ++r) {
      char item[64];
      std::snprintf(item, sizeof item, "0x%08x-0x%08x", board::kRamBase + static_cast<uint32_t>(r) * kRegion,
                    board::kRamBase + static_cast<uint32_t>(r + 1) * kRegion - 1);
      if (ImGui::Selectable(item, r == p.balloon_region)) p.balloon_region = r;
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Guest RAM, 4 MiB at a time, a cell per 4 KiB page.");
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kBallooned), "balloon");
  ImGui::SameLine();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kInUse), measured ? "host memory" : "the guest's");
  if (measured) {
    ImGui::SameLine();
    ImGui::TextDisabled("never touched");
  }
  ram_map(*m, p.balloon_region, measured);
  ImGui::EndTable();
  ImGui::End();
}

}  // namespace vmscope::ui
