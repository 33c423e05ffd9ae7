// The interface every memory-mapped device implements.
#pragma once

#include <cstdint>
#include <span>

namespace vmscope {

class Device {
 public:
  virtual ~Device() = default;
  virtual const char* name() const = 0;
  // Guest accesses (size 1, 2, 4 or 8 bytes at `offset` from the device's base). They may have
  // side effects (a UART read pops a byte). Returning false makes the access fault.
  virtual bool read(uint32_t offset, unsigned size, uint64_t& value) = 0;
  virtual bool write(uint32_t offset, unsigned size, uint64_t value) = 0;
  // The debugger's view: no side effects at all. Registers that cannot be read without one
  // report what a read would return, without doing it.
  virtual uint64_t peek(uint32_t offset, unsigned size) const = 0;
  virtual void reset() = 0;
};

// RAM as a device that reads and writes it by itself sees it (the bus, one layer up, is one):
// byte copies at physical addresses, false where [paddr, paddr + size) is not all RAM.
class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;
  virtual bool read_bytes(uint32_t paddr, std::span<uint8_t> out) const = 0;
  virtual bool write_bytes(uint32_t paddr, std::span<const uint8_t> bytes) = 0;
};

}  // namespace vmscope
