// The SBI calls vmscope serves (sbi.h), numbered as in the SBI specification v2.0.
#include "firmware/sbi.h"

#include <algorithm>
#include <vector>

#include "hart/csr_state.h"

namespace vmscope {

namespace {
// Extension ids.
constexpr uint32_t kLegacySetTimer = 0x00, kLegacyPutchar = 0x01, kLegacyGetchar = 0x02, kLegacyClearIpi = 0x03,
                   kLegacySendIpi = 0x04, kLegacyFenceI = 0x05, kLegacySfenceVma = 0x06, kLegacySfenceVmaAsid = 0x07,
                   kLegacyShutdown = 0x08;
constexpr uint32_t kBase = 0x10, kTime = 0x54494d45, kIpi = 0x735049, kRfence = 0x52464e43, kHsm = 0x48534d,
                   kSrst = 0x53525354, kDbcn = kSbiDebugConsole;
// Errors.
constexpr int32_t kSuccess = 0, kNotSupported = -2, kInvalidParam = -3, kAlreadyAvailable = -6;
constexpr uint32_t kSpecVersion = 2u << 24;   // 2.0
constexpr uint32_t kImplementationId = 0x766d7363;  // "vmsc" (not a registered id)
constexpr uint32_t kHartStarted = 0;           // HSM hart states

// A hart mask (mask, base) names only harts that exist, and whether it names hart 0 (§3.1).
bool names_only_hart0(uint32_t mask, uint32_t base, bool& hart0) {
  if (base == ~0u) return hart0 = true;
  hart0 = base == 0 && (mask & 1);
  return base == 0 ? (mask & ~1u) == 0 : mask == 0;
}
}  // namespace

SbiFirmware::SbiFirmware(Hart& hart, Bus& bus, Uart16550& uart) : hart_(hart), bus_(bus), uart_(uart) {
  set_software_interrupt = [this](bool pending) {
    hart_.debug_write_csr(0x344, pending ? hart_.csrs().mip | kMipSsip : hart_.csrs().mip & ~kMipSsip);
  };
  fence_vma = [this](uint32_t address, uint32_t size, bool by_asid, uint16_t asid) {
    const bool all = (address == 0 && size == 0) || size == ~0u || size > 64 * 4096;
    if (all) return hart_.sfence(false, 0, by_asid, asid);
    for (uint32_t page = address & ~0xfffu; page - (address & ~0xfffu) < size + (address & 0xfff); page += 4096)
      hart_.sfence(true, page, by_asid, asid);
  };
}

void SbiFirmware::start(uint32_t entry) {
  hart_.debug_write_csr(0x302, kDelegableExceptions & ~(1u << 9));  // medeleg: all but ECALL from S
  hart_.debug_write_csr(0x303, kSupervisorInterrupts);               // mideleg
  hart_.debug_write_csr(0x306, 0x7);                                 // mcounteren: cycle, time, instret
  hart_.pmp_allow_all();                                             // S and U reach all memory
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

// The v0.1 calls: a0 is the only result, and they cannot fail.
EcallAction SbiFirmware::legacy(Hart& h, uint32_t eid) {
  const uint32_t a0 = h.reg(10), a1 = h.reg(11), a2 = h.reg(12);
  uint32_t result = 0;
  switch (eid) {
    case kLegacySetTimer: h.set_stimecmp(static_cast<uint64_t>(a1) << 32 | a0); break;
    case kLegacyPutchar: {
      const char c = static_cast<char>(a0);
      if (on_output) on_output(std::string_view(&c, 1));
      break;
    }
    case kLegacyGetchar: {
      uint64_t byte = 0;
      result = uart_.input_pending() && uart_.read(0, 1, byte) ? static_cast<uint32_t>(byte) : ~0u;
      break;
    }
    case kLegacyClearIpi: set_software_interrupt(false); break;
    // (The hart mask is a pointer to S-mode memory: with one hart it can only name this one.)
    case kLegacySendIpi: set_software_interrupt(true); break;
    case kLegacyFenceI: break;  // decoded and translated code follows every store already
    case kLegacySfenceVma: fence_vma(a1, a2, false, 0); break;
    case kLegacySfenceVmaAsid: fence_vma(a1, a2, true, static_cast<uint16_t>(h.reg(13) & kSatpAsidMask)); break;
    case kLegacyShutdown:
      h.exit_code = 0;
      h.stop_message = "the guest asked the SBI firmware to shut down";
      h.request_stop(StopReason::exited);
      return EcallAction::stop;
  }
  h.set_reg(10, result);
  return EcallAction::handled;
}

EcallAction SbiFirmware::serve(Hart& h) {
  const uint32_t eid = h.reg(17), fid = h.reg(16);
  const uint32_t a0 = h.reg(10), a1 = h.reg(11), a2 = h.reg(12), a3 = h.reg(13), a4 = h.reg(14);
  if (eid <= kLegacyShutdown) return legacy(h, eid);
  int32_t error = kSuccess;
  uint32_t value = 0;
  auto output = [&](std::string_view bytes) {
    if (on_output) on_output(bytes);
  };
  bool hart0 = false;

  switch (eid) {
    case kBase:
      switch (fid) {
        case 0: value = kSpecVersion; break;
        case 1: value = kImplementationId; break;
        case 2: value = 1; break;  // implementation version
        case 3:                    // probe_extension
          value = a0 <= kLegacyShutdown || a0 == kBase || a0 == kTime || a0 == kIpi || a0 == kRfence || a0 == kHsm ||
                  a0 == kSrst || (a0 == kDbcn && offer_console);
          break;
        case 4: case 5: case 6: value = 0; break;  // mvendorid, marchid, mimpid
        default: error = kNotSupported;
      }
      break;
    case kTime:
      if (fid == 0) h.set_stimecmp(static_cast<uint64_t>(a1) << 32 | a0);
      else error = kNotSupported;
      break;
    case kIpi:
      if (fid != 0) error = kNotSupported;
      else if (!names_only_hart0(a0, a1, hart0)) error = kInvalidParam;
      else if (hart0) set_software_interrupt(true);
      break;
    case kRfence:
      if (fid > 2) {
        error = kNotSupported;  // the HFENCE calls: for hypervisors, which vmscope's firmware does not host
      } else if (!names_only_hart0(a0, a1, hart0)) {
        error = kInvalidParam;
      } else if (hart0 && fid == 1) {
        fence_vma(a2, a3, false, 0);
      } else if (hart0 && fid == 2) {
        fence_vma(a2, a3, true, static_cast<uint16_t>(a4 & kSatpAsidMask));
      }  // fid 0, remote FENCE.I: decoded and translated code follows every store already
      break;
    case kHsm:
      switch (fid) {
        case 0: error = a0 == 0 ? kAlreadyAvailable : kInvalidParam; break;  // hart_start
        case 1:                                                               // hart_stop: the only hart
          h.exit_code = 0;
          h.stop_message = "the only hart stopped itself (SBI HSM hart_stop): nothing can start it again";
          h.request_stop(StopReason::idle);
          return EcallAction::stop;
        case 2:  // hart_get_status
          if (a0 == 0) value = kHartStarted;
          else error = kInvalidParam;
          break;
        case 3:  // hart_suspend: the default retentive suspend is a WFI; non-retentive is optional
          if (a0 == 0) h.wait_for_interrupt();
          else if (a0 == 0x80000000u || (a0 >= 0x10000000u && a0 < 0x80000000u) || a0 >= 0x90000000u) error = kNotSupported;
          else error = kInvalidParam;
          break;
        default: error = kNotSupported;
      }
      break;
    case kDbcn:
      if (!offer_console) {
        error = kNotSupported;
      } else if (fid == 0 || fid == 1) {  // console_write / console_read (num_bytes, base_lo, base_hi)
        // SBI lets the firmware move fewer bytes than asked (the caller loops): at most a page.
        std::vector<uint8_t> bytes(std::min<uint32_t>(a0, 4096));
        if (fid == 1) bytes.resize(std::min<size_t>(bytes.size(), uart_.input_pending()));
        // The buffer must be memory the caller has (checked before any input is taken).
        const bool ok = a2 == 0 && (read_physical ? read_physical(a1, bytes) : bus_.read_bytes(a1, bytes));
        if (!ok) {
          error = kInvalidParam;
        } else if (fid == 0) {
          output(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
          value = static_cast<uint32_t>(bytes.size());
        } else {
          for (uint8_t& b : bytes) {
            uint64_t v = 0;
            uart_.read(0, 1, v);
            b = static_cast<uint8_t>(v);
          }
          if (write_physical) write_physical(a1, bytes);
          else bus_.write_bytes(a1, bytes);
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
      } else if (a0 > 2 || a1 > 1) {  // reset type: shutdown, cold or warm reboot; reason: none or failure
        error = a0 >= 0xf0000000u || a1 >= 0xe0000000u ? kNotSupported : kInvalidParam;
      } else {
        h.exit_code = a1 == 0 ? 0 : 1;
        h.stop_message = std::string(a0 == 0 ? "the guest shut down" : a0 == 1 ? "the guest asked for a cold reboot"
                                                                             : "the guest asked for a warm reboot") +
                         (a1 == 0 ? " through SBI" : " through SBI, reporting a system failure");
        h.request_stop(StopReason::exited);
        return EcallAction::stop;
      }
      break;
    default:
      error = kNotSupported;
  }
  h.set_reg(10, static_cast<uint32_t>(error));
  h.set_reg(11, value);
  return EcallAction::handled;
}

}  // namespace vmscope
