// 16550A register file: RBR/THR (DLL), IER (DLM), IIR/FCR, LCR, MCR, LSR, MSR, SCR.
#include "devices/uart16550.h"

namespace vmscope {

namespace {
constexpr uint8_t kLsrDataReady = 0x01, kLsrThrEmpty = 0x20, kLsrTransmitterEmpty = 0x40;
constexpr uint8_t kIerRx = 0x01, kIerTx = 0x02;
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kIirNone = 0x01, kIirThrEmpty = 0x02, kIirRxData = 0x04, kIirTimeout = 0x0c, kIirFifos = 0xc0;
constexpr uint8_t kMcrOut2 = 0x08;
constexpr unsigned kTriggerLevels[] = {1, 4, 8, 14};  // FCR bits 7:6
}  // namespace

void Uart16550::reset() {
  rx_.clear();
  ier_ = lcr_ = scr_ = dll_ = dlm_ = fcr_ = 0;
  mcr_ = kMcrOut2;
  thr_interrupt_ = false;
  if (line_ && on_interrupt_line) on_interrupt_line(false);
  line_ = false;
}

void Uart16550::push_input(std::string_view bytes) {
  for (char c : bytes) rx_.push_back(static_cast<uint8_t>(c));
  update_line();
}

uint8_t Uart16550::interrupt_id() const {
  if ((ier_ & kIerRx) && !rx_.empty()) {
    if (!(fcr_ & kFcrEnable) || rx_.size() >= kTriggerLevels[fcr_ >> 6]) return kIirRxData;
    return kIirTimeout;  // fewer than the trigger level: the character timeout (at once)
  }
  if ((ier_ & kIerTx) && thr_interrupt_) return kIirThrEmpty;
  return kIirNone;
}

void Uart16550::update_line() {
  const bool level = interrupt_pending();
  if (level != line_) {
    line_ = level;
    if (on_interrupt_line) on_interrupt_line(level);
  }
}

uint8_t Uart16550::read_register(uint32_t offset) const {
  const bool dlab = lcr_ & 0x80;
  switch (offset) {
    case 0: return dlab ? dll_ : (rx_.empty() ? 0 : rx_.front());
    case 1: return dlab ? dlm_ : ier_;
    case 2: return static_cast<uint8_t>(((fcr_ & kFcrEnable) ? kIirFifos : 0) | interrupt_id());
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
  value = read_register(offset);
  if (offset == 0 && !(lcr_ & 0x80) && !rx_.empty()) rx_.pop_front();
  // Reading IIR while it reports "THR empty" acknowledges that interrupt.
  if (offset == 2 && (value & 0x0f) == kIirThrEmpty) thr_interrupt_ = false;
  update_line();
  return true;
}

bool Uart16550::write(uint32_t offset, unsigned size, uint64_t value) {
  if (size != 1 || offset > 7) return offset < 0x100;
  const auto v = static_cast<uint8_t>(value);
  const bool dlab = lcr_ & 0x80;
  switch (offset) {
    case 0:
      if (dlab) {
        dll_ = v;
      } else {
        if (on_output) on_output(static_cast<char>(v));
        thr_interrupt_ = true;  // sent at once: the holding register is empty again
      }
      break;
    case 1:
      if (dlab) {
        dlm_ = v;
      } else {
        // Enabling the THR-empty interrupt with the transmitter empty raises it at once.
        if ((ier_ ^ v) & kIerTx) thr_interrupt_ = (v & kIerTx) != 0;
        ier_ = v & 0x0f;
      }
      break;
    case 2:
      // Clearing the receive FIFO drops nothing: host input waits upstream of it (as typed-ahead
      // bytes wait in QEMU's character device until the FIFO has room), so none is lost at boot.
      fcr_ = v & 0xc9;
      break;
    case 3: lcr_ = v; break;  // any word length, parity and stop bits: the host takes bytes
    case 4: mcr_ = v & 0x1f; break;
    case 7: scr_ = v; break;
    default: break;  // LSR and MSR are read-only
  }
  update_line();
  return true;
}

uint64_t Uart16550::peek(uint32_t offset, unsigned size) const {
  return size == 1 && offset <= 7 ? read_register(offset) : 0;
}

}  // namespace vmscope
