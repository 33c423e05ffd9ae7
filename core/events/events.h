// What happened during a run, as the timeline shows it: one small record per event, placed at
// the position (the hart's step count) where travelling shows it — just after the step that
// caused it, or just before the step it precedes (an interrupt, a block's translation).
// Every layer reports through one callback (`EventSink`) that a time machine may install; no
// callback, no cost beyond a branch, and none of these are on a hot path.
#pragma once

#include <cstdint>
#include <functional>

namespace vmscope {

enum class EventKind : uint8_t {
  exception,          // code = cause, pc = epc, value = tval
  interrupt,          // code = cause, pc = where it interrupted
  monitor_exit,       // code = ExitAction, pc = epc, value = cause (bit 31: interrupt)
  shadow_invalidation,  // code = 0: one shadow entry (value = its guest-virtual page), 1: a whole table
  satp_write,         // value = the new satp (a guest's under the monitor)
  tlb_flush,          // SFENCE.VMA (the guest's, under the monitor); value = address or 0
  syscall,            // process VM: code = the system call number
  sbi_call,           // code = extension id (a7), value = function id (a6)
  block_translated,   // value = the block's physical address
  block_invalidated,  // value = physical address (code changed under it)
  block_evicted,      // value = physical address (or 0: the whole cache flushed)
  console_line,       // a line of guest output ended (pc = 0)
  input,              // bytes fed to the guest (value = how many)
  balloon,            // the balloon took (code 0) or gave back (code 1) pages; value = pages the host has reclaimed now
  disk,               // a virtio-blk request done: code = type | status << 8 | sectors << 16, value = first sector
};
inline constexpr unsigned kEventKindCount = static_cast<unsigned>(EventKind::disk) + 1;
const char* to_string(EventKind k);

struct Event {
  uint64_t position;
  EventKind kind;
  uint32_t code = 0, pc = 0, value = 0;
};

using EventSink = std::function<void(const Event&)>;

}  // namespace vmscope
