// Ballooning: the virtio-balloon device as a driver drives it; the host's side (reclaimed pages
// zeroed, their memory released, unmapped from the monitor's shadow or G-stage tables, every
// other page untouched; deflated pages usable again); the teaching kernel's driver inflating
// and deflating under every way of running, ending exactly as a run without a balloon; time
// travel and migration carrying what the balloon holds.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "devices/virtio_balloon.h"
#include "machine/machine.h"
#include "migration/migration.h"
#include "test_assets.h"
#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

using namespace vmscope;
using test::read_asset;

namespace {

// ---- the device, through its transport, with a driver played by the test

constexpr uint32_t kBase = 0x80000000, kSize = 0x10000;
constexpr uint32_t kDesc = kBase + 0x1000, kAvail = kBase + 0x2000, kUsed = kBase + 0x3000, kPfns = kBase + 0x4000;

struct Driver {
  std::vector<uint8_t> ram = std::vector<uint8_t>(kSize);
  VirtioBalloon balloon;
  VirtioMmio mmio{balloon, [this](uint64_t a, uint32_t n) -> uint8_t* {
                    return a >= kBase && a - kBase <= kSize && n <= kSize - (a - kBase) ? ram.data() + (a - kBase) : nullptr;
                  }};
  uint16_t avail[2] = {};

  uint32_t reg(uint32_t offset) {
    uint64_t v = 0;
    EXPECT_TRUE(mmio.read(offset, 4, v));
    return static_cast<uint32_t>(v);
  }
  void set(uint32_t offset, uint32_t v) { EXPECT_TRUE(mmio.write(offset, 4, v)); }
  uint8_t* at(uint32_t a) { return ram.data() + (a - kBase); }
  void start() {
    set(0x070, 0);
    set(0x070, virtio::kAcknowledge | virtio::kDriver);
    set(0x024, 1);
    set(0x020, 1);  // VIRTIO_F_VERSION_1
    set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk);
    ASSERT_TRUE(reg(0x070) & virtio::kFeaturesOk);
    for (uint32_t q = 0; q < 2; ++q) {
      set(0x030, q);
      set(0x038, 4);
      set(0x080, kDesc + q * 0x100);
      set(0x090, kAvail + q * 0x100);
      set(0x0a0, kUsed + q * 0x100);
      set(0x044, 1);
    }
    set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk | virtio::kDriverOk);
  }
  // One buffer of page frame numbers through queue q; returns how many used entries there are.
  uint16_t send(uint32_t q, const std::vector<uint32_t>& pfns) {
    const uint32_t buffer = kPfns + q * 0x800;
    std::memcpy(at(buffer), pfns.data(), pfns.size() * 4);
    const uint32_t d = kDesc + q * 0x100;
    const uint64_t addr = buffer;
    const auto len = static_cast<uint32_t>(pfns.size() * 4);
    const uint16_t flags = 0;
    std::memcpy(at(d), &addr, 8);
    std::memcpy(at(d + 8), &len, 4);
    std::memcpy(at(d + 12), &flags, 2);
    const uint16_t head = 0;
    std::memcpy(at(kAvail + q * 0x100 + 4 + 2 * (avail[q] % 4)), &head, 2);
    ++avail[q];
    std::memcpy(at(kAvail + q * 0x100 + 2), &avail[q], 2);
    set(0x050, q);
    uint16_t used;
    std::memcpy(&used, at(kUsed + q * 0x100 + 2), 2);
    return used;
  }
};

TEST(VirtioBalloonDevice, IdentifiesItselfAndHasTheSpecsConfiguration) {
  Driver d;
  EXPECT_EQ(d.reg(0x008), 5u);  // device ID: memory balloon
  EXPECT_EQ(d.reg(0x010), static_cast<uint32_t>(virtio::kTransportFeatures)) << "no balloon feature: only the transport's";
  d.start();
  EXPECT_EQ(d.reg(0x100), 0u);  // num_pages
  const uint32_t generation = d.reg(0x0fc);
  d.balloon.set_target(d.mmio, 300);
  EXPECT_EQ(d.reg(0x100), 300u);
  EXPECT_EQ(d.reg(0x060) & 2u, 2u) << "a configuration-change interrupt";
  EXPECT_NE(d.reg(0x0fc), generation);
  d.set(0x104, 123);  // actual: the driver's
  EXPECT_EQ(d.balloon.actual(), 123u);
  d.set(0x100, 7);  // num_pages is the device's: a driver's write changes nothing
  EXPECT_EQ(d.balloon.target(), 300u);
}

TEST(VirtioBalloonDevice, InflateAndDeflateReachTheHostPerPageFrame) {
  Driver d;
  d.start();
  std::vector<uint32_t> given, taken;
  d.balloon.on_inflate = [&](uint32_t pfn) {
    given.push_back(pfn);
    return pfn != 0xdead;  // the host refuses what is not RAM
  };
  d.balloon.on_deflate = [&](uint32_t pfn) {
    taken.push_back(pfn);
    return true;
  };
  int batches = 0;
  d.balloon.after_request = [&](bool inflated) { batches += inflated; };
  EXPECT_EQ(d.send(VirtioBalloon::kInflateQueue, {0x80010, 0x80011, 0xdead}), 1);
  EXPECT_EQ(given, (std::vector<uint32_t>{0x80010, 0x80011, 0xdead}));
  EXPECT_EQ(batches, 1);
  EXPECT_EQ(d.balloon.counts().inflated, 2u);
  EXPECT_EQ(d.balloon.counts().refused, 1u);
  EXPECT_EQ(d.send(VirtioBalloon::kDeflateQueue, {0x80011}), 1);
  EXPECT_EQ(taken, (std::vector<uint32_t>{0x80011}));
  EXPECT_EQ(d.balloon.counts().deflated, 1u);
  EXPECT_EQ(d.reg(0x060) & 1u, 1u) << "the used-buffer interrupt";
}

// ---- the host's side, on a machine running the kernel

MachineOptions options_for(Virtualization v, bool balloon = true) {
  MachineOptions o;
  o.kind = MachineKind::system;
  o.firmware = Firmware::sbi;
  o.virtualization = v;
  o.hypervisor = v == Virtualization::hardware_assisted;
  o.balloon = balloon;
  return o;
}

std::string program_for(Virtualization v) { return v == Virtualization::paravirtual ? "kernel/kernel-pv.elf" : "kernel/kernel.elf"; }

std::unique_ptr<Machine> loaded(const MachineOptions& o, std::string& output) {
  auto m = std::make_unique<Machine>(o);
  const std::vector<uint8_t> elf = read_asset(program_for(o.virtualization));
  EXPECT_FALSE(elf.empty());
  EXPECT_TRUE(m->load(elf, program_for(o.virtualization)).ok());
  m->on_output = [&output](int, std::string_view bytes) { output.append(bytes); };
  return m;
}

RunResult run_to_end(Machine& m) {
  RunResult r;
  do r = m.run(1u << 22);
  while (r.reason == StopReason::budget);
  return r;
}

std::string without_balloon_lines(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (line.find("balloon") == std::string::npos) out += line + "\n";
  return out;
}

uint32_t host_of(const Machine& m, uint32_t gpa) {
  return gpa + (m.monitor() ? m.monitor()->guest_memory().offset() : 0);
}

// Is guest-physical `gpa` mapped for the guest by the monitor (a shadow entry, or the G-stage)?
bool monitor_maps(const Machine& m, uint32_t gpa) {
  const Monitor& mon = *m.monitor();
  const uint32_t hpa = host_of(m, gpa);
  if (mon.hardware_assisted) {
    uint64_t root = 0, leaf = 0;
    m.bus().peek(mon.g_stage_root() + (gpa >> 22) * 4, 4, root);
    if (!(root & 1)) return false;
    if (root & 0xa) return true;  // a superpage maps all of its 4 MiB
    m.bus().peek(static_cast<uint32_t>(root >> 10 << 12) + ((gpa >> 12) & 0x3ff) * 4, 4, leaf);
    return (leaf & 1) && static_cast<uint32_t>(leaf >> 10 << 12) == hpa;
  }
  for (int t = 0; t < static_cast<int>(ShadowMmu::kMaxTables); ++t) {
    if (!mon.shadow().tables()[t].live) continue;
    for (const ShadowMapping& s : mon.shadow().mappings(t))
      if (s.hpa == hpa) return true;
  }
  return false;
}

class BalloonHost : public ::testing::TestWithParam<Virtualization> {};

// The host's side alone: after the kernel has run a while (the monitor maps its memory), the
// test plays a driver of its own, giving 64 pages the guest uses - kernel pages the monitor has
// mapped - then taking them back. Only those pages change: zeroed, released (not resident),
// unmapped; every other page of guest RAM keeps its bytes.
TEST_P(BalloonHost, ReclaimsExactlyTheGivenPagesAndReturnsThem) {
  std::string output;
  auto m = loaded(options_for(GetParam()), output);
  m->run(3'000'000);
  Bus& bus = m->bus();
  const uint32_t ram_pages = 128u << 8;
  // The pages given: every fourth page from 1 MiB into the kernel's 4 MiB (mapped by now).
  std::vector<uint32_t> pfns;
  for (uint32_t i = 0; i < 64; ++i) pfns.push_back((board::kRamBase + 0x100000 + i * 0x4000) >> 12);
  if (m->monitor()) {
    bool any_mapped = false;
    for (const uint32_t pfn : pfns) any_mapped |= monitor_maps(*m, pfn << 12);
    ASSERT_TRUE(any_mapped) << "the test should give pages the monitor maps";
  }
  // The driver's rings and buffer: at the top of guest RAM, which the kernel never uses.
  const uint32_t rings = board::kRamBase + (127u << 20);
  std::vector<uint8_t> before(size_t{ram_pages} * 4096);
  bus.read_bytes(host_of(*m, board::kRamBase), before);
  const uint32_t resident_before = bus.resident_pages(host_of(*m, board::kRamBase), ram_pages * 4096);
  // (the rings' two pages are written below: resident from then on)

  // A second driver for the same device would fight the kernel's: this one talks to the
  // device's queues directly, as the kernel's would, through its own rings.
  const uint32_t slot = board::kVirtioBase + board::kVirtioBalloonSlot * board::kVirtioSlotSize;
  auto set = [&](uint32_t offset, uint32_t v) { ASSERT_TRUE(bus.write(slot + offset, 4, v)); };
  set(0x070, 0);
  set(0x070, virtio::kAcknowledge | virtio::kDriver);
  set(0x024, 1);
  set(0x020, 1);
  set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk);
  for (uint32_t q = 0; q < 2; ++q) {
    set(0x030, q);
    set(0x038, 4);
    set(0x080, rings + q * 0x1000);
    set(0x090, rings + q * 0x1000 + 0x100);
    set(0x0a0, rings + q * 0x1000 + 0x200);
    set(0x044, 1);
  }
  set(0x070, virtio::kAcknowledge | virtio::kDriver | virtio::kFeaturesOk | virtio::kDriverOk);
  auto send = [&](uint32_t q, const std::vector<uint32_t>& frames) {
    const uint32_t r = rings + q * 0x1000, buffer = r + 0x400;
    std::vector<uint8_t> bytes(frames.size() * 4);
    std::memcpy(bytes.data(), frames.data(), bytes.size());
    bus.write_bytes(host_of(*m, buffer), bytes);
    const uint64_t desc[2] = {buffer, bytes.size()};  // addr; len, flags 0, next 0
    bus.write_bytes(host_of(*m, r), std::span(reinterpret_cast<const uint8_t*>(desc), 16));
    const uint16_t avail[3] = {0, 1, 0};  // flags, idx = 1, ring[0] = descriptor 0
    bus.write_bytes(host_of(*m, r + 0x100), std::span(reinterpret_cast<const uint8_t*>(avail), 6));
    set(0x050, q);
  };
  send(VirtioBalloon::kInflateQueue, pfns);

  EXPECT_EQ(bus.reclaimed_pages(), 64u);
  // (before reading them: a read maps the OS's shared zero page, which mincore counts)
  EXPECT_EQ(bus.resident_pages(host_of(*m, board::kRamBase), ram_pages * 4096), resident_before - 64)
      << "host memory in use drops by exactly the ballooned pages";
  for (const uint32_t pfn : pfns) EXPECT_EQ(bus.resident_pages(host_of(*m, pfn << 12), 4096), 0u) << "page frame " << pfn;
  std::vector<uint8_t> after(before.size());
  bus.read_bytes(host_of(*m, board::kRamBase), after);
  const uint32_t ring_pages_first = (rings - board::kRamBase) >> 12;
  for (uint32_t p = 0; p < ram_pages; ++p) {
    const bool given = std::find(pfns.begin(), pfns.end(), (board::kRamBase >> 12) + p) != pfns.end();
    const uint8_t* page = after.data() + size_t{p} * 4096;
    if (given) {
      EXPECT_TRUE(std::all_of(page, page + 4096, [](uint8_t b) { return b == 0; })) << "page " << p;
      EXPECT_TRUE(bus.reclaimed(host_of(*m, board::kRamBase + p * 4096)));
      if (m->monitor()) EXPECT_FALSE(monitor_maps(*m, board::kRamBase + p * 4096)) << "page " << p;
    } else if (p < ring_pages_first || p >= ring_pages_first + 2) {
      ASSERT_EQ(std::memcmp(page, before.data() + size_t{p} * 4096, 4096), 0) << "page " << p << " changed";
    }
  }
  if (m->monitor() && !m->monitor()->hardware_assisted) EXPECT_TRUE(m->monitor()->shadow().check().empty());

  send(VirtioBalloon::kDeflateQueue, pfns);
  EXPECT_EQ(bus.reclaimed_pages(), 0u);
  std::vector<uint8_t> back(before.size());
  bus.read_bytes(host_of(*m, board::kRamBase), back);
  for (uint32_t p = 0; p < ram_pages; ++p) {
    if (p >= ring_pages_first && p < ring_pages_first + 2) continue;
    const bool given = std::find(pfns.begin(), pfns.end(), (board::kRamBase >> 12) + p) != pfns.end();
    if (!given) ASSERT_EQ(std::memcmp(back.data() + size_t{p} * 4096, before.data() + size_t{p} * 4096, 4096), 0) << "page " << p;
  }
  EXPECT_EQ(m->balloon()->counts().inflated, 64u);
  EXPECT_EQ(m->balloon()->counts().deflated, 64u);
}

// The teaching kernel's driver: the host asks for 256 pages, later for none. The balloon fills
// and empties, the host's memory drops by 256 pages meanwhile, the guest never touches a page it
// gave, and it ends exactly as a run without a balloon (its balloon lines aside).
TEST_P(BalloonHost, TheKernelsDriverInflatesAndDeflatesUnnoticed) {
  std::string plain_output, output;
  auto plain = loaded(options_for(GetParam(), false), plain_output);
  const RunResult plain_end = run_to_end(*plain);
  ASSERT_EQ(plain_end.reason, StopReason::exited);

  MachineOptions o = options_for(GetParam());
  o.check_shadows = GetParam() != Virtualization::emulation && GetParam() != Virtualization::hardware_assisted;
  auto m = loaded(o, output);
  m->run(2'000'000);
  m->set_balloon_target(256);
  const uint32_t guest_pages = 128u << 8;
  const uint32_t guest_base = host_of(*m, board::kRamBase);
  uint64_t steps = 0;
  while (m->balloon()->actual() != 256 && steps < 2'000'000) steps += m->run(10'000).steps;
  ASSERT_EQ(m->balloon()->actual(), 256u) << output;
  EXPECT_EQ(m->bus().reclaimed_pages(), 256u);
  uint32_t resident_reclaimed = 0;
  for (uint32_t p = 0; p < guest_pages; ++p)
    if (m->bus().reclaimed(guest_base + p * 4096)) resident_reclaimed += m->bus().resident_pages(guest_base + p * 4096, 4096);
  EXPECT_EQ(resident_reclaimed, 0u);
  m->run(1'000'000);
  m->set_balloon_target(0);
  const RunResult end = run_to_end(*m);
  EXPECT_EQ(end.reason, StopReason::exited) << m->hart().stop_message;
  EXPECT_EQ(m->hart().exit_code, 0);
  EXPECT_EQ(m->balloon()->actual(), 0u);
  EXPECT_EQ(m->bus().reclaimed_pages(), 0u);
  EXPECT_EQ(m->balloon()->counts().inflated, 256u);
  EXPECT_EQ(m->balloon()->counts().deflated, 256u);
  if (m->monitor()) EXPECT_EQ(m->monitor()->reclaimed_touched(), 0u);
  EXPECT_NE(output.find("kernel: balloon: holds 256 pages, 1024 KiB given back to the host"), std::string::npos) << output;
  EXPECT_NE(output.find("kernel: balloon: empty again"), std::string::npos);
  EXPECT_EQ(without_balloon_lines(output), without_balloon_lines(plain_output));
}

// A guest that touches a page it gave away gets it back (a zero page), and the monitor counts it:
// the host reclaims the page holding the kernel's tick counter (written on every timer tick), as
// if the guest had given it.
class BalloonUnderAMonitor : public ::testing::TestWithParam<Virtualization> {};

TEST_P(BalloonUnderAMonitor, APageTouchedAfterGivingItIsBackedAgain) {
  std::string output;
  auto m = loaded(options_for(GetParam()), output);
  m->run(3'000'000);
  Monitor& mon = *m->monitor();
  const ElfSymbol* ticks = m->symbols().find("ticks");
  ASSERT_NE(ticks, nullptr);
  const uint32_t gpa = ticks->value & ~0xfffu;  // (the kernel's addresses are physical)
  EXPECT_TRUE(monitor_maps(*m, gpa));
  m->bus().reclaim_page(host_of(*m, gpa));
  mon.unmap_reclaimed();
  EXPECT_FALSE(monitor_maps(*m, gpa));
  EXPECT_EQ(mon.reclaimed_touched(), 0u);
  m->run(300'000);
  EXPECT_EQ(mon.reclaimed_touched(), 1u);
  EXPECT_FALSE(m->bus().reclaimed(host_of(*m, gpa)));
  EXPECT_TRUE(monitor_maps(*m, gpa));
}

std::string way_name(const ::testing::TestParamInfo<Virtualization>& info) {
  std::string n = to_string(info.param);
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(EveryWay, BalloonHost,
                         ::testing::Values(Virtualization::emulation, Virtualization::trap_and_emulate,
                                           Virtualization::binary_translation, Virtualization::paravirtual,
                                           Virtualization::hardware_assisted),
                         way_name);
// (without a monitor nothing maps guest memory: the host can only release it)
INSTANTIATE_TEST_SUITE_P(EveryMonitoredWay, BalloonUnderAMonitor,
                         ::testing::Values(Virtualization::trap_and_emulate, Virtualization::binary_translation,
                                           Virtualization::paravirtual, Virtualization::hardware_assisted),
                         way_name);

// Time travel: the balloon's state, and what the host reclaimed, go back and forth with the
// machine; a replay of the recorded target gives the same run.
TEST(BalloonTimeTravel, GoingBackReturnsThePagesAndForwardTakesThemAgain) {
  std::string output;
  auto m = loaded(options_for(Virtualization::trap_and_emulate), output);
  TimeMachine tm(*m, TimeTravelOptions{.snapshot_interval = 1'000'000});
  tm.run(2'000'000);
  tm.set_balloon_target(128);
  RunResult r;
  do r = tm.run(1u << 22);
  while (r.reason == StopReason::budget);
  ASSERT_EQ(r.reason, StopReason::exited);
  const uint64_t end = tm.position();
  EXPECT_EQ(m->bus().reclaimed_pages(), 128u);
  const std::vector<uint64_t> reclaimed_at_end = m->bus().reclaimed_bits();
  ASSERT_TRUE(tm.travel_to(1'500'000));
  EXPECT_EQ(m->bus().reclaimed_pages(), 0u);
  EXPECT_EQ(m->balloon()->target(), 0u);
  ASSERT_TRUE(tm.travel_to(end));
  EXPECT_EQ(m->bus().reclaimed_bits(), reclaimed_at_end);
  EXPECT_EQ(m->balloon()->actual(), 128u);
}

// Migration: what the balloon holds moves with the guest, and a machine without a balloon
// refuses a stream from one with.
TEST(BalloonMigration, TheReclaimedPagesMoveWithTheGuest) {
  for (const migration::Kind kind : {migration::Kind::cold, migration::Kind::live}) {
    std::string output, plain_output;
    auto plain = loaded(options_for(Virtualization::trap_and_emulate, true), plain_output);
    plain->run(2'000'000);
    plain->set_balloon_target(200);
    run_to_end(*plain);
    auto source = loaded(options_for(Virtualization::trap_and_emulate), output);
    auto destination = loaded(options_for(Virtualization::trap_and_emulate), output);
    source->run(2'000'000);
    source->set_balloon_target(200);
    source->run(3'000'000);
    ASSERT_EQ(source->bus().reclaimed_pages(), 200u);
    migration::Options o;
    o.kind = kind;
    const migration::Result r = migration::migrate(*source, *destination, o);
    ASSERT_TRUE(r.switched) << r.error;
    EXPECT_EQ(destination->bus().reclaimed_bits(), source->bus().reclaimed_bits());
    EXPECT_EQ(destination->balloon()->actual(), 200u);
    run_to_end(*destination);
    EXPECT_EQ(output, plain_output);
  }
  // The balloon filling while a live migration's rounds go on: the pages it zeroes are in the
  // dirty log (the switch-over's comparison of both ends' memory would catch a miss).
  for (const Virtualization v : {Virtualization::trap_and_emulate, Virtualization::hardware_assisted}) {
    std::string output, plain_output;
    auto plain = loaded(options_for(v), plain_output);
    plain->run(2'000'000);
    plain->set_balloon_target(300);
    run_to_end(*plain);
    auto source = loaded(options_for(v), output);
    auto destination = loaded(options_for(v), output);
    source->run(2'000'000);
    source->set_balloon_target(300);
    migration::Options o;
    o.kind = migration::Kind::live;
    o.stop_pages = 0;  // every round it can, while the driver gives its pages
    o.max_rounds = 6;
    const migration::Result r = migration::migrate(*source, *destination, o);
    ASSERT_TRUE(r.switched) << r.error;
    run_to_end(*destination);
    EXPECT_EQ(destination->bus().reclaimed_pages(), 300u);
    EXPECT_EQ(output, plain_output);
  }
  std::string output;
  auto source = loaded(options_for(Virtualization::trap_and_emulate), output);
  auto destination = loaded(options_for(Virtualization::trap_and_emulate, false), output);
  source->run(1'000'000);
  const migration::Result r = migration::migrate(*source, *destination, migration::Options{});
  EXPECT_FALSE(r.switched);
  EXPECT_NE(r.error.find("a balloon"), std::string::npos) << r.error;
}

}  // namespace
