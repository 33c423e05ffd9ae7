// The bit layouts of the CSRs with fields, and the values of the read-only ones (RV32, the
// privileged spec 1.12 with the hypervisor extension).
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

// The hypervisor extension's interrupts: VS-level software, timer, external; supervisor guest
// external (mip/mie bits, and their codes).
inline constexpr uint32_t kMipVssip = 1u << 2;
inline constexpr uint32_t kMipVstip = 1u << 6;
inline constexpr uint32_t kMipVseip = 1u << 10;
inline constexpr uint32_t kMipSgeip = 1u << 12;
inline constexpr uint32_t kVsInterrupts = kMipVssip | kMipVstip | kMipVseip;
inline constexpr uint32_t kHypervisorInterrupts = kVsInterrupts | kMipSgeip;

// Exceptions that can be delegated: all but ECALL from M (11) and the reserved codes 10, 14;
// with H also ECALL from VS (10) and the guest-page faults and virtual instruction (20..23).
inline constexpr uint32_t kDelegableExceptions = 0xb3ff;
inline constexpr uint32_t kDelegableExceptionsH = 0xf0b7ff;
// What hedeleg can pass on to VS: the exceptions a guest handles itself (spec 1.12, 8.2.2).
inline constexpr uint32_t kHedelegWritable = 0xb1ff;

// misa: RV32 with A, C, I, M, S, U (and H when the hart has the hypervisor extension).
inline constexpr uint32_t kMisa = (1u << 30) | (1u << 0) | (1u << 2) | (1u << 8) | (1u << 12) |
                                  (1u << 18) | (1u << 20);
inline constexpr uint32_t kMisaH = 1u << 7;

// mstatush (RV32) with H: the previous virtualization mode of an M trap, and whether mtval held
// a guest virtual address.
inline constexpr uint32_t kMstatushGva = 1u << 6;
inline constexpr uint32_t kMstatushMpv = 1u << 7;

// hstatus fields (RV32).
inline constexpr uint32_t kHstatusVsbe = 1u << 5;
inline constexpr uint32_t kHstatusGva = 1u << 6;
inline constexpr uint32_t kHstatusSpv = 1u << 7;
inline constexpr uint32_t kHstatusSpvp = 1u << 8;
inline constexpr uint32_t kHstatusHu = 1u << 9;
inline constexpr uint32_t kHstatusVtvm = 1u << 20;
inline constexpr uint32_t kHstatusVtw = 1u << 21;
inline constexpr uint32_t kHstatusVtsr = 1u << 22;
// VGEIN is WARL with no guest external interrupt lines (GEILEN = 0): always 0; VSBE 0 (little-endian).
inline constexpr uint32_t kHstatusWritable = kHstatusGva | kHstatusSpv | kHstatusSpvp | kHstatusHu | kHstatusVtvm |
                                             kHstatusVtw | kHstatusVtsr;

// hgatp (RV32): MODE (Sv32x4), VMID (7 bits), PPN of the 16 KiB root (its two low bits read 0).
inline constexpr uint32_t kHgatpModeSv32x4 = 1u << 31;
inline constexpr uint32_t kHgatpVmidShift = 22;
inline constexpr uint32_t kHgatpVmidMask = 0x7f;

inline constexpr uint32_t kSatpModeSv32 = 1u << 31;
inline constexpr uint32_t kSatpAsidShift = 22;
inline constexpr uint32_t kSatpAsidMask = 0x1ff;
inline constexpr uint32_t kSatpPpnMask = 0x3fffff;

}  // namespace vmscope
