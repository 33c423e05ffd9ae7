// The debugger's session, without drawing: loading (and refusing) programs, stepping, step over,
// run to, breakpoints, pause, and the end of a program. Uses the guest programs of assets/.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "session.h"
#include "vmm/monitor.h"
#include "test_assets.h"

using namespace vmscope;
using namespace vmscope::ui;

namespace {
std::vector<uint8_t> asset(const std::string& path) { return vmscope::test::read_asset(path); }

class Session : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(s.load(asset("process/hello.elf"), "hello")) << s.last_error();
  }
  uint32_t symbol(const char* name) { return s.machine()->symbols().find(name)->value; }
  uint32_t pc() { return s.machine()->hart().pc(); }
  void run_frames(int n) {
    for (int i = 0; i < n && s.running(); ++i) s.tick(1.0 / 60);
  }
  DebugSession s;
};
}  // namespace

TEST_F(Session, LoadsAndRefusesPrograms) {
  EXPECT_EQ(pc(), s.machine()->image().entry);
  EXPECT_EQ(s.machine()->kind(), MachineKind::process);
  const std::vector<uint8_t> junk = {'n', 'o', 't', ' ', 'e', 'l', 'f'};
  EXPECT_FALSE(s.load(junk, "junk.bin"));
  EXPECT_NE(s.last_error().find("junk.bin"), std::string::npos) << s.last_error();
  EXPECT_EQ(s.program_name(), "hello");  // the previous program stays
  ASSERT_TRUE(s.load(asset("system/m_traps.elf"), "m_traps"));
  EXPECT_EQ(s.machine()->kind(), MachineKind::system);
}

TEST_F(Session, StepsAndRemembersWhatChanged) {
  const uint32_t start = pc();
  s.step();
  EXPECT_EQ(s.previous_pc(), start);
  EXPECT_NE(pc(), start);
  EXPECT_EQ(s.machine()->hart().instret(), 1u);
  EXPECT_FALSE(s.running());
}

TEST_F(Session, BreakpointThenStepOverThenRunToTheEnd) {
  s.toggle_breakpoint(symbol("main"));
  s.run();
  run_frames(10);
  EXPECT_FALSE(s.running());
  EXPECT_EQ(pc(), symbol("main"));
  EXPECT_NE(s.status().find("breakpoint"), std::string::npos) << s.status();

  // Step over a call: stops right after it, with the callee's work done.
  const uint32_t call = 0x101ac;  // jal ra,__muldf3 in main (see vmscope disasm)
  s.run_to(call);
  run_frames(10);
  ASSERT_EQ(pc(), call);
  const uint64_t before = s.machine()->hart().instret();
  s.step_over();
  run_frames(10);
  EXPECT_EQ(pc(), call + 4);
  EXPECT_GT(s.machine()->hart().instret(), before + 10);

  // Without the breakpoint the program runs to its end.
  s.toggle_breakpoint(symbol("main"));
  EXPECT_TRUE(s.breakpoints().empty());
  s.run();
  run_frames(100);
  EXPECT_TRUE(s.finished());
  EXPECT_NE(s.status().find("exited with code 0"), std::string::npos) << s.status();
  EXPECT_NE(s.console().find("Hello, vmscope!"), std::string::npos);
  // Run again: from the start, with stale output and status gone, breakpoints kept.
  s.toggle_breakpoint(symbol("main"));
  s.run();
  EXPECT_TRUE(s.running());
  EXPECT_FALSE(s.finished());
  EXPECT_TRUE(s.console().empty());
  EXPECT_EQ(s.status(), "running");
  run_frames(10);
  EXPECT_EQ(pc(), symbol("main"));
  s.reset();
  EXPECT_FALSE(s.finished());
  EXPECT_EQ(pc(), s.machine()->image().entry);
  EXPECT_TRUE(s.console().empty());
}

// Time travel in the session: stepping back restores registers and the console of that moment;
// breakpoints are found backwards; input typed in the past starts a new future.
TEST_F(Session, StepsBackAndTravels) {
  s.step();
  s.step();
  const uint32_t after_two = pc();
  const std::array<uint32_t, 32> regs_after_one = s.previous_registers();
  s.step_back();
  EXPECT_EQ(s.machine()->hart().steps(), 1u);
  EXPECT_EQ(s.previous_pc(), after_two);  // what the step back changed is highlighted
  for (unsigned r = 0; r < 32; ++r) EXPECT_EQ(s.machine()->hart().reg(r), regs_after_one[r]) << r;
  EXPECT_NE(s.status().find("stepped back"), std::string::npos) << s.status();
  s.step();
  EXPECT_EQ(pc(), after_two);

  s.run();
  run_frames(100);
  ASSERT_TRUE(s.finished());
  const std::string all(s.console());
  const uint64_t end = s.time()->position();
  s.travel_to(end / 2);
  EXPECT_FALSE(s.finished());
  EXPECT_LT(s.console().size(), all.size());
  EXPECT_EQ(all.substr(0, s.console().size()), std::string(s.console()));
  s.travel_to(0);
  EXPECT_TRUE(s.console().empty());
  s.run();  // from the past, Run replays to the end
  run_frames(100);
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(std::string(s.console()), all);
  EXPECT_EQ(s.time()->position(), end);

  // Back to a breakpoint: the last time main's first instruction ran.
  s.toggle_breakpoint(symbol("main"));
  s.reverse_continue();
  EXPECT_EQ(pc(), symbol("main"));
  EXPECT_NE(s.status().find("previous breakpoint"), std::string::npos) << s.status();
  s.toggle_breakpoint(symbol("main"));

  // The previous and next system call on the timeline.
  const TimelineLane* syscalls = nullptr;
  for (const TimelineLane& l : timeline_lanes())
    if (l.kind == EventKind::syscall) syscalls = &l;
  ASSERT_NE(syscalls, nullptr);
  const uint64_t here = s.time()->position();
  s.next_event(*syscalls);
  EXPECT_GT(s.time()->position(), here);
  const uint64_t first_call = s.time()->position();
  s.next_event(*syscalls);
  s.previous_event(*syscalls);
  EXPECT_EQ(s.time()->position(), first_call);
}

TEST_F(Session, InputTypedInThePastStartsANewFuture) {
  ASSERT_TRUE(s.load(asset("process/stdin_echo.elf"), "stdin_echo"));
  s.run();
  run_frames(5);
  s.type_input("one\n");
  const uint64_t typed_at = s.time()->inputs().fed.back().position;
  s.close_input();
  run_frames(20);
  ASSERT_TRUE(s.finished()) << s.status();
  ASSERT_NE(s.console().find("ONE"), std::string::npos) << s.console();
  s.travel_to(typed_at - 1);
  EXPECT_EQ(s.console().find("ONE"), std::string::npos);  // not yet said at that moment
  EXPECT_FALSE(s.finished());
  s.type_input("two\n");
  s.close_input();
  s.run();
  run_frames(20);
  EXPECT_TRUE(s.finished()) << s.status();
  EXPECT_NE(s.console().find("TWO"), std::string::npos) << s.console();
  EXPECT_EQ(s.console().find("ONE"), std::string::npos) << s.console();
}

// Slow motion: the speed is instructions per second, fractions carried from frame to frame.
TEST_F(Session, SpeedInInstructionsPerSecond) {
  s.set_speed(10);
  s.run();
  for (int i = 0; i < 30; ++i) s.tick(1.0 / 60);  // half a second
  EXPECT_EQ(s.machine()->hart().steps(), 5u);
  s.set_speed(0);  // full speed again
  run_frames(100);
  EXPECT_TRUE(s.finished());
  // A kernel starts at a speed a class can follow: about a million instructions a second.
  DebugSession k;
  ASSERT_TRUE(k.load(asset("kernel/kernel.elf"), "kernel", MachineKind::system, Firmware::sbi));
  EXPECT_EQ(k.speed(), 1'000'000);
  k.run();
  for (int i = 0; i < 15; ++i) k.tick(1.0 / 60);
  EXPECT_EQ(k.machine()->hart().steps(), 250'000u);
  EXPECT_EQ(speed_name(1'000'000), "1 M/s");
  EXPECT_EQ(speed_name(0), "full speed");
}

TEST_F(Session, PausesAndRecordsStatistics) {
  ASSERT_TRUE(s.load(asset("bench/sieve.elf"), "sieve"));
  s.instructions_per_frame = 100000;
  s.run();
  run_frames(3);
  EXPECT_TRUE(s.running());
  s.pause();
  EXPECT_FALSE(s.running());
  EXPECT_EQ(s.machine()->hart().instret(), 300000u);
  EXPECT_EQ(s.stats().size(), 3u);
  EXPECT_GT(s.stats().back().mips, 0);
}

// A process's read() of empty stdin waits for the console instead of seeing end of input.
TEST_F(Session, ProcessInputWaitsForTheConsole) {
  ASSERT_TRUE(s.load(asset("process/stdin_echo.elf"), "stdin_echo"));
  s.run();
  run_frames(5);
  EXPECT_TRUE(s.running());
  EXPECT_EQ(s.status(), "waiting for input on stdin");
  const uint64_t waiting_at = s.machine()->hart().instret();
  run_frames(5);
  EXPECT_EQ(s.machine()->hart().instret(), waiting_at);  // nothing retires while it waits
  s.type_input("hello\n");
  run_frames(5);
  EXPECT_TRUE(s.running());  // it read the line and waits for more
  s.close_input();
  run_frames(20);
  EXPECT_TRUE(s.finished()) << s.status();
  EXPECT_NE(s.console().find("HELLO"), std::string::npos) << s.console();
}

// The engine and the code cache are run-time switches: a program gives the same output and
// instruction count on the interpreter, on the translator, and when the engine changes mid-run.
namespace {
struct Outcome {
  std::string console, status;
  uint64_t instret = 0;
};
Outcome run_to_end(DebugSession& s, uint64_t switch_at = 0, Engine to = Engine::translator) {
  s.run();
  s.instructions_per_frame = switch_at ? 1000 : 50'000'000;  // small frames stop near the switch
  for (int i = 0; i < 100'000 && s.running(); ++i) {
    if (switch_at && s.machine()->hart().instret() >= switch_at) {
      TranslatorSettings t = s.translator_settings();
      t.engine = to;
      s.set_translator_settings(t);
      switch_at = 0;
      s.instructions_per_frame = 50'000'000;
    }
    s.tick(1.0 / 60);
  }
  EXPECT_TRUE(s.finished()) << s.status();
  return {std::string(s.console()), s.status(), s.machine()->hart().instret()};
}
TranslatorSettings with_engine(Engine e) {
  TranslatorSettings t;
  t.engine = e;
  return t;
}
}  // namespace

TEST_F(Session, EngineSwitchesKeepResults) {
  for (const char* program : {"process/hello.elf", "system/timer_interrupt.elf"}) {
    SCOPED_TRACE(program);
    ASSERT_TRUE(s.load(asset(program), program));
    s.set_translator_settings({});
    const Outcome interp = run_to_end(s);
    EXPECT_EQ(s.machine()->block_cache().block_count(), 0u);  // the interpreter translates nothing
    EXPECT_EQ(s.machine()->block_cache().stats.translated, 0u);

    s.set_translator_settings(with_engine(Engine::translator));
    s.reset();
    const Outcome translated = run_to_end(s);
    EXPECT_EQ(s.machine()->engine(), Engine::translator);
    EXPECT_GT(s.machine()->block_cache().block_count(), 10u);
    const BlockCache& c = s.machine()->block_cache();
    EXPECT_GT(c.entries(), c.stats.lookups);  // some blocks were entered through links

    for (const Engine from : {Engine::interpreter, Engine::translator}) {  // half-way, either way
      s.set_translator_settings(with_engine(from));
      s.reset();
      const Engine to = from == Engine::translator ? Engine::interpreter : Engine::translator;
      const Outcome switched = run_to_end(s, interp.instret / 2, to);
      EXPECT_EQ(switched.console, interp.console);
      EXPECT_EQ(switched.instret, interp.instret);
      EXPECT_EQ(switched.status, interp.status);
    }
    EXPECT_EQ(translated.console, interp.console);
    EXPECT_EQ(translated.instret, interp.instret);
    EXPECT_EQ(translated.status, interp.status);
    EXPECT_NE(interp.status.find("exited with code 0"), std::string::npos) << interp.status;
  }
}

TEST_F(Session, TranslatorSettingsApplyAtOnceAndSurviveReloads) {
  TranslatorSettings t = with_engine(Engine::translator);
  t.options.capacity_kib = kMinCacheKib;  // a tiny cache: hello needs about 125 KiB
  t.options.eviction = Eviction::fifo;
  s.set_translator_settings(t);
  EXPECT_EQ(s.machine()->engine(), Engine::translator);
  run_to_end(s);
  const BlockCache& c = s.machine()->block_cache();
  EXPECT_GT(c.stats.evicted, 0u);
  EXPECT_LE(c.used_bytes(), uint64_t{kMinCacheKib} * 1024);
  EXPECT_FALSE(c.events().empty());
  EXPECT_EQ(c.events().back().kind, TranslatorEvent::Kind::evicted);

  // Flushing: a command, and what a full cache does under the flush policy.
  s.flush_code_cache();
  EXPECT_EQ(c.block_count(), 0u);
  const uint64_t evicted = c.stats.evicted, flushes = c.stats.flushes;
  t.options.eviction = Eviction::flush;
  s.set_translator_settings(t);
  s.reset();
  run_to_end(s);
  EXPECT_GT(c.stats.flushes, flushes + 1);
  EXPECT_EQ(c.stats.evicted, evicted);  // (the statistics count over the machine's life)
  ASSERT_GT(c.block_count(), 0u);
  // Out-of-range sizes are clamped; chaining off leaves no links behind.
  t.options.capacity_kib = 1u << 30;
  t.options.chaining = false;
  s.set_translator_settings(t);
  EXPECT_EQ(s.translator_settings().options.capacity_kib, TranslatorSettings::kMaxCacheKib);
  for (const Block* b : c.blocks()) EXPECT_TRUE(b->incoming.empty() && !b->exits[0].to && !b->exits[1].to);

  // A new program, and a kernel rebuilt for another virtualization, keep the settings.
  ASSERT_TRUE(s.load(asset("system/timer_interrupt.elf"), "timer_interrupt"));
  EXPECT_EQ(s.machine()->engine(), Engine::translator);
  EXPECT_FALSE(s.machine()->block_cache().options().chaining);
  ASSERT_TRUE(s.load(asset("kernel/kernel.elf"), "kernel", MachineKind::system, Firmware::sbi));
  VmSettings vm;
  vm.virtualization = Virtualization::trap_and_emulate;
  s.set_vm_settings(vm);
  ASSERT_NE(s.machine()->monitor(), nullptr);
  EXPECT_EQ(s.machine()->engine(), Engine::translator);
  EXPECT_EQ(s.machine()->block_cache().options().capacity_kib, TranslatorSettings::kMaxCacheKib);
  EXPECT_EQ(s.machine()->block_cache().options().eviction, Eviction::flush);
}

// A snapshot saved from the debugger opens in another session at the same moment and goes on to
// the same end; a recording made by the command line opens from its start; junk is refused.
TEST_F(Session, SavesAndOpensSnapshots) {
  DebugSession k;
  ASSERT_TRUE(k.load(asset("kernel/kernel.elf"), "kernel", MachineKind::system, Firmware::sbi));
  VmSettings vm;
  vm.virtualization = Virtualization::trap_and_emulate;
  vm.invalidation = ShadowInvalidation::write_protect;
  k.set_vm_settings(vm);
  k.set_speed(0);
  k.run_until(5'000'000);
  ASSERT_EQ(k.time()->position(), 5'000'000u);
  const uint32_t pc_then = k.machine()->hart().pc(), sp_then = k.machine()->hart().reg(2);
  const std::vector<uint8_t> file = k.save_snapshot();
  ASSERT_FALSE(file.empty());
  k.run();
  for (int i = 0; i < 1000 && k.running(); ++i) k.tick(1.0 / 60);
  ASSERT_TRUE(k.finished());

  DebugSession other;
  ASSERT_TRUE(other.open_saved(file, "k.snap")) << other.last_error();
  EXPECT_EQ(other.time()->position(), 5'000'000u);
  EXPECT_EQ(other.vm_settings().virtualization, Virtualization::trap_and_emulate);
  EXPECT_EQ(other.vm_settings().invalidation, ShadowInvalidation::write_protect);
  EXPECT_EQ(other.machine()->hart().pc(), pc_then);
  EXPECT_EQ(other.machine()->hart().reg(2), sp_then);
  other.set_speed(0);
  other.run();
  for (int i = 0; i < 1000 && other.running(); ++i) other.tick(1.0 / 60);
  ASSERT_TRUE(other.finished()) << other.status();
  EXPECT_EQ(other.machine()->hart().steps(), k.machine()->hart().steps());
  EXPECT_EQ(other.machine()->monitor()->guest_instret(), k.machine()->monitor()->guest_instret());
  // What the kernel printed after step 5,000,000 is the end of what it printed in the whole run.
  const std::string all(k.console()), rest(other.console());
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(all.substr(all.size() - rest.size()), rest);

  std::vector<uint8_t> junk = file;
  junk.resize(junk.size() / 2);
  EXPECT_FALSE(other.open_saved(junk, "half.snap"));
  EXPECT_NE(other.last_error().find("half.snap: corrupt or truncated"), std::string::npos) << other.last_error();
  EXPECT_FALSE(other.open_saved(asset("process/hello.elf"), "hello.elf"));
  EXPECT_NE(other.last_error().find("not a vmscope recording"), std::string::npos) << other.last_error();
}

// Every event lands in a timeline lane that matches it; traps get a lane per cause.
TEST_F(Session, TimelineLanesByCause) {
  ASSERT_TRUE(s.load(asset("system/m_traps.elf"), "m_traps"));
  s.set_snapshot_budget(size_t{8} << 20);
  EXPECT_EQ(s.time()->options().memory_budget, size_t{8} << 20);
  s.run();
  run_frames(100);
  ASSERT_TRUE(s.finished()) << s.status();
  const auto& lanes = timeline_lanes();
  std::set<std::string> used;
  for (const Event& e : s.time()->timeline()) {
    const TimelineLane& lane = lanes[timeline_lane_of(e)];
    EXPECT_TRUE(lane.matches(e)) << lane.name << " for an event of kind " << to_string(e.kind) << " code " << e.code;
    used.insert(lane.name);
  }
  EXPECT_TRUE(used.count("exception: illegal instruction")) << used.size();
  EXPECT_TRUE(used.count("exception: environment call from M-mode")) << used.size();
  // A new program keeps the budget.
  ASSERT_TRUE(s.load(asset("process/hello.elf"), "hello"));
  EXPECT_EQ(s.time()->options().memory_budget, size_t{8} << 20);
}

// The Machine menu's choice for misaligned loads and stores: carried out by default (as on QEMU's
// virt), trapping when chosen (the program restarts); a snapshot carries the choice with it.
TEST_F(Session, MisalignedAccessesAreCarriedOutOrTrapAsChosen) {
  const auto run_to_end = [](DebugSession& d) {
    d.set_speed(0);
    d.run();
    for (int i = 0; i < 1000 && d.running(); ++i) d.tick(1.0 / 60);
    ASSERT_TRUE(d.finished()) << d.status();
  };
  ASSERT_TRUE(s.load(asset("system/m_traps.elf"), "m_traps"));
  EXPECT_EQ(s.misaligned(), Misaligned::emulate);
  run_to_end(s);
  EXPECT_NE(s.console().find("misaligned loads/stores: handled without a trap"), std::string_view::npos) << s.console();
  s.set_misaligned(Misaligned::trap);
  EXPECT_EQ(s.time()->position(), 0u);
  EXPECT_EQ(s.machine()->options().misaligned, Misaligned::trap);
  const std::vector<uint8_t> at_start = s.save_snapshot();
  run_to_end(s);
  EXPECT_NE(s.console().find("misaligned loads/stores: trap (mtval = address)"), std::string_view::npos) << s.console();

  DebugSession other;
  ASSERT_TRUE(other.open_saved(at_start, "m_traps.snap")) << other.last_error();
  EXPECT_EQ(other.misaligned(), Misaligned::trap);
  run_to_end(other);
  EXPECT_NE(other.console().find("misaligned loads/stores: trap (mtval = address)"), std::string_view::npos) << other.console();
}

// A snapshot of a machine with a disk opens with that disk (its image travels in the file), even
// in a session that has another disk or none.
TEST_F(Session, ASnapshotBringsItsDisk) {
  ASSERT_TRUE(s.set_disk(std::make_shared<const std::vector<uint8_t>>(asset("os/pebble.img")), "pebble.img", false));
  ASSERT_TRUE(s.load(asset("os/pebble.elf"), "pebble")) << s.last_error();
  s.set_speed(0);
  s.run_until(200'000);
  const std::vector<uint8_t> file = s.save_snapshot();
  DebugSession other;
  ASSERT_TRUE(other.open_saved(file, "pebble.snap")) << other.last_error();
  ASSERT_NE(other.machine()->disk(), nullptr);
  EXPECT_FALSE(other.disk_name().empty());
  other.set_speed(0);
  other.run();
  for (int i = 0; i < 30; ++i) other.tick(1.0 / 60);
  other.type_input("cat hello.txt\n");
  for (int i = 0; i < 30; ++i) other.tick(1.0 / 60);
  EXPECT_NE(other.console().find("hello from the disk"), std::string_view::npos) << other.console();
}

// An OS written for QEMU's virt board with its disk: it boots to its shell at full speed, and a
// line typed at the console (the UART's interrupt through the PLIC) runs a command that reads
// the disk. Its idle ticks stay ticks: the timer interrupts no more often than the OS asked.
TEST_F(Session, AnOsWithADiskAnswersTypedCommands) {
  ASSERT_TRUE(s.set_disk(std::make_shared<const std::vector<uint8_t>>(asset("os/pebble.img")), "pebble.img", false));
  ASSERT_TRUE(s.load(asset("os/pebble.elf"), "pebble")) << s.last_error();
  s.set_speed(0);
  s.run();
  run_frames(30);
  ASSERT_NE(s.console().find("type 'help' for the commands"), std::string_view::npos) << s.console();
  const Hart& h = s.machine()->hart();
  EXPECT_LT(h.interrupts(), 2 * (h.steps() / 1'000'000 + 2)) << "a tick every 1M steps (10 ms), two interrupts each";
  s.type_input("cat hello.txt\n");
  run_frames(30);
  EXPECT_NE(s.console().find("hello from the disk"), std::string_view::npos) << s.console();
  EXPECT_EQ(s.machine()->disk()->counts().reads, 3u);
  const Hart& h2 = s.machine()->hart();
  EXPECT_EQ(h2.interrupt_counts()[9], s.machine()->plic().claims()) << "every device interrupt had a source to claim";
}
