// The executing oracle on the hart with the hypervisor extension (that the shipped description
// agrees is ctest's analyzer.oracle.rv32h): the guest-critical instructions are the ones the
// hart's behaviour makes so, and a description naming modes the hart lacks is told so.
#include <gtest/gtest.h>

#include "oracle.h"
#include "spec.h"

using namespace vmscope::analyzer;

namespace {

Spec shipped(const char* name) {
  LoadResult r = load_spec(std::string(VMSCOPE_SOURCE_DIR) + "/isa-specs/" + name + ".toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.str();
  return *r.spec;
}

std::string all(const OracleReport& r) {
  std::string s;
  for (const auto& d : r.disagreements) s += d.instruction + " " + d.property + ": " + d.hart + "\n";
  return s;
}

TEST(OracleSlices, ARunInSlicesIsTheRunAtOnceAndReportsItsCoverage) {
  const Spec s = shipped("rv32");
  const Assignment a = default_assignment(s);
  const OracleReport whole = run_oracle(s, a);
  OracleRun run(s, a);
  size_t slices = 0;
  double last = -1;
  while (!run.step(100)) {
    ++slices;
    EXPECT_GT(run.progress(), last) << "each slice moves on";
    last = run.progress();
  }
  EXPECT_GT(slices, 10u) << "the forms came in slices";
  const OracleReport& sliced = run.report();
  EXPECT_EQ(sliced.forms, whole.forms);
  EXPECT_EQ(sliced.runs, whole.runs);
  EXPECT_EQ(sliced.critical, whole.critical);
  EXPECT_EQ(sliced.disagreements.size(), whole.disagreements.size()) << all(sliced);
  EXPECT_EQ(sliced.unimplemented_csrs, whole.unimplemented_csrs);
  // Coverage of the opcode table: the named forms and the CSR instructions' forms (the exhaustive
  // oracle of issue 17 is to raise it).
  EXPECT_EQ(sliced.encodings, 111u);
  EXPECT_EQ(sliced.encodings_run, 35u);
  EXPECT_EQ(whole.encodings_run, 35u);
}

}  // namespace

TEST(OracleHypervisor, CountersGivenToTheGuestAreGuestCriticalClocksAreTiming) {
  const Spec s = shipped("rv32h");
  Assignment a = default_assignment(s);
  a["mcounteren.IR"] = a["hcounteren.IR"] = "1";  // the guest kernel reads the machine's instret
  OracleReport r = run_oracle(s, a);
  EXPECT_TRUE(r.disagreements.empty()) << all(r);
  EXPECT_TRUE(r.critical.empty()) << "U-mode still traps (scounteren.IR = 0)";
  EXPECT_EQ(r.guest_critical, std::vector<std::string>{"CSR instret/instreth"});
  // The cycle counter instead, for the guest's programs too: a clock, timing only.
  a = default_assignment(s);
  a["mcounteren.CY"] = a["hcounteren.CY"] = a["scounteren.CY"] = "1";
  r = run_oracle(s, a);
  EXPECT_TRUE(r.disagreements.empty()) << all(r);
  EXPECT_TRUE(r.critical.empty());
  EXPECT_TRUE(r.guest_critical.empty());
  EXPECT_EQ(r.timing_dependent, std::vector<std::string>{"CSR cycle/cycleh"});
}

TEST(OracleHypervisor, AWrongGuestFactIsCaughtWithTheHartsCounterexample) {
  Spec s = shipped("rv32h");
  // Say the guest's sstatus write reaches the machine's interrupt state.
  for (Instruction& in : s.instructions)
    if (in.name == "CSR sstatus")
      for (Fact& f : in.facts)
        if (f.modes == std::vector<std::string>{"VS"}) f.writes = {StateClass::interrupts, StateClass::registers};
  const OracleReport r = run_oracle(s, default_assignment(s));
  ASSERT_EQ(r.disagreements.size(), 1u) << all(r);
  EXPECT_EQ(r.disagreements[0].instruction, "CSR sstatus");
  EXPECT_EQ(r.disagreements[0].property, "guest-critical");
  EXPECT_EQ(r.disagreements[0].description.rfind("is guest-critical", 0), 0u) << r.disagreements[0].description;
}

TEST(OracleHypervisor, GuestModesNeedTheHypervisorExtension) {
  LoadResult l = parse_spec(R"(
[isa]
name = "RV32 claiming VS without H"
modes = ["U", "S", "M", "VS"]
user_mode = "U"
supervisor_mode = "M"
guest_modes = ["VS"]
oracle = "rv32"
[[source]]
id = "t"
citation = "a test"
[[instruction]]
name = "ALU"
forms = ["add"]
sources = ["t"]
[[instruction.fact]]
traps = false
reads = ["registers"]
writes = ["registers"]
)", "vs.toml");
  ASSERT_TRUE(l.spec);
  const OracleReport r = run_oracle(*l.spec, {});
  bool told = false;
  for (const auto& d : r.disagreements)
    told |= d.property == "mode" && d.description == "mode VS" && d.hart.find("hypervisor extension") != std::string::npos;
  EXPECT_TRUE(told) << all(r);
}
