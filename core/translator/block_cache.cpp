// Block storage, links, eviction and invalidation.
#include "translator/block_cache.h"

#include <algorithm>

#include "mem/bus.h"

namespace vmscope {

namespace {
constexpr size_t kMaxEvents = 256;
// The longest block in guest bytes: an invalidated range must look this far back for blocks
// that start before it and reach into it.
constexpr uint32_t kMaxBlockBytes = kMaxBlockInstructions * 4;
}  // namespace

const char* to_string(BlockEnd e) {
  switch (e) {
    case BlockEnd::branch: return "branch";
    case BlockEnd::jump: return "jump";
    case BlockEnd::indirect: return "indirect jump";
    case BlockEnd::fall_through: return "fall through";
    case BlockEnd::system: return "system";
  }
  return "?";
}

const char* to_string(TranslatorBackend b) {
#if defined(__EMSCRIPTEN__)
  return b == TranslatorBackend::native ? "wasm" : "threaded";
#else
  return b == TranslatorBackend::native ? "native" : "threaded";
#endif
}

std::optional<TranslatorBackend> translator_backend_from_string(std::string_view name) {
  if (name == "native" || name == "wasm") return TranslatorBackend::native;
  if (name == "threaded") return TranslatorBackend::threaded;
  return std::nullopt;
}

const char* to_string(Eviction e) {
  switch (e) {
    case Eviction::flush: return "flush";
    case Eviction::fifo: return "fifo";
    case Eviction::lru: return "lru";
  }
  return "?";
}

std::optional<Eviction> eviction_from_string(std::string_view name) {
  for (const Eviction e : kEvictions)
    if (name == to_string(e)) return e;
  return std::nullopt;
}

const char* to_string(TranslatorEvent::Kind k) {
  switch (k) {
    case TranslatorEvent::Kind::invalidated: return "invalidated";
    case TranslatorEvent::Kind::evicted: return "evicted";
    case TranslatorEvent::Kind::flushed: return "flushed";
  }
  return "?";
}

BlockCache::BlockCache(const Bus& bus, TranslatorOptions options)
    : ram_base_(bus.ram_base()),
      options_(options),
      pages_(bus.ram_size() / kPageSize + 1) {
  options_.capacity_kib = std::max(options_.capacity_kib, kMinCacheKib);
  make_backend();
}

void BlockCache::make_backend() {
  backend_.reset();
  if (options_.backend == TranslatorBackend::native) backend_ = make_native_backend();
  if (!backend_) backend_ = make_threaded_backend();
  backend_->use_clock = options_.eviction == Eviction::lru ? &use_clock : nullptr;
  backend_->trace_threshold = std::min(options_.trace_threshold, kMaxTraceThreshold);
  backend_->code_epoch = &code_epoch;
  backend_->returns = &returns;
  backend_->tiering = options_.tiering;
  backend_->log = &log;
}

std::vector<Block*> BlockCache::blocks_in_page(uint32_t paddr) const {
  std::vector<Block*> out;
  const PageBlocks* p = pages_[(paddr - ram_base_) / kPageSize].get();
  if (!p) return out;
  for (Block* b : p->at)
    if (b) out.push_back(b);
  return out;
}

uint64_t BlockCache::entries() const {
  uint64_t n = retired_entries_;
  for (const auto& [block, owned] : live_) n += owned->executions;
  return n;
}

BlockCache::~BlockCache() = default;

Block* BlockCache::insert(std::unique_ptr<Block> block) {
  block->host_bytes = backend_->emit(*block);
  make_room(block->host_bytes);
  block->serial = next_serial_++;
  block->last_used = ++use_clock;  // new blocks are the most recently used
  if (backend_->tiers()) block->tier_up_at = std::max<uint64_t>(1, options_.tiering.hot_threshold);
  if (dropped_.erase(block->paddr)) ++stats.retranslated;
  auto& page = pages_[(block->paddr - ram_base_) / kPageSize];
  if (!page) page = std::make_unique<PageBlocks>();
  Block*& slot = page->at[(block->paddr % kPageSize) / 2];
  if (slot) remove(*slot, TranslatorEvent::Kind::invalidated);  // cannot happen: callers look first
  slot = block.get();
  ++page->count;
  used_bytes_ += block->host_bytes;
  ++stats.translated;
  if (on_event) on_event({clock ? clock() : 0, EventKind::block_translated, 0, 0, block->paddr});
  Block* b = block.get();
  order_.emplace_back(b, b->serial);
  live_.emplace(b, std::move(block));
  return b;
}

void BlockCache::make_room(uint32_t bytes) {
  const uint64_t capacity = uint64_t{options_.capacity_kib} * 1024;
  if (used_bytes_ + bytes <= capacity) return;
  if (options_.eviction == Eviction::flush) {
    flush();
    return;
  }
  if (options_.eviction == Eviction::lru) {
    // The least recently entered blocks go until an eighth of the cache is free.
    std::vector<Block*> by_use;
    by_use.reserve(live_.size());
    for (const auto& [block, owned] : live_) by_use.push_back(owned.get());
    std::sort(by_use.begin(), by_use.end(), [](const Block* a, const Block* b) { return a->last_used < b->last_used; });
    for (Block* b : by_use) {
      if (used_bytes_ + bytes <= capacity - capacity / 8) break;
      remove(*b, TranslatorEvent::Kind::evicted);
    }
    return;
  }
  // Coarse FIFO: the oldest blocks go until an eighth of the cache is free.
  while (!order_.empty() && used_bytes_ + bytes > capacity - capacity / 8) {
    const auto [oldest, serial] = order_.front();
    order_.pop_front();
    if (alive(oldest, serial)) remove(*oldest, TranslatorEvent::Kind::evicted);
  }
}

bool BlockCache::alive(const Block* block, uint64_t serial) const {
  const auto it = live_.find(block);
  return it != live_.end() && it->second->serial == serial;
}

void BlockCache::flush() {
  if (live_.empty()) return;  // nothing to flush (a reset of an empty cache is not a flush)
  const auto order = std::move(order_);
  order_.clear();
  for (const auto& [block, serial] : order)
    if (alive(block, serial)) remove(*block, TranslatorEvent::Kind::flushed);
  ++stats.flushes;
  note(TranslatorEvent::Kind::flushed, nullptr);
}

void BlockCache::remove(Block& block, TranslatorEvent::Kind why) {
  while (!block.traces.empty()) drop_trace(*block.traces.back());  // (each drop takes itself off the list)
  block.dead = true;
  backend_->discard(block);  // (a tiered backend drops the module it is in)
  ++code_epoch;  // return predictions naming it, or any block, are not followed any more
  retired_entries_ += block.executions;
  for (BlockExit* in : block.incoming) {
    backend_->unlink(*in->owner, in->index);
    in->to = nullptr;
    in->in_host = false;
  }
  block.incoming.clear();
  for (BlockExit& out : block.exits) unlink(out);
  auto& page = pages_[(block.paddr - ram_base_) / kPageSize];
  page->at[(block.paddr % kPageSize) / 2] = nullptr;
  --page->count;
  used_bytes_ -= block.host_bytes;
  if (why == TranslatorEvent::Kind::invalidated) ++stats.invalidated;
  if (why == TranslatorEvent::Kind::evicted) ++stats.evicted;
  if (why != TranslatorEvent::Kind::invalidated) dropped_.insert(block.paddr);
  if (why != TranslatorEvent::Kind::flushed) note(why, &block);
  // The block may be running (a store into its own page): it is freed at the next safe point.
  auto node = live_.extract(&block);
  graveyard_.push_back(std::move(node.mapped()));
  // Keep the age queue short when many blocks in the middle of it were dropped.
  if (order_.size() > 64 && order_.size() > 2 * live_.size())
    std::erase_if(order_, [this](const auto& entry) { return !alive(entry.first, entry.second); });
}

void BlockCache::unlink(BlockExit& exit) {
  if (!exit.to) return;
  auto& in = exit.to->incoming;
  in.erase(std::remove(in.begin(), in.end(), &exit), in.end());
  backend_->unlink(*exit.owner, exit.index);
  exit.to = nullptr;
  exit.in_host = false;
}

void BlockCache::link(BlockExit& exit, Block& to, bool in_host_code) {
  if (exit.to == &to) {  // already: a link to another page takes the current epoch
    if (in_host_code) backend_->link(*exit.owner, exit.index, to), exit.in_host = true;
    return;
  }
  unlink(exit);
  exit.to = &to;
  to.incoming.push_back(&exit);
  if (in_host_code) backend_->link(*exit.owner, exit.index, to), exit.in_host = true;
  ++stats.links;
}

void BlockCache::set_options(const TranslatorOptions& options) {
  const bool unchain = options_.chaining && !options.chaining;
  // Native code stamps block entries only while lru is chosen: switching to or from it re-emits.
  // The trace threshold is in native code too.
  const bool new_backend = options_.backend != options.backend ||
                           (options_.eviction == Eviction::lru) != (options.eviction == Eviction::lru) ||
                           options_.trace_threshold != options.trace_threshold;
  options_ = options;
  backend_->tiering = options_.tiering;  // (thresholds and bounds apply from now on)
  if (new_backend) {  // between runs: nothing is running, every block can go at once
    flush();
    collect_garbage();
    make_backend();
  }
  options_.capacity_kib = std::max(options_.capacity_kib, kMinCacheKib);
  if (unchain)
    for (auto& [block, owned] : live_)
      for (BlockExit& out : owned->exits) unlink(out);
  make_room(0);
}

namespace {
// A block whose own code loops on itself (a branch or jump back to its start) is a trace of one
// already: it is not put into another.
bool loops_on_itself(const Block& b) {
  return (b.kind == BlockEnd::branch || b.kind == BlockEnd::jump) && b.exits[0].target == b.start;
}
}  // namespace

void BlockCache::form_trace(Block& head) {
  if (head.dead || head.heads || !head.host_code || loops_on_itself(head)) return;
  settle_traces();  // (the edge profile the path follows)
  auto trace = std::make_unique<Trace>();
  for (Block* at = &head;;) {
    trace->blocks.push_back(at);
    trace->instructions += at->count;
    if (at->kind == BlockEnd::indirect || at->kind == BlockEnd::system) break;
    const uint64_t taken[2] = {at->exits[0].taken, at->exits[1].taken};
    const unsigned k = taken[0] >= taken[1] ? 0 : 1;
    Block* next = at->exits[k].to;
    if (!next || taken[k] == 0 || 2 * taken[k] < taken[0] + taken[1]) break;  // no link, or no hot direction
    if (next == &head) {
      trace->via.push_back(static_cast<uint8_t>(k));
      trace->loops = true;
      break;
    }
    if (next->page() != head.page() || next->dead || !next->host_code || loops_on_itself(*next) ||
        std::find(trace->blocks.begin(), trace->blocks.end(), next) != trace->blocks.end() ||
        trace->blocks.size() == kMaxTraceBlocks || trace->instructions + next->count > kMaxTraceInstructions)
      break;
    trace->via.push_back(static_cast<uint8_t>(k));
    at = next;
  }
  if (trace->blocks.size() < 2) return;  // a block alone: its own code is as good
  trace->head_code = head.host_code;     // (where the trace sends what it cannot run)
  const uint32_t bytes = backend_->emit_trace(*trace);
  if (!bytes) return;
  if (used_bytes_ + bytes > uint64_t{options_.capacity_kib} * 1024) return;  // no room: blocks go first
  trace->host_bytes = bytes;
  head.host_code = trace->host_code;
  head.heads = trace.get();
  for (Block* b : trace->blocks) b->traces.push_back(trace.get());
  used_bytes_ += bytes;
  ++stats.traces;
  relink_incoming(head);  // links into the head now enter the trace
  ++code_epoch;           // (return predictions naming the head's own code are made again)
  traces_.push_back(std::move(trace));
}

void BlockCache::relink_incoming(Block& block) {
  for (BlockExit* in : block.incoming)
    if (in->in_host) backend_->link(*in->owner, in->index, block);
}

void BlockCache::settle(Trace& t) {
  auto& done = t.settled;
  done.left.resize(t.left.size(), 0);
  // Passes through the path: each entry and each further turn. Every pass reaches the next
  // block unless it left in this one.
  uint64_t reach = (t.entries - done.entries) + (t.turns - done.turns);
  for (size_t j = 0; j < t.blocks.size(); ++j) {
    Block& b = *t.blocks[j];
    const uint64_t left = t.left[j] - done.left[j];
    b.executions += reach;
    if (reach && options_.eviction == Eviction::lru) b.last_used = ++use_clock;
    if (j < t.via.size()) b.exits[t.via[j]].taken += reach - left;  // (a loop's last: its turns and turn-aways)
    reach -= left;
  }
  done.entries = t.entries;
  done.turns = t.turns;
  done.left = t.left;
}

void BlockCache::drop_trace(Trace& trace) {
  settle(trace);
  for (Block* b : trace.blocks) std::erase(b->traces, &trace);
  Block& head = *trace.blocks.front();
  head.host_code = trace.head_code;
  head.heads = nullptr;
  relink_incoming(head);  // back to the head's own code
  used_bytes_ -= trace.host_bytes;
  ++stats.traces_dropped;
  ++code_epoch;
  // Its code may be what returned to the executor just now: freed at the next safe point.
  const auto it = std::find_if(traces_.begin(), traces_.end(), [&](const auto& t) { return t.get() == &trace; });
  trace_graveyard_.push_back(std::move(*it));
  traces_.erase(it);
}

std::vector<const Trace*> BlockCache::traces() const {
  std::vector<const Trace*> out;
  for (const auto& t : traces_) out.push_back(t.get());
  return out;
}

std::vector<const Block*> BlockCache::blocks() const {
  std::vector<const Block*> out;
  out.reserve(live_.size());
  for (const auto& [block, serial] : order_)
    if (alive(block, serial)) out.push_back(block);
  return out;
}

void BlockCache::code_changed(uint32_t paddr, uint32_t length) {
  if (live_.empty()) return;
  const uint32_t page_index = (paddr - ram_base_) / kPageSize;
  PageBlocks* page = pages_[page_index].get();
  if (!page || !page->count) return;
  const uint32_t lo = paddr % kPageSize, hi = lo + length;  // [lo, hi) within the page
  const uint32_t first = lo > kMaxBlockBytes ? lo - kMaxBlockBytes : 0;
  for (uint32_t off = first; off < hi && off < kPageSize; off += 2) {
    Block* b = page->at[off / 2];
    if (b && b->end > lo) remove(*b, TranslatorEvent::Kind::invalidated);
  }
}

void BlockCache::note(TranslatorEvent::Kind kind, const Block* block) {
  TranslatorEvent e{kind};
  if (block) {
    e.paddr = block->paddr;
    e.bytes = static_cast<uint16_t>(block->end - block->start);
  }
  e.step = clock ? clock() : 0;
  events_.push_back(e);
  if (on_event)
    on_event({e.step, kind == TranslatorEvent::Kind::invalidated ? EventKind::block_invalidated : EventKind::block_evicted,
              0, 0, e.paddr});
  if (events_.size() > kMaxEvents) events_.pop_front();
}

}  // namespace vmscope
