// The values behind the CSRs the hart implements, and the bit layouts of the ones with fields.
#pragma once

#include <cstdint>

namespace vmscope {

// mstatus fields (RV32).
inline constexpr uint32_t kMstatusSie = 1u << 1;
inline constexpr uint32_t kMstatusMie = 1u << 3;
inline constexpr uint32_t kMstatusSpie = 1u << 5;
inline constexpr uint32_t kMstatusMpie = 1u << 7;
inline constexpr uint32_t kMstatusSpp = 1u << 8;
inline constexpr uint32_t kMstatusMppShift = 11;
inline constexpr uint32_t kMstatusMpp = 3u << kMstatusMppShift;
inline constexpr uint32_t kMstatusMprv = 1u << 17;
inline constexpr uint32_t kMstatusSum = 1u << 18;
inline constexpr uint32_t kMstatusMxr = 1u << 19;
inline constexpr uint32_t kMstatusTvm = 1u << 20;
inline constexpr uint32_t kMstatusTw = 1u << 21;
inline constexpr uint32_t kMstatusTsr = 1u << 22;
// The mstatus bits that exist in this hart (no F/V state, little-endian only).
inline constexpr uint32_t kMstatusWritable = kMstatusSie | kMstatusMie | kMstatusSpie | kMstatusMpie |
                                             kMstatusSpp | kMstatusMpp | kMstatusMprv | kMstatusSum |
                                             kMstatusMxr | kMstatusTvm | kMstatusTw | kMstatusTsr;
// sstatus is a restricted view of mstatus.
inline constexpr uint32_t kSstatusMask = kMstatusSie | kMstatusSpie | kMstatusSpp | kMstatusSum | kMstatusMxr;

// mip / mie bits.
inline constexpr uint32_t kMipSsip = 1u << 1;
inline constexpr uint32_t kMipMsip = 1u << 3;
inline constexpr uint32_t kMipStip = 1u << 5;
inline constexpr uint32_t kMipMtip = 1u << 7;
inline constexpr uint32_t kMipSeip = 1u << 9;
inline constexpr uint32_t kMipMeip = 1u << 11;
inline constexpr uint32_t kSupervisorInterrupts = kMipSsip | kMipStip | kMipSeip;
inline constexpr uint32_t kAllInterrupts = kSupervisorInterrupts | kMipMsip | kMipMtip | kMipMeip;

// Exceptions that can be delegated: all but ECALL from M (11) and the reserved codes 10, 14.
inline constexpr uint32_t kDelegableExceptions = 0xb3ff;

// misa: RV32 with A, C, I, M, S, U.
inline constexpr uint32_t kMisa = (1u << 30) | (1u << 0) | (1u << 2) | (1u << 8) | (1u << 12) |
                                  (1u << 18) | (1u << 20);

inline constexpr uint32_t kSatpModeSv32 = 1u << 31;
inline constexpr uint32_t kSatpAsidShift = 22;
inline constexpr uint32_t kSatpAsidMask = 0x1ff;
inline constexpr uint32_t kSatpPpnMask = 0x3fffff;

struct CsrState {
  uint32_t mstatus = 0;
  uint32_t medeleg = 0, mideleg = 0;
  uint32_t mie = 0, mip = 0;  // mip.MTIP is derived from mtime/mtimecmp when read
  uint32_t mtvec = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  uint32_t mcounteren = 0, scounteren = 0;
  uint32_t stvec = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0;
  uint32_t satp = 0;
  bool external_line = false;  // the board's external interrupt input (mip.MEIP)
};

}  // namespace vmscope
