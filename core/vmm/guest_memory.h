// The guest-physical address space a monitor gives its guest: the guest's RAM sits at an offset
// inside host RAM (the monitor keeps the memory below it for itself: shadow page tables), and
// chosen devices are passed through at their own addresses. Nothing else is reachable.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mem/bus.h"
#include "mem/sv32.h"
#include "vmm/dirty_log.h"

namespace vmscope {

class GuestMemory final : public PteMemory {
 public:
  // Guest RAM [ram_base, ram_base + ram_size) lives at host [ram_base + offset, ...).
  GuestMemory(Bus& bus, uint32_t ram_base, uint32_t ram_size, uint32_t offset)
      : bus_(bus), ram_base_(ram_base), ram_size_(ram_size), offset_(offset) {}

  // A device page the guest reaches directly (host address = guest address).
  void pass_through(uint32_t base, uint32_t size) { devices_.push_back({base, size}); }
  // A device the guest reaches only through the monitor: never mapped, every access traps and
  // the monitor carries it out on the device (same address).
  void emulate(uint32_t base, uint32_t size) { emulated_.push_back({base, size}); }
  bool is_emulated(uint32_t gpa) const {
    for (const Range& r : emulated_)
      if (gpa - r.base < r.size) return true;
    return false;
  }

  uint32_t ram_base() const { return ram_base_; }
  uint32_t ram_size() const { return ram_size_; }
  uint32_t offset() const { return offset_; }
  bool in_ram(uint32_t gpa, uint32_t length = 1) const {
    return gpa >= ram_base_ && gpa - ram_base_ <= ram_size_ && length <= ram_size_ - (gpa - ram_base_);
  }
  // Guest-physical to host-physical for the page holding `gpa`; false where the guest has
  // nothing (no RAM, no passed-through device).
  bool to_host(uint32_t gpa, uint32_t& hpa) const;
  bool is_ram_page(uint32_t gpa) const { return in_ram(gpa & ~0xfffu, 0x1000); }

  // Host-side copies of guest-physical RAM (SBI buffers, emulated stores). RAM only.
  bool read(uint32_t gpa, std::span<uint8_t> out) const;
  bool write(uint32_t gpa, std::span<const uint8_t> bytes);

  // PteMemory: the guest's own page tables, in guest-physical terms.
  bool read_pte(uint32_t gpa, uint32_t& pte) const override;
  void write_pte(uint32_t gpa, uint32_t pte) const override;

  // Live migration's dirty log (by guest RAM page): every write above is noted in it, and the
  // monitor notes the guest's own stores as they fault on write-protected entries.
  DirtyLog& dirty_log() const { return log_; }
  void note_written(uint32_t gpa, uint32_t length = 1) const {
    if (!log_.on() || !in_ram(gpa, length)) return;
    for (uint32_t p = (gpa - ram_base_) >> 12; p <= (gpa - ram_base_ + length - 1) >> 12; ++p) log_.mark(p);
  }

 private:
  struct Range {
    uint32_t base, size;
  };
  Bus& bus_;
  uint32_t ram_base_, ram_size_, offset_;
  std::vector<Range> devices_, emulated_;
  mutable DirtyLog log_;  // (write_pte is const for the walker, and notes its writes)
};

}  // namespace vmscope
