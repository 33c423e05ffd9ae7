// The Popek–Goldberg analyzer on small synthetic descriptions: one test per definition and theorem.
#include <gtest/gtest.h>

#include "classify.h"
#include "spec.h"

using namespace vmscope::analyzer;

namespace {

const char* kHeader = R"(
[isa]
name = "synthetic"
modes = ["u", "s"]
user_mode = "u"
supervisor_mode = "s"
[[source]]
id = "t"
citation = "a test"
[[setting]]
name = "gate"
values = [0, 1]
default = 0
)";

Spec load(const std::string& instructions) {
  LoadResult r = parse_spec(std::string(kHeader) + instructions, "t.toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.str();
  return *r.spec;
}

Classification one(const std::string& insn, Assignment a = {{"gate", "0"}}) {
  const Spec s = load(insn);
  return classify(s, s.instructions.at(0), a);
}

const char* kPrivilegedWritesRelocation = R"(
[[instruction]]
name = "P"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = true
[[instruction.fact]]
modes = ["s"]
traps = false
writes = ["relocation"]
)";

const char* kNoopInUser = R"(
[[instruction]]
name = "N"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = false
writes = ["registers"]
[[instruction.fact]]
modes = ["s"]
traps = false
writes = ["registers", "mode"]
)";

}  // namespace

TEST(Analyzer, PrivilegedTrapsInUserNotInSupervisor) {
  const Classification c = one(kPrivilegedWritesRelocation);
  EXPECT_TRUE(c.privileged.value);
  EXPECT_TRUE(c.control_sensitive.value);
  EXPECT_TRUE(c.sensitive.value);
  EXPECT_FALSE(c.critical.value);
  EXPECT_NE(c.control_sensitive.why.find("relocation"), std::string::npos);
}

TEST(Analyzer, TrappingInBothModesIsNotPrivilegedAndNotSensitive) {
  const Classification c = one(R"(
[[instruction]]
name = "T"
sources = ["t"]
[[instruction.fact]]
traps = true
)");
  EXPECT_FALSE(c.privileged.value);
  EXPECT_NE(c.privileged.why.find("must not trap in supervisor mode"), std::string::npos);
  EXPECT_FALSE(c.sensitive.value);
  EXPECT_TRUE(c.innocuous.value);
}

TEST(Analyzer, NoopInUserActsInSupervisorIsBehaviourSensitiveAndCritical) {
  const Classification c = one(kNoopInUser);
  EXPECT_TRUE(c.mode_sensitive.value);
  EXPECT_TRUE(c.behaviour_sensitive.value);
  EXPECT_TRUE(c.control_sensitive.value);
  EXPECT_FALSE(c.privileged.value);
  EXPECT_TRUE(c.critical.value);
  EXPECT_FALSE(c.user_sensitive.value);  // in user mode it only writes registers
}

TEST(Analyzer, ModeSensitiveByReadingTheMode) {
  const Classification c = one(R"(
[[instruction]]
name = "M"
sources = ["t"]
[[instruction.fact]]
traps = false
reads = ["mode"]
writes = ["registers"]
)");
  EXPECT_TRUE(c.mode_sensitive.value);
  EXPECT_FALSE(c.control_sensitive.value);
  EXPECT_TRUE(c.critical.value);
  EXPECT_FALSE(c.user_sensitive.value);  // reading the mode in user mode is harmless in a hybrid VM
}

TEST(Analyzer, LocationSensitiveIsUserSensitive) {
  const Classification c = one(R"(
[[instruction]]
name = "L"
sources = ["t"]
[[instruction.fact]]
traps = false
reads = ["relocation"]
writes = ["registers"]
)");
  EXPECT_TRUE(c.location_sensitive.value);
  EXPECT_TRUE(c.behaviour_sensitive.value);
  EXPECT_TRUE(c.user_sensitive.value);
  EXPECT_TRUE(c.critical.value);
}

TEST(Analyzer, InnocuousOrdinaryInstruction) {
  const Classification c = one(R"(
[[instruction]]
name = "ADD"
sources = ["t"]
[[instruction.fact]]
traps = false
reads = ["registers", "memory"]
writes = ["registers", "memory"]
)");
  EXPECT_TRUE(c.innocuous.value);
  EXPECT_FALSE(c.sensitive.value);
  EXPECT_FALSE(c.critical.value);
}

const char* kGated = R"(
[[instruction]]
name = "G"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
when = { gate = 1 }
traps = true
[[instruction.fact]]
modes = ["u"]
when = { gate = 0 }
traps = false
reads = ["control"]
writes = ["registers"]
[[instruction.fact]]
modes = ["s"]
traps = false
reads = ["control"]
writes = ["registers"]
)";

TEST(Analyzer, ConfigurationDependentTrap) {
  EXPECT_TRUE(one(kGated, {{"gate", "0"}}).critical.value);
  EXPECT_FALSE(one(kGated, {{"gate", "1"}}).critical.value);
  EXPECT_TRUE(one(kGated, {{"gate", "1"}}).privileged.value);
}

TEST(Analyzer, Theorem1And2HoldWhenEverySensitiveInstructionIsPrivileged) {
  const Spec s = load(kPrivilegedWritesRelocation);
  const Analysis a = analyze(s, default_assignment(s));
  EXPECT_TRUE(a.theorem1.holds);
  EXPECT_TRUE(a.theorem2.holds);
  EXPECT_NE(a.theorem2.explanation.find("timing"), std::string::npos);
  EXPECT_TRUE(a.theorem3.holds);
}

TEST(Analyzer, Theorem1FailsButTheorem3HoldsForAUserModeNoop) {
  const Spec s = load(kNoopInUser);
  const Analysis a = analyze(s, default_assignment(s));
  EXPECT_FALSE(a.theorem1.holds);
  EXPECT_EQ(a.theorem1.counterexamples, std::vector<std::string>{"N"});
  EXPECT_NE(a.theorem1.explanation.find("does not prove"), std::string::npos);
  EXPECT_TRUE(a.theorem3.holds);
}

TEST(Analyzer, SearchFindsTheSettingThatMakesTheorem1Hold) {
  const Spec s = load(kGated);
  const SearchResult r = search(s);
  EXPECT_EQ(r.combinations, 2u);
  EXPECT_EQ(r.holding, 1u);
  ASSERT_EQ(r.holding_projected.size(), 1u);
  EXPECT_EQ(r.holding_projected[0].at("gate"), "1");
  ASSERT_EQ(r.critical.size(), 1u);
  EXPECT_FALSE(r.critical[0].always);
}

TEST(Analyzer, Errors) {
  auto first_error = [](const std::string& body) {
    LoadResult r = parse_spec(std::string(kHeader) + body, "t.toml");
    EXPECT_FALSE(r.spec);
    return r.errors.empty() ? std::string() : r.errors[0].str();
  };
  EXPECT_NE(first_error("[[instruction]\n").find("t.toml:14:15: syntax error"), std::string::npos) << first_error("[[instruction]\n");
  EXPECT_NE(first_error(R"([[instruction]]
name = "X"
sources = ["t"]
[[instruction.fact]]
traps = false
writes = ["warp"]
)").find("t.toml:19:11: unknown state 'warp'"), std::string::npos);
  EXPECT_NE(first_error(R"([[instruction]]
name = "X"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = true
)").find("no fact says what X does in mode s"), std::string::npos);
  EXPECT_NE(first_error(R"([[instruction]]
name = "X"
sources = ["t"]
[[instruction.fact]]
traps = true
reads = ["mode"]
)").find("contradictory fact"), std::string::npos);
  EXPECT_NE(first_error(R"([[instruction]]
name = "X"
sources = ["nobody"]
[[instruction.fact]]
traps = true
)").find("unknown source 'nobody'"), std::string::npos);
  EXPECT_NE(first_error(R"([[instruction]]
name = "X"
sources = ["t"]
[[instruction.fact]]
when = { gate = 5 }
traps = true
)").find("'5' is not a value of setting 'gate'"), std::string::npos);
}

TEST(Analyzer, ShippedDescriptionsLoad) {
  for (const char* f : {"rv32", "x86-ia32", "pdp10"}) {
    LoadResult r = load_spec(std::string(VMSCOPE_SOURCE_DIR) + "/isa-specs/" + f + ".toml");
    for (const auto& e : r.errors) ADD_FAILURE() << e.str();
    ASSERT_TRUE(r.spec) << f;
    const Analysis a = analyze(*r.spec, default_assignment(*r.spec));
    EXPECT_EQ(a.theorem1.holds, std::string(f) == "rv32") << f;
  }
}

// ---- Hardware-assisted machines: guest modes and the state the hardware keeps per guest.
namespace {

const char* kGuestHeader = R"(
[isa]
name = "synthetic, hardware-assisted"
modes = ["u", "s", "g"]
user_mode = "u"
supervisor_mode = "s"
guest_modes = ["g"]
[[source]]
id = "t"
citation = "a test"
)";

Spec load_guest(const std::string& instructions) {
  LoadResult r = parse_spec(std::string(kGuestHeader) + instructions, "g.toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.str();
  return *r.spec;
}

// An instruction privileged in the classic sense, whose fact in the guest mode is `guest_fact`.
std::string with_guest_fact(const std::string& guest_fact) {
  return R"(
[[instruction]]
name = "X"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = true
[[instruction.fact]]
modes = ["s"]
traps = false
reads = ["interrupts"]
writes = ["interrupts", "registers"]
[[instruction.fact]]
modes = ["g"]
)" + guest_fact + "\n";
}

// A fact from the bits of a number, for the property tests: bit 0 traps; bits 1..7 read and
// 8..14 write mode, relocation, interrupts, control, registers, memory, guest; and time when asked.
std::string random_fact(unsigned bits, bool read_time = false, bool write_time = false) {
  static const char* const kClasses[] = {"mode", "relocation", "interrupts", "control", "registers", "memory", "guest"};
  if (bits & 1) return "traps = true";
  std::string r = read_time ? "\"time\"" : "", w = write_time ? "\"time\"" : "";
  for (size_t i = 0; i < std::size(kClasses); ++i) {
    if (bits >> (1 + i) & 1) r += (r.empty() ? "\"" : ", \"") + std::string(kClasses[i]) + "\"";
    if (bits >> (8 + i) & 1) w += (w.empty() ? "\"" : ", \"") + std::string(kClasses[i]) + "\"";
  }
  return "traps = false\nreads = [" + r + "]\nwrites = [" + w + "]";
}

// Instruction X with these facts in the modes u, s and the guest mode g.
std::string three_mode_instruction(const std::string& u, const std::string& s, const std::string& g) {
  return "[[instruction]]\nname = \"X\"\nsources = [\"t\"]\n[[instruction.fact]]\nmodes = [\"u\"]\n" + u +
         "\n[[instruction.fact]]\nmodes = [\"s\"]\n" + s + "\n[[instruction.fact]]\nmodes = [\"g\"]\n" + g + "\n";
}

}  // namespace

TEST(AnalyzerGuestModes, PerGuestStateIsNotTheMachinesControlState) {
  const Spec s = load_guest(with_guest_fact("traps = false\nreads = [\"guest\"]\nwrites = [\"guest\", \"registers\"]"));
  const Analysis a = analyze(s, {});
  const Classification& c = a.instructions.at(0);
  EXPECT_FALSE(c.guest_critical.value) << c.guest_critical.why;
  ASSERT_TRUE(a.guest_condition);
  EXPECT_TRUE(a.guest_condition->holds);
  EXPECT_NE(a.guest_condition->explanation.find("directly in g"), std::string::npos);
  // The classic view is the machine's own modes: privileged, sensitive in s.
  EXPECT_TRUE(c.privileged.value);
  EXPECT_TRUE(c.sensitive.value);
  EXPECT_TRUE(a.theorem1.holds);
}

TEST(AnalyzerGuestModes, WritingOrReadingTheMachinesStateInAGuestModeIsGuestCritical) {
  for (const char* fact : {"traps = false\nwrites = [\"interrupts\"]", "traps = false\nreads = [\"relocation\"]",
                           "traps = false\nwrites = [\"mode\", \"guest\"]"}) {
    const Spec s = load_guest(with_guest_fact(fact));
    const Analysis a = analyze(s, {});
    EXPECT_TRUE(a.instructions.at(0).guest_critical.value) << fact;
    EXPECT_NE(a.instructions.at(0).guest_critical.why.find("the machine's"), std::string::npos);
    ASSERT_TRUE(a.guest_condition);
    EXPECT_FALSE(a.guest_condition->holds);
    EXPECT_EQ(a.guest_condition->counterexamples, std::vector<std::string>{"X"});
    EXPECT_TRUE(a.theorem1.holds) << "the guest mode's facts are not the classic theorems' business";
  }
  const Spec trapping = load_guest(with_guest_fact("traps = true"));
  EXPECT_FALSE(analyze(trapping, {}).instructions.at(0).guest_critical.value);
}

// Properties: the classic classes never depend on the guest modes' facts, and the guest-mode
// condition never depends on the machine's own modes' facts, whatever the facts are.
TEST(AnalyzerGuestModes, ClassicAndGuestViewsAreIndependent) {
  auto fact = [](unsigned bits) { return random_fact(bits); };
  auto instruction = [](unsigned u, unsigned s, unsigned g) { return three_mode_instruction(random_fact(u), random_fact(s), random_fact(g)); };
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, (seed >> 8) & 0x7fff; };
  for (int trial = 0; trial < 200; ++trial) {
    const unsigned u = next(), s = next(), g1 = next(), g2 = next(), u2 = next(), s2 = next();
    const Classification a = analyze(load_guest(instruction(u, s, g1)), {}).instructions.at(0);
    const Classification b = analyze(load_guest(instruction(u, s, g2)), {}).instructions.at(0);
    EXPECT_EQ(a.critical.value, b.critical.value) << trial;
    EXPECT_EQ(a.sensitive.value, b.sensitive.value) << trial;
    EXPECT_EQ(a.privileged.value, b.privileged.value) << trial;
    EXPECT_EQ(a.user_sensitive.value, b.user_sensitive.value) << trial;
    const Classification c = analyze(load_guest(instruction(u2, s2, g1)), {}).instructions.at(0);
    EXPECT_EQ(a.guest_critical.value, c.guest_critical.value) << trial;
    // And it is exactly: runs in g and touches one of the machine's control classes there.
    const bool touches = !(g1 & 1) && (((g1 >> 1) & 0xf) || ((g1 >> 8) & 0xf));
    EXPECT_EQ(a.guest_critical.value, touches) << trial << ": " << fact(g1);
  }
}

TEST(AnalyzerGuestModes, SearchCountsWhereTheGuestConditionHolds) {
  LoadResult r = parse_spec(std::string(kGuestHeader) + R"(
[[setting]]
name = "vt"
values = [0, 1]
[[instruction]]
name = "W"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = true
[[instruction.fact]]
modes = ["s"]
traps = false
reads = ["interrupts"]
[[instruction.fact]]
modes = ["g"]
when = { vt = 0 }
traps = false
reads = ["interrupts"]
[[instruction.fact]]
modes = ["g"]
when = { vt = 1 }
traps = true
)", "g.toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.str();
  ASSERT_TRUE(r.spec);
  const SearchResult s = search(*r.spec);
  EXPECT_EQ(s.combinations, 2u);
  EXPECT_EQ(s.holding, 2u);
  EXPECT_EQ(s.guest_holding, 1u);
  ASSERT_EQ(s.guest_holding_projected.size(), 1u);
  EXPECT_EQ(s.guest_holding_projected[0].at("vt"), "1");
}

TEST(AnalyzerGuestModes, Errors) {
  auto first_error = [](const std::string& guest_modes) {
    std::string header = kGuestHeader;
    header.replace(header.find("guest_modes = [\"g\"]"), 19, guest_modes);
    LoadResult r = parse_spec(header + with_guest_fact("traps = true"), "g.toml");
    EXPECT_FALSE(r.spec) << guest_modes;
    return r.errors.empty() ? std::string() : r.errors[0].str();
  };
  EXPECT_NE(first_error("guest_modes = [\"h\"]").find("g.toml:7:15: unknown mode 'h' in guest_modes"), std::string::npos)
      << first_error("guest_modes = [\"h\"]");
  EXPECT_NE(first_error("guest_modes = [\"u\"]").find("cannot also be the user or supervisor mode"), std::string::npos);
  EXPECT_NE(first_error("guest_modes = []").find("at least one mode"), std::string::npos);
  EXPECT_NE(first_error("guest_modes = [\"g\", \"g\"]").find("listed twice"), std::string::npos);
}

// ---- Timing: P&G's equivalence allows "differences caused by timing dependencies".
namespace {

const char* kClockRead = R"(
[[instruction]]
name = "RDCLOCK"
sources = ["t"]
[[instruction.fact]]
traps = false
reads = ["time"]
writes = ["registers"]
)";

}  // namespace

TEST(AnalyzerTiming, AClockReadInUserModeIsTimingDependentNotSensitive) {
  const Spec s = load(kClockRead);
  const Analysis a = analyze(s, {{"gate", "0"}});
  const Classification& c = a.instructions.at(0);
  EXPECT_FALSE(c.sensitive.value) << c.sensitive.why;
  EXPECT_FALSE(c.critical.value);
  EXPECT_FALSE(c.user_sensitive.value);
  EXPECT_TRUE(c.timing_dependent.value);
  EXPECT_NE(c.timing_dependent.why.find("[fact at line"), std::string::npos);
  EXPECT_TRUE(a.theorem1.holds);
  EXPECT_TRUE(a.theorem3.holds);
  EXPECT_EQ(a.timing_dependent, std::vector<std::string>{"RDCLOCK"});
  EXPECT_NE(a.theorem1.explanation.find("Timing-dependent, so not counted"), std::string::npos);
  EXPECT_NE(a.theorem2.explanation.find("without timing dependencies"), std::string::npos);
  EXPECT_NE(a.theorem2.explanation.find("through RDCLOCK"), std::string::npos) << a.theorem2.explanation;
}

TEST(AnalyzerTiming, WritingTheClockIsControl) {
  const Classification c = one(R"(
[[instruction]]
name = "SETCLOCK"
sources = ["t"]
[[instruction.fact]]
traps = false
writes = ["time"]
)");
  EXPECT_TRUE(c.control_sensitive.value) << c.control_sensitive.why;
  EXPECT_TRUE(c.critical.value);
  EXPECT_TRUE(c.user_sensitive.value);
  EXPECT_FALSE(c.timing_dependent.value);
}

TEST(AnalyzerTiming, OnlyUserModeReadsAreTimingDependencies) {
  const Classification c = one(R"(
[[instruction]]
name = "RDCLOCK"
sources = ["t"]
[[instruction.fact]]
modes = ["u"]
traps = true
[[instruction.fact]]
modes = ["s"]
traps = false
reads = ["time"]
writes = ["registers"]
)");
  EXPECT_TRUE(c.privileged.value);
  EXPECT_FALSE(c.sensitive.value);
  EXPECT_FALSE(c.timing_dependent.value) << "the guest runs in u: a read only s can make is the VMM's";
}

// Property: adding a read of time to any fact changes no P&G class and no verdict; the
// instruction is timing-dependent exactly when it runs in user mode and reads time there.
// Adding a write of time to a running fact makes it control-sensitive.
TEST(AnalyzerTiming, TimeReadsNeverChangeTheClassesTimeWritesAreControl) {
  auto fact = [](unsigned bits, bool read_time, bool write_time) { return random_fact(bits, read_time, write_time); };
  auto instruction = [&](unsigned u, unsigned s, unsigned g, bool tu, bool ts, bool tg, bool wu) {
    return three_mode_instruction(fact(u, tu, wu), fact(s, ts, false), fact(g, tg, false));
  };
  uint32_t seed = 777;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u, (seed >> 8) & 0x7fff; };
  for (int trial = 0; trial < 300; ++trial) {
    const unsigned u = next(), s = next(), g = next(), pick = next();
    const bool tu = pick & 1, ts = pick & 2, tg = pick & 4;
    const Classification plain = analyze(load_guest(instruction(u, s, g, false, false, false, false)), {}).instructions.at(0);
    const Classification timed = analyze(load_guest(instruction(u, s, g, tu, ts, tg, false)), {}).instructions.at(0);
    EXPECT_EQ(plain.sensitive.value, timed.sensitive.value) << trial;
    EXPECT_EQ(plain.critical.value, timed.critical.value) << trial;
    EXPECT_EQ(plain.privileged.value, timed.privileged.value) << trial;
    EXPECT_EQ(plain.user_sensitive.value, timed.user_sensitive.value) << trial;
    EXPECT_EQ(plain.guest_critical.value, timed.guest_critical.value) << trial;
    EXPECT_EQ(timed.timing_dependent.value, !(u & 1) && tu) << trial << ": " << fact(u, tu, false);
    if (!(u & 1)) {
      const Classification writes = analyze(load_guest(instruction(u, s, g, false, false, false, true)), {}).instructions.at(0);
      EXPECT_TRUE(writes.control_sensitive.value) << trial;
      EXPECT_TRUE(writes.user_sensitive.value) << trial;
    }
  }
}
