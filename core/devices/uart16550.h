// A 16550-style UART (the registers software actually uses): transmit goes to a host sink,
// receive comes from a host-fed queue; its interrupt line is the board's external interrupt.
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
  bool interrupt_pending() const;

  // Snapshots: the registers and the receive queue (the interrupt line's level is the hart's).
  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(rx_, ier_, lcr_, mcr_, scr_, dll_, dlm_, fcr_, line_);
  }

  std::function<void(char)> on_output;          // each transmitted byte
  std::function<void(bool)> on_interrupt_line;  // level changes

 private:
  uint8_t read_register(uint32_t offset, bool side_effects) const;
  void update_line();
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, dll_ = 0, dlm_ = 0, fcr_ = 0;
  bool line_ = false;
};

}  // namespace vmscope
