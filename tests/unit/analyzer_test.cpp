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
