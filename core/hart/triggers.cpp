#include "hart/triggers.h"

#include <bit>
#include <cstdio>
#include <utility>

#include "csr_numbers.h"

namespace vmscope {

void Triggers::reset() {
  select_ = 0;
  tdata1_.fill(kTypeMcontrol << kTypeShift);  // an mcontrol matching nothing, as QEMU resets it
  tdata2_.fill(0);
  tcontrol_ = 0;
  armed_ = 0;
}

// What a guest's write leaves in tdata1: the type (2 or 6; others keep the trigger as it was),
// and the fields this module implements; the rest (dmode, hit, select, timing, size, action,
// chain) read 0: an address trigger raising a breakpoint exception; match: equal or NAPOT.
uint32_t Triggers::legal_tdata1(uint32_t value) const {
  const uint32_t type = value >> kTypeShift;
  uint32_t fields = kLoad | kStore | kExecute | kU | kS | kM;
  if (type == kTypeMcontrol6 && hypervisor_) fields |= kVu | kVs;
  if (type != kTypeMcontrol && type != kTypeMcontrol6) return tdata1_[select_];
  const uint32_t match = (value & kMatchMask) == kMatchNapot ? kMatchNapot : 0;
  return type << kTypeShift | (value & fields) | match;
}

bool Triggers::read(uint16_t csr, uint32_t& value) const {
  switch (csr) {
    case csr::tselect: value = select_; return true;
    case csr::tdata1: value = tdata1_[select_]; return true;
    case csr::tdata2: value = tdata2_[select_]; return true;
    case csr::tdata3: value = 0; return true;  // no textra conditions
    case csr::tinfo: value = kTinfo; return true;
    case csr::tcontrol: value = tcontrol_; return true;
    default: return false;
  }
}

bool Triggers::write(uint16_t csr, uint32_t value) {
  switch (csr) {
    case csr::tselect: if (value < kCount) select_ = value; return true;
    case csr::tdata1: if (!owned_by_debugger(select_)) tdata1_[select_] = legal_tdata1(value); break;
    case csr::tdata2: if (!owned_by_debugger(select_)) tdata2_[select_] = value; break;
    case csr::tdata3: case csr::tinfo: return true;
    case csr::tcontrol: tcontrol_ = value & (kMte | kMpte); return true;
    default: return false;
  }
  update_armed();
  return true;
}

void Triggers::update_armed() {
  armed_ = 0;
  for (const uint32_t t : tdata1_) {
    if (!(t & (kU | kS | kM | kVu | kVs))) continue;
    if (t & kExecute) armed_ |= 1u << static_cast<unsigned>(AccessType::fetch);
    if (t & kLoad) armed_ |= 1u << static_cast<unsigned>(AccessType::load);
    if (t & kStore) armed_ |= 1u << static_cast<unsigned>(AccessType::store);
  }
}

// An access of `size` bytes at `address` touches the trigger's address (equal) or range (NAPOT:
// tdata2 = base | (size / 2 - 1), the trailing ones giving the size).
bool Triggers::matches(unsigned index, uint32_t address, unsigned size) const {
  const uint32_t t2 = tdata2_[index];
  uint32_t base = t2, length = 1;
  if (tdata1_[index] & kMatchNapot) {
    const int ones = std::countr_one(t2);
    if (ones >= 31) return true;  // a range of 2^32 bytes: everything
    length = 1u << (ones + 1);
    base = t2 & ~(length - 1);
  }
  return address - base < length || base - address < size;
}

int Triggers::debugger_hit(AccessType type, uint32_t address, unsigned size) const {
  if (!armed(type)) return -1;
  const uint32_t kind = type == AccessType::fetch ? kExecute : type == AccessType::load ? kLoad : kStore;
  for (unsigned i = 0; i < kCount; ++i)
    if ((tdata1_[i] & kDmode) && (tdata1_[i] & kind) && matches(i, address, size)) return static_cast<int>(i);
  return -1;
}

int Triggers::set_debugger_trigger(const HardwareStop& stop) {
  const uint32_t address = stop.address, size = stop.size;
  if (size == 0 || (size & (size - 1)) || (address & (size - 1))) return -1;
  for (unsigned i = 0; i < kCount; ++i) {
    if ((tdata1_[i] & ~(0xfu << kTypeShift)) != 0) continue;  // the guest's, or the debugger's already
    uint32_t t1 = kDmode | kActionDebug | kU | kS | kM;
    if (stop.execute) {
      t1 |= kTypeMcontrol6 << kTypeShift | kExecute;
    } else {
      t1 |= kTypeMcontrol << kTypeShift | kTimingAfter | (stop.on_read ? kLoad : 0) | (stop.on_write ? kStore : 0);
    }
    if (size > 1) t1 |= kMatchNapot;
    tdata1_[i] = t1;
    tdata2_[i] = size > 1 ? address | (size / 2 - 1) : address;
    update_armed();
    return static_cast<int>(i);
  }
  return -1;
}

std::vector<HardwareStop> Triggers::debugger_stops() const {
  std::vector<HardwareStop> stops;
  for (unsigned i = 0; i < kCount; ++i) {
    if (!owned_by_debugger(i)) continue;
    const uint32_t t1 = tdata1_[i], t2 = tdata2_[i];
    HardwareStop s{(t1 & kExecute) != 0, t2, 1, (t1 & kLoad) != 0, (t1 & kStore) != 0};
    if (t1 & kMatchNapot) {  // (set_debugger_trigger's NAPOT encoding, undone)
      s.size = 2u << std::countr_one(t2);
      s.address = t2 & ~(s.size - 1);
    }
    stops.push_back(s);
  }
  return stops;
}

void Triggers::clear_debugger_triggers() {
  for (unsigned i = 0; i < kCount; ++i) {
    if (!owned_by_debugger(i)) continue;
    tdata1_[i] = kTypeMcontrol << kTypeShift;
    tdata2_[i] = 0;
  }
  update_armed();
}

std::string Triggers::describe(unsigned index) const {
  const uint32_t t = tdata1_[index];
  if (!(t & (kExecute | kLoad | kStore)) || !(t & (kU | kS | kM | kVu | kVs))) return "free";
  std::string text = (t & kDmode) ? "debugger: " : "guest: ";
  text += (t >> kTypeShift) == kTypeMcontrol6 ? "mcontrol6" : "mcontrol";
  for (const auto& [bit, name] : {std::pair{kExecute, " execute"}, {kLoad, " load"}, {kStore, " store"}})
    if (t & bit) text += name;
  if (!(t & kDmode)) {
    text += " in";
    for (const auto& [bit, name] : {std::pair{kM, " M"}, {kS, " S"}, {kU, " U"}, {kVs, " VS"}, {kVu, " VU"}})
      if (t & bit) text += name;
  }
  char where[48];
  const uint32_t t2 = tdata2_[index];
  if (t & kMatchNapot) {
    const int ones = std::countr_one(t2);
    const uint64_t length = ones >= 31 ? uint64_t{1} << 32 : uint64_t{1} << (ones + 1);
    const uint64_t base = t2 & ~(length - 1);
    std::snprintf(where, sizeof where, " in [0x%08llx, 0x%08llx)", static_cast<unsigned long long>(base),
                  static_cast<unsigned long long>(base + length));
  } else {
    std::snprintf(where, sizeof where, " at 0x%08x", t2);
  }
  return text + where;
}

bool Triggers::fires(AccessType type, uint32_t address, unsigned size, Priv mode, bool virtual_mode) const {
  if (!armed(type)) return false;
  const uint32_t kind = type == AccessType::fetch ? kExecute : type == AccessType::load ? kLoad : kStore;
  uint32_t mode_bit = 0;
  switch (mode) {
    case Priv::M: mode_bit = (tcontrol_ & kMte) ? kM : 0; break;
    case Priv::S: mode_bit = virtual_mode ? kVs : kS; break;
    case Priv::U: mode_bit = virtual_mode ? kVu : kU; break;
  }
  for (unsigned i = 0; i < kCount; ++i) {
    const uint32_t t = tdata1_[i];
    if (!(t & kDmode) && (t & kind) && (t & mode_bit) && matches(i, address, size)) return true;
  }
  return false;
}

}  // namespace vmscope
