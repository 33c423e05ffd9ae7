// Time travel: snapshots, record and replay, reverse execution and the timeline.
// The central property: travelling to a position gives, bit for bit, the state a machine that
// ran straight there has — for every guest program, the kernel in every way of running, and
// both engines — and stepping back N and forward N changes nothing.
#include <gtest/gtest.h>

#include "test_assets.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "isa/decoder.h"
#include "machine/machine.h"
#include "state/archive.h"
#include "timetravel/recording.h"
#include "timetravel/time_machine.h"
#include "vmm/monitor.h"

namespace vmscope {
namespace {

using test::read_asset;

struct GuestSetup {
  std::string program;
  MachineKind kind = MachineKind::process;
  Firmware firmware = Firmware::none;
  Virtualization virt = Virtualization::emulation;
  ShadowInvalidation shadow = ShadowInvalidation::sfence;
  Engine engine = Engine::interpreter;
  uint64_t cap = 3'000'000;  // positions explored (the run may be longer)
};

std::string name_of(const GuestSetup& s) {
  std::string n = s.program + "_" + to_string(s.virt) + "_" + to_string(s.shadow) + "_" + to_string(s.engine);
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

void PrintTo(const GuestSetup& s, std::ostream* os) { *os << name_of(s); }  // (for gtest's messages)

MachineOptions options_for(const GuestSetup& s) {
  MachineOptions o;
  o.kind = s.kind;
  o.firmware = s.firmware;
  o.virtualization = s.virt;
  o.invalidation = s.shadow;
  o.engine = s.engine;
  return o;
}

std::unique_ptr<Machine> make_machine(const GuestSetup& s) {
  auto m = std::make_unique<Machine>(options_for(s));
  // A clock that answers the same in every machine (the host's would make runs differ).
  m->host_clock = [t = int64_t{1'700'000'000'000'000'000}](bool) mutable { return t += 1'000'000; };
  const std::vector<uint8_t> elf = read_asset(s.program);
  EXPECT_FALSE(elf.empty()) << s.program;
  EXPECT_TRUE(m->load(elf, s.program).ok());
  return m;
}

// Everything a snapshot holds: the state bytes and all of RAM.
struct State {
  std::vector<uint8_t> bytes, ram;
  bool operator==(const State& o) const {
    if (bytes != o.bytes) {
      size_t i = 0;
      while (i < bytes.size() && i < o.bytes.size() && bytes[i] == o.bytes[i]) ++i;
      std::fprintf(stderr, "state bytes differ at %zu of %zu/%zu\n", i, bytes.size(), o.bytes.size());
    }
    if (ram != o.ram) {
      size_t i = 0;
      while (i < ram.size() && ram[i] == o.ram[i]) ++i;
      std::fprintf(stderr, "RAM differs at offset 0x%zx\n", i);
    }
    return bytes == o.bytes && ram == o.ram;
  }
};
State capture(const Machine& m) {
  StateWriter out;
  m.save_state(out);
  const uint8_t* ram = m.bus().ram();
  return {out.take(), std::vector<uint8_t>(ram, ram + m.bus().ram_size())};
}

// Runs straight to `position` in slices of awkward sizes, as a reference.
State reference_at(const GuestSetup& s, uint64_t position) {
  auto m = make_machine(s);
  while (m->hart().steps() < position) {
    const RunResult r = m->run(std::min<uint64_t>(position - m->hart().steps(), 777'777));
    if (r.reason != StopReason::budget) break;
  }
  EXPECT_EQ(m->hart().steps(), position);
  return capture(*m);
}

class TravelIsExact : public testing::TestWithParam<GuestSetup> {};

TEST_P(TravelIsExact, ToRandomPositionsAndBackAndForth) {
  const GuestSetup& s = GetParam();
  auto m = make_machine(s);
  TimeTravelOptions opts;
  opts.snapshot_interval = 100'000;  // many snapshots, so that restores are exercised
  TimeMachine tm(*m, opts);
  // Run the whole program (or up to the cap) in frames, as the debugger would.
  while (tm.position() < s.cap) {
    const RunResult r = tm.run(std::min<uint64_t>(s.cap - tm.position(), 250'000));
    if (r.reason != StopReason::budget) break;
  }
  const uint64_t end = tm.position();
  ASSERT_GT(end, 10u);
  EXPECT_EQ(tm.frontier(), end);
  const State at_end = capture(*m);
  std::mt19937_64 rng(end);
  for (int i = 0; i < 3; ++i) {
    const uint64_t p = rng() % end;
    ASSERT_TRUE(tm.travel_to(p));
    ASSERT_EQ(tm.position(), p);
    const State here = capture(*m);
    EXPECT_TRUE(here == reference_at(s, p)) << "travel to " << p << " differs from running straight there";
    // Back N and forward N: bit-identical.
    const uint64_t n = 1 + rng() % std::min<uint64_t>(p + 1, 5000);
    ASSERT_TRUE(tm.step_back(std::min(n, p)));
    tm.run(std::min(n, p));
    EXPECT_EQ(tm.position(), p);
    EXPECT_TRUE(capture(*m) == here) << "back and forth " << n << " at " << p;
  }
  // And forward to the end again: as it was.
  ASSERT_TRUE(tm.travel_to(end));
  EXPECT_TRUE(capture(*m) == at_end);
}

std::vector<GuestSetup> travel_setups() {
  std::vector<GuestSetup> v;
  for (const char* p : {"process/hello.elf", "process/atomics.elf", "process/compressed.elf", "process/memory.elf",
                        "process/muldiv.elf", "process/recursion.elf", "process/rv32i_alu.elf", "process/counters.elf",
                        "process/syscalls.elf", "process/stdin_echo.elf", "process/nostdlib_hello.elf"})
    for (Engine e : {Engine::interpreter, Engine::translator}) v.push_back({p, MachineKind::process, Firmware::none,
                                                                            Virtualization::emulation,
                                                                            ShadowInvalidation::sfence, e});
  for (const char* p : {"system/csr_basics.elf", "system/m_traps.elf", "system/s_delegation.elf", "system/sv32_paging.elf",
                        "system/timer_interrupt.elf", "system/uart_echo.elf", "system/self_modifying.elf"})
    for (Engine e : {Engine::interpreter, Engine::translator})
      // (uart_echo polls its UART for ever without input: a part of that is enough.)
      v.push_back({p, MachineKind::system, Firmware::none, Virtualization::emulation, ShadowInvalidation::sfence, e,
                   std::string(p) == "system/uart_echo.elf" ? 300'000u : 3'000'000u});
  for (const char* p : {"system/s_interrupts_sbi.elf", "system/sv32_paging_sbi.elf"})
    for (Engine e : {Engine::interpreter, Engine::translator})
      for (Virtualization virt : {Virtualization::emulation, Virtualization::trap_and_emulate})
        v.push_back({p, MachineKind::system, Firmware::sbi, virt, ShadowInvalidation::sfence, e});
  for (Engine e : {Engine::interpreter, Engine::translator}) {
    const uint64_t all = 13'000'000;
    v.push_back({"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::emulation,
                 ShadowInvalidation::sfence, e, all});
    v.push_back({"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::trap_and_emulate,
                 ShadowInvalidation::sfence, e, all});
    v.push_back({"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::trap_and_emulate,
                 ShadowInvalidation::write_protect, e, all});
    v.push_back({"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::binary_translation,
                 ShadowInvalidation::sfence, e, all});
    v.push_back({"kernel/kernel-pv.elf", MachineKind::system, Firmware::sbi, Virtualization::paravirtual,
                 ShadowInvalidation::write_protect, e, all});
    v.push_back({"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::hardware_assisted,
                 ShadowInvalidation::sfence, e, all});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Every, TravelIsExact, testing::ValuesIn(travel_setups()),
                         [](const testing::TestParamInfo<GuestSetup>& i) { return name_of(i.param); });

// ---- record and replay

struct Outcome {
  std::string output;
  uint64_t position = 0;
  StopReason reason = StopReason::budget;
  int exit_code = 0;
  State state;
};

Outcome replay(const Recording& r) {
  Machine m(r.options);
  EXPECT_TRUE(m.load(r.program, r.program_name).ok());
  Outcome o;
  m.on_output = [&](int, std::string_view b) { o.output += b; };
  m.read_stdin = [](uint8_t*, size_t) -> size_t {
    ADD_FAILURE() << "a replay asked the host for stdin";
    return 0;
  };
  m.host_clock = [](bool) -> int64_t {
    ADD_FAILURE() << "a replay asked the host for the clock";
    return 0;
  };
  TimeMachine tm(m);
  tm.adopt(r.inputs, r.end);
  RunResult last;
  while (tm.position() < r.end.position) {
    last = tm.run(r.end.position - tm.position());
    if (last.reason != StopReason::budget) break;
  }
  o.position = tm.position();
  o.reason = last.reason;
  o.exit_code = m.hart().exit_code;
  o.state = capture(m);
  return o;
}

TEST(Replay, ProcessWithStdinAndClockReads) {
  for (const char* program : {"process/stdin_echo.elf", "process/syscalls.elf"}) {
    GuestSetup s{program};
    auto m = make_machine(s);
    Outcome live;
    m->on_output = [&](int, std::string_view b) { live.output += b; };
    std::string input = "hello\nworld\n";
    m->read_stdin = [&](uint8_t* buf, size_t n) {
      const size_t k = std::min(n, input.size());
      std::memcpy(buf, input.data(), k);
      input.erase(0, k);
      return k;
    };
    int64_t clock = 1'700'000'000'000'000'000;
    m->host_clock = [&](bool) { return clock += 123'456'789; };
    TimeMachine tm(*m);
    RunResult r;
    do r = tm.run(1'000'000); while (r.reason == StopReason::budget);
    ASSERT_EQ(r.reason, StopReason::exited) << m->hart().stop_message;
    Recording rec{program, read_asset(program), m->options(), tm.inputs(), {tm.position(), r.reason, m->hart().exit_code}};
    EXPECT_FALSE(rec.inputs.stdin_reads.empty() && rec.inputs.clock_reads.empty()) << program;
    FileError error;
    const auto decoded = decode_recording(encode_recording(rec), "x.rec", error);
    ASSERT_TRUE(decoded) << error.message;
    const Outcome again = replay(*decoded);
    EXPECT_EQ(again.output, live.output);
    EXPECT_EQ(again.position, rec.end.position);
    EXPECT_EQ(again.reason, StopReason::exited);
    EXPECT_EQ(again.exit_code, m->hart().exit_code);
    EXPECT_TRUE(again.state == capture(*m)) << program;
  }
}

// Console bytes typed at chosen moments (a UART guest echoes them) replay at the same steps.
TEST(Replay, UartInputAtItsPositions) {
  GuestSetup s{"system/uart_echo.elf", MachineKind::system};
  auto m = make_machine(s);
  std::string live;
  m->on_output = [&](int, std::string_view b) { live += b; };
  TimeMachine tm(*m);
  tm.run(200);
  tm.feed_input("ab");
  tm.run(333);
  tm.feed_input("c\n");
  tm.run(1000);
  tm.feed_input("quit\n");
  RunResult r;
  do r = tm.run(100'000); while (r.reason == StopReason::budget);
  ASSERT_EQ(tm.inputs().fed.size(), 3u);
  EXPECT_EQ(tm.inputs().fed[1].position, 533u);
  Recording rec{s.program, read_asset(s.program), m->options(), tm.inputs(), {tm.position(), r.reason, m->hart().exit_code}};
  const Outcome again = replay(rec);
  EXPECT_EQ(again.output, live);
  EXPECT_EQ(again.position, tm.position());
  EXPECT_TRUE(again.state == capture(*m));
  // Travelling back past an input and forward again replays it.
  ASSERT_TRUE(tm.travel_to(400));
  ASSERT_TRUE(tm.travel_to(tm.frontier()));
  EXPECT_TRUE(capture(*m) == again.state);
}

// Input typed in the past makes a new future: the old one (and its snapshots) is forgotten.
TEST(Replay, InputInThePastForksTheFuture) {
  GuestSetup s{"system/uart_echo.elf", MachineKind::system};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  tm.run(500);
  tm.feed_input("x");
  tm.run(500);
  ASSERT_EQ(tm.frontier(), 1000u);
  ASSERT_TRUE(tm.travel_to(300));
  tm.feed_input("y");
  EXPECT_EQ(tm.frontier(), 300u);
  ASSERT_EQ(tm.inputs().fed.size(), 1u);
  EXPECT_EQ(tm.inputs().fed[0].bytes, "y");
  EXPECT_FALSE(tm.travel_to(400));  // that future is gone
}

// ---- snapshots: the budget, files, and restoring under the monitor

TEST(Snapshots, StayWithinTheirBudget) {
  GuestSetup s{"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::trap_and_emulate};
  auto m = make_machine(s);
  TimeTravelOptions opts;
  opts.snapshot_interval = 20'000;  // ~630 snapshots wanted
  opts.memory_budget = 24u << 20;
  TimeMachine tm(*m, opts);
  RunResult r;
  do {
    r = tm.run(100'000);
    ASSERT_LE(tm.snapshots().memory_bytes(), opts.memory_budget);
  } while (r.reason == StopReason::budget);
  EXPECT_EQ(r.reason, StopReason::exited);
  EXPECT_GT(tm.snapshot_interval(), opts.snapshot_interval);  // it had to thin them
  EXPECT_GE(tm.snapshots().all().size(), 8u);
  // Thinned or not, every position is still reachable exactly.
  const uint64_t p = tm.position() / 3 + 12345;
  ASSERT_TRUE(tm.travel_to(p));
  EXPECT_TRUE(capture(*m) == reference_at(s, p));
}

TEST(Snapshots, FileRoundTripUnderTheMonitor) {
  for (ShadowInvalidation shadow : {ShadowInvalidation::sfence, ShadowInvalidation::write_protect}) {
    GuestSetup s{"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::trap_and_emulate, shadow};
    auto m = make_machine(s);
    std::string output;
    m->on_output = [&](int, std::string_view b) { output += b; };
    TimeMachine tm(*m);
    RunResult r;
    do r = tm.run(1'000'000); while (r.reason == StopReason::budget);
    ASSERT_EQ(r.reason, StopReason::exited);
    const State final_state = capture(*m);
    const Recording rec{s.program, read_asset(s.program), m->options(), tm.inputs(),
                        {tm.position(), r.reason, m->hart().exit_code}};
    // A snapshot in the middle, through a file, into a new machine: it goes on identically.
    const uint64_t middle = tm.position() / 2 + 777;
    ASSERT_TRUE(tm.travel_to(middle));
    const size_t printed = output.size();
    output.clear();
    tm.travel_to(middle);  // (nothing printed while travelling below the frontier is new)
    const SnapshotFile file{rec, tm.snapshot_now(), {}};
    FileError error;
    auto loaded = decode_snapshot(encode_snapshot(file, m->bus().ram_size()), "x.snap", error);
    ASSERT_TRUE(loaded) << error.message;
    auto m2 = make_machine(s);
    std::string output2;
    m2->on_output = [&](int, std::string_view b) { output2 += b; };
    TimeMachine tm2(*m2);
    ASSERT_TRUE(tm2.resume_from(loaded->snapshot, loaded->ram, loaded->recording.inputs, loaded->recording.end));
    EXPECT_EQ(tm2.position(), middle);
    EXPECT_TRUE(capture(*m2) == capture(*m));
    do r = tm2.run(1'000'000); while (r.reason == StopReason::budget);
    EXPECT_EQ(r.reason, StopReason::exited);
    EXPECT_TRUE(capture(*m2) == final_state);
    EXPECT_GT(printed, 0u);
    EXPECT_FALSE(output2.empty());
  }
}

TEST(Snapshots, DamagedFilesAreRefused) {
  GuestSetup s{"process/hello.elf"};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  tm.run(1000);
  const Recording rec{s.program, read_asset(s.program), m->options(), tm.inputs(), {tm.position(), StopReason::budget, 0}};
  const std::vector<uint8_t> good = encode_recording(rec);
  const std::vector<uint8_t> snap = encode_snapshot({rec, tm.snapshot_now(), {}}, m->bus().ram_size());
  FileError e;
  ASSERT_TRUE(decode_recording(good, "a.rec", e));
  ASSERT_TRUE(decode_snapshot(snap, "a.snap", e));
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, good.size() / 2, good.size() - 1}) {
    EXPECT_FALSE(decode_recording(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(cut)), "a.rec", e));
    EXPECT_NE(e.message.find("a.rec: "), std::string::npos) << e.message;
  }
  for (size_t at : {size_t{20}, good.size() / 3, good.size() - 9}) {
    std::vector<uint8_t> bad = good;
    bad[at] ^= 0x40;
    EXPECT_FALSE(decode_recording(bad, "a.rec", e));
    EXPECT_NE(e.message.find("corrupt"), std::string::npos) << e.message;
  }
  EXPECT_FALSE(decode_recording(snap, "a.snap", e));
  EXPECT_NE(e.message.find("it is a vmscope snapshot"), std::string::npos) << e.message;
  std::vector<uint8_t> cut(snap.begin(), snap.end() - 100);
  EXPECT_FALSE(decode_snapshot(cut, "a.snap", e));
  std::vector<uint8_t> newer = good;
  newer[8] = 9;
  EXPECT_FALSE(decode_recording(newer, "a.rec", e));
  EXPECT_NE(e.message.find("format version 9"), std::string::npos) << e.message;
}

// ---- reverse execution

uint32_t symbol(const Machine& m, const char* name) {
  const ElfSymbol* s = m.symbols().find(name);
  EXPECT_NE(s, nullptr) << name;
  return s ? s->value : 0;
}

TEST(Reverse, ContinueFindsEveryBreakpointHitBackwards) {
  for (Engine engine : {Engine::interpreter, Engine::translator}) {
    GuestSetup s{"process/recursion.elf"};
    s.engine = engine;
    auto m = make_machine(s);
    TimeTravelOptions opts;
    opts.snapshot_interval = 50'000;
    TimeMachine tm(*m, opts);
    // Forward: where the breakpoint hits, and the end.
    m->hart().set_breakpoints({symbol(*m, "fib")});
    std::vector<uint64_t> hits;
    for (int i = 0; i < 40; ++i) {
      const RunResult r = tm.run(10'000'000);
      if (r.reason != StopReason::breakpoint) break;
      hits.push_back(tm.position());
    }
    ASSERT_GE(hits.size(), 20u);
    // Backward from where we are: the same hits, latest first.
    for (size_t i = hits.size(); i-- > 0;) {
      if (i + 1 == hits.size()) continue;  // we are at the last hit: the one before comes next
      ASSERT_TRUE(tm.reverse_continue());
      EXPECT_EQ(tm.position(), hits[i]);
      EXPECT_EQ(m->hart().pc(), symbol(*m, "fib"));
    }
    EXPECT_FALSE(tm.reverse_continue());  // none before the first
    EXPECT_EQ(tm.position(), hits[0]);
  }
}

// A hardware breakpoint (a debug trigger) stops runs, replays and reverse-continue alike, also
// where a replay's piece starts (the frontier sits on it after a forward run stopped there).
TEST(Reverse, HardwareBreakpointsStopForwardReplayAndBackward) {
  for (Engine engine : {Engine::interpreter, Engine::translator}) {
    GuestSetup s{"process/recursion.elf"};
    s.engine = engine;
    auto m = make_machine(s);
    TimeMachine tm(*m);
    ASSERT_EQ(m->hart().set_hardware_stops({{true, symbol(*m, "fib"), 1, false, false}}), 1u);
    std::vector<uint64_t> hits;
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(tm.run(10'000'000).reason, StopReason::breakpoint);
      EXPECT_EQ(m->hart().stop_message.rfind("hardware breakpoint (trigger 0)", 0), 0u) << m->hart().stop_message;
      hits.push_back(tm.position());
    }
    ASSERT_TRUE(tm.reverse_continue());
    EXPECT_EQ(tm.position(), hits[1]);
    ASSERT_TRUE(tm.travel_to(hits[0] + 1));
    EXPECT_EQ(tm.run(10'000'000).reason, StopReason::breakpoint);
    EXPECT_EQ(tm.position(), hits[1]) << "replayed forward to the next hit";
    EXPECT_EQ(tm.run(10'000'000).reason, StopReason::breakpoint);
    EXPECT_EQ(tm.position(), hits[2]) << "the frontier itself: a replay piece starts there";
    EXPECT_EQ(m->hart().hardware_stops().size(), 1u) << "travel kept the debugger's trigger";
  }
}

TEST(Reverse, ContinueFindsAWatchpointHit) {
  GuestSetup s{"process/memory.elf"};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  tm.run(2'000'000);
  // Watch the stack word just below sp as it is now: find the latest write to it, backwards,
  // and check it against a forward scan.
  const uint32_t sp = m->hart().reg(2);
  m->hart().set_watchpoints({{sp - 16, sp, false, true}});
  const uint64_t here = tm.position();
  ASSERT_TRUE(tm.reverse_continue());
  const uint64_t back = tm.position();
  EXPECT_LT(back, here);
  ASSERT_TRUE(tm.travel_to(back - 1));
  const RunResult r = tm.run(here - tm.position());
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(tm.position(), back);
}

TEST(Reverse, StepOverGoesBackOverACall) {
  GuestSetup s{"process/recursion.elf"};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  Hart& h = m->hart();
  // Step forward until an instruction right after a call, with the callee done.
  uint64_t call_at = 0;
  uint32_t return_to = 0;
  for (int i = 0; i < 200'000 && !return_to; ++i) {
    const isa::DecodedInsn d = isa::decode(h.instruction_bits(h.pc()));
    if (!call_at && d.op == isa::Op::jal && d.rd == 1 && tm.position() > 1000) {
      call_at = tm.position();
      m->hart().set_breakpoints({h.pc() + d.length});
      tm.run(50'000'000);
      m->hart().set_breakpoints({});
      return_to = h.pc();
      break;
    }
    tm.run(1);
  }
  ASSERT_NE(return_to, 0u);
  const uint64_t returned_at = tm.position();
  ASSERT_GT(returned_at, call_at + 2);
  // The call that returned here is the latest execution of the call instruction before now
  // (the function is recursive: inner calls return to the same place).
  const uint32_t call_pc = return_to - 4;
  uint64_t expected = call_at;
  ASSERT_TRUE(tm.travel_to(call_at));
  h.set_breakpoints({call_pc});
  while (tm.run(returned_at - tm.position()).reason == StopReason::breakpoint && tm.position() < returned_at)
    expected = tm.position();
  h.set_breakpoints({});
  ASSERT_TRUE(tm.travel_to(returned_at));
  ASSERT_TRUE(tm.reverse_step_over());
  EXPECT_EQ(tm.position(), expected);
  EXPECT_EQ(h.pc(), call_pc);
  // Not after a return: one instruction back.
  const uint64_t p = tm.position();
  ASSERT_TRUE(tm.reverse_step_over());
  EXPECT_EQ(tm.position(), p - 1);
}

// ---- the timeline

TEST(Timeline, EventsSitWhereTheyHappen) {
  GuestSetup s{"kernel/kernel.elf", MachineKind::system, Firmware::sbi, Virtualization::trap_and_emulate};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  RunResult r;
  do r = tm.run(2'000'000); while (r.reason == StopReason::budget);
  const Monitor& mon = *m->monitor();
  std::array<uint64_t, kEventKindCount> count{};
  for (const Event& e : tm.timeline()) ++count[static_cast<unsigned>(e.kind)];
  EXPECT_EQ(count[static_cast<unsigned>(EventKind::monitor_exit)], mon.stats().exits);
  EXPECT_EQ(count[static_cast<unsigned>(EventKind::tlb_flush)], mon.stats().sfence);
  EXPECT_GT(count[static_cast<unsigned>(EventKind::satp_write)], 5u);
  EXPECT_GT(count[static_cast<unsigned>(EventKind::console_line)], 5u);
  uint64_t cleared = 0;
  for (const Event& e : tm.timeline()) cleared += e.kind == EventKind::shadow_invalidation && e.code == 1;
  EXPECT_EQ(cleared, mon.shadow().stats().cleared_tables);
  EXPECT_GT(cleared, 0u);
  // Travel to the 100th hidden page fault: the monitor has handled exactly 100 there, 99 a step before.
  std::vector<uint64_t> hidden;
  for (const Event& e : tm.timeline())
    if (e.kind == EventKind::monitor_exit && e.code == static_cast<uint32_t>(ExitAction::hidden_fault)) hidden.push_back(e.position);
  ASSERT_GT(hidden.size(), 100u);
  ASSERT_TRUE(tm.travel_to(hidden[99]));
  EXPECT_EQ(mon.stats().hidden_faults, 100u);
  ASSERT_TRUE(tm.step_back(1));
  EXPECT_EQ(mon.stats().hidden_faults, 99u);
  // Event breakpoints: the next and the previous monitor exit.
  const uint64_t exits = mon.stats().exits;
  ASSERT_TRUE(tm.forward_to_event(EventKind::monitor_exit, 1'000'000));
  EXPECT_EQ(mon.stats().exits, exits + 1);
  ASSERT_TRUE(tm.back_to_event(EventKind::monitor_exit));
  EXPECT_EQ(mon.stats().exits, exits);
}

TEST(Timeline, ForwardToAnEventNotSeenYet) {
  GuestSetup s{"process/syscalls.elf"};
  auto m = make_machine(s);
  TimeMachine tm(*m);
  ASSERT_TRUE(tm.forward_to_event(EventKind::syscall, 10'000'000));
  const isa::DecodedInsn d = isa::decode(m->hart().instruction_bits(m->hart().pc() - 4));
  EXPECT_EQ(d.op, isa::Op::ecall);  // just after the first ECALL
  EXPECT_EQ(tm.timeline().front().kind, EventKind::syscall);
}

}  // namespace
}  // namespace vmscope
