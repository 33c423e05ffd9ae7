// Paravirtualization: the hypercalls a paravirtual guest kernel makes and the page it shares
// with the monitor (the interface: paravirt_abi.h; the monitor: monitor.h).
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "csr_numbers.h"
#include "hart/csr_state.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {
constexpr uint32_t kTrapStatusBits = kMstatusSie | kMstatusSpie | kMstatusSpp;
static_assert(sizeof(vmscope_pv_shared) == 4 * VMSCOPE_PV_SHARED_WORDS &&
                  offsetof(vmscope_pv_shared, satp) == VMSCOPE_PV_SATP,
              "paravirt_abi.h: the shared page's offsets match its structure");

template <class T>
std::span<uint8_t> bytes_of(T& value) {
  return std::span(reinterpret_cast<uint8_t*>(&value), sizeof value);
}
}  // namespace

const char* pv_function_name(unsigned function) {
  switch (function) {
    case VMSCOPE_PV_REGISTER: return "register";
    case VMSCOPE_PV_MMU_UPDATE: return "mmu_update";
    case VMSCOPE_PV_SET_STATUS: return "set_status";
    case VMSCOPE_PV_TRAP_RETURN: return "trap_return";
    case VMSCOPE_PV_BLOCK: return "block";
    case VMSCOPE_PV_RELEASE_SPACE: return "release_space";
  }
  return "?";
}

void Monitor::pv_pull() {
  if (!guest_.read(pv_shared_, bytes_of(pv_page_))) return;
  const vmscope_pv_shared& s = pv_page_;
  vcpu_.s.write(csr::sscratch, s.scratch);  // (as if written by CSR instructions: the same WARL rules)
  vcpu_.s.write(csr::scause, s.cause);
  vcpu_.s.write(csr::stval, s.tval);
  vcpu_.s.write(csr::sepc, s.epc);
  vcpu_.sstatus = (vcpu_.sstatus & ~kTrapStatusBits) | (s.status & kTrapStatusBits);
  vcpu_.sie = s.enabled & kSupervisorInterrupts;
  vcpu_.scounteren = s.counteren;
}

void Monitor::pv_push() {
  vmscope_pv_shared& s = pv_page_;
  s.scratch = vcpu_.s.scratch;
  s.cause = vcpu_.s.cause;
  s.tval = vcpu_.s.tval;
  s.epc = vcpu_.s.epc;
  s.status = vcpu_.sstatus & kTrapStatusBits;
  s.enabled = vcpu_.sie;
  s.pending = virtual_sip();
  s.counteren = vcpu_.scounteren;
  s.satp = vcpu_.s.atp;
  vmscope_pv_shared now{};
  guest_.read(pv_shared_, bytes_of(now));
  if (std::memcmp(&now, &s, sizeof s) != 0)  // (most exits change nothing there)
    guest_.write(pv_shared_, bytes_of(s));
}

void Monitor::handle_hypercall(uint32_t epc, ExitAction& action) {
  const uint32_t function = hart_.reg(16), a0 = hart_.reg(10), a1 = hart_.reg(11), a2 = hart_.reg(12);
  if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::sbi_call, VMSCOPE_PV_EXTENSION, epc, function});
  action = ExitAction::hypercall;
  ++stats_.hypercalls;
  ++stats_.emulated;
  if (function < kPvFunctionCount) ++stats_.hypercalls_by_function[function];
  hart_.set_pc(epc + 4);
  if (pv_shared_ && !pv_apply_batch()) return;  // the guest is stopped
  int32_t error = VMSCOPE_PV_OK;
  switch (function) {
    case VMSCOPE_PV_REGISTER:
      if ((a0 & 0xfff) || !guest_.is_ram_page(a0) || (a2 & 7) ||
          !guest_.in_ram(a2, VMSCOPE_PV_MAX_BATCH * sizeof(vmscope_pv_mmu_update))) {
        error = VMSCOPE_PV_ERR_INVALID_ADDRESS;
        break;
      }
      pv_shared_ = a0;
      pv_batch_ = a2;
      pv_page_ = {};
      guest_.read(pv_shared_, bytes_of(pv_page_));  // (pushed back, with the monitor's fields, as the exit ends)
      vcpu_.s.write(csr::stvec, a1 & ~3u);  // (direct mode: the ABI has one entry point)
      break;
    case VMSCOPE_PV_MMU_UPDATE: break;  // applied above
    case VMSCOPE_PV_SET_STATUS: {
      const uint32_t allowed = kMstatusSum | kMstatusMxr;
      if ((a0 | a1) & ~allowed) {
        error = VMSCOPE_PV_ERR_INVALID_PARAM;
        break;
      }
      vcpu_.sstatus = (vcpu_.sstatus | a0) & ~a1;
      break;
    }
    case VMSCOPE_PV_TRAP_RETURN:
      emulate_sret();  // to vcpu_.s.epc: the shared page's epc
      hart_.set_reg(10, pv_page_.saved_a0);
      hart_.set_reg(11, pv_page_.saved_a1);
      hart_.set_reg(16, pv_page_.saved_a6);
      hart_.set_reg(17, pv_page_.saved_a7);
      return;
    case VMSCOPE_PV_BLOCK:
      if (!(virtual_sip() & vcpu_.sie)) hart_.wait_for_interrupt();
      break;
    case VMSCOPE_PV_RELEASE_SPACE:
      shadow_.release_root(a0 & ~0xfffu);
      break;
    default:
      error = VMSCOPE_PV_ERR_NOT_SUPPORTED;
  }
  hart_.set_reg(10, static_cast<uint32_t>(error));
  hart_.set_reg(11, 0);
}

// Xen's mmu_update: the queued entries, each checked, applied in order; the shadows built from
// a written PTE are dropped. A batch that breaks the protocol stops the guest.
bool Monitor::pv_apply_batch() {
  const uint32_t count = pv_page_.mmu_count;
  pv_page_.mmu_count = 0;
  char problem[160] = "";
  if (count > VMSCOPE_PV_MAX_BATCH)
    std::snprintf(problem, sizeof problem, "a batch of %u page-table updates (at most %u)", count, VMSCOPE_PV_MAX_BATCH);
  for (uint32_t i = 0; i < count && !problem[0]; ++i) {
    vmscope_pv_mmu_update u{};
    guest_.read(pv_batch_ + i * sizeof u, bytes_of(u));
    const uint32_t op = u.address & 3, address = u.address & ~3u;
    if (op == VMSCOPE_PV_OP_WRITE_PTE && guest_.in_ram(address, 4)) {
      guest_.write_pte(address, u.value);
      shadow_.on_page_table_write(address);
      ++stats_.pte_updates;
    } else if (op == VMSCOPE_PV_OP_SET_SATP) {
      vcpu_.s.atp = u.value;
      if (hart_.on_event) hart_.on_event({hart_.steps(), EventKind::satp_write, 0, hart_.pc(), u.value});
    } else {
      std::snprintf(problem, sizeof problem, "page-table update %u of %u: %s 0x%08x", i + 1, count,
                    op == VMSCOPE_PV_OP_WRITE_PTE ? "a PTE outside the guest's RAM at" : "an unknown operation in", u.address);
    }
  }
  if (!problem[0]) return true;
  hart_.stop_message = std::string("paravirtual guest broke the hypercall protocol: ") + problem;
  hart_.request_stop(StopReason::guest_fault);
  return false;
}

}  // namespace vmscope
