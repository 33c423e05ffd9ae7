#include "events/events.h"

namespace vmscope {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::exception: return "exception";
    case EventKind::interrupt: return "interrupt";
    case EventKind::monitor_exit: return "monitor exit";
    case EventKind::shadow_invalidation: return "shadow invalidation";
    case EventKind::satp_write: return "satp write";
    case EventKind::tlb_flush: return "TLB flush";
    case EventKind::syscall: return "system call";
    case EventKind::sbi_call: return "SBI call";
    case EventKind::block_translated: return "block translated";
    case EventKind::block_invalidated: return "block invalidated";
    case EventKind::block_evicted: return "block evicted";
    case EventKind::console_line: return "console line";
    case EventKind::input: return "input";
    case EventKind::balloon: return "balloon";
    case EventKind::disk: return "disk";
  }
  return "?";
}

}  // namespace vmscope
