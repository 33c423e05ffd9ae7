// Physical memory: RAM bounds checks, device dispatch and host-side copies.
#include "mem/bus.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#if !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <unistd.h>
#define VMSCOPE_RAM_MAPPED 1
#endif

#include "mem/code_cache.h"

namespace vmscope {

Bus::Bus(uint32_t ram_base, uint32_t ram_size) : ram_base_(ram_base), ram_size_(ram_size) {
  clear_ram();
}

void Bus::RamDeleter::operator()(uint8_t* p) const {
#ifdef VMSCOPE_RAM_MAPPED
  munmap(p, size ? size : 1);
#else
  std::free(p);
#endif
}

void Bus::clear_ram() {
  ram_.reset();
#ifdef VMSCOPE_RAM_MAPPED
  void* p = mmap(nullptr, ram_size_ ? ram_size_ : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  ram_ = std::unique_ptr<uint8_t, RamDeleter>(static_cast<uint8_t*>(p), RamDeleter{ram_size_});
#else
  ram_ = std::unique_ptr<uint8_t, RamDeleter>(static_cast<uint8_t*>(std::calloc(ram_size_ ? ram_size_ : 1, 1)), RamDeleter{ram_size_});
  if (!ram_) throw std::bad_alloc();
#endif
  dirty_.assign((ram_pages() + 63) / 64, 0);  // all zero: only what is written from now on differs
  reclaimed_.assign((ram_pages() + 63) / 64, 0);
  reclaimed_any_ = false;
  zero_but_dirty_ = true;
}

void Bus::reclaim_page(uint32_t paddr) {
  paddr &= ~0xfffu;
  if (!in_ram(paddr, 0x1000)) return;
  if (code_cache_) code_cache_->on_write(paddr, 0x1000);  // (code decoded from it is gone)
  mark_dirty(paddr, 0x1000);                              // its contents changed: to zero
  uint8_t* page = ram_.get() + (paddr - ram_base_);
#ifdef VMSCOPE_RAM_MAPPED
  // Dropped from the mapping: the memory goes back to the OS, and reads see zero again.
  if (madvise(page, 0x1000, MADV_DONTNEED) != 0) std::memset(page, 0, 0x1000);
#else
  std::memset(page, 0, 0x1000);  // (WebAssembly memory cannot shrink: zeroed only)
#endif
  const uint32_t p = (paddr - ram_base_) >> 12;
  reclaimed_[p >> 6] |= uint64_t{1} << (p & 63);
  reclaimed_any_ = true;
}

uint32_t Bus::reclaimed_pages() const {
  uint32_t n = 0;
  for (const uint64_t w : reclaimed_) n += static_cast<uint32_t>(std::popcount(w));
  return n;
}

void Bus::set_reclaimed_bits(const std::vector<uint64_t>& bits) {
  reclaimed_.assign(reclaimed_.size(), 0);
  std::copy_n(bits.begin(), std::min(bits.size(), reclaimed_.size()), reclaimed_.begin());
  reclaimed_any_ = reclaimed_pages() != 0;
}

std::vector<bool> Bus::resident_map(uint32_t paddr, uint32_t length) const {
  paddr &= ~0xfffu;
  length &= ~0xfffu;
  if (!in_ram(paddr, length) || length == 0) return {};
  std::vector<bool> resident(length >> 12);
#ifdef VMSCOPE_RAM_MAPPED
  std::vector<unsigned char> in_core(length >> 12);
  if (sysconf(_SC_PAGESIZE) == 4096 && mincore(ram_.get() + (paddr - ram_base_), length, in_core.data()) == 0) {
    for (size_t i = 0; i < in_core.size(); ++i) resident[i] = in_core[i] & 1;
    return resident;
  }
#endif
  for (size_t i = 0; i < resident.size(); ++i) resident[i] = !reclaimed(paddr + static_cast<uint32_t>(i << 12));
  return resident;
}

uint32_t Bus::resident_pages(uint32_t paddr, uint32_t length) const {
  const std::vector<bool> map = resident_map(paddr, length);
  return static_cast<uint32_t>(std::count(map.begin(), map.end(), true));
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
    back_pages(paddr, size);
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
  back_pages(paddr, length);
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
