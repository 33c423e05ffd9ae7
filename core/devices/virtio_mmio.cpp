// The virtio-mmio transport, split virtqueues and virtio-console (virtio_mmio.h).
#include "devices/virtio_mmio.h"

#include <cstdio>
#include <cstring>

namespace vmscope {

namespace {
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint64_t le64(const uint8_t* p) { return le32(p) | static_cast<uint64_t>(le32(p + 4)) << 32; }
void put16(uint8_t* p, uint16_t v) { p[0] = static_cast<uint8_t>(v), p[1] = static_cast<uint8_t>(v >> 8); }
void put32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i)); }
std::string hex(uint64_t v) {
  char s[24];
  std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(v));
  return s;
}
void set_half(uint64_t& v, unsigned half, uint32_t value) {
  v = (v & ~(uint64_t{0xffffffff} << (32 * half))) | static_cast<uint64_t>(value) << (32 * half);
}
}  // namespace

void VirtioMmio::reset() {
  status_ = device_features_sel_ = driver_features_sel_ = queue_sel_ = 0;
  interrupt_status_ = 0;
  driver_features_ = 0;
  queues_ = {};
  error_.clear();
  type_.reset();
  if (on_interrupt_line) on_interrupt_line(false);
}

void VirtioMmio::fail(const std::string& why) {
  if (error_.empty()) error_ = why;
  status_ |= virtio::kNeedsReset;
  set_interrupt(2);  // a configuration change: the driver looks at the status
}

void VirtioMmio::set_interrupt(uint32_t bits) {
  const bool was = interrupt_pending();
  ++interrupts_;
  interrupt_status_ |= bits;
  if (!was && on_interrupt_line) on_interrupt_line(true);
}

uint32_t VirtioMmio::register_value(uint32_t offset) const {
  const uint64_t offered = type_.features() | virtio::kTransportFeatures;
  const Queue* q = queue_sel_ < type_.queues() ? &queues_[queue_sel_] : nullptr;
  switch (offset) {
    case 0x000: return virtio::kMagic;
    case 0x004: return 2;
    case 0x008: return type_.device_id();
    case 0x00c: return virtio::kVendorQemu;
    case 0x010: return device_features_sel_ < 2 ? static_cast<uint32_t>(offered >> (32 * device_features_sel_)) : 0;
    case 0x034: return q ? virtio::kMaxQueueSize : 0;
    case 0x044: return q && q->ready;
    case 0x060: return interrupt_status_;
    case 0x070: return status_;
    case 0x0fc: return config_generation_;
    default: return 0;
  }
}

bool VirtioMmio::read(uint32_t offset, unsigned size, uint64_t& value) {
  if (offset >= 0x100) {  // the device's configuration space, little-endian, any width
    value = 0;
    for (unsigned i = 0; i < size; ++i) value |= static_cast<uint64_t>(type_.config_read(offset - 0x100 + i)) << (8 * i);
    return true;
  }
  if (size != 4 || offset % 4) return false;  // registers are 32-bit (§4.2.2)
  value = register_value(offset);
  return true;
}

uint64_t VirtioMmio::peek(uint32_t offset, unsigned size) const {
  if (offset >= 0x100) {
    uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i) value |= static_cast<uint64_t>(type_.config_read(offset - 0x100 + i)) << (8 * i);
    return value;
  }
  return size == 4 && offset % 4 == 0 ? register_value(offset) : 0;
}

bool VirtioMmio::write(uint32_t offset, unsigned size, uint64_t value64) {
  if (offset >= 0x100) {
    for (unsigned i = 0; i < size; ++i) type_.config_write(offset - 0x100 + i, static_cast<uint8_t>(value64 >> (8 * i)));
    return true;
  }
  if (size != 4 || offset % 4) return false;
  auto value = static_cast<uint32_t>(value64);
  Queue* q = queue_sel_ < type_.queues() ? &queues_[queue_sel_] : nullptr;
  const bool negotiating = (status_ & virtio::kDriver) && !(status_ & virtio::kFeaturesOk);
  switch (offset) {
    case 0x014: device_features_sel_ = value; break;
    case 0x020:
      if (negotiating && driver_features_sel_ < 2) set_half(driver_features_, driver_features_sel_, value);
      break;
    case 0x024: driver_features_sel_ = value; break;
    case 0x030: queue_sel_ = value; break;
    case 0x038:
      if (q && !q->ready) q->num = value;
      break;
    case 0x044:
      if (!q) break;
      if (value && (q->num == 0 || q->num > virtio::kMaxQueueSize || (q->num & (q->num - 1)))) {
        fail("queue " + std::to_string(queue_sel_) + ": size " + std::to_string(q->num) +
             " is not a power of 2 from 1 to " + std::to_string(virtio::kMaxQueueSize));
        break;
      }
      q->ready = value != 0;
      break;
    case 0x050:
      ++notifications_;
      if (live() && value < type_.queues() && queues_[value].ready) type_.notified(*this, value);
      break;
    case 0x064:
      interrupt_status_ &= ~value;
      if (!interrupt_pending() && on_interrupt_line) on_interrupt_line(false);
      break;
    case 0x070:
      if (value == 0) {
        reset();
        break;
      }
      // FEATURES_OK only if the driver took nothing not offered, and the modern interface.
      if ((value & virtio::kFeaturesOk) && !(status_ & virtio::kFeaturesOk)) {
        const uint64_t offered = type_.features() | virtio::kTransportFeatures;
        if ((driver_features_ & ~offered) || !(driver_features_ & virtio::kFeatureVersion1))
          value &= ~virtio::kFeaturesOk;
      }
      status_ = value | (status_ & virtio::kNeedsReset);
      break;
    case 0x080: if (q && !q->ready) set_half(q->desc, 0, value); break;
    case 0x084: if (q && !q->ready) set_half(q->desc, 1, value); break;
    case 0x090: if (q && !q->ready) set_half(q->driver, 0, value); break;
    case 0x094: if (q && !q->ready) set_half(q->driver, 1, value); break;
    case 0x0a0: if (q && !q->ready) set_half(q->device, 0, value); break;
    case 0x0a4: if (q && !q->ready) set_half(q->device, 1, value); break;
    default: break;  // read-only and reserved registers ignore writes
  }
  return true;
}

std::optional<VirtioChain> VirtioMmio::pop(unsigned qi) {
  if (!live() || qi >= type_.queues() || !queues_[qi].ready) return std::nullopt;
  Queue& q = queues_[qi];
  const std::string where = "queue " + std::to_string(qi) + ": ";
  const uint8_t* avail = dma_(q.driver, 4 + 2 * q.num + event_trailer());
  if (!avail) {
    fail(where + "its available ring at " + hex(q.driver) + " is not in guest RAM");
    return std::nullopt;
  }
  const uint16_t idx = le16(avail + 2);
  if (idx == q.last_avail) return std::nullopt;
  if (static_cast<uint16_t>(idx - q.last_avail) > q.num) {
    fail(where + "the available index moved by more than the queue's size");
    return std::nullopt;
  }
  VirtioChain chain;
  chain.head = le16(avail + 4 + 2 * (q.last_avail % q.num));
  ++q.last_avail;
  if (negotiated(virtio::kFeatureEventIdx)) {  // avail_event: notify me when you pass this
    uint8_t* used = dma_(q.device, 4 + 8 * q.num + event_trailer());
    if (used) put16(used + 4 + 8 * q.num, q.last_avail);
  }
  unsigned budget = q.num;  // a chain is never longer than the queue (§2.7.5.3.1)
  if (!walk(q.desc, q.num, chain.head, false, budget, chain, where)) return std::nullopt;
  return chain;
}

bool VirtioMmio::walk(uint64_t table, uint32_t size, uint32_t first, bool in_indirect, unsigned& budget,
                      VirtioChain& chain, const std::string& where) {
  const std::string table_name = in_indirect ? "indirect table" : "table";
  for (uint32_t i = first;;) {
    if (i >= size) {
      fail(where + "descriptor " + std::to_string(i) + " is beyond the " + table_name + " of " + std::to_string(size));
      return false;
    }
    if (budget == 0) {
      fail(where + "the chain from descriptor " + std::to_string(chain.head) + " is longer than the queue (a loop?)");
      return false;
    }
    --budget;
    const uint8_t* d = dma_(table + 16ull * i, 16);
    if (!d) {
      fail(where + "its descriptor " + table_name + " at " + hex(table) + " is not in guest RAM");
      return false;
    }
    const uint64_t addr = le64(d);
    const uint32_t len = le32(d + 8);
    const uint16_t flags = le16(d + 12), next = le16(d + 14);
    if (flags & virtio::kDescIndirect) {
      if (!negotiated(virtio::kFeatureIndirectDesc)) {
        fail(where + "an indirect descriptor, not negotiated");
        return false;
      }
      if (in_indirect || (flags & virtio::kDescNext) || len == 0 || len % 16) {
        fail(where + "indirect descriptor " + std::to_string(i) + " is malformed (nested, chained, or its length " +
             std::to_string(len) + " is not a multiple of 16)");
        return false;
      }
      return walk(addr, len / 16, 0, true, budget, chain, where);
    }
    uint8_t* data = len ? dma_(addr, len) : nullptr;
    if (len && !data) {
      fail(where + "descriptor " + std::to_string(i) + "'s buffer " + hex(addr) + "+" + std::to_string(len) +
           " is not in guest RAM");
      return false;
    }
    if (flags & virtio::kDescWrite) {
      chain.writable.push_back({data, len});
    } else {
      if (!chain.writable.empty()) {
        fail(where + "a device-readable descriptor after a writable one");
        return false;
      }
      chain.readable.push_back({data, len});
    }
    if (!(flags & virtio::kDescNext)) return true;
    i = next;
  }
}

void VirtioMmio::push_used(unsigned qi, uint16_t head, uint32_t written) {
  Queue& q = queues_[qi];
  uint8_t* used = dma_(q.device, 4 + 8 * q.num + event_trailer());
  const uint8_t* avail = dma_(q.driver, 4 + 2 * q.num + event_trailer());
  if (!used || !avail) {
    fail("queue " + std::to_string(qi) + ": its rings are not in guest RAM");
    return;
  }
  uint8_t* slot = used + 4 + 8 * (q.used_idx % q.num);
  put32(slot, head);
  put32(slot + 4, written);
  const uint16_t old_idx = q.used_idx;
  put16(used + 2, ++q.used_idx);
  bool wanted;
  if (negotiated(virtio::kFeatureEventIdx)) {  // vring_need_event (§2.7.10)
    const uint16_t used_event = le16(avail + 4 + 2 * q.num);
    wanted = static_cast<uint16_t>(q.used_idx - used_event - 1) < static_cast<uint16_t>(q.used_idx - old_idx);
  } else {
    wanted = !(le16(avail) & virtio::kAvailNoInterrupt);
  }
  if (wanted) set_interrupt(1);
}

void VirtioMmio::config_changed() {
  ++config_generation_;
  if (live()) set_interrupt(2);
}

// ---- virtio-console

void VirtioConsole::notified(VirtioMmio& t, unsigned q) {
  if (q == 0) return deliver(t);  // new receive buffers
  while (std::optional<VirtioChain> c = t.pop(1)) {
    for (const VirtioChain::Part& p : c->readable)
      if (on_output) on_output(std::string_view(reinterpret_cast<const char*>(p.data), p.length));
    t.push_used(1, c->head, 0);
  }
}

void VirtioConsole::push_input(VirtioMmio& t, std::string_view bytes) {
  input_.append(bytes);
  deliver(t);
}

void VirtioConsole::deliver(VirtioMmio& t) {
  while (!input_.empty()) {
    std::optional<VirtioChain> c = t.pop(0);
    if (!c) return;
    uint32_t written = 0;
    for (const VirtioChain::Part& p : c->writable) {
      const uint32_t n = std::min<uint32_t>(p.length, static_cast<uint32_t>(input_.size()) - written);
      std::memcpy(p.data, input_.data() + written, n);
      written += n;
    }
    input_.erase(0, written);
    t.push_used(0, c->head, written);
  }
}

}  // namespace vmscope
