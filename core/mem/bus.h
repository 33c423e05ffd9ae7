// The physical address space: one RAM region plus memory-mapped devices. Every guest access ends
// here after translation, and nothing outside RAM and the devices can be reached.
#pragma once

#include <cstdint>
#include <algorithm>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "devices/device.h"

namespace vmscope {

class CodeCache;

struct DeviceMapping {
  uint32_t base, size;
  Device* device;
};

class Bus final : public PhysicalMemory {
 public:
  Bus(uint32_t ram_base, uint32_t ram_size);

  uint32_t ram_base() const { return ram_base_; }
  uint32_t ram_size() const { return ram_size_; }
  bool in_ram(uint32_t paddr, uint32_t length) const {
    return paddr >= ram_base_ && paddr - ram_base_ <= ram_size_ &&
           length <= ram_size_ - (paddr - ram_base_);
  }
  // Host pointer to guest RAM at `paddr`, or null if [paddr, paddr+length) is not all RAM.
  uint8_t* ram_pointer(uint32_t paddr, uint32_t length = 1) {
    return in_ram(paddr, length) ? ram_.get() + (paddr - ram_base_) : nullptr;
  }

  void map_device(uint32_t base, uint32_t size, Device* device);
  const std::vector<DeviceMapping>& devices() const { return devices_; }
  // The device mapped at `paddr`, with the offset into it.
  Device* find_device(uint32_t paddr, unsigned size, uint32_t& offset) const;

  // Guest accesses that missed the RAM fast paths (devices, or RAM reached by a slow path).
  bool read(uint32_t paddr, unsigned size, uint64_t& value);
  bool write(uint32_t paddr, unsigned size, uint64_t value);

  // Host-side copies (ELF loading, system-call buffers, debugger edits). RAM only.
  // Writes keep translated code coherent; reads have no side effects.
  bool write_bytes(uint32_t paddr, std::span<const uint8_t> bytes) override;
  bool read_bytes(uint32_t paddr, std::span<uint8_t> out) const override;
  // Debugger reads: RAM and device registers, never a side effect. False where nothing is mapped.
  bool peek(uint32_t paddr, unsigned size, uint64_t& value) const;

  void set_code_cache(CodeCache* cache) { code_cache_ = cache; }
  void clear_ram();

  // ---- memory the host took back (a balloon's pages): one bit per 4 KiB RAM page. Reclaiming
  // zeroes the page and gives its host memory back to the operating system (natively: the RAM
  // is an anonymous mapping and the page is dropped from it); whoever maps guest memory (a
  // monitor's shadow or G-stage tables) must not map a reclaimed page, and backs it again
  // (a zero page) if the guest touches it anyway.
  void reclaim_page(uint32_t paddr);
  void back_page(uint32_t paddr) {  // in use again
    if (in_ram(paddr, 1)) reclaimed_[(paddr - ram_base_) >> 18] &= ~(uint64_t{1} << ((paddr - ram_base_) >> 12 & 63));
  }
  bool reclaimed(uint32_t paddr) const {
    return in_ram(paddr, 1) && (reclaimed_[(paddr - ram_base_) >> 18] >> ((paddr - ram_base_) >> 12 & 63) & 1);
  }
  uint32_t reclaimed_pages() const;
  // Written by the host for the guest (a store through the bus, a copy): in use again.
  void back_pages(uint32_t paddr, uint32_t length) {
    if (length && reclaimed_any_)
      for (uint32_t p = paddr & ~0xfffu; p <= paddr + length - 1 && p >= (paddr & ~0xfffu); p += 0x1000) back_page(p);
  }
  const std::vector<uint64_t>& reclaimed_bits() const { return reclaimed_; }  // bit p: RAM page p
  // Snapshots and migration: the set as saved (the pages' contents come with the RAM).
  void set_reclaimed_bits(const std::vector<uint64_t>& bits);
  // Pages of RAM in [paddr, paddr + length) the host operating system really holds now
  // (natively, by mincore; elsewhere: every page not reclaimed). What ballooning saves, measured.
  uint32_t resident_pages(uint32_t paddr, uint32_t length) const;
  std::vector<bool> resident_map(uint32_t paddr, uint32_t length) const;  // the same, page by page (one mincore)

  // ---- dirty pages, for incremental snapshots: one bit per 4 KiB RAM page, set by every write
  // that goes through the bus or reports itself here (the hart's store slow paths and atomics,
  // a monitor's shadow tables). The hart's write fast paths skip it: see Hart::drop_write_fast_paths.
  void mark_dirty(uint32_t paddr, uint32_t length) {
    if (length == 0 || !in_ram(paddr, length)) return;
    const uint32_t first = (paddr - ram_base_) >> 12, last = (paddr - ram_base_ + length - 1) >> 12;
    for (uint32_t p = first; p <= last; ++p) dirty_[p >> 6] |= uint64_t{1} << (p & 63);
  }
  uint32_t ram_pages() const { return ram_size_ >> 12; }
  const std::vector<uint64_t>& dirty_pages() const { return dirty_; }  // bit p: RAM page p
  void clear_dirty() {
    std::fill(dirty_.begin(), dirty_.end(), 0);
    zero_but_dirty_ = false;
  }
  // True from clear_ram() to the next clear_dirty(): every page not marked dirty is all zero (a
  // first snapshot need not read the rest of RAM).
  bool zero_but_dirty() const { return zero_but_dirty_; }
  uint8_t* ram() { return ram_.get(); }
  const uint8_t* ram() const { return ram_.get(); }

  // A few bytes of RAM whose stores a device acts on (HTIF's tohost word): harts never map their
  // page for fast stores, and call ram_store_watched after every store into RAM they make.
  void watch_ram_stores(uint32_t paddr, uint32_t length, std::function<void(uint32_t paddr, unsigned size)> on_store) {
    watched_ = {paddr, length, std::move(on_store)};
  }
  void unwatch_ram_stores() { watched_ = {}; }
  bool page_watched(uint32_t page) const {
    return watched_.length && (watched_.paddr & ~0xfffu) <= page && page <= ((watched_.paddr + watched_.length - 1) & ~0xfffu);
  }
  // True when the store touched the watched bytes (the device has acted on it).
  bool ram_store_watched(uint32_t paddr, unsigned size) {
    if (!watched_.length || paddr + size <= watched_.paddr || paddr >= watched_.paddr + watched_.length) return false;
    watched_.on_store(paddr, size);
    return true;
  }

 private:
  struct RamDeleter {
    uint32_t size;
    void operator()(uint8_t* p) const;
  };
  uint32_t ram_base_, ram_size_;
  // Zero pages the OS hands out lazily: an anonymous mapping natively (pages can be dropped
  // again), calloc'd elsewhere.
  std::unique_ptr<uint8_t, RamDeleter> ram_;
  std::vector<uint64_t> reclaimed_;
  bool reclaimed_any_ = false;  // (since the RAM was cleared: writes skip the check until then)
  std::vector<DeviceMapping> devices_;
  CodeCache* code_cache_ = nullptr;
  std::vector<uint64_t> dirty_;
  bool zero_but_dirty_ = true;
  struct Watched {
    uint32_t paddr = 0, length = 0;
    std::function<void(uint32_t, unsigned)> on_store;
  } watched_;
};

}  // namespace vmscope
