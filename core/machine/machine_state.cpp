// A machine's snapshot, RAM aside: which parts there are follows from how it was assembled.
#include "machine/linux_process.h"
#include "machine/machine.h"
#include "state/archive.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {
constexpr uint32_t kStateMagic = 0x5453'4d56;  // "VMST"
}

void Machine::save_state(StateWriter& out) const {
  out(kStateMagic, static_cast<uint8_t>(options_.kind), bus_->ram_size(), static_cast<bool>(monitor_));
  hart_->save_state(out);
  out(uart_, plic_);
  if (console_transport_) out(*console_transport_, *console_device_);
  if (balloon_transport_) out(*balloon_transport_, *balloon_device_);
  if (disk_transport_) out(*disk_transport_, *disk_device_);
  out(bus_->reclaimed_bits());
  if (process_) out(*process_);
  if (monitor_) monitor_->save_state(out);
  out(kStateMagic);
}

bool Machine::load_state(StateReader& in) {
  uint32_t magic = 0, ram_size = 0;
  uint8_t kind = 0;
  bool monitored = false;
  in(magic, kind, ram_size, monitored);
  if (in.failed() || magic != kStateMagic || kind != static_cast<uint8_t>(options_.kind) ||
      ram_size != bus_->ram_size() || monitored != static_cast<bool>(monitor_))
    return false;
  hart_->load_state(in);
  in(uart_, plic_);
  if (console_transport_) in(*console_transport_, *console_device_);
  if (balloon_transport_) in(*balloon_transport_, *balloon_device_);
  if (disk_transport_) in(*disk_transport_, *disk_device_);
  std::vector<uint64_t> reclaimed;
  in(reclaimed);
  if (!in.failed()) bus_->set_reclaimed_bits(reclaimed);
  if (process_) in(*process_);
  if (monitor_) monitor_->load_state(in);
  in(magic);
  code_->clear();  // decoded code and the blocks made from it (the RAM under them may differ)
  return !in.failed() && magic == kStateMagic;
}

}  // namespace vmscope
