// Physical memory: RAM bounds checks, device dispatch and host-side copies.
#include "mem/bus.h"

#include <cstring>
#include <new>

#include "hart/code_cache.h"

namespace vmscope {

Bus::Bus(uint32_t ram_base, uint32_t ram_size) : ram_base_(ram_base), ram_size_(ram_size) {
  clear_ram();
}

void Bus::clear_ram() {
  ram_.reset(static_cast<uint8_t*>(std::calloc(ram_size_, 1)));
  if (!ram_) throw std::bad_alloc();
  dirty_.assign((ram_pages() + 63) / 64, 0);  // all zero: only what is written from now on differs
  zero_but_dirty_ = true;
}

void Bus::map_device(uint32_t base, uint32_t size, Device* device) {
  devices_.push_back({base, size, device});
}

Device* Bus::find_device(uint32_t paddr, unsigned size, uint32_t& offset) const {
  for (const DeviceMapping& m : devices_) {
    if (paddr >= m.base && paddr - m.base < m.size && size <= m.size - (paddr - m.base)) {
      offset = paddr - m.base;
      return m.device;
    }
  }
  return nullptr;
}

bool Bus::read(uint32_t paddr, unsigned size, uint64_t& value) {
  if (const uint8_t* p = ram_pointer(paddr, size)) {
    value = 0;
    std::memcpy(&value, p, size);
    return true;
  }
  uint32_t offset;
  Device* d = find_device(paddr, size, offset);
  return d && d->read(offset, size, value);
}

bool Bus::write(uint32_t paddr, unsigned size, uint64_t value) {
  if (uint8_t* p = ram_pointer(paddr, size)) {
    if (code_cache_) code_cache_->on_write(paddr, size);
    mark_dirty(paddr, size);
    std::memcpy(p, &value, size);
    return true;
  }
  uint32_t offset;
  Device* d = find_device(paddr, size, offset);
  return d && d->write(offset, size, value);
}

bool Bus::write_bytes(uint32_t paddr, std::span<const uint8_t> bytes) {
  const auto length = static_cast<uint32_t>(bytes.size());
  if (bytes.size() > ram_size_ || !in_ram(paddr, length)) return false;
  if (code_cache_) code_cache_->on_write(paddr, length);
  mark_dirty(paddr, length);
  if (length) std::memcpy(ram_.get() + (paddr - ram_base_), bytes.data(), length);
  return true;
}

bool Bus::read_bytes(uint32_t paddr, std::span<uint8_t> out) const {
  const auto length = static_cast<uint32_t>(out.size());
  if (out.size() > ram_size_ || !in_ram(paddr, length)) return false;
  if (length) std::memcpy(out.data(), ram_.get() + (paddr - ram_base_), length);
  return true;
}

bool Bus::peek(uint32_t paddr, unsigned size, uint64_t& value) const {
  if (in_ram(paddr, size)) {
    value = 0;
    std::memcpy(&value, ram_.get() + (paddr - ram_base_), size);
    return true;
  }
  uint32_t offset;
  const Device* d = find_device(paddr, size, offset);
  if (!d) return false;
  value = d->peek(offset, size);
  return true;
}

}  // namespace vmscope
