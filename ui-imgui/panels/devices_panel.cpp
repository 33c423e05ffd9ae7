// The board's devices as a driver sees them: the PLIC (each source's priority, line, pending and
// claimed bits, which contexts enable it; each context's threshold and output), the UART's
// interrupt state, and every virtio device — its status, the features agreed, each queue's
// rings in guest memory with the descriptors a request is made of — and the disk's image.
#include <imgui.h>

#include <cstdio>
#include <string>

#include "panels.h"

namespace vmscope::ui {

namespace {

const ImVec4 kOn(0.45f, 0.9f, 0.5f, 1), kOff(0.55f, 0.55f, 0.6f, 1), kHot(1.0f, 0.7f, 0.3f, 1);

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

// Which device a PLIC source is wired to on this board.
std::string source_name(const Machine& m, unsigned source) {
  if (source == board::kUartIrq) return "UART (16550)";
  if (source >= board::kVirtioIrqBase && source < board::kVirtioIrqBase + board::kVirtioSlots) {
    const uint32_t slot = source - board::kVirtioIrqBase;
    const VirtioMmio* t = m.virtio_slot(slot);
    return "virtio slot " + std::to_string(slot) + (t ? std::string(" (") + t->name() + ")" : " (empty)");
  }
  return "(nothing on this board)";
}

void yes_no(bool on, const char* yes = "yes", const char* no = "-") { ImGui::TextColored(on ? kOn : kOff, "%s", on ? yes : no); }

void draw_plic(const Machine& m) {
  const Plic& plic = m.plic();
  ImGui::TextWrapped("Each device's interrupt line is a source. A rising line makes the source pending; a context "
                     "(a hart's mode) whose enables include it and whose threshold is below its priority raises "
                     "its interrupt line; the kernel claims the source, serves the device, completes.");
  for (unsigned c = 0; c < Plic::kContexts; ++c) {
    const unsigned best = plic.best(c);
    ImGui::Text("context %u (hart 0 %s-mode): threshold %u, ", c, c == 0 ? "M" : "S", plic.threshold(c));
    ImGui::SameLine(0, 0);
    ImGui::TextColored(plic.context_line(c) ? kHot : kOff, "%s %s", c == 0 ? "MEIP" : "SEIP", plic.context_line(c) ? "raised" : "low");
    if (best) {
      ImGui::SameLine();
      ImGui::Text("- a claim would take source %u", best);
    }
  }
  ImGui::Text("%llu claims so far. Sources with a device, or that the guest set up:", static_cast<unsigned long long>(plic.claims()));
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("sources", 8, flags)) return;
  for (const char* h : {"source", "device", "priority", "line", "pending", "claimed", "to M", "to S"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (unsigned source = 1; source < Plic::kSources; ++source) {
    const bool wired = source == board::kUartIrq || (source >= board::kVirtioIrqBase && source < board::kVirtioIrqBase + board::kVirtioSlots &&
                                                     m.virtio_slot(source - board::kVirtioIrqBase));
    const bool touched = plic.priority(source) || plic.pending(source) || plic.claimed(source) || plic.enabled(0, source) ||
                         plic.enabled(1, source);
    if (!wired && !touched) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%u", source);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(source_name(m, source).c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%u", plic.priority(source));
    ImGui::TableNextColumn();
    yes_no(plic.level(source), "high", "low");
    ImGui::TableNextColumn();
    yes_no(plic.pending(source));
    ImGui::TableNextColumn();
    yes_no(plic.claimed(source));
    ImGui::TableNextColumn();
    yes_no(plic.enabled(0, source));
    ImGui::TableNextColumn();
    yes_no(plic.enabled(1, source));
  }
  ImGui::EndTable();
}

void draw_uart(Machine& m) {
  const Uart16550& u = m.uart();
  const uint8_t iir = static_cast<uint8_t>(u.peek(2, 1)), lsr = static_cast<uint8_t>(u.peek(5, 1));
  ImGui::Text("IER %02x: receive interrupt %s, transmit-empty interrupt %s", u.ier(), u.ier() & 1 ? "on" : "off",
              u.ier() & 2 ? "on" : "off");
  const char* cause = (iir & 0x0f) == 0x04 ? "data received" : (iir & 0x0f) == 0x0c ? "character timeout"
                      : (iir & 0x0f) == 0x02 ? "transmitter empty" : "none";
  ImGui::Text("IIR %02x: pending cause %s; LSR %02x: %s", iir, cause, lsr, lsr & 1 ? "a byte waits" : "nothing received");
  ImGui::Text("%zu typed bytes not yet read by the guest; interrupt line (PLIC source %u) ", u.input_pending(), board::kUartIrq);
  ImGui::SameLine(0, 0);
  ImGui::TextColored(u.interrupt_pending() ? kHot : kOff, "%s", u.interrupt_pending() ? "high" : "low");
}

std::string status_words(uint32_t s) {
  std::string w;
  const std::pair<uint32_t, const char*> bits[] = {{virtio::kAcknowledge, "ACKNOWLEDGE"}, {virtio::kDriver, "DRIVER"},
                                                   {virtio::kFeaturesOk, "FEATURES_OK"},  {virtio::kDriverOk, "DRIVER_OK"},
                                                   {virtio::kNeedsReset, "NEEDS_RESET"},  {virtio::kFailed, "FAILED"}};
  for (const auto& [bit, name] : bits)
    if (s & bit) w += (w.empty() ? "" : " ") + std::string(name);
  return w.empty() ? "0 (reset: no driver yet)" : w;
}

std::string feature_words(uint64_t f) {
  std::string w;
  const std::pair<uint64_t, const char*> bits[] = {{virtio::kFeatureVersion1, "VERSION_1"},
                                                   {virtio::kFeatureIndirectDesc, "INDIRECT_DESC"},
                                                   {virtio::kFeatureEventIdx, "EVENT_IDX"}};
  for (const auto& [bit, name] : bits)
    if (f & bit) w += (w.empty() ? "" : " ") + std::string(name);
  if (const uint64_t other = f & ~virtio::kTransportFeatures) {
    char s[32];
    std::snprintf(s, sizeof s, "device bits 0x%llx", static_cast<unsigned long long>(other));
    w += (w.empty() ? "" : " ") + std::string(s);
  }
  return w.empty() ? "none" : w;
}

// A queue's descriptor table, and where the driver's and the device's indices stand.
void draw_queue(const VirtioMmio& t, unsigned q) {
  const VirtioMmio::QueueView v = t.queue(q);
  if (!v.ready) {
    ImGui::TextDisabled("queue %u: not set up", q);
    return;
  }
  const uint8_t* avail = t.dma_view(v.driver, 4 + 2 * v.num);
  const uint8_t* used = t.dma_view(v.device, 4 + 8 * v.num);
  const uint16_t avail_idx = avail ? le16(avail + 2) : 0, used_idx = used ? le16(used + 2) : 0;
  ImGui::Text("queue %u: %u descriptors at %08llx; available ring at %08llx (index %u), used ring at %08llx (index %u)", q,
              v.num, static_cast<unsigned long long>(v.desc), static_cast<unsigned long long>(v.driver), avail_idx,
              static_cast<unsigned long long>(v.device), used_idx);
  ImGui::Text("the device has taken %u buffers and given back %u; waiting for it: %u", v.last_avail, v.used_idx,
              static_cast<uint16_t>(avail_idx - v.last_avail));
  const uint8_t* table = t.dma_view(v.desc, 16 * v.num);
  if (!table) return;
  const std::string id = "desc" + std::to_string(q);
  if (!ImGui::TreeNode(id.c_str(), "descriptors (the last request's chain first)")) return;
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable(id.c_str(), 5, flags)) {
    for (const char* h : {"#", "address", "length", "flags", "next"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (uint32_t i = 0; i < v.num && i < 32; ++i) {
      const uint8_t* d = table + 16 * i;
      const uint32_t len = le32(d + 8);
      const uint16_t fl = le16(d + 12);
      if (!len && !fl) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%u", i);
      ImGui::TableNextColumn();
      ImGui::Text("%08x", le32(d));
      ImGui::TableNextColumn();
      ImGui::Text("%u", len);
      ImGui::TableNextColumn();
      ImGui::Text("%s%s%s", fl & virtio::kDescNext ? "NEXT " : "", fl & virtio::kDescWrite ? "WRITE (device writes) " : "read ",
                  fl & virtio::kDescIndirect ? "INDIRECT" : "");
      ImGui::TableNextColumn();
      if (fl & virtio::kDescNext) ImGui::Text("%u", le16(d + 14));
    }
    ImGui::EndTable();
  }
  ImGui::TreePop();
}

void draw_virtio(DebuggerApp& app, const Machine& m) {
  bool any = false;
  for (uint32_t slot = 0; slot < board::kVirtioSlots; ++slot) {
    const VirtioMmio* t = m.virtio_slot(slot);
    if (!t) continue;
    any = true;
    ImGui::PushID(static_cast<int>(slot));
    const uint32_t base = board::kVirtioBase + slot * board::kVirtioSlotSize;
    ImGui::TextColored(kHot, "slot %u at %08x: %s (device %u), PLIC source %u", slot, base, t->name(), t->type().device_id(),
                       board::kVirtioIrqBase + slot);
    ImGui::Text("status: %s", status_words(t->status()).c_str());
    ImGui::Text("features agreed: %s", feature_words(t->driver_features()).c_str());
    ImGui::Text("%llu notifications from the driver, %llu interrupts to it", static_cast<unsigned long long>(t->notifications()),
                static_cast<unsigned long long>(t->interrupts()));
    if (!t->error().empty()) ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "the device needs a reset: %s", t->error().c_str());
    for (unsigned q = 0; q < t->queue_count(); ++q) draw_queue(*t, q);
    if (slot == board::kVirtioBlockSlot && m.disk()) {
      const VirtioBlock& d = *m.disk();
      const VirtioBlock::Counts& c = d.counts();
      ImGui::Text("disk %s: %llu sectors (%llu KiB); %zu sectors written so far (in memory: the image is unchanged)",
                  app.session().disk_name().c_str(), static_cast<unsigned long long>(d.sectors()),
                  static_cast<unsigned long long>(d.sectors() / 2), d.overlay_sectors());
      ImGui::Text("%llu reads (%llu KiB), %llu writes (%llu KiB), %llu flushes, %llu errors", static_cast<unsigned long long>(c.reads),
                  static_cast<unsigned long long>(c.bytes_read / 1024), static_cast<unsigned long long>(c.writes),
                  static_cast<unsigned long long>(c.bytes_written / 1024), static_cast<unsigned long long>(c.flushes),
                  static_cast<unsigned long long>(c.errors));
      if (app.save_file && ImGui::Button("Save the disk as the guest sees it")) app.save_disk();
    }
    ImGui::Separator();
    ImGui::PopID();
  }
  if (!any) ImGui::TextWrapped("No virtio device on this board: open a disk image (File > Open...) to add a virtio-blk disk.");
}

}  // namespace

void draw_devices(DebuggerApp& app, Panels& p) {
  if (!p.begin(Panel::devices)) return;
  DebugSession& s = app.session();
  Machine* m = s.machine();
  if (!m || m->kind() != MachineKind::system) {
    ImGui::TextUnformatted("The board's devices appear here when a system program is loaded.");
    ImGui::End();
    return;
  }
  if (ImGui::CollapsingHeader("PLIC: the interrupt controller (0x0c000000)", ImGuiTreeNodeFlags_DefaultOpen)) draw_plic(*m);
  if (ImGui::CollapsingHeader("UART: the 16550 console (0x10000000)", ImGuiTreeNodeFlags_DefaultOpen)) draw_uart(*m);
  if (ImGui::CollapsingHeader("virtio devices (0x10001000 + 0x1000 per slot)", ImGuiTreeNodeFlags_DefaultOpen)) draw_virtio(app, *m);
  ImGui::End();
}

}  // namespace vmscope::ui
