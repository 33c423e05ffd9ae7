// The executing oracle on the hart with the hypervisor extension (that the shipped description
// agrees is ctest's analyzer.oracle.rv32h): the guest-critical instructions are the ones the
// hart's behaviour makes so, and a description naming modes the hart lacks is told so.
#include <gtest/gtest.h>

#include "isa/isa_table.h"
#include "oracle.h"
#include "oracle_forms.h"
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
  // Coverage of the opcode table: a form for every encoding, the CSR instructions for every number.
  EXPECT_EQ(sliced.encodings, 111u);
  EXPECT_EQ(sliced.encodings_run, 111u);
  EXPECT_EQ(whole.encodings_run, 111u);
  EXPECT_TRUE(whole.disagreements.empty()) << all(whole);
}

TEST(OracleForms, EveryEncodingHasAFormThatDecodesToItself) {
  size_t csr_instructions = 0;
  for (const vmscope::isa::EncodingSpec& e : vmscope::isa::kEncodings)
    csr_instructions += std::string_view(e.mnemonic).rfind("csrr", 0) == 0;  // csrrw ... csrrci
  EXPECT_EQ(csr_instructions, 6u);
  ASSERT_EQ(encoding_forms().size(), std::size(vmscope::isa::kEncodings) - csr_instructions);
  for (const EncodingForm& f : encoding_forms()) {
    const vmscope::isa::EncodingSpec* e = vmscope::isa::find_encoding(f.word);
    ASSERT_NE(e, nullptr) << f.mnemonic;
    EXPECT_EQ(std::string(e->mnemonic), f.mnemonic) << std::hex << f.word;
  }
  // The operands the machine state gives meaning to (oracle_forms.h): spot checks against the
  // assembler's encodings (riscv64-unknown-elf-as -march=rv32imac_zicsr_zifencei_h).
  auto word = [](const char* m) {
    for (const EncodingForm& f : encoding_forms())
      if (f.mnemonic == m) return f.word;
    return 0u;
  };
  EXPECT_EQ(word("lb"), 0x00168503u);      // lb a0, 1(a3)
  EXPECT_EQ(word("sw"), 0x00b6a223u);      // sw a1, 4(a3)
  EXPECT_EQ(word("jalr"), 0x00070567u);    // jalr a0, 0(a4)
  EXPECT_EQ(word("c.lwsp"), 0x4512u);      // c.lwsp a0, 4(sp)
  EXPECT_EQ(word("c.srai"), 0x858du);      // c.srai a1, 3
  EXPECT_EQ(word("hsv.b"), 0x62b6c073u);   // hsv.b a1, (a3)
  EXPECT_EQ(word("sfence.vma"), 0x12000073u);  // sfence.vma zero, zero
  EXPECT_EQ(csr_write_forms(0x340)[3], 0x340ae573u);  // csrrsi a0, mscratch, 21
}

TEST(OracleForms, AnEncodingNoInstructionClaimsIsReported) {
  Spec s = shipped("rv32");
  for (Instruction& in : s.instructions)
    if (in.name == "UNIMP, C.UNIMP") in.forms = {"unimp"};  // c.unimp no longer claimed
  const OracleReport r = run_oracle(s, default_assignment(s));
  ASSERT_EQ(r.disagreements.size(), 1u) << all(r);
  EXPECT_EQ(r.disagreements[0].form, "c.unimp");
  EXPECT_EQ(r.disagreements[0].property, "coverage");
  EXPECT_EQ(r.encodings_run, 111u) << "it still ran";
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
