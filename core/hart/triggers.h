// Debug triggers (Sdtrig, RISC-V Debug Specification 1.0, chapter 5): two address-match
// triggers, each an mcontrol (type 2) or mcontrol6 (type 6), matching instruction fetches, loads
// or stores at the address in tdata2, in the modes its m/s/u (and vs/vu) bits name, and raising a
// breakpoint exception before the instruction or access. Like QEMU's virt hart: tinfo offers
// types 2 and 6, writes of other types are ignored, the match is "equal" (of any byte the access
// touches) or NAPOT (a naturally aligned range, tdata2's trailing ones giving its size), no
// chaining, no data match. Unlike QEMU, tcontrol is implemented:
// triggers fire in M-mode only with tcontrol.MTE, which a trap into M-mode clears (saved in MPTE,
// restored by MRET), so an M-mode trigger cannot fire again inside its own handler. mtval (or
// stval) gets the matched address, as Spike does (QEMU writes 0).
//
// The debugger's hardware breakpoints and watchpoints are triggers too, as an external debugger's
// are on a real hart: dmode = 1 (the guest may read them but not change them), action 1 (stop
// the machine for the debugger, vmscope's Debug Mode), execute triggers before the instruction,
// load and store triggers after the access (mcontrol's timing = 1), as gdb expects.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "isa/privilege.h"

namespace vmscope {

// A stop the debugger places with a trigger: a breakpoint at `address`, or a watchpoint on reads
// and/or writes of `size` bytes there (a power of two, the address aligned to it).
struct HardwareStop {
  bool execute = true;
  uint32_t address = 0, size = 1;
  bool on_read = false, on_write = false;
  bool operator==(const HardwareStop&) const = default;
};

class Triggers {
 public:
  static constexpr unsigned kCount = 2;
  static constexpr uint32_t kTypeShift = 28, kTypeMcontrol = 2, kTypeMcontrol6 = 6;
  // tinfo: version 1 (Sdtrig 1.0), types 2 and 6.
  static constexpr uint32_t kTinfo = 1u << 24 | 1u << kTypeMcontrol | 1u << kTypeMcontrol6;
  // The tdata1 fields both types have at the same place.
  static constexpr uint32_t kLoad = 1u << 0, kStore = 1u << 1, kExecute = 1u << 2, kU = 1u << 3, kS = 1u << 4,
                            kM = 1u << 6;
  static constexpr uint32_t kVu = 1u << 23, kVs = 1u << 24;  // mcontrol6 only, with the hypervisor extension
  static constexpr uint32_t kMatchShift = 7, kMatchMask = 0xfu << kMatchShift, kMatchNapot = 1u << kMatchShift;
  static constexpr uint32_t kActionShift = 12, kActionDebug = 1u << kActionShift;
  static constexpr uint32_t kTimingAfter = 1u << 18;  // mcontrol only
  static constexpr uint32_t kDmode = 1u << 27;
  static constexpr uint32_t kMte = 1u << 3, kMpte = 1u << 7;  // tcontrol

  explicit Triggers(bool hypervisor = false) : hypervisor_(hypervisor) { reset(); }
  void reset();

  // tselect, tdata1..3, tinfo, tcontrol; false for other CSR numbers.
  bool read(uint16_t csr, uint32_t& value) const;
  bool write(uint16_t csr, uint32_t value);

  // Whether an access of `size` bytes at `address` (a fetch: the instruction's address) by code
  // in `mode` (virtual: a guest's, with H) fires one of the guest's triggers (a breakpoint exception).
  bool fires(AccessType type, uint32_t address, unsigned size, Priv mode, bool virtual_mode) const;
  // The debugger's trigger this access hits, if any (-1: none): its action is to stop the machine.
  int debugger_hit(AccessType type, uint32_t address, unsigned size) const;
  // Some trigger is on for this kind of access (the hart checks accesses only then).
  bool armed(AccessType type) const { return armed_ >> static_cast<unsigned>(type) & 1; }

  // The debugger's triggers. `set_debugger_trigger` takes the lowest trigger the guest is not
  // using (all of tdata1 0 but its type, as at reset) and returns its index, or -1 when every
  // trigger is in use or the stop's range is not naturally aligned.
  int set_debugger_trigger(const HardwareStop& stop);
  void clear_debugger_triggers();
  std::vector<HardwareStop> debugger_stops() const;  // what the debugger's triggers hold, in trigger order
  bool owned_by_debugger(unsigned index) const { return tdata1_[index] & kDmode; }
  // "free", or who holds it and what it watches, e.g. "guest: mcontrol6 load store U at 0x80001000".
  std::string describe(unsigned index) const;

  void on_trap_into_m() { tcontrol_ = (tcontrol_ & kMte) ? kMpte : 0; }
  void on_mret() { tcontrol_ = (tcontrol_ & kMpte) ? (kMte | kMpte) : 0; }

  // For the debugger.
  unsigned selected() const { return select_; }
  uint32_t tdata1(unsigned index) const { return tdata1_[index]; }
  uint32_t tdata2(unsigned index) const { return tdata2_[index]; }
  uint32_t tcontrol() const { return tcontrol_; }

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(select_, tdata1_, tdata2_, tcontrol_);
    if constexpr (Ar::kLoading) update_armed();
  }

 private:
  uint32_t legal_tdata1(uint32_t value) const;
  bool matches(unsigned index, uint32_t address, unsigned size) const;
  void update_armed();

  bool hypervisor_;
  uint32_t select_ = 0;
  std::array<uint32_t, kCount> tdata1_{}, tdata2_{};
  uint32_t tcontrol_ = 0;
  uint8_t armed_ = 0;  // bit per AccessType
};

}  // namespace vmscope
