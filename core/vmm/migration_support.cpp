// The monitor's part in moving and sizing its guest: the dirty log a live migration's rounds
// read (migration/), starting afresh at the destination, and the pages a balloon took.
#include "vmm/monitor.h"

namespace vmscope {

void Monitor::start_dirty_log() {
  guest_.dirty_log().start(guest_.ram_size() >> 12);
  if (hardware_assisted) g_write_protect_ram(false);
  else shadow_.protect_for_dirty_log();
}

std::vector<uint32_t> Monitor::take_dirty_pages() {
  std::vector<uint32_t> pages = guest_.dirty_log().take();
  if (hardware_assisted) g_write_protect_ram(false);
  else shadow_.protect_for_dirty_log();
  return pages;
}

void Monitor::stop_dirty_log() {
  guest_.dirty_log().stop();
  if (hardware_assisted) g_write_protect_ram(true);
  // (shadow entries without W fill again, writable, on their next store)
}

void Monitor::drop_translations() {
  if (hardware_assisted) {
    for (uint32_t a = g_root_; a < g_root_ + 0x4000 + kMaxGTables * 0x1000; a += 4) bus_.write(a, 4, 0);
    g_regions_ = g_tables_ = 0;
    hart_.hfence_gvma_all();
    return;
  }
  shadow_.reset();
  host_satp_ = ~0u;
  sync_host();
  hart_.sfence(false, 0, false, 0);
}

void Monitor::unmap_reclaimed() {
  if (hardware_assisted) g_unmap_reclaimed();
  else shadow_.unmap_reclaimed();
}

}  // namespace vmscope
