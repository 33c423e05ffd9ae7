// Snapshots of a whole machine, kept incrementally within a memory budget: each holds the
// machine's state bytes (machine_state.cpp) and a map of its RAM pages, shared with the
// snapshot before wherever a page did not change (copy-on-write at 4 KiB: the bus's dirty bits
// say which pages may have). All-zero pages cost nothing.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "machine/machine.h"

namespace vmscope {

// Where the time machine's logs stood when a snapshot was taken (time_machine.h).
struct LogCursors {
  uint64_t fed = 0, stdin_reads = 0, clock_reads = 0;
};

class SnapshotStore {
 public:
  static constexpr unsigned kPageSize = 4096, kGroupPages = 512;  // 2 MiB groups of page pointers
  using Page = std::array<uint8_t, kPageSize>;
  using Group = std::array<std::shared_ptr<const Page>, kGroupPages>;  // null: an all-zero page

  struct Snapshot {
    uint64_t position = 0;
    LogCursors cursors;
    std::vector<uint8_t> state;                       // Machine::save_state
    std::vector<std::shared_ptr<const Group>> groups;  // RAM; null: all zero
  };

  SnapshotStore();
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Forgets every snapshot (a new history starts; RAM's contents are then unknown).
  void clear();
  // Takes a snapshot of `machine` (between runs) and returns it. RAM pages the bus does not
  // report dirty since the last take or restore are shared with what RAM held then.
  const Snapshot& take(Machine& machine, const LogCursors& cursors);
  // Puts the machine back into `snapshot` (writing only the RAM pages that differ). False if its
  // state does not load (the machine then needs a reset).
  bool restore(Machine& machine, const Snapshot& snapshot);

  // The latest snapshot at or before `position` (null: none).
  const Snapshot* at_or_before(uint64_t position) const;
  const std::map<uint64_t, Snapshot>& all() const { return snapshots_; }
  // Drops the snapshots after `position` (a history that will not happen any more).
  void drop_after(uint64_t position);
  // Drops every second snapshot (but the first and the last): the budget's way out.
  void thin();

  // Bytes held: distinct pages, page maps and state bytes.
  size_t memory_bytes() const;
  size_t pages_held() const { return *live_pages_; }

  // A snapshot's RAM as one buffer (files, tests).
  static void copy_ram(const Snapshot& s, uint8_t* out, uint32_t ram_size);
  static std::vector<std::shared_ptr<const Group>> make_groups(const uint8_t* ram, uint32_t ram_size,
                                                               const std::shared_ptr<size_t>& live_pages);
  const std::shared_ptr<size_t>& page_counter() const { return live_pages_; }

 private:
  std::map<uint64_t, Snapshot> snapshots_;
  // What RAM held at the last take or restore (pages the bus has not seen written since).
  std::vector<std::shared_ptr<const Group>> ram_;
  bool ram_known_ = false;
  std::shared_ptr<size_t> live_pages_ = std::make_shared<size_t>(0);
};

}  // namespace vmscope
