// virtio-balloon: the configuration space and the two queues (virtio_balloon.h).
#include "devices/virtio_balloon.h"

namespace vmscope {

uint8_t VirtioBalloon::config_read(uint32_t offset) const {
  // struct virtio_balloon_config { le32 num_pages; le32 actual; } (the optional fields after
  // them belong to features not offered, and read as zero).
  if (offset < 4) return static_cast<uint8_t>(target_ >> (8 * offset));
  if (offset < 8) return static_cast<uint8_t>(actual_ >> (8 * (offset - 4)));
  return 0;
}

void VirtioBalloon::config_write(uint32_t offset, uint8_t value) {
  if (offset < 4 || offset >= 8) return;  // only `actual` is the driver's
  const unsigned shift = 8 * (offset - 4);
  actual_ = (actual_ & ~(0xffu << shift)) | static_cast<uint32_t>(value) << shift;
}

void VirtioBalloon::set_target(VirtioMmio& transport, uint32_t pages) {
  if (pages == target_) return;
  target_ = pages;
  transport.config_changed();
}

void VirtioBalloon::notified(VirtioMmio& t, unsigned q) {
  const bool inflate = q == kInflateQueue;
  while (std::optional<VirtioChain> c = t.pop(q)) {
    ++counts_.requests;
    for (const VirtioChain::Part& p : c->readable)
      for (uint32_t i = 0; i + 4 <= p.length; i += 4) {
        const uint32_t pfn = p.data[i] | p.data[i + 1] << 8 | p.data[i + 2] << 16 | static_cast<uint32_t>(p.data[i + 3]) << 24;
        const auto& hook = inflate ? on_inflate : on_deflate;
        if (hook && !hook(pfn)) ++counts_.refused;
        else ++(inflate ? counts_.inflated : counts_.deflated);
      }
    if (after_request) after_request(inflate);
    t.push_used(q, c->head, 0);
  }
}

}  // namespace vmscope
