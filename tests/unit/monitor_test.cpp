// The monitor's guest-physical map, and its checking mode: a consistency check that can fail.
// The guest kernel runs under trap-and-emulate, then the test breaks what the monitor built —
// the guest's page table behind the monitor's back, a shadow entry, the physical map — and the
// check must say so.
#include <gtest/gtest.h>

#include "test_assets.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "hart/csr_state.h"
#include "machine/machine.h"
#include "mem/sv32.h"
#include "vmm/guest_memory.h"
#include "vmm/monitor.h"

namespace vmscope {
namespace {

using test::read_asset;

struct MonitoredKernel {
  explicit MonitoredKernel(ShadowInvalidation strategy) {
    options.kind = MachineKind::system;
    options.virtualization = Virtualization::trap_and_emulate;
    options.invalidation = strategy;
    machine = std::make_unique<Machine>(options);
    const std::vector<uint8_t> elf = read_asset("kernel/kernel.elf");
    EXPECT_FALSE(elf.empty()) << "VMSCOPE_ASSETS_DIR/kernel/kernel.elf";
    EXPECT_TRUE(machine->load(elf, "kernel.elf").ok());
  }
  // Runs until a guest process is running (virtual U-mode, paging on) and shadows exist.
  void run_into_a_process() {
    for (int i = 0; i < 200; ++i) {
      machine->run(20000);
      const Monitor& m = *machine->monitor();
      if (m.vcpu().mode == Priv::U && m.shadow().stats().fills > 50) return;
    }
    FAIL() << "no guest process ran";
  }
  // Where the hart finds the shadow leaf for `gva` (host-physical).
  uint32_t shadow_pte_address(uint32_t gva) {
    const Sv32Context ctx{machine->hart().csrs().s.atp, Priv::U, false, false, true};
    const Sv32Walk w = sv32_walk(machine->bus(), ctx, gva, AccessType::load, false);
    EXPECT_EQ(w.step_count, 2u);
    return w.steps[1].pte_paddr;
  }
  uint32_t read32(uint32_t hpa) {
    uint64_t v = 0;
    machine->bus().peek(hpa, 4, v);
    return static_cast<uint32_t>(v);
  }
  void write32(uint32_t hpa, uint32_t v) {
    const uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                          static_cast<uint8_t>(v >> 24)};
    machine->bus().write_bytes(hpa, b);
  }
  const ShadowMapping* find_mapping(bool writable_in_guest) {
    const ShadowMmu& s = machine->monitor()->shadow();
    static std::vector<ShadowMapping> keep;
    keep = s.mappings(s.current_table());
    for (const ShadowMapping& m : keep)
      if (m.guest_pte != 0 && static_cast<bool>(m.guest_pte & kPteW) == writable_in_guest && !m.stale) return &m;
    return nullptr;
  }
  MachineOptions options;
  std::unique_ptr<Machine> machine;
};

TEST(GuestMemory, MapsRamAtAnOffsetAndPassesOnlyChosenDevicesThrough) {
  Bus bus(0x80000000, 16u << 20);
  GuestMemory g(bus, 0x80000000, 8u << 20, 8u << 20);
  g.pass_through(0x10000000, 0x100);
  uint32_t hpa = 0;
  EXPECT_TRUE(g.to_host(0x80000123, hpa));
  EXPECT_EQ(hpa, 0x80800123u);
  EXPECT_TRUE(g.to_host(0x807ff000, hpa));
  EXPECT_EQ(hpa, 0x80fff000u);
  EXPECT_FALSE(g.to_host(0x80800000, hpa)) << "past the guest's RAM";
  EXPECT_FALSE(g.to_host(0x7ffff000, hpa)) << "below the guest's RAM: the monitor's own memory";
  EXPECT_TRUE(g.to_host(0x10000004, hpa));
  EXPECT_EQ(hpa, 0x10000004u);
  EXPECT_FALSE(g.to_host(0x02000000, hpa)) << "the CLINT is not passed through";
  uint8_t byte[1];
  EXPECT_FALSE(g.read(0x7fffffff, byte));
  EXPECT_FALSE(g.write(0x80800000, byte));
}

TEST(Monitor, DebuggerViewsReadTheGuestBeforeAnyShadowEntryExists) {
  MonitoredKernel k(ShadowInvalidation::sfence);
  const Hart& h = k.machine->hart();
  ASSERT_EQ(k.machine->monitor()->shadow().stats().fills, 0u);
  // The entry's first instruction, read where the guest's RAM really is (8 MiB into host RAM).
  uint64_t word = 0;
  ASSERT_TRUE(k.machine->bus().peek(board::kRamBase + vmm_layout::kMonitorMemory, 4, word));
  EXPECT_EQ(h.instruction_bits(h.pc()), static_cast<uint32_t>(word) & ((word & 3) == 3 ? ~0u : 0xffffu));
  const Hart::Translation t = h.debug_translate(h.pc(), AccessType::fetch, h.priv());
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.paddr, h.pc() + vmm_layout::kMonitorMemory);
  EXPECT_FALSE(h.debug_translate(0x02000000, AccessType::load, h.priv()).ok) << "the CLINT is not the guest's";
}

TEST(Monitor, KernelRunsCheckedUnderBothStrategies) {
  for (const ShadowInvalidation s : {ShadowInvalidation::sfence, ShadowInvalidation::write_protect}) {
    MonitoredKernel k(s);
    k.machine->monitor()->shadow();
    RunResult r;
    uint64_t checks = 0;
    do {
      r = k.machine->run(1u << 20);
      const std::vector<std::string> problems = k.machine->monitor()->shadow().check();
      ASSERT_TRUE(problems.empty()) << problems[0];
      ++checks;
    } while (r.reason == StopReason::budget);
    EXPECT_EQ(r.reason, StopReason::exited) << k.machine->hart().stop_message;
    EXPECT_EQ(k.machine->hart().exit_code, 0);
    const MonitorStats& st = k.machine->monitor()->stats();
    EXPECT_GT(st.hidden_faults, 100u);
    EXPECT_GT(st.reflected_page_faults, 10u) << "demand paging is the guest's own business";
    EXPECT_GT(st.injected_interrupts, 10u);
    EXPECT_GT(st.sbi_calls, 10u);
    if (s == ShadowInvalidation::write_protect) EXPECT_GT(st.page_table_writes, 1000u);
    else EXPECT_EQ(st.page_table_writes, 0u);
    EXPECT_GT(st.efficiency(k.machine->monitor()->guest_steps()), 0.99);
    EXPECT_TRUE(k.machine->monitor()->illusion_broken().empty());
  }
}

TEST(MonitorCheck, CatchesAGuestPageTableChangeThatEscapedWriteProtection) {
  MonitoredKernel k(ShadowInvalidation::write_protect);
  k.run_into_a_process();
  ASSERT_TRUE(k.machine->monitor()->shadow().check().empty());
  const ShadowMapping* m = k.find_mapping(true);
  ASSERT_NE(m, nullptr);
  // Find the guest's leaf PTE for m->gva through the guest's own table, and change it behind
  // the monitor's back (as a DMA engine or a missed write would).
  const VirtualCpu& v = k.machine->monitor()->vcpu();
  const uint32_t offset = vmm_layout::kMonitorMemory;
  const uint32_t root = (v.s.atp & kSatpPpnMask) << 12;
  const uint32_t l1 = k.read32(root + (m->gva >> 22) * 4 + offset);
  ASSERT_TRUE((l1 & kPteV) && !(l1 & (kPteR | kPteX)));
  const uint32_t leaf_gpa = ((l1 >> 10) << 12) + ((m->gva >> 12) & 0x3ff) * 4;
  k.write32(leaf_gpa + offset, k.read32(leaf_gpa + offset) & ~kPteW);
  const std::vector<std::string> problems = k.machine->monitor()->shadow().check();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("survived write protection"), std::string::npos) << problems[0];
}

TEST(MonitorCheck, CatchesAShadowEntryGrantingMoreThanTheGuest) {
  MonitoredKernel k(ShadowInvalidation::sfence);
  k.run_into_a_process();
  const ShadowMapping* m = k.find_mapping(false);  // read-only in the guest (code)
  ASSERT_NE(m, nullptr);
  const uint32_t at = k.shadow_pte_address(m->gva);
  k.write32(at, k.read32(at) | kPteW | kPteR);
  const std::vector<std::string> problems = k.machine->monitor()->shadow().check();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("allows writes the guest does not"), std::string::npos) << problems[0];
}

TEST(MonitorCheck, CatchesAShadowEntryOutsideTheGuestPhysicalMap) {
  MonitoredKernel k(ShadowInvalidation::sfence);
  k.run_into_a_process();
  const ShadowMapping* m = k.find_mapping(true);
  ASSERT_NE(m, nullptr);
  const uint32_t at = k.shadow_pte_address(m->gva);
  // Point it at the monitor's own memory (the shadow tables themselves).
  k.write32(at, (k.read32(at) & 0x3ff) | ((board::kRamBase >> 12) << 10));
  const std::vector<std::string> problems = k.machine->monitor()->shadow().check();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("another host page"), std::string::npos) << problems[0];
}

TEST(MonitorCheck, CheckingModeStopsTheRunWithTheProblem) {
  MonitoredKernel k(ShadowInvalidation::sfence);
  k.run_into_a_process();
  const ShadowMapping* m = k.find_mapping(false);
  ASSERT_NE(m, nullptr);
  const uint32_t at = k.shadow_pte_address(m->gva);
  k.write32(at, k.read32(at) | kPteW | kPteR);
  k.machine->monitor()->check_shadows = true;
  const RunResult r = k.machine->run(50'000'000);
  EXPECT_EQ(r.reason, StopReason::check_failed);
  EXPECT_NE(k.machine->hart().stop_message.find("monitor check failed"), std::string::npos);
}

}  // namespace
}  // namespace vmscope
