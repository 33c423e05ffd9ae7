// virtio over MMIO (OASIS virtio 1.2, §4.2: the modern "version 2" register layout) with split
// virtqueues (§2.7): the transport of the board's virtio devices, as QEMU's virt board has them
// (slots at 0x10001000 + n * 0x1000, vendor "QEMU"). A device type (VirtioDeviceType) supplies
// its ID, features, configuration space and what a notification of one of its queues means; the
// transport keeps the registers, the feature negotiation, the queues' setup and the rings.
// Everything the driver wrote is checked where it is used: a malformed ring or chain sets the
// status's DEVICE_NEEDS_RESET and `error()` says what, never touching memory outside the guest's.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/device.h"

namespace vmscope {

// The board's virtio-mmio slots (QEMU virt's addresses).
namespace virtio {
inline constexpr uint32_t kMagic = 0x74726976;   // "virt"
inline constexpr uint32_t kVendorQemu = 0x554d4551;  // "QEMU": what drivers written against QEMU check
inline constexpr uint64_t kFeatureVersion1 = uint64_t{1} << 32;  // VIRTIO_F_VERSION_1
// What the transport offers for every device, as QEMU does: indirect descriptors (§2.7.5.3) and
// the event index (§2.7.7, §2.7.10: interrupts only when the driver's used_event is passed).
inline constexpr uint64_t kFeatureIndirectDesc = uint64_t{1} << 28, kFeatureEventIdx = uint64_t{1} << 29;
inline constexpr uint64_t kTransportFeatures = kFeatureVersion1 | kFeatureIndirectDesc | kFeatureEventIdx;
// Device status bits (§2.1).
inline constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kNeedsReset = 64, kFailed = 128;
// Descriptor flags (§2.7.5).
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
inline constexpr uint16_t kAvailNoInterrupt = 1;  // VIRTQ_AVAIL_F_NO_INTERRUPT
inline constexpr unsigned kMaxQueueSize = 256;
}  // namespace virtio

// Where a device reaches the guest's memory by DMA: a host pointer for `length` bytes at the
// guest-physical `address` (under a monitor: the guest's RAM at its offset), or null if that is
// not all RAM the guest has.
using DmaPointer = std::function<uint8_t*(uint64_t address, uint32_t length)>;

class VirtioMmio;

// A buffer chain popped from a queue: its head (what goes back in the used ring) and its
// driver-written (readable) and device-written (writable) parts, as host pointers.
struct VirtioChain {
  uint16_t head = 0;
  struct Part {
    uint8_t* data;
    uint32_t length;
  };
  std::vector<Part> readable, writable;
};

class VirtioDeviceType {
 public:
  virtual ~VirtioDeviceType() = default;
  virtual const char* name() const = 0;
  virtual uint32_t device_id() const = 0;
  virtual uint64_t features() const = 0;  // the transport adds virtio::kTransportFeatures
  virtual unsigned queues() const = 0;
  virtual uint8_t config_read(uint32_t offset) const = 0;  // device-specific configuration
  virtual void config_write(uint32_t, uint8_t) {}
  // The driver made buffers available in queue `q` (QueueNotify).
  virtual void notified(VirtioMmio& transport, unsigned q) = 0;
  virtual void reset() {}
};

class VirtioMmio : public Device {
 public:
  VirtioMmio(VirtioDeviceType& type, DmaPointer dma) : type_(type), dma_(std::move(dma)) {}
  const char* name() const override { return type_.name(); }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override;
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t offset, unsigned size) const override;
  void reset() override;

  // For device types: the next chain the driver made available in queue `q` (nullopt when there
  // is none, or when the ring is malformed: then the device needs a reset and error() says why).
  std::optional<VirtioChain> pop(unsigned q);
  // Hands a chain back (`written` bytes of its writable part filled) and raises the used-buffer
  // interrupt unless the driver suppressed it (the avail ring's flag, or its used_event).
  void push_used(unsigned q, uint16_t head, uint32_t written);
  // The device changed its configuration space: a new generation and the configuration-change
  // interrupt (§4.2.2: InterruptStatus bit 1).
  void config_changed();

  bool interrupt_pending() const { return interrupt_status_ != 0; }
  std::function<void(bool)> on_interrupt_line;
  uint32_t status() const { return status_; }
  uint64_t driver_features() const { return driver_features_; }
  const std::string& error() const { return error_; }
  uint64_t notifications() const { return notifications_; }
  uint64_t interrupts() const { return interrupts_; }
  uint32_t queue_count() const { return type_.queues(); }
  const VirtioDeviceType& type() const { return type_; }
  // The debugger's view of a queue: its setup and where the device is in its rings.
  struct QueueView {
    uint32_t num;
    bool ready;
    uint64_t desc, driver, device;
    uint16_t last_avail, used_idx;
  };
  QueueView queue(unsigned q) const {
    const Queue& x = queues_[q];
    return {x.num, x.ready, x.desc, x.driver, x.device, x.last_avail, x.used_idx};
  }
  // Host memory behind a guest-physical range (for the debugger's ring view), or null.
  const uint8_t* dma_view(uint64_t address, uint32_t length) const { return dma_(address, length); }

  // Snapshots: the registers, the negotiation and the queues (the rings are in guest RAM).
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(status_, device_features_sel_, driver_features_sel_, queue_sel_, interrupt_status_, config_generation_,
       driver_features_, notifications_, interrupts_, error_);
    for (Queue& q : queues_) ar(q.num, q.ready, q.desc, q.driver, q.device, q.last_avail, q.used_idx);
  }

 private:
  struct Queue {
    uint32_t num = 0;
    bool ready = false;
    uint64_t desc = 0, driver = 0, device = 0;
    uint16_t last_avail = 0, used_idx = 0;
  };
  uint32_t register_value(uint32_t offset) const;
  void fail(const std::string& why);
  void set_interrupt(uint32_t bits);
  bool negotiated(uint64_t feature) const { return (driver_features_ & feature) != 0; }
  // The rings' used_event / avail_event words exist only with the event index (§2.7.6, §2.7.8).
  uint32_t event_trailer() const { return negotiated(virtio::kFeatureEventIdx) ? 2 : 0; }
  // Appends the chain from descriptor `first` of the table at `table` (`size` entries) to
  // `chain`; an indirect descriptor's table is walked in turn (once, and only if negotiated).
  bool walk(uint64_t table, uint32_t size, uint32_t first, bool in_indirect, unsigned& budget,
            VirtioChain& chain, const std::string& where);
  bool live() const { return (status_ & virtio::kDriverOk) && !(status_ & virtio::kNeedsReset); }

  VirtioDeviceType& type_;
  DmaPointer dma_;
  uint32_t status_ = 0, device_features_sel_ = 0, driver_features_sel_ = 0, queue_sel_ = 0;
  uint32_t interrupt_status_ = 0, config_generation_ = 0;
  uint64_t driver_features_ = 0, notifications_ = 0, interrupts_ = 0;
  std::array<Queue, 8> queues_{};
  std::string error_;
};

// A virtio-mmio slot with no device behind it (device ID 0), as QEMU's virt board answers in its
// unused slots: drivers probe every slot and skip these.
class VirtioEmptySlot : public Device {
 public:
  const char* name() const override { return "virtio-mmio (empty)"; }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override {
    value = peek(offset, size);
    return size == 4 && offset % 4 == 0;
  }
  bool write(uint32_t offset, unsigned size, uint64_t) override { return size == 4 && offset % 4 == 0; }
  uint64_t peek(uint32_t offset, unsigned) const override {
    return offset == 0 ? virtio::kMagic : offset == 4 ? 2 : offset == 0xc ? virtio::kVendorQemu : 0;
  }
  void reset() override {}
};

// virtio-console (§5.3, device ID 3) with one port, no multiport, no emergency write: the
// driver's transmitq (1) goes to `on_output`, bytes pushed in reach its receiveq (0).
class VirtioConsole : public VirtioDeviceType {
 public:
  const char* name() const override { return "virtio-console"; }
  uint32_t device_id() const override { return 3; }
  uint64_t features() const override { return 0; }
  unsigned queues() const override { return 2; }
  uint8_t config_read(uint32_t) const override { return 0; }  // cols, rows, max_nr_ports: not offered
  void notified(VirtioMmio& transport, unsigned q) override;
  void reset() override { input_.clear(); }
  void push_input(VirtioMmio& transport, std::string_view bytes);
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(input_);
  }

  std::function<void(std::string_view)> on_output;

 private:
  void deliver(VirtioMmio& transport);
  std::string input_;  // received, not yet in a buffer of the driver's
};

}  // namespace vmscope
