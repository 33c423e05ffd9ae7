// Incremental snapshots: copy-on-write RAM pages, shared page maps, the budget's thinning.
#include "timetravel/snapshot_store.h"

#include <algorithm>
#include <cstring>

#include "state/archive.h"

namespace vmscope {

namespace {
using Page = SnapshotStore::Page;
using Group = SnapshotStore::Group;

bool all_zero(const uint8_t* p) {
  uint64_t acc = 0;
  for (unsigned i = 0; i < SnapshotStore::kPageSize; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  return acc == 0;
}

// A page whose death the store's counter notices (the budget counts distinct pages).
std::shared_ptr<const Page> new_page(const uint8_t* bytes, const std::shared_ptr<size_t>& counter) {
  auto* page = new Page;
  std::memcpy(page->data(), bytes, SnapshotStore::kPageSize);
  ++*counter;
  return std::shared_ptr<const Page>(page, [counter](const Page* p) {
    --*counter;
    delete p;
  });
}

bool same_bytes(const std::shared_ptr<const Page>& page, const uint8_t* ram) {
  return page ? std::memcmp(page->data(), ram, SnapshotStore::kPageSize) == 0 : all_zero(ram);
}

bool dirty(const std::vector<uint64_t>& bits, size_t page) { return bits[page >> 6] >> (page & 63) & 1; }
}  // namespace

SnapshotStore::SnapshotStore() = default;

void SnapshotStore::clear() {
  snapshots_.clear();
  ram_.clear();
  ram_known_ = false;
}

std::vector<std::shared_ptr<const Group>> SnapshotStore::make_groups(const uint8_t* ram, uint32_t ram_size,
                                                                     const std::shared_ptr<size_t>& live_pages) {
  const size_t pages = ram_size / kPageSize;
  std::vector<std::shared_ptr<const Group>> groups((pages + kGroupPages - 1) / kGroupPages);
  for (size_t g = 0; g < groups.size(); ++g) {
    std::shared_ptr<Group> group;
    for (size_t i = 0; i < kGroupPages && g * kGroupPages + i < pages; ++i) {
      const uint8_t* bytes = ram + (g * kGroupPages + i) * kPageSize;
      if (all_zero(bytes)) continue;
      if (!group) group = std::make_shared<Group>();
      (*group)[i] = new_page(bytes, live_pages);
    }
    groups[g] = std::move(group);
  }
  return groups;
}

const SnapshotStore::Snapshot& SnapshotStore::take(Machine& machine, const LogCursors& cursors) {
  Bus& bus = machine.bus();
  machine.hart().drop_write_fast_paths();  // from now on every store reports its page
  const uint8_t* ram = bus.ram();
  const size_t pages = bus.ram_pages();
  if (!ram_known_ && bus.zero_but_dirty()) {  // RAM is zeros but for the dirty pages
    ram_.assign((pages + kGroupPages - 1) / kGroupPages, nullptr);
    ram_known_ = true;
  }
  if (!ram_known_) {
    ram_ = make_groups(ram, bus.ram_size(), live_pages_);
  } else {
    const std::vector<uint64_t>& bits = bus.dirty_pages();
    for (size_t g = 0; g < ram_.size(); ++g) {
      std::shared_ptr<Group> changed;  // a copy of the group, made at its first changed page
      for (size_t i = 0; i < kGroupPages && g * kGroupPages + i < pages; ++i) {
        const size_t p = g * kGroupPages + i;
        if (!dirty(bits, p)) continue;
        const std::shared_ptr<const Page> old = ram_[g] ? (*ram_[g])[i] : nullptr;
        if (same_bytes(old, ram + p * kPageSize)) continue;
        if (!changed) changed = ram_[g] ? std::make_shared<Group>(*ram_[g]) : std::make_shared<Group>();
        (*changed)[i] = all_zero(ram + p * kPageSize) ? nullptr : new_page(ram + p * kPageSize, live_pages_);
      }
      if (changed) ram_[g] = std::move(changed);
    }
  }
  bus.clear_dirty();
  ram_known_ = true;
  Snapshot s;
  s.position = machine.hart().steps();
  s.cursors = cursors;
  StateWriter out;
  machine.save_state(out);
  s.state = out.take();
  s.groups = ram_;
  return snapshots_[s.position] = std::move(s);
}

bool SnapshotStore::restore(Machine& machine, const Snapshot& snapshot) {
  Bus& bus = machine.bus();
  uint8_t* ram = bus.ram();
  const size_t pages = bus.ram_pages();
  const std::vector<uint64_t>& bits = bus.dirty_pages();
  if (snapshot.groups.size() != (pages + kGroupPages - 1) / kGroupPages) return false;
  for (size_t g = 0; g < snapshot.groups.size(); ++g) {
    const std::shared_ptr<const Group>& want = snapshot.groups[g];
    const bool same_map = ram_known_ && ram_[g] == want;
    for (size_t i = 0; i < kGroupPages && g * kGroupPages + i < pages; ++i) {
      const size_t p = g * kGroupPages + i;
      const std::shared_ptr<const Page> page = want ? (*want)[i] : nullptr;
      if (ram_known_ && !dirty(bits, p) && (same_map || (ram_[g] ? (*ram_[g])[i] : nullptr) == page)) continue;
      if (page)
        std::memcpy(ram + p * kPageSize, page->data(), kPageSize);
      else
        std::memset(ram + p * kPageSize, 0, kPageSize);
    }
  }
  bus.clear_dirty();
  ram_ = snapshot.groups;
  ram_known_ = true;
  StateReader in(snapshot.state);
  const bool ok = machine.load_state(in);  // also drops decoded code and translated blocks
  machine.hart().drop_write_fast_paths();
  return ok;
}

const SnapshotStore::Snapshot* SnapshotStore::at_or_before(uint64_t position) const {
  auto it = snapshots_.upper_bound(position);
  if (it == snapshots_.begin()) return nullptr;
  return &std::prev(it)->second;
}

void SnapshotStore::drop_after(uint64_t position) { snapshots_.erase(snapshots_.upper_bound(position), snapshots_.end()); }

void SnapshotStore::thin() {
  if (snapshots_.size() < 3) return;
  const uint64_t last = snapshots_.rbegin()->first;
  bool keep = true;
  for (auto it = snapshots_.begin(); it != snapshots_.end();) {
    if (!keep && it->first != last)
      it = snapshots_.erase(it);
    else
      ++it;
    keep = !keep;
  }
}

size_t SnapshotStore::memory_bytes() const {
  size_t bytes = *live_pages_ * sizeof(Page);
  std::vector<const Group*> groups;
  for (const auto& [position, s] : snapshots_) {
    bytes += s.state.size() + s.groups.size() * sizeof(s.groups[0]) + sizeof(Snapshot);
    for (const auto& g : s.groups)
      if (g) groups.push_back(g.get());
  }
  std::sort(groups.begin(), groups.end());
  bytes += static_cast<size_t>(std::unique(groups.begin(), groups.end()) - groups.begin()) * sizeof(Group);
  return bytes;
}

void SnapshotStore::copy_ram(const Snapshot& s, uint8_t* out, uint32_t ram_size) {
  const size_t pages = ram_size / kPageSize;
  for (size_t p = 0; p < pages; ++p) {
    const auto& g = s.groups[p / kGroupPages];
    const auto page = g ? (*g)[p % kGroupPages] : nullptr;
    if (page)
      std::memcpy(out + p * kPageSize, page->data(), kPageSize);
    else
      std::memset(out + p * kPageSize, 0, kPageSize);
  }
}

}  // namespace vmscope
