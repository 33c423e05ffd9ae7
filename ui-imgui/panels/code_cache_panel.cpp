// The code cache: how guest code runs (interpreter or block translator) and the translator's
// switches; its statistics; the live blocks (address range, sizes, executions); a selected
// block's guest instructions beside its translated form, and its chain links as a graph; the
// trace a block is part of (its path, side exits and code); the invalidation, eviction and
// flush events.
//
// Blocks die between frames (a store into their code, eviction, a flush): the selection is a
// physical address, looked up again every frame, and no block pointer outlives the frame.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "isa/disassembler.h"
#include "isa/isa_table.h"
#include "machine/block_listing.h"
#include "panels.h"
#include "translator/backend.h"

namespace vmscope::ui {

namespace {
using u64 = unsigned long long;

// The live block starting at `paddr`, if any (BlockCache::find wants an address in RAM).
const Block* find_block(const Machine& m, std::optional<uint32_t> paddr) {
  if (!paddr || !m.bus().in_ram(*paddr, 2)) return nullptr;
  return m.block_cache().find(*paddr);
}

std::string block_symbol(const DebugSession& s, const Block& b) {
  const auto a = s.machine()->program_address(b.paddr);
  return a ? symbol_for(s, *a) : std::string();
}

void switches(DebugSession& s) {
  TranslatorSettings t = s.translator_settings();
  bool changed = false;
  ImGui::TextUnformatted("Guest code runs on the");
  ImGui::SameLine();
  int engine = static_cast<int>(t.engine);
  changed |= ImGui::RadioButton("interpreter", &engine, static_cast<int>(Engine::interpreter));
  ImGui::SameLine();
  changed |= ImGui::RadioButton("translator", &engine, static_cast<int>(Engine::translator));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Basic blocks are translated once and kept in the code cache; chained blocks jump\n"
        "straight to each other. The switch applies at once, even in the middle of a run.");
  t.engine = static_cast<Engine>(engine);
  ImGui::SameLine();
  ImGui::TextDisabled("|  blocks become");
  ImGui::SameLine();
  int threaded = t.options.backend == TranslatorBackend::threaded || !native_backend_exists();
  if (native_backend_exists()) {  // (natively x86-64 code, in the browser WebAssembly modules)
    changed |= ImGui::RadioButton(native_backend_label(), &threaded, 0);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(!std::strcmp(native_backend_label(), "WebAssembly")
                            ? "Blocks start as threaded code; once entered often enough, a page's hot blocks are\n"
                              "compiled together into one WebAssembly module in the background."
                            : "Machine code for the host, made when a block is translated.");
    ImGui::SameLine();
    changed |= ImGui::RadioButton("threaded code", &threaded, 1);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("One resolved handler per instruction: the portable form.");
  } else {
    ImGui::TextUnformatted("threaded code");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("One resolved handler per instruction: the portable form.");
  }
  t.options.backend = threaded ? TranslatorBackend::threaded : TranslatorBackend::native;
  // A tiered backend (WebAssembly): after how many entries a block is compiled.
  if (const Machine* m = s.machine(); m && m->block_cache().backend().tiers()) {
    ImGui::SameLine();
    ImGui::TextDisabled("| hot at");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("100000").x + ImGui::GetFontSize());
    const uint32_t lo_hot = 1, hi_hot = 100000;
    changed |= ImGui::SliderScalar("##hot", ImGuiDataType_U32, &t.options.tiering.hot_threshold, &lo_hot, &hi_hot,
                                   "%u", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Hot at N entries: a block runs as threaded code until it was entered this often;\n"
                        "then its page's hot blocks are compiled into a WebAssembly module while the run goes on.");
  }
  changed |= ImGui::Checkbox("chaining", &t.options.chaining);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Off: every block exit looks the next block up in the table.");
  // Native code: traces (superblocks) along hot paths, after how many entries of a block (then
  // the cache's bound goes on a line of its own).
  const Machine* m = s.machine();
  const bool traces_shown = m && m->block_cache().native() && !m->block_cache().backend().tiers();
  if (traces_shown) {
    ImGui::SameLine();
    bool traces = t.options.trace_threshold > 0;
    if (ImGui::Checkbox("traces", &traces)) {
      t.options.trace_threshold = traces ? kDefaultTraceThreshold : 0;
      changed = true;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("A block entered often enough starts a trace: its hot path through blocks of the same\n"
                        "page compiled as one piece (registers kept in host registers, branches falling through\n"
                        "the hot way, side exits for the rest). Changing this re-translates everything.");
    if (traces) {
      ImGui::SameLine();
      ImGui::TextDisabled("after");
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::CalcTextSize("100000").x + ImGui::GetFontSize());
      const uint32_t lo_at = 2, hi_at = 100000;
      changed |= ImGui::SliderScalar("##traceat", ImGuiDataType_U32, &t.options.trace_threshold, &lo_at, &hi_at, "%u",
                                     ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Block entries before a trace may start at a block.");
      ImGui::SameLine();
      ImGui::TextDisabled("entries");
    }
  }
  if (!traces_shown) ImGui::SameLine();
  ImGui::TextDisabled(traces_shown ? "cache" : "|  cache");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  const uint32_t lo = kMinCacheKib, hi = TranslatorSettings::kMaxCacheKib;
  changed |= ImGui::SliderScalar("KiB", ImGuiDataType_U32, &t.options.capacity_kib, &lo, &hi, "%u",
                                 ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  ImGui::TextDisabled("when full:");
  ImGui::SameLine();
  int policy = static_cast<int>(t.options.eviction);
  changed |= ImGui::RadioButton("evict oldest", &policy, static_cast<int>(Eviction::fifo));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("FIFO: the oldest blocks go, an eighth of the cache at a time.");
  ImGui::SameLine();
  changed |= ImGui::RadioButton("least used", &policy, static_cast<int>(Eviction::lru));
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("LRU: the blocks entered least recently go, an eighth of the cache at a time\n"
                      "(every block entry is stamped, so hot code stays).");
  ImGui::SameLine();
  changed |= ImGui::RadioButton("flush all", &policy, static_cast<int>(Eviction::flush));
  t.options.eviction = static_cast<Eviction>(policy);
  ImGui::SameLine();
  if (ImGui::Button("Flush")) s.flush_code_cache();
  if (changed) s.set_translator_settings(t);
}

void statistics(const Machine& m) {
  const BlockCache& c = m.block_cache();
  const TranslatorStats& st = c.stats;
  const uint64_t capacity = uint64_t{c.options().capacity_kib} * 1024;
  ImGui::Text(
      "%s; %s: %zu live blocks, %llu of %llu KiB",
      m.engine() == Engine::translator ? "translator on" : "interpreter on (the cache stays as it was)",
      c.backend().name(), c.block_count(), u64(c.used_bytes() / 1024), u64(capacity / 1024));
  ImGui::SameLine();
  const float used =
      capacity ? static_cast<float>(static_cast<double>(c.used_bytes()) / static_cast<double>(capacity)) : 0;
  ImGui::ProgressBar(used, ImVec2(120, 0));
  const uint64_t entries = c.entries();
  const double linked = entries ? 100.0 * static_cast<double>(entries - std::min(entries, st.lookups)) /
                                      static_cast<double>(entries)
                                : 0;
  ImGui::TextWrapped("translated %llu (%llu again after eviction), invalidated %llu, evicted %llu, flushes %llu; %llu links made",
              u64(st.translated), u64(st.retranslated), u64(st.invalidated), u64(st.evicted), u64(st.flushes),
              u64(st.links));
  char predicted[64] = "";  // (native code predicts returns; threaded code has no return stack)
  if (c.native()) std::snprintf(predicted, sizeof predicted, "; %llu returns predicted", u64(c.returns.predicted));
  ImGui::TextWrapped("block entries %llu: %.1f%% through chain links, %llu through the table%s; %llu instructions interpreted",
                     u64(entries), linked, u64(st.lookups), predicted, u64(st.interpreted));
  if (c.native() && !c.backend().tiers()) {
    if (c.options().trace_threshold)
      ImGui::TextWrapped("traces: %zu live (%llu made, %llu dropped with a block), made after %u entries of a block",
                         c.traces().size(), u64(st.traces), u64(st.traces_dropped), c.options().trace_threshold);
    else
      ImGui::TextDisabled("traces: off");
  }
  if (const TierStats* t = c.backend().tiers()) {  // one line; the rest on hover
    ImGui::TextWrapped("WebAssembly: %llu of %zu blocks compiled, %llu module%s (%llu made, %llu evicted, %llu failed), "
                       "%.1f ms to ready",
                       u64(t->blocks_compiled), c.block_count(), u64(t->modules_live), t->modules_live == 1 ? "" : "s",
                       u64(t->modules_made),
                       u64(t->modules_evicted), u64(t->failures),
                       t->modules_made ? t->compile_ms / static_cast<double>(t->modules_made) : 0.0);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%llu modules being compiled in the background, %llu dropped with a block that went;\n"
                        "a module is ready %.2f ms after it was asked for on average (compiling, instantiating and\n"
                        "waiting for the next frame; %.1f ms in all); %llu KiB of WebAssembly made.",
                        u64(t->pending), u64(t->modules_dropped),
                        t->modules_made ? t->compile_ms / static_cast<double>(t->modules_made) : 0.0, t->compile_ms,
                        u64(t->bytes / 1024));
    if (!c.log.empty()) {  // the latest trouble (a module that failed to compile)
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1));
      ImGui::TextWrapped("%s", c.log.back().c_str());
      ImGui::PopStyleColor();
    }
  }
}

// ---- the live blocks
void block_table(const DebugSession& s, Panels& p, const std::vector<const Block*>& blocks, float height) {
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##cachefilter", "filter: address, symbol or how a block ends", p.cache_filter,
                           sizeof p.cache_filter);
  const std::string filter = p.cache_filter;
  std::vector<const Block*> rows;
  for (const Block* b : blocks) {
    if (!filter.empty()) {
      char a[12];
      std::snprintf(a, sizeof a, "%08x", b->paddr);
      if (std::string(a).find(filter) == std::string::npos &&
          block_symbol(s, *b).find(filter) == std::string::npos &&
          std::string(to_string(b->kind)).find(filter) == std::string::npos)
        continue;
    }
    rows.push_back(b);
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                                ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable;
  // A tiered backend (WebAssembly): the host column says which tier a block runs in instead of
  // its threaded code's bytes (the block view has those).
  const bool tiered = s.machine()->block_cache().backend().tiers() != nullptr;
  if (!ImGui::BeginTable("blocks", 7, flags, ImVec2(0, height))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  // Fixed columns as wide as their widest text (the header's with room for the sort arrow).
  auto width = [](const char* sample) { return ImGui::CalcTextSize(sample).x + ImGui::GetFontSize(); };
  const ImGuiTableColumnFlags fixed = ImGuiTableColumnFlags_WidthFixed,
                              most = ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupColumn("guest physical", fixed, width("00000000-00000000"));
  ImGui::TableSetupColumn("symbol", ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoSort);
  ImGui::TableSetupColumn("insns", fixed | most, width("insns"));
  ImGui::TableSetupColumn("guest", fixed | most, width("guest"));
  if (tiered) ImGui::TableSetupColumn("tier", fixed | most, width("threaded"));
  else ImGui::TableSetupColumn("host", fixed | most, width("host"));
  ImGui::TableSetupColumn("executions", fixed | most | ImGuiTableColumnFlags_DefaultSort,
                          width("executions"));
  ImGui::TableSetupColumn("ends", fixed, width("indirect jump"));
  ImGui::TableHeadersRow();
  if (const ImGuiTableSortSpecs* spec = ImGui::TableGetSortSpecs(); spec && spec->SpecsCount > 0) {
    const int column = spec->Specs[0].ColumnIndex;
    const bool down = spec->Specs[0].SortDirection == ImGuiSortDirection_Descending;
    auto key = [column, tiered](const Block* b) -> uint64_t {
      switch (column) {
        case 2: return b->count;
        case 3: return b->end - b->start;
        case 4: return tiered ? b->host_code != nullptr : b->host_bytes;
        case 5: return b->executions;
        case 6: return static_cast<uint64_t>(b->kind);
        default: return b->paddr;
      }
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const Block* a, const Block* b) {
      return down ? key(a) > key(b) : key(a) < key(b);
    });
  }
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(rows.size()));
  while (clip.Step()) {
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const Block& b = *rows[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char label[48];
      std::snprintf(label, sizeof label, "%08x-%08x##block", b.paddr, b.paddr + (b.end - b.start));
      ImGui::PushID(static_cast<int>(b.paddr));
      if (ImGui::Selectable(label, p.cache_block == b.paddr, ImGuiSelectableFlags_SpanAllColumns))
        p.cache_block = b.paddr;
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(block_symbol(s, b).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%u", b.count);
      ImGui::TableNextColumn();
      ImGui::Text("%u", b.end - b.start);
      ImGui::TableNextColumn();
      if (!tiered) ImGui::Text("%u", b.host_bytes);
      else if (b.host_code) ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.5f, 1), "wasm");
      else ImGui::TextDisabled("threaded");
      ImGui::TableNextColumn();
      ImGui::Text("%llu", u64(b.executions));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(to_string(b.kind));
    }
  }
  ImGui::EndTable();
}

void event_table(const BlockCache& c) {
  ImGui::TextDisabled("Events, newest first (%zu kept)", c.events().size());
  if (!ImGui::BeginTable("events", 4,
                         ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("step");
  ImGui::TableSetupColumn("event");
  ImGui::TableSetupColumn("block");
  ImGui::TableSetupColumn("guest bytes");
  ImGui::TableHeadersRow();
  for (auto it = c.events().rbegin(); it != c.events().rend(); ++it) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%llu", u64(it->step));
    ImGui::TableNextColumn();
    const ImVec4 colour =
        it->kind == TranslatorEvent::Kind::invalidated ? ImVec4(1.0f, 0.75f, 0.3f, 1)  // code changed
        : it->kind == TranslatorEvent::Kind::evicted   ? ImVec4(0.6f, 0.6f, 0.6f, 1)   // room made
                                                       : ImVec4(1.0f, 0.4f, 0.4f, 1);    // everything
    ImGui::TextColored(colour, "%s", to_string(it->kind));
    ImGui::TableNextColumn();
    if (it->kind == TranslatorEvent::Kind::flushed) ImGui::TextDisabled("all");
    else ImGui::Text("%08x", it->paddr);
    ImGui::TableNextColumn();
    if (it->kind != TranslatorEvent::Kind::flushed) ImGui::Text("%u", it->bytes);
  }
  ImGui::EndTable();
}

// ---- the selected block's chain links: predecessors left, the block in the middle, successors
// right; an exit with a direct target in the page but no link yet is a dashed grey node.
struct Node {
  Node(uint32_t a, std::string t, bool g = false) : paddr(a), text(std::move(t)), ghost(g) {}
  uint32_t paddr;
  std::string text;
  bool ghost;
  ImVec2 min, max;  // placed later
};
struct Edge {
  Edge(std::string l, bool g = false, uint64_t t = 0) : label(std::move(l)), ghost(g), taken(t) {}
  std::string label;
  bool ghost;
  uint64_t taken;
};

// An edge from a to b with its label just past a (toward_start) or just before b: away from the
// middle node, where the edges crowd.
void arrow(ImDrawList* d, ImVec2 a, ImVec2 b, ImU32 colour, bool dashed, const std::string& label,
           bool toward_start) {
  if (dashed) {
    const float len = std::hypot(b.x - a.x, b.y - a.y);
    for (float t = 0; t < len; t += 10) {
      const float t1 = std::min(len, t + 5);
      d->AddLine(ImVec2(a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len),
                 ImVec2(a.x + (b.x - a.x) * t1 / len, a.y + (b.y - a.y) * t1 / len), colour, 1.5f);
    }
  } else {
    const float dx = (b.x - a.x) * 0.5f;
    d->AddBezierCubic(a, ImVec2(a.x + dx, a.y), ImVec2(b.x - dx, b.y), b, colour, 1.5f);
  }
  d->AddTriangleFilled(b, ImVec2(b.x - 8, b.y - 4), ImVec2(b.x - 8, b.y + 4), colour);
  const ImVec2 size = ImGui::CalcTextSize(label.c_str());
  const ImVec2 at =
      toward_start ? ImVec2(a.x + 4, a.y - size.y - 2) : ImVec2(b.x - size.x - 10, b.y - size.y - 2);
  d->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(20, 20, 26, 200));
  d->AddText(at, colour, label.c_str());
}

const char* exit_name(const Block& b, unsigned i) {
  if (b.kind == BlockEnd::branch) return i == 0 ? "taken" : "not taken";
  if (b.kind == BlockEnd::indirect) return "indirect";
  return i == 0 ? "jump" : "fall through";
}

void chain_graph(const DebugSession& s, Panels& p, const Block& b, float height) {
  auto node_text = [&s](const Block& n) {
    const std::string sym = block_symbol(s, n);
    char t[96];
    std::snprintf(t, sizeof t, "%08x\n%s", n.paddr,
                  sym.empty() ? (std::to_string(n.executions) + " runs").c_str() : sym.c_str());
    return std::string(t);
  };
  // Predecessors, one node per block with its links' counts summed (a block may link twice).
  std::map<const Block*, uint64_t> from;
  uint64_t self = 0;
  for (const BlockExit* in : b.incoming) {
    if (in->owner == &b) self += in->taken;
    else from[in->owner] += in->taken;
  }
  std::vector<std::pair<Node, Edge>> left, right;
  for (const auto& [owner, taken] : from)
    left.push_back({{owner->paddr, node_text(*owner)}, {std::to_string(taken), false, taken}});
  std::stable_sort(left.begin(), left.end(),
                   [](const auto& x, const auto& y) { return x.second.taken > y.second.taken; });
  bool loops = false;
  for (unsigned i = 0; i < 2; ++i) {
    const BlockExit& e = b.exits[i];
    const std::string label = std::string(exit_name(b, i)) + " " + std::to_string(e.taken);
    if (e.to == &b) {
      loops = true;
    } else if (e.to) {
      right.push_back({{e.to->paddr, node_text(*e.to)}, {label}});
    } else if (e.target >= 0) {
      const uint32_t target = b.page() + static_cast<uint32_t>(e.target);
      char t[64];
      std::snprintf(t, sizeof t, "%08x\nnot linked", target);
      right.push_back({{target, t, true}, {label, true}});
    }
  }
  const size_t kMaxSide = 5;
  const size_t hidden = left.size() > kMaxSide ? left.size() - kMaxSide : 0;
  if (hidden) left.erase(left.begin() + kMaxSide, left.end());

  ImDrawList* d = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = height;
  d->AddRectFilled(origin, ImVec2(origin.x + w, origin.y + h), IM_COL32(24, 24, 30, 255));
  const float nw = std::clamp(w / 5, 100.0f, 160.0f), nh = ImGui::GetTextLineHeight() * 2 + 8;
  auto place = [&](std::vector<std::pair<Node, Edge>>& side, float x) {
    for (size_t i = 0; i < side.size(); ++i) {
      const float y =
          origin.y + h * (static_cast<float>(i) + 0.5f) / static_cast<float>(side.size()) - nh / 2;
      side[i].first.min = ImVec2(x, y);
      side[i].first.max = ImVec2(x + nw, y + nh);
    }
  };
  place(left, origin.x + 8);
  place(right, origin.x + w - nw - 8);
  Node centre{b.paddr, node_text(b)};
  centre.min = ImVec2(origin.x + (w - nw) / 2, origin.y + (h - nh) / 2 + 10);
  centre.max = ImVec2(centre.min.x + nw, centre.min.y + nh);
  const ImU32 link = IM_COL32(120, 200, 255, 255), grey = IM_COL32(130, 130, 130, 255);
  for (const auto& [n, e] : left)
    arrow(d, ImVec2(n.max.x, (n.min.y + n.max.y) / 2),
          ImVec2(centre.min.x, (centre.min.y + centre.max.y) / 2), link, false, e.label, true);
  for (const auto& [n, e] : right)
    arrow(d, ImVec2(centre.max.x, (centre.min.y + centre.max.y) / 2),
          ImVec2(n.min.x, (n.min.y + n.max.y) / 2), e.ghost ? grey : link, e.ghost, e.label, false);
  if (loops) {  // a link back to itself: an arc over the node
    const ImVec2 a(centre.max.x - 20, centre.min.y), z(centre.min.x + 20, centre.min.y);
    d->AddBezierCubic(a, ImVec2(a.x, a.y - 40), ImVec2(z.x, z.y - 40), z, link, 1.5f);
    d->AddTriangleFilled(z, ImVec2(z.x - 4, z.y - 8), ImVec2(z.x + 4, z.y - 8), link);
    char t[48];
    std::snprintf(t, sizeof t, "loop %llu", u64(self));
    d->AddText(ImVec2((a.x + z.x) / 2 - ImGui::CalcTextSize(t).x / 2, a.y - 46), link, t);
  }
  // Nodes over the edges; a click on one selects that block.
  auto draw_node = [&](const Node& n, bool selected) {
    const ImU32 fill = selected  ? IM_COL32(40, 80, 140, 255)
                       : n.ghost ? IM_COL32(24, 24, 30, 255)
                                 : IM_COL32(50, 56, 70, 255);
    d->AddRectFilled(n.min, n.max, fill, 4);
    d->AddRect(n.min, n.max,
               n.ghost    ? grey
               : selected ? IM_COL32(150, 200, 255, 255)
                          : IM_COL32(110, 120, 140, 255),
               4);
    d->PushClipRect(n.min, n.max, true);
    d->AddText(ImVec2(n.min.x + 6, n.min.y + 4), n.ghost ? grey : IM_COL32(230, 230, 230, 255),
               n.text.c_str());
    d->PopClipRect();
    if (n.ghost || selected) return;
    ImGui::SetCursorScreenPos(n.min);
    ImGui::PushID(static_cast<int>(n.paddr));
    if (ImGui::InvisibleButton("node", ImVec2(nw, nh))) p.cache_block = n.paddr;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n(click to select)", n.text.c_str());
    ImGui::PopID();
  };
  for (const auto& [n, e] : left) draw_node(n, false);
  for (const auto& [n, e] : right) draw_node(n, false);
  draw_node(centre, true);
  d->AddText(ImVec2(origin.x + 8, origin.y + 4), grey, "entered from (links)");
  d->AddText(ImVec2(origin.x + w - ImGui::CalcTextSize("leaves to").x - 8, origin.y + 4), grey, "leaves to");
  if (hidden) {
    char t[32];
    std::snprintf(t, sizeof t, "+%zu more", hidden);
    d->AddText(ImVec2(origin.x + 8, origin.y + h - ImGui::GetTextLineHeight() - 4), grey, t);
  }
  if (left.empty() && !hidden)
    d->AddText(ImVec2(origin.x + 8, origin.y + h / 2), grey, "no block links here");
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(w, h));
}

// The block's guest instructions, each followed by the host code made from it (or the trace's,
// blocks one after another).
void code_view(const DebugSession& s, Panels& p, const Block& b, const Trace* trace) {
  const Machine& m = *s.machine();
  if (p.namer_machine != &m) {
    p.namer = std::make_shared<SymbolNamer>(m.image());
    p.namer_machine = &m;
  }
  const auto namer = [&p](uint32_t x) { return (*p.namer)(x); };
  const std::vector<ListingRow> rows = trace ? trace_listing(m, *trace, namer) : block_listing(m, b, namer);
  if (!ImGui::BeginTable("code", 1, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  char head[128];
  std::snprintf(head, sizeof head, "guest instruction%s, then its %s", m.program_address(b.paddr) ? " (program address)" : "",
                m.block_cache().backend().name());
  float widest = ImGui::CalcTextSize(head).x;
  for (const ListingRow& r : rows) widest = std::max(widest, ImGui::CalcTextSize(r.text.c_str()).x + 24);
  ImGui::TableSetupColumn(head, ImGuiTableColumnFlags_WidthFixed, widest + 8);
  ImGui::TableHeadersRow();
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(rows.size()));
  while (clip.Step())
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const ListingRow& r = rows[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (r.kind == ListingRow::Kind::guest) {
        ImGui::TextColored(ImVec4(0.55f, 0.8f, 1.0f, 1), "%s", r.text.c_str());
      } else if (r.kind == ListingRow::Kind::heading) {
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.4f, 1), "%s", r.text.c_str());
      } else {
        ImGui::Indent(24);
        ImGui::TextUnformatted(r.text.c_str());
        ImGui::Unindent(24);
      }
    }
  ImGui::EndTable();
}

void block_view(const DebugSession& s, Panels& p, const Block& b) {
  const std::string sym = block_symbol(s, b);
  ImGui::Text("Block %08x-%08x%s%s (translated #%llu)", b.paddr, b.paddr + (b.end - b.start),
              sym.empty() ? "" : "  ", sym.c_str(), u64(b.serial));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%u instructions, %u guest bytes -> %u host bytes; ends: %s; entered %llu times", b.count,
                     b.end - b.start, b.host_bytes, to_string(b.kind), u64(b.executions));
  if (const std::string summary = s.machine()->block_cache().backend().summary(b); !summary.empty())
    ImGui::TextWrapped("%s", summary.c_str());
  ImGui::PopStyleColor();
  const Machine& m = *s.machine();
  const Trace* trace = m.block_cache().trace_of(b);
  if (trace) {  // its path, how often it was entered and where it was left, and which code to show
    std::string left;
    for (size_t i = 0; i < trace->left.size(); ++i)
      if (trace->left[i]) left += (left.empty() ? "" : ", ") + std::string("block ") + std::to_string(i) + " " +
                                  std::to_string(trace->left[i]) + " x";
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.8f, 0.4f, 1));
    ImGui::TextWrapped("In a trace: %s", trace_path(m, *trace).c_str());
    ImGui::PopStyleColor();
    char turns[96] = "";
    if (trace->loops)
      std::snprintf(turns, sizeof turns, "; %llu further turns, %llu turned away by the budget", u64(trace->turns),
                    u64(trace->turned_away));
    ImGui::TextWrapped("%zu blocks, %u instructions, entered %llu times%s; left in %s", trace->blocks.size(),
                       trace->instructions, u64(trace->entries), turns, left.empty() ? "none yet" : left.c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("A trace is left where a branch goes the other way than on its hot path (a side exit),\n"
                        "where its path ends, or where threaded code takes over (a load or store the page\n"
                        "slots and the micro-TLB cannot serve, a system instruction).");
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s", m.block_cache().backend().trace_summary(*trace).c_str());
    ImGui::PopStyleColor();
    int show = p.cache_show_trace ? 1 : 0;
    ImGui::TextDisabled("code:");
    ImGui::SameLine();
    ImGui::RadioButton("the trace's", &show, 1);
    ImGui::SameLine();
    ImGui::RadioButton("the block's own", &show, 0);
    p.cache_show_trace = show == 1;
  }
  chain_graph(s, p, b, std::clamp(ImGui::GetContentRegionAvail().y * 0.4f, 120.0f, 220.0f));
  code_view(s, p, b, trace && p.cache_show_trace ? trace : nullptr);
}
}  // namespace

void draw_code_cache(DebugSession& s, Panels& p) {
  if (!p.begin(Panel::code_cache)) return;
  switches(s);
  const Machine* m = s.machine();
  if (!m) {
    ImGui::TextUnformatted("No program loaded.");
    ImGui::End();
    return;
  }
  statistics(*m);
  ImGui::Separator();
  const BlockCache& c = m->block_cache();
  const std::vector<const Block*> blocks = c.blocks();
  const Block* selected = find_block(*m, p.cache_block);
  ImGui::BeginChild("list", ImVec2(ImGui::GetContentRegionAvail().x * 0.54f, 0));
  block_table(s, p, blocks, ImGui::GetContentRegionAvail().y * 0.62f);
  event_table(c);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("block");
  if (selected) block_view(s, p, *selected);
  else if (p.cache_block)
    ImGui::TextWrapped("The block at %08x is gone (invalidated, evicted or flushed).", *p.cache_block);
  else
    ImGui::TextWrapped(blocks.empty() ? "No translated blocks: choose the translator and run the program."
                                      : "Select a block to see its code and its chain links.");
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace vmscope::ui
