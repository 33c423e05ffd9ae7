// The SBI extensions vmscope implements: legacy set_timer/putchar/getchar/shutdown, and from
// SBI v1.0 BASE, TIME, DBCN (debug console) and SRST (system reset).
#include "machine/sbi.h"

#include <algorithm>
#include <vector>

#include "hart/csr_state.h"

namespace vmscope {

namespace {
constexpr uint32_t kLegacySetTimer = 0x00, kLegacyPutchar = 0x01, kLegacyGetchar = 0x02, kLegacyShutdown = 0x08;
constexpr uint32_t kBase = 0x10, kTime = 0x54494d45, kDbcn = kSbiDebugConsole, kSrst = 0x53525354;
constexpr int32_t kSuccess = 0, kNotSupported = -2, kInvalidParam = -3;
}  // namespace

void SbiFirmware::start(uint32_t entry) {
  hart_.debug_write_csr(0x302, kDelegableExceptions & ~(1u << 9));  // medeleg: all but ECALL from S
  hart_.debug_write_csr(0x303, kSupervisorInterrupts);               // mideleg
  hart_.debug_write_csr(0x306, 0x7);                                 // mcounteren: cycle, time, instret
  hart_.set_reg(10, 0);                                              // a0: hartid
  hart_.set_reg(11, 0);                                              // a1: the device tree (Machine::reset sets it)
  hart_.set_pc(entry);
  hart_.set_priv(Priv::S);
}

EcallAction SbiFirmware::handle_ecall(Hart& h) {
  if (h.priv() != Priv::S || h.virt()) return EcallAction::trap;  // (a guest's: its monitor serves it)
  // (The ECALL's step is not counted yet: the event goes after it.)
  if (h.on_event) h.on_event({h.steps() + 1, EventKind::sbi_call, h.reg(17), h.pc(), h.reg(16)});
  return serve(h);
}

EcallAction SbiFirmware::serve(Hart& h) {
  const uint32_t eid = h.reg(17), fid = h.reg(16);
  const uint32_t a0 = h.reg(10), a1 = h.reg(11), a2 = h.reg(12);
  int32_t error = kSuccess;
  uint32_t value = 0;
  auto output = [&](std::string_view bytes) {
    if (on_output) on_output(bytes);
  };
  auto set_timer = [&] { h.set_stimecmp(static_cast<uint64_t>(a1) << 32 | a0); };

  switch (eid) {
    case kLegacySetTimer:
      set_timer();
      h.set_reg(10, 0);
      return EcallAction::handled;
    case kLegacyPutchar: {
      const char c = static_cast<char>(a0);
      output(std::string_view(&c, 1));
      h.set_reg(10, 0);
      return EcallAction::handled;
    }
    case kLegacyGetchar: {
      uint64_t byte = 0;
      const bool ready = uart_.input_pending() && uart_.read(0, 1, byte);
      h.set_reg(10, ready ? static_cast<uint32_t>(byte) : ~0u);
      return EcallAction::handled;
    }
    case kLegacyShutdown:
      h.exit_code = 0;
      h.stop_message = "the guest asked the SBI firmware to shut down";
      h.request_stop(StopReason::exited);
      return EcallAction::stop;
    case kBase:
      switch (fid) {
        case 0: value = 0x01000000; break;  // spec version 1.0
        case 1: value = 0x766d7363; break;  // implementation id ("vmsc")
        case 2: value = 1; break;           // implementation version
        case 3:                             // probe_extension
          value = a0 == kBase || a0 == kTime || (a0 == kDbcn && offer_console) || a0 == kSrst || a0 <= kLegacyGetchar ||
                  a0 == kLegacyShutdown;
          break;
        case 4: case 5: case 6: value = 0; break;  // mvendorid, marchid, mimpid
        default: error = kNotSupported;
      }
      break;
    case kTime:
      if (fid == 0) set_timer();
      else error = kNotSupported;
      break;
    case kDbcn:
      if (!offer_console) {
        error = kNotSupported;
      } else if (fid == 0) {  // console_write(num_bytes, base_lo, base_hi): a physical buffer
        // SBI lets the firmware write fewer bytes than asked (the caller loops): at most a page.
        std::vector<uint8_t> bytes(std::min<uint32_t>(a0, 4096));
        if (a2 != 0 || !(read_physical ? read_physical(a1, bytes) : bus_.read_bytes(a1, bytes))) {
          error = kInvalidParam;
        } else {
          output(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
          value = static_cast<uint32_t>(bytes.size());
        }
      } else if (fid == 2) {  // console_write_byte
        const char c = static_cast<char>(a0);
        output(std::string_view(&c, 1));
      } else {
        error = kNotSupported;
      }
      break;
    case kSrst:
      if (fid != 0) {
        error = kNotSupported;
        break;
      }
      h.exit_code = a1 == 0 ? 0 : 1;  // reason: 0 no reason (a clean shutdown), else failure
      h.stop_message = a1 == 0 ? "the guest shut down through SBI" : "the guest reported a system failure through SBI";
      h.request_stop(StopReason::exited);
      return EcallAction::stop;
    default:
      error = kNotSupported;
  }
  h.set_reg(10, static_cast<uint32_t>(error));
  h.set_reg(11, value);
  return EcallAction::handled;
}

}  // namespace vmscope
