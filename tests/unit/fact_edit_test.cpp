// The structured fact editor's text edits (analyzer/fact_edit.h), on the shipped descriptions.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "classify.h"
#include "fact_edit.h"
#include "spec.h"

namespace vmscope::analyzer {
namespace {

std::string read_spec(const std::string& name) {
  std::ifstream in(std::string(VMSCOPE_SOURCE_DIR) + "/isa-specs/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Spec parsed(const std::string& text) {
  LoadResult r = parse_spec(text, "t.toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.str();
  return r.spec ? *r.spec : Spec{};
}

const Fact& fact_for(const Spec& s, const std::string& insn, const std::string& mode, const Assignment& a) {
  return *applicable_fact(*s.find_instruction(insn), mode, a);
}

TEST(FactEdit, MakingJrst1TrapInUserModeIsOneEditAndUndoesExactly) {
  const std::string text = read_spec("pdp10.toml");
  const Spec spec = parsed(text);
  const Assignment a = default_assignment(spec);
  ASSERT_FALSE(analyze(spec, a).theorem1.holds);
  const FactEditResult r = edit_fact(text, spec, "JRST 1", "user", a, {true, {}, {}});
  ASSERT_EQ(r.error, "");
  const Spec edited = parsed(r.text);
  EXPECT_TRUE(fact_for(edited, "JRST 1", "user", a).traps);
  EXPECT_EQ(r.line, fact_for(edited, "JRST 1", "user", a).pos.line);
  EXPECT_TRUE(analyze(edited, a).theorem1.holds) << "JRST 1 was the PDP-10's one critical instruction";
  EXPECT_NE(r.text.find("note = \"P&G: in user mode it is an ordinary jump"), std::string::npos) << "the note stays";
  // Back: the same reads and writes restore the original text byte for byte.
  const FactEditResult back = edit_fact(r.text, edited, "JRST 1", "user", a,
                                        {false, {StateClass::registers}, {StateClass::registers}});
  ASSERT_EQ(back.error, "");
  EXPECT_EQ(back.text, text);
}

TEST(FactEdit, AFactForSeveralModesIsSplit) {
  const std::string text = read_spec("s370.toml");  // STCK: one fact for every mode
  const Spec spec = parsed(text);
  const Assignment a = default_assignment(spec);
  const FactEditResult r = edit_fact(text, spec, "STCK", "problem", a, {true, {}, {}});
  ASSERT_EQ(r.error, "");
  const Spec edited = parsed(r.text);
  EXPECT_TRUE(fact_for(edited, "STCK", "problem", a).traps);
  EXPECT_EQ(r.line, fact_for(edited, "STCK", "problem", a).pos.line);
  const Fact& super = fact_for(edited, "STCK", "supervisor", a);
  EXPECT_FALSE(super.traps);
  EXPECT_EQ(super.reads, std::set<StateClass>{StateClass::time}) << "the other modes keep what they did";
  EXPECT_EQ(super.modes, std::vector<std::string>{"supervisor"});
  EXPECT_NE(r.text.find("split from the fact at line"), std::string::npos);
}

TEST(FactEdit, ASplitKeepsTheSettingsItAppliesUnder) {
  const std::string text = read_spec("mips32.toml");
  const Spec spec = parsed(text);
  Assignment a = default_assignment(spec);
  a["Status.CU0"] = "1";
  const FactEditResult r = edit_fact(text, spec, "MFC0/MTC0 Count/Compare", "user", a, {true, {}, {}});
  ASSERT_EQ(r.error, "");
  const Spec edited = parsed(r.text);
  EXPECT_TRUE(fact_for(edited, "MFC0/MTC0 Count/Compare", "user", a).traps);
  EXPECT_FALSE(fact_for(edited, "MFC0/MTC0 Count/Compare", "supervisor", a).traps);
  EXPECT_TRUE(fact_for(edited, "MFC0/MTC0 Count/Compare", "user", default_assignment(spec)).traps)
      << "CU0 = 0: the Coprocessor Unusable fact, untouched";
  EXPECT_EQ(fact_for(edited, "MFC0/MTC0 Count/Compare", "user", a).when,
            (std::map<std::string, std::string>{{"Status.CU0", "1"}}));
}

TEST(FactEdit, ReadsAndWritesAreWrittenAndBadRequestsRefused) {
  const std::string text = read_spec("x86-ia32.toml");
  const Spec spec = parsed(text);
  const Assignment a = default_assignment(spec);
  const FactEditResult r = edit_fact(text, spec, "RDTSC", "ring3", a,
                                     {false, {StateClass::time, StateClass::control}, {StateClass::registers}});
  ASSERT_EQ(r.error, "");
  const Spec edited = parsed(r.text);
  EXPECT_EQ(fact_for(edited, "RDTSC", "ring3", a).reads, (std::set<StateClass>{StateClass::control, StateClass::time}));
  EXPECT_TRUE(analyze(edited, a).instructions.end() !=
              std::find_if(analyze(edited, a).instructions.begin(), analyze(edited, a).instructions.end(),
                           [](const Classification& c) { return c.instruction == "RDTSC" && c.critical.value; }));
  EXPECT_NE(edit_fact(text, spec, "NOPE", "ring3", a, {}).error, "");
  EXPECT_NE(edit_fact(text, spec, "RDTSC", "ring9", a, {}).error, "");
}

}  // namespace
}  // namespace vmscope::analyzer
