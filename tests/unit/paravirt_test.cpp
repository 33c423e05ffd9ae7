// The paravirtual interface (core/vmm/paravirt_abi.h) from the monitor's side: the paravirtual
// kernel runs to its end with a quarter of trap-and-emulate's exits at most, and hypercalls
// that break the protocol get its error codes or stop the guest with a message, never more.
#include <gtest/gtest.h>

#include "test_assets.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "compare/comparison.h"
#include "machine/machine.h"
#include "vmm/monitor.h"
#include "vmm/paravirt_abi.h"

namespace vmscope {
namespace {

using test::read_asset;

std::unique_ptr<Machine> kernel(Virtualization v, const char* file) {
  MachineOptions o;
  o.kind = MachineKind::system;
  o.virtualization = v;
  auto m = std::make_unique<Machine>(o);
  const std::vector<uint8_t> elf = read_asset(std::string("kernel/") + file);
  EXPECT_FALSE(elf.empty()) << "VMSCOPE_ASSETS_DIR/kernel/" << file;
  EXPECT_TRUE(m->load(elf, file).ok());
  return m;
}

uint32_t symbol(const Machine& m, const char* name) {
  for (const ElfSymbol& s : m.image().symbols)
    if (s.name == name) return s.value;
  return 0;
}

TEST(Paravirtual, KernelRunsWithAQuarterOfTrapAndEmulatesExitsAtMost) {
  auto te = kernel(Virtualization::trap_and_emulate, "kernel.elf");
  auto pv = kernel(Virtualization::paravirtual, "kernel-pv.elf");
  std::string te_out, pv_out;
  te->on_output = [&](int, std::string_view b) { te_out += b; };
  pv->on_output = [&](int, std::string_view b) { pv_out += b; };
  EXPECT_EQ(te->run(100'000'000).reason, StopReason::exited);
  EXPECT_EQ(pv->run(100'000'000).reason, StopReason::exited);
  EXPECT_EQ(pv->hart().exit_code, 0);
  EXPECT_EQ(pv_out, te_out);
  const MonitorStats& s = pv->monitor()->stats();
  EXPECT_LE(4 * s.exits, te->monitor()->stats().exits);
  // It never executed a privileged instruction: no CSR, SRET, WFI or SFENCE.VMA to emulate.
  EXPECT_EQ(s.exits_by_exception[2], 0u);
  EXPECT_EQ(s.csr + s.sret + s.wfi + s.sfence, 0u);
  EXPECT_EQ(s.hypercalls_by_function[VMSCOPE_PV_REGISTER], 1u);
  EXPECT_EQ(s.hypercalls_by_function[VMSCOPE_PV_RELEASE_SPACE], 5u);  // one per process
  EXPECT_GT(s.pte_updates, 0u);
  EXPECT_TRUE(is_paravirtual_kernel(pv->image()));
  EXPECT_FALSE(is_paravirtual_kernel(te->image()));
}

// A paravirtual kernel stopped once it has registered, to make hypercalls of the test's own.
struct Registered {
  Registered() : m(kernel(Virtualization::paravirtual, "kernel-pv.elf")) {
    for (int i = 0; i < 100 && m->monitor()->stats().hypercalls == 0; ++i) m->run(1000);
    EXPECT_EQ(m->monitor()->stats().hypercalls_by_function[VMSCOPE_PV_REGISTER], 1u);
  }
  // An ECALL from the guest kernel with these registers, as the hart would report it.
  void hypercall(uint32_t function, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0) {
    Hart& h = m->hart();
    h.set_reg(17, VMSCOPE_PV_EXTENSION);
    h.set_reg(16, function);
    h.set_reg(10, a0);
    h.set_reg(11, a1);
    h.set_reg(12, a2);
    m->monitor()->on_trap(h, TrapEvent{8, false, 0, h.pc()});
  }
  int32_t error() const { return static_cast<int32_t>(m->hart().reg(10)); }
  void write32(uint32_t gpa, uint32_t v) {
    const uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                          static_cast<uint8_t>(v >> 24)};
    m->bus().write_bytes(gpa + vmm_layout::kMonitorMemory, b);
  }
  std::unique_ptr<Machine> m;
};

TEST(Paravirtual, BadArgumentsGetTheProtocolsErrors) {
  Registered k;
  const uint32_t pc = k.m->hart().pc();
  std::array<uint32_t, 32> regs{};
  for (unsigned r = 0; r < 32; ++r) regs[r] = k.m->hart().reg(r);
  k.hypercall(VMSCOPE_PV_REGISTER, board::kRamBase + 4, 0, board::kRamBase);  // not a page
  EXPECT_EQ(k.error(), VMSCOPE_PV_ERR_INVALID_ADDRESS);
  k.hypercall(VMSCOPE_PV_REGISTER, 0x40000000, 0, board::kRamBase);  // not the guest's RAM
  EXPECT_EQ(k.error(), VMSCOPE_PV_ERR_INVALID_ADDRESS);
  k.hypercall(VMSCOPE_PV_SET_STATUS, 1u << 1, 0);  // SIE is not the monitor's to set
  EXPECT_EQ(k.error(), VMSCOPE_PV_ERR_INVALID_PARAM);
  k.hypercall(99);
  EXPECT_EQ(k.error(), VMSCOPE_PV_ERR_NOT_SUPPORTED);
  k.hypercall(VMSCOPE_PV_MMU_UPDATE);  // an empty batch: nothing to do
  EXPECT_EQ(k.error(), VMSCOPE_PV_OK);
  EXPECT_EQ(k.m->hart().pc(), pc + 5 * 4);  // each ECALL returned past itself
  // ... and the kernel, put back where it was, goes on to its end as if nothing happened.
  for (unsigned r = 1; r < 32; ++r) k.m->hart().set_reg(r, regs[r]);
  k.m->hart().set_pc(pc);
  EXPECT_EQ(k.m->run(100'000'000).reason, StopReason::exited);
  EXPECT_EQ(k.m->hart().exit_code, 0);
}

TEST(Paravirtual, ABatchOutsideTheGuestStopsItWithAMessage) {
  Registered k;
  // One entry queued behind the kernel's back: a PTE write into the monitor's own memory (below
  // the guest's RAM). The kernel's next hypercall applies the batch, and the guest stops there.
  const uint32_t batch = symbol(*k.m, "batch"), shared = symbol(*k.m, "pv_shared");
  ASSERT_NE(batch, 0u);
  ASSERT_NE(shared, 0u);
  k.write32(batch, board::kRamBase - 0x1000);
  k.write32(batch + 4, 0xdeadbeef);
  k.write32(shared + VMSCOPE_PV_MMU_COUNT, 1);
  EXPECT_EQ(k.m->run(100'000'000).reason, StopReason::guest_fault);
  EXPECT_NE(k.m->hart().stop_message.find("broke the hypercall protocol: page-table update 1 of "), std::string::npos)
      << k.m->hart().stop_message;
  EXPECT_NE(k.m->hart().stop_message.find(": a PTE outside the guest's RAM at 0x7ffff000"), std::string::npos)
      << k.m->hart().stop_message;
}

TEST(Paravirtual, ABatchTooLongStopsTheGuest) {
  Registered k;
  k.write32(symbol(*k.m, "pv_shared") + VMSCOPE_PV_MMU_COUNT, VMSCOPE_PV_MAX_BATCH + 1);
  k.hypercall(VMSCOPE_PV_BLOCK);
  EXPECT_NE(k.m->hart().stop_message.find("a batch of 257 page-table updates (at most 256)"), std::string::npos)
      << k.m->hart().stop_message;
}

}  // namespace
}  // namespace vmscope
