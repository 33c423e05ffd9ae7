// A 16550A UART as QEMU's virt board has it (and as its drivers expect): transmit goes to a
// host sink at once, receive comes from a host-fed queue; the divisor latch (LCR.DLAB), FIFO
// control with trigger levels, and the four interrupt causes QEMU models of the datasheet's
// IIR priority list — receiver data (or a FIFO's character timeout, reported at once below the
// trigger level) and transmitter holding register empty (cleared by reading IIR or writing THR).
// Its interrupt line goes to the board's interrupt controller (PLIC source 10).
#pragma once

#include <deque>
#include <functional>
#include <string_view>

#include "devices/device.h"

namespace vmscope {

class Uart16550 : public Device {
 public:
  const char* name() const override { return "uart16550"; }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override;
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t offset, unsigned size) const override;
  void reset() override;

  void push_input(std::string_view bytes);  // bytes the guest will read
  size_t input_pending() const { return rx_.size(); }
  bool interrupt_pending() const { return (interrupt_id() & 1) == 0; }
  uint8_t ier() const { return ier_; }

  // Snapshots: the registers and the receive queue (the interrupt line's level is the PLIC's).
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(rx_, ier_, lcr_, mcr_, scr_, dll_, dlm_, fcr_, line_, thr_interrupt_);
  }

  std::function<void(char)> on_output;          // each transmitted byte
  std::function<void(bool)> on_interrupt_line;  // level changes

 private:
  uint8_t interrupt_id() const;  // IIR's low 4 bits: the highest-priority pending cause, or 1
  uint8_t read_register(uint32_t offset) const;
  void update_line();
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0, fcr_ = 0;
  bool line_ = false;
  bool thr_interrupt_ = false;  // "THR empty" pending (QEMU's thr_ipending)
};

}  // namespace vmscope
