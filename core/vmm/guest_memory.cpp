// Guest-physical memory: RAM at an offset, passed-through devices, nothing else.
#include "vmm/guest_memory.h"

namespace vmscope {

bool GuestMemory::to_host(uint32_t gpa, uint32_t& hpa) const {
  if (is_ram_page(gpa)) {
    hpa = gpa + offset_;
    return true;
  }
  const uint32_t page = gpa & ~0xfffu;
  for (const Range& d : devices_) {
    if (page <= d.base + d.size - 1 && d.base <= page + 0xfff) {
      hpa = gpa;
      return true;
    }
  }
  return false;
}

bool GuestMemory::read(uint32_t gpa, std::span<uint8_t> out) const {
  if (!in_ram(gpa, static_cast<uint32_t>(out.size()))) return false;
  return bus_.read_bytes(gpa + offset_, out);
}

bool GuestMemory::write(uint32_t gpa, std::span<const uint8_t> bytes) {
  if (!in_ram(gpa, static_cast<uint32_t>(bytes.size()))) return false;
  note_written(gpa, static_cast<uint32_t>(bytes.size()));
  return bus_.write_bytes(gpa + offset_, bytes);
}

bool GuestMemory::read_pte(uint32_t gpa, uint32_t& pte) const {
  uint8_t raw[4];
  if (!read(gpa, raw)) return false;
  pte = raw[0] | raw[1] << 8 | raw[2] << 16 | static_cast<uint32_t>(raw[3]) << 24;
  return true;
}

void GuestMemory::write_pte(uint32_t gpa, uint32_t pte) const {
  const uint8_t raw[4] = {static_cast<uint8_t>(pte), static_cast<uint8_t>(pte >> 8), static_cast<uint8_t>(pte >> 16),
                          static_cast<uint8_t>(pte >> 24)};
  if (!in_ram(gpa, 4)) return;
  note_written(gpa, 4);
  bus_.write_bytes(gpa + offset_, raw);
}

}  // namespace vmscope
