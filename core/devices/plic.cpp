// The PLIC's registers (plic.h): priorities at 4 * source, pending bits at 0x1000, each
// context's enables at 0x2000 + 0x80 * context, its threshold and claim/complete at
// 0x200000 + 0x1000 * context (+0, +4).
#include "devices/plic.h"

namespace vmscope {

void Plic::reset() {
  priority_ = {};
  pending_ = claimed_ = level_ = {};
  enable_ = {};
  threshold_ = {};
  claims_ = 0;
  for (unsigned c = 0; c < kContexts; ++c) {
    if (line_[c] && on_context_line) on_context_line(c, false);
    line_[c] = false;
  }
}

void Plic::set_level(unsigned source, bool high) {
  if (source == 0 || source >= kSources || bit(level_, source) == high) return;
  set_bit(level_, source, high);
  // The gateway turns a rising level into a request: the pending bit stays set until a claim
  // takes it (the line falling meanwhile does not withdraw it, as on QEMU). A level still high
  // when its claim is completed makes a new request (below).
  if (high) {
    set_bit(pending_, source, true);
    update();
  }
}

unsigned Plic::best(unsigned context) const {
  unsigned best = 0;
  uint32_t best_priority = threshold_[context];
  for (unsigned w = 0; w < kWords; ++w) {
    uint32_t candidates = pending_[w] & ~claimed_[w] & enable_[context][w];
    while (candidates) {
      const unsigned source = w * 32 + static_cast<unsigned>(__builtin_ctz(candidates));
      candidates &= candidates - 1;
      if (priority_[source] > best_priority) best = source, best_priority = priority_[source];
    }
  }
  return best;
}

void Plic::update() {
  for (unsigned c = 0; c < kContexts; ++c) {
    const bool level = best(c) != 0;
    if (level != line_[c]) {
      line_[c] = level;
      if (on_context_line) on_context_line(c, level);
    }
  }
}

uint32_t Plic::register_value(uint32_t offset) const {
  if (offset < kSources * 4) return priority_[offset / 4];
  if (offset >= kPendingBase && offset < kPendingBase + kWords * 4) return pending_[(offset - kPendingBase) / 4];
  if (offset >= kEnableBase && offset < kEnableBase + kContexts * kEnableStride) {
    const uint32_t word = (offset - kEnableBase) % kEnableStride / 4;
    return word < kWords ? enable_[(offset - kEnableBase) / kEnableStride][word] : 0;
  }
  if (offset >= kContextBase && offset < kContextBase + kContexts * kContextStride) {
    const unsigned context = (offset - kContextBase) / kContextStride;
    switch ((offset - kContextBase) % kContextStride) {
      case 0: return threshold_[context];
      case 4: return best(context);
    }
  }
  return 0;
}

bool Plic::read(uint32_t offset, unsigned size, uint64_t& value) {
  value = 0;
  if (size != 4 || offset % 4) return false;  // 32-bit registers only
  value = register_value(offset);
  if (offset >= kContextBase && (offset - kContextBase) % kContextStride == 4 && value != 0) {
    set_bit(pending_, static_cast<unsigned>(value), false);  // the claim
    set_bit(claimed_, static_cast<unsigned>(value), true);
    ++claims_;
    update();
  }
  return true;
}

uint64_t Plic::peek(uint32_t offset, unsigned size) const {
  return size == 4 && offset % 4 == 0 ? register_value(offset) : 0;
}

bool Plic::write(uint32_t offset, unsigned size, uint64_t value64) {
  if (size != 4 || offset % 4) return false;
  const auto value = static_cast<uint32_t>(value64);
  if (offset < kSources * 4) {
    if (offset != 0) priority_[offset / 4] = value & kMaxPriority;  // 3 priority bits (WARL)
  } else if (offset >= kEnableBase && offset < kEnableBase + kContexts * kEnableStride) {
    const uint32_t word = (offset - kEnableBase) % kEnableStride / 4;
    if (word < kWords) enable_[(offset - kEnableBase) / kEnableStride][word] = value & (word == 0 ? ~1u : ~0u);
  } else if (offset >= kContextBase && offset < kContextBase + kContexts * kContextStride) {
    const unsigned context = (offset - kContextBase) / kContextStride;
    switch ((offset - kContextBase) % kContextStride) {
      case 0:
        threshold_[context] = value & kMaxPriority;  // 3 bits, like the priorities
        break;
      case 4:  // completion: the source may interrupt again (at once, if its line is still high)
        if (value != 0 && value < kSources && bit(claimed_, value)) {
          set_bit(claimed_, value, false);
          if (bit(level_, value)) set_bit(pending_, value, true);
        }
        break;
    }
  }
  // Pending bits are read-only; other offsets are reserved and ignore writes.
  update();
  return true;
}

}  // namespace vmscope
