// Migration between two machines side by side: at random points of the kernel's run, cold and
// live, under every way of running that has the guest's memory to move, the guest ends exactly
// as a run that never moved (output, exit code, instruction count); the dirty log misses no
// write (the switch-over compares both ends' memory, and a write behind its back is caught);
// damaged, truncated and foreign streams are refused and the guest runs on at the source.
#include <gtest/gtest.h>

#include <random>

#include "machine/machine.h"
#include "migration/migration.h"
#include "migration/stream.h"
#include "test_assets.h"
#include "vmm/monitor.h"

using namespace vmscope;
using test::read_asset;

namespace {

MachineOptions options_for(Virtualization v) {
  MachineOptions o;
  o.kind = MachineKind::system;
  o.firmware = Firmware::sbi;
  o.virtualization = v;
  o.hypervisor = v == Virtualization::hardware_assisted;
  return o;
}

std::string program_for(Virtualization v) { return v == Virtualization::paravirtual ? "kernel/kernel-pv.elf" : "kernel/kernel.elf"; }

struct Outcome {
  std::string output;
  RunResult last;
  int exit_code = 0;
  uint64_t retired = 0;
};

std::unique_ptr<Machine> loaded(Virtualization v, std::string& output) {
  auto m = std::make_unique<Machine>(options_for(v));
  const std::vector<uint8_t> elf = read_asset(program_for(v));
  EXPECT_FALSE(elf.empty()) << program_for(v);
  EXPECT_TRUE(m->load(elf, program_for(v)).ok());
  m->on_output = [&output](int, std::string_view bytes) { output.append(bytes); };
  return m;
}

Outcome finish(Machine& m, std::string& output, RunResult last) {
  while (last.reason == StopReason::budget) last = m.run(1u << 22);
  Outcome o;
  o.output = output;
  o.last = last;
  o.exit_code = m.hart().exit_code;
  o.retired = m.monitor() ? m.monitor()->guest_instret() : m.hart().instret();
  return o;
}

Outcome unmoved(Virtualization v) {
  std::string output;
  auto m = loaded(v, output);
  return finish(*m, output, m->run(1u << 22));
}

// Runs to `at`, migrates, finishes wherever the guest is.
Outcome moved(Virtualization v, migration::Kind kind, uint64_t at, migration::Result& r,
              const std::function<void(std::vector<uint8_t>&)>& link = nullptr) {
  std::string output;
  auto source = loaded(v, output), destination = loaded(v, output);
  RunResult last = source->run(at);
  if (last.reason != StopReason::budget) return finish(*source, output, last);
  migration::Options o;
  o.kind = kind;
  r = migration::migrate(*source, *destination, o, link);
  if (r.guest_ended) return finish(*source, output, r.ended);
  return finish(r.switched ? *destination : *source, output, RunResult{});
}

}  // namespace

// The property: wherever the guest is stopped and however it moves, it cannot tell.
TEST(Migration, AtRandomPointsEveryWayEndsAsIfItNeverMoved) {
  std::mt19937_64 random(20261205);
  for (const Virtualization v : {Virtualization::emulation, Virtualization::trap_and_emulate, Virtualization::binary_translation,
                                 Virtualization::paravirtual, Virtualization::hardware_assisted}) {
    const Outcome reference = unmoved(v);
    ASSERT_EQ(reference.last.reason, StopReason::exited) << to_string(v);
    for (const migration::Kind kind : {migration::Kind::cold, migration::Kind::live}) {
      if (kind == migration::Kind::live && v == Virtualization::emulation) continue;  // (no monitor: no dirty log)
      for (int i = 0; i < 2; ++i) {
        const uint64_t at = 1 + random() % (reference.retired - 2000000);
        migration::Result r;
        const Outcome o = moved(v, kind, at, r);
        SCOPED_TRACE(std::string(to_string(v)) + ", " + to_string(kind) + " at " + std::to_string(at));
        ASSERT_TRUE(r.switched) << r.error;
        EXPECT_TRUE(r.memory_identical);
        EXPECT_EQ(o.output, reference.output);
        EXPECT_EQ(o.last.reason, StopReason::exited);
        EXPECT_EQ(o.exit_code, reference.exit_code);
        EXPECT_EQ(o.retired, reference.retired);
        if (kind == migration::Kind::live) {
          EXPECT_GE(r.rounds.size(), 2u);
          EXPECT_LT(r.downtime_instructions * 20, r.total_bytes / 4) << "downtime under 5% of sending everything";
        }
      }
    }
  }
}

TEST(Migration, AWriteBehindTheDirtyLogsBackIsCaughtAtTheSwitchOver) {
  // Between rounds, change a page of guest RAM the way no guest or monitor could: straight into
  // host memory. The destination then holds the old page, and the comparison must say so.
  std::string output;
  auto source = loaded(Virtualization::trap_and_emulate, output), destination = loaded(Virtualization::trap_and_emulate, output);
  source->run(3000000);
  const migration::GuestRam ram = migration::guest_ram(*source);
  unsigned rounds = 0;
  const auto link = [&](std::vector<uint8_t>&) {
    if (++rounds == 1) source->bus().ram()[ram.host_base - source->bus().ram_base() + 0x123456] ^= 1;
  };
  migration::Options o;
  const migration::Result r = migration::migrate(*source, *destination, o, link);
  EXPECT_FALSE(r.switched);
  EXPECT_FALSE(r.memory_identical);
  EXPECT_NE(r.error.find("a write the dirty log missed"), std::string::npos) << r.error;
}

TEST(Migration, DamagedTruncatedAndForeignStreamsAreRefusedAndTheGuestRunsOn) {
  const Outcome reference = unmoved(Virtualization::trap_and_emulate);
  struct Case {
    const char* name;
    std::function<void(std::vector<uint8_t>&)> link;
    const char* error;
  };
  unsigned round = 0;
  const Case cases[] = {
      {"a flipped byte", [](std::vector<uint8_t>& b) { b[b.size() / 2] ^= 0x40; }, "checksum mismatch (corrupt)"},
      {"a cut-off round", [](std::vector<uint8_t>& b) { b.resize(b.size() - 100); }, "truncated"},
      {"a lost round", [&round](std::vector<uint8_t>& b) { if (++round == 2) b.clear(); }, "ended without its end record"},
  };
  for (const Case& c : cases) {
    migration::Result r;
    const Outcome o = moved(Virtualization::trap_and_emulate, migration::Kind::live, 4000000, r, c.link);
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(r.switched);
    EXPECT_NE(r.error.find(c.error), std::string::npos) << r.error;
    EXPECT_EQ(o.output, reference.output);
    EXPECT_EQ(o.exit_code, reference.exit_code);
    EXPECT_EQ(o.retired, reference.retired);
  }
  // A destination of another kind: the header says so before anything is applied.
  std::string output;
  auto source = loaded(Virtualization::trap_and_emulate, output), other = loaded(Virtualization::hardware_assisted, output);
  source->run(1000000);
  migration::Options cold;
  cold.kind = migration::Kind::cold;
  const migration::Result r = migration::migrate(*source, *other, cold);
  EXPECT_FALSE(r.switched);
  EXPECT_NE(r.error.find("the stream is of a system machine, trap-and-emulate"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("the destination is a system machine, hardware-assisted"), std::string::npos) << r.error;
  // The same way of running with another console is another machine too.
  MachineOptions virtio = options_for(Virtualization::trap_and_emulate);
  virtio.console = Console::virtio;
  Machine other_console(virtio);
  const migration::Result c = migration::migrate(*source, other_console, cold);
  EXPECT_FALSE(c.switched);
  EXPECT_NE(c.error.find("console sbi, 136 MiB of RAM; the destination is a system machine, trap-and-emulate, console virtio"),
            std::string::npos)
      << c.error;
}

TEST(Migration, LiveNeedsAMonitor) {
  std::string output;
  auto source = loaded(Virtualization::emulation, output), destination = loaded(Virtualization::emulation, output);
  source->run(1000);
  const migration::Result r = migration::migrate(*source, *destination, migration::Options{});
  EXPECT_FALSE(r.switched);
  EXPECT_NE(r.error.find("needs a monitor"), std::string::npos);
}
