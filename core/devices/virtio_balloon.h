// virtio-balloon (OASIS virtio 1.2, §5.5, device ID 5) over the virtio-mmio transport: how a
// host asks its guest for memory back. The host sets a target (`num_pages`, in the
// configuration space) and raises the configuration-change interrupt; the guest's driver gives
// free pages by putting their page frame numbers (4 KiB pages, le32) in the inflate queue, takes
// pages back through the deflate queue, and writes how many the balloon holds in `actual`.
// What giving a page means to the host (releasing its memory, unmapping it from the guest) is
// the board's business: `on_inflate` and `on_deflate` are called per page frame.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/virtio_mmio.h"

namespace vmscope {

class VirtioBalloon : public VirtioDeviceType {
 public:
  static constexpr unsigned kInflateQueue = 0, kDeflateQueue = 1;
  const char* name() const override { return "virtio-balloon"; }
  uint32_t device_id() const override { return 5; }
  uint64_t features() const override { return 0; }  // no statistics queue, no deflate-on-OOM
  unsigned queues() const override { return 2; }
  uint8_t config_read(uint32_t offset) const override;
  void config_write(uint32_t offset, uint8_t value) override;
  void notified(VirtioMmio& transport, unsigned q) override;
  void reset() override { actual_ = 0; }  // the driver reset the device
  void power_on() { target_ = actual_ = 0, counts_ = {}; }

  // The host's request: the balloon should hold `pages` pages.
  void set_target(VirtioMmio& transport, uint32_t pages);
  uint32_t target() const { return target_; }
  uint32_t actual() const { return actual_; }  // what the driver says the balloon holds

  // Per page frame given (inflate) or taken back (deflate); false when the host refuses it
  // (not a page of the guest's RAM): it is counted and skipped.
  std::function<bool(uint32_t pfn)> on_inflate, on_deflate;
  std::function<void(bool inflated)> after_request;  // once per buffer, after its pages

  struct Counts {
    uint64_t inflated = 0, deflated = 0, refused = 0;  // page frames
    uint64_t requests = 0;                             // buffers the driver offered
  };
  const Counts& counts() const { return counts_; }

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(target_, actual_, counts_.inflated, counts_.deflated, counts_.refused, counts_.requests);
  }

 private:
  uint32_t target_ = 0, actual_ = 0;
  Counts counts_;
};

}  // namespace vmscope
