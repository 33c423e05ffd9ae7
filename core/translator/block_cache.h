// The code cache: translated blocks by physical address, their chain links, a bounded size with
// a choice of eviction, invalidation when the code beneath a block changes, and statistics.
//
// Blocks are keyed by the physical address of their first instruction, so a change of address
// space (satp, ASID, SFENCE.VMA) never invalidates one: the hart translates the virtual pc
// through its own TLBs first. A link within a page needs no check (the same virtual page always
// reaches it by the same translation); a direct link to another page is followed only while the
// code epoch is the one it was made in (the hart moves the epoch whenever a translation or the
// mode could have changed: TLB flushes and replacements, satp writes, traps and returns).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "events/events.h"

#include "mem/code_cache.h"
#include "translator/backend.h"
#include "translator/block.h"

namespace vmscope {

class Bus;

// What the cache does when it is full: drop everything, the oldest blocks, or the least recently
// entered ones (fifo and lru free an eighth of the cache at a time, so that evictions stay rare).
enum class Eviction : uint8_t { flush, fifo, lru };
const char* to_string(Eviction e);
std::optional<Eviction> eviction_from_string(std::string_view name);  // "flush", "fifo", "lru"
inline constexpr Eviction kEvictions[] = {Eviction::fifo, Eviction::lru, Eviction::flush};

// What translated blocks become: threaded code (portable), or native code for the host where
// there is a backend for it (falls back to threaded code elsewhere).
enum class TranslatorBackend : uint8_t { native, threaded };
inline constexpr uint32_t kDefaultTraceThreshold = 4000;
const char* to_string(TranslatorBackend b);  // "native" (in WebAssembly builds "wasm"), "threaded"
// "native" or "wasm" (either names the host's code generator), "threaded".
std::optional<TranslatorBackend> translator_backend_from_string(std::string_view name);

struct TranslatorOptions {
  TranslatorBackend backend = TranslatorBackend::native;
  bool chaining = true;
  // Block entries before a trace may start at a block (native code; 0: no traces).
  uint32_t trace_threshold = kDefaultTraceThreshold;
  uint32_t capacity_kib = 8192;  // bound on the host form of all live blocks
  Eviction eviction = Eviction::fifo;
  TieringOptions tiering;  // (the WebAssembly backend)
};
inline constexpr uint32_t kMinCacheKib = 4;  // a few of the largest blocks
inline constexpr unsigned kMaxBlockInstructions = 64;
inline constexpr uint32_t kMaxTraceThreshold = 1u << 30;  // (native code compares with a 32-bit immediate)

struct TranslatorStats {
  uint64_t translated = 0;    // blocks made
  uint64_t invalidated = 0;   // blocks dropped because their code changed
  uint64_t evicted = 0;       // blocks dropped to make room
  uint64_t retranslated = 0;  // blocks translated again after an eviction or a flush dropped them (capacity misses)
  uint64_t flushes = 0;       // whole-cache flushes (full, or asked for)
  uint64_t lookups = 0;       // block entries through the table (the rest went through links)
  uint64_t links = 0;         // links made
  uint64_t interpreted = 0;   // instructions the interpreter ran instead (budget ends, odd code)
  uint64_t traces = 0;        // traces made
  uint64_t traces_dropped = 0;  // traces gone with one of their blocks
};

// Return prediction (native code): a call pushes where it returns to, with its block's return
// slot; a return that lands there jumps straight to the block the slot names. The executor
// fills a slot the first time its return is looked up. Every entry and slot holds the code
// epoch it was made in, and every block removal moves the epoch, so nothing stale is followed.
struct ReturnSlot {
  uint64_t epoch = ~0ull;
  const void* host_code = nullptr;  // the native code of the block at the return address
  uint32_t page_vbase = 0;          // that block's page's virtual address
};
struct ReturnStack {
  struct Entry {
    uint64_t epoch;
    ReturnSlot* slot;
    uint32_t vpc;  // the return address
    uint32_t unused;
  };
  static constexpr unsigned kEntries = 16;  // a ring: deeper call chains overwrite the oldest
  Entry entries[kEntries]{};
  uint64_t top = 0;                  // pushes minus pops
  ReturnSlot* pending = nullptr;     // a return found its slot empty: the next lookup fills it
  uint64_t pending_epoch = 0;
  uint32_t pending_vpc = 0;
  uint64_t predicted = 0;            // returns that went straight to their block
};

struct TranslatorEvent {
  enum class Kind : uint8_t { invalidated, evicted, flushed };
  Kind kind;
  uint32_t paddr = 0;         // the block's first instruction (flushed: 0)
  uint16_t bytes = 0;         // the block's guest bytes
  uint64_t step = 0;          // the hart's step count when it happened
};
const char* to_string(TranslatorEvent::Kind k);

class BlockCache final : public CodeListener {
 public:
  BlockCache(const Bus& bus, TranslatorOptions options = {});
  ~BlockCache() override;

  // The live block whose first instruction is at `paddr`, if any.
  Block* find(uint32_t paddr) const {
    const PageBlocks* p = pages_[(paddr - ram_base_) / kPageSize].get();
    return p ? p->at[(paddr % kPageSize) / 2] : nullptr;
  }
  // Gives a new block its host form and enters it, evicting first if the cache is full.
  Block* insert(std::unique_ptr<Block> block);
  // Chains `exit` (of a live block) to `to` (live, in the same page); replaces an earlier link.
  // `in_host_code`: native code jumps along it too (otherwise only the executor follows it).
  void link(BlockExit& exit, Block& to, bool in_host_code = true);
  // Drops every block (each counted as a flush).
  void flush();
  // Frees dropped blocks, and lets a tiered backend install what it finished compiling. Only
  // when no block is running.
  void collect_garbage() {
    trace_graveyard_.clear();
    graveyard_.clear();
    backend_->poll(*this);
  }
  // A block entered as threaded code tier_up_at times: a tiered backend compiles it (and may
  // install it at once). No block is running.
  void tier_up(Block& block) { backend_->hot(block, *this); }
  // A block entered trace_threshold times (native code said so): a trace may start at it
  // (trace.h says which path). No block is running.
  void form_trace(Block& head);
  // The live traces, oldest first.
  std::vector<const Trace*> traces() const;
  // Adds what traces counted since the last time to their blocks' entry and edge counts (and lru
  // stamps), so that the profile is every block's as if no trace existed. At safe points: the end
  // of a run, before a trace is made or dropped.
  void settle_traces() {
    for (const auto& t : traces_) settle(*t);
  }
  // The trace a block heads or is part of, if any (the first made).
  const Trace* trace_of(const Block& block) const { return block.heads ? block.heads : block.traces.empty() ? nullptr : block.traces.front(); }
  // The live blocks of the physical page that holds `paddr`, by address.
  std::vector<Block*> blocks_in_page(uint32_t paddr) const;
  // Messages for the user from the backend (a module that failed to compile), latest last.
  std::deque<std::string> log;

  const TranslatorOptions& options() const { return options_; }
  // Run-time switches: turning chaining off undoes every link; a smaller bound evicts at once.
  void set_options(const TranslatorOptions& options);
  const Backend& backend() const { return *backend_; }

  // ---- views
  std::vector<const Block*> blocks() const;  // live ones, oldest first
  size_t block_count() const { return live_.size(); }
  uint64_t entries() const;  // blocks entered so far, through the table or a link
  uint64_t chained_entries() const { return entries() - std::min(entries(), stats.lookups); }
  // Whether the backend in use makes native code (false where none exists for the host).
  bool native() const { return backend_->native_entry() != nullptr; }
  // The timeline's translations, invalidations and evictions (null: nobody listens).
  EventSink on_event;
  uint64_t used_bytes() const { return used_bytes_; }
  const std::deque<TranslatorEvent>& events() const { return events_; }
  TranslatorStats stats;
  // Where event times come from (the hart's step count).
  std::function<uint64_t()> clock;
  // Block entries so far, for lru: every entry stamps the block with the next value (threaded
  // code in the block executor, native code itself while lru is chosen).
  uint64_t use_clock = 0;
  // Moves whenever what a virtual code page reaches could have changed (see above): native code
  // compares it before following a link to another page.
  uint64_t code_epoch = 0;
  ReturnStack returns;

  // CodeListener: decoded code went away, so must every block made from it.
  void code_changed(uint32_t paddr, uint32_t length) override;
  void code_cleared() override { flush(); }

 private:
  struct PageBlocks {
    std::array<Block*, kSlotsPerPage> at{};  // by first instruction's offset / 2
    unsigned count = 0;
  };
  bool alive(const Block* block, uint64_t serial) const;
  void make_room(uint32_t bytes);
  void remove(Block& block, TranslatorEvent::Kind why);
  void make_backend();
  void unlink(BlockExit& exit);
  void drop_trace(Trace& trace);
  void settle(Trace& trace);
  void relink_incoming(Block& block);
  void note(TranslatorEvent::Kind kind, const Block* block);

  uint32_t ram_base_;
  TranslatorOptions options_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::unique_ptr<PageBlocks>> pages_;  // indexed by RAM page number
  std::unordered_map<const Block*, std::unique_ptr<Block>> live_;
  std::deque<std::pair<Block*, uint64_t>> order_;   // (block, serial) by age; stale pairs are skipped
  std::vector<std::unique_ptr<Block>> graveyard_;   // dropped, maybe still running
  std::vector<std::unique_ptr<Trace>> traces_;          // live, oldest first
  std::vector<std::unique_ptr<Trace>> trace_graveyard_;  // dropped (their code freed at a safe point)
  uint64_t used_bytes_ = 0;
  uint64_t next_serial_ = 0;
  uint64_t retired_entries_ = 0;  // entries of blocks no longer in the cache
  std::unordered_set<uint32_t> dropped_;  // where blocks were evicted or flushed (retranslation counts)
  std::deque<TranslatorEvent> events_;
};

}  // namespace vmscope
