// The platform-level interrupt controller as QEMU's virt board has it (a SiFive PLIC, RISC-V
// PLIC specification 1.0.0): 95 level-triggered sources (1..95; 0 means "none"), priorities 0..7,
// and two contexts for hart 0 — context 0 drives its machine external interrupt (mip.MEIP),
// context 1 its supervisor one (mip.SEIP). A context's line is high while some source is
// pending, enabled for it, not claimed, and above its threshold; reading its claim register
// takes the highest such source (lowest number on a tie), writing it back completes it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "devices/device.h"

namespace vmscope {

class Plic : public Device {
 public:
  static constexpr unsigned kSources = 96;  // source 0 included (QEMU virt's riscv,ndev = 0x60)
  static constexpr unsigned kContexts = 2;  // hart 0 M-mode, hart 0 S-mode
  static constexpr uint32_t kMaxPriority = 7;
  static constexpr uint32_t kPendingBase = 0x1000, kEnableBase = 0x2000, kEnableStride = 0x80;
  static constexpr uint32_t kContextBase = 0x200000, kContextStride = 0x1000;
  static constexpr uint32_t kSize = 0x600000;  // the region QEMU virt's device tree gives it
  static constexpr unsigned kWords = kSources / 32;

  const char* name() const override { return "plic"; }
  bool read(uint32_t offset, unsigned size, uint64_t& value) override;
  bool write(uint32_t offset, unsigned size, uint64_t value) override;
  uint64_t peek(uint32_t offset, unsigned size) const override;
  void reset() override;

  // A device's interrupt line (source 1..95) changed level.
  void set_level(unsigned source, bool high);
  // Each context's output (0: M external, 1: S external) as it changes.
  std::function<void(unsigned context, bool level)> on_context_line;

  // The debugger's view.
  uint32_t priority(unsigned source) const { return priority_[source]; }
  bool pending(unsigned source) const { return bit(pending_, source); }
  bool claimed(unsigned source) const { return bit(claimed_, source); }
  bool level(unsigned source) const { return bit(level_, source); }
  bool enabled(unsigned context, unsigned source) const { return bit(enable_[context], source); }
  uint32_t threshold(unsigned context) const { return threshold_[context]; }
  bool context_line(unsigned context) const { return line_[context]; }
  // The source a claim by `context` would take now (0: none).
  unsigned best(unsigned context) const;
  uint64_t claims() const { return claims_; }

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(priority_, pending_, claimed_, level_, enable_, threshold_, line_, claims_);
  }

 private:
  using Bits = std::array<uint32_t, kWords>;
  static bool bit(const Bits& b, unsigned i) { return (b[i / 32] >> (i % 32)) & 1; }
  static void set_bit(Bits& b, unsigned i, bool on) {
    if (on) b[i / 32] |= 1u << (i % 32);
    else b[i / 32] &= ~(1u << (i % 32));
  }
  uint32_t register_value(uint32_t offset) const;
  void update();

  std::array<uint32_t, kSources> priority_{};
  Bits pending_{}, claimed_{}, level_{};
  std::array<Bits, kContexts> enable_{};
  std::array<uint32_t, kContexts> threshold_{};
  std::array<bool, kContexts> line_{};
  uint64_t claims_ = 0;
};

}  // namespace vmscope
