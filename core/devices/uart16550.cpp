// 16550 register file: RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR.
#include "devices/uart16550.h"

namespace vmscope {

namespace {
constexpr uint8_t kLsrDataReady = 0x01, kLsrThrEmpty = 0x20, kLsrTransmitterEmpty = 0x40;
constexpr uint8_t kIerRx = 0x01, kIerTx = 0x02;
}  // namespace

void Uart16550::reset() {
  rx_.clear();
  ier_ = lcr_ = mcr_ = scr_ = dll_ = dlm_ = fcr_ = 0;
  line_ = false;
}

void Uart16550::push_input(std::string_view bytes) {
  for (char c : bytes) rx_.push_back(static_cast<uint8_t>(c));
  update_line();
}

bool Uart16550::interrupt_pending() const {
  // The transmitter is always ready, so an enabled THR-empty interrupt is always asserted.
  return ((ier_ & kIerRx) && !rx_.empty()) || (ier_ & kIerTx);
}

void Uart16550::update_line() {
  const bool level = interrupt_pending();
  if (level != line_) {
    line_ = level;
    if (on_interrupt_line) on_interrupt_line(level);
  }
}

uint8_t Uart16550::read_register(uint32_t offset, bool) const {
  const bool dlab = lcr_ & 0x80;
  switch (offset) {
    case 0: return dlab ? dll_ : (rx_.empty() ? 0 : rx_.front());
    case 1: return dlab ? dlm_ : ier_;
    case 2: {  // IIR: highest-priority pending cause; FIFOs reported enabled if FCR bit 0 is set
      const uint8_t fifo = (fcr_ & 1) ? 0xc0 : 0;
      if ((ier_ & kIerRx) && !rx_.empty()) return fifo | 0x04;
      if (ier_ & kIerTx) return fifo | 0x02;
      return fifo | 0x01;
    }
    case 3: return lcr_;
    case 4: return mcr_;
    case 5: return static_cast<uint8_t>(kLsrThrEmpty | kLsrTransmitterEmpty | (rx_.empty() ? 0 : kLsrDataReady));
    case 6: return 0xb0;  // MSR: CTS, DSR, DCD asserted
    case 7: return scr_;
  }
  return 0;
}

bool Uart16550::read(uint32_t offset, unsigned size, uint64_t& value) {
  if (size != 1 || offset > 7) {
    value = 0;
    return offset < 0x100;  // wide or out-of-register reads: read as zero, like QEMU
  }
  value = read_register(offset, true);
  if (offset == 0 && !(lcr_ & 0x80) && !rx_.empty()) {
    rx_.pop_front();
    update_line();
  }
  return true;
}

bool Uart16550::write(uint32_t offset, unsigned size, uint64_t value) {
  if (size != 1 || offset > 7) return offset < 0x100;
  const auto v = static_cast<uint8_t>(value);
  const bool dlab = lcr_ & 0x80;
  switch (offset) {
    case 0:
      if (dlab) dll_ = v;
      else if (on_output) on_output(static_cast<char>(v));
      break;
    case 1:
      if (dlab) dlm_ = v;
      else ier_ = v & 0x0f;
      break;
    case 2: fcr_ = v; break;
    case 3: lcr_ = v; break;
    case 4: mcr_ = v; break;
    case 7: scr_ = v; break;
    default: break;  // LSR and MSR are read-only
  }
  update_line();
  return true;
}

uint64_t Uart16550::peek(uint32_t offset, unsigned size) const {
  return size == 1 && offset <= 7 ? read_register(offset, false) : 0;
}

}  // namespace vmscope
