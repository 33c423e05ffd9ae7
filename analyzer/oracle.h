// The executing oracle for RV32: instead of trusting a description, run every instruction form
// it names (every CSR number too) on vmscope's own hart, in pairs of machine states that differ
// only in the privilege mode, only in relocation (the same virtual view placed elsewhere in
// physical memory) or only in other control and interrupt state; derive Popek and Goldberg's
// classes from what happened, and report each disagreement with the description, with the two
// states as the counterexample. The hart's teaching quirks are settings of the description
// (quirk.*), so the oracle checks the quirk variants the same way. For `oracle = "rv32h"` the hart
// has the hypervisor extension and the description's guest modes (VS, VU) run with V = 1: there
// the oracle checks which forms touch the machine's own state rather than the guest's copies.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "classify.h"
#include "spec.h"

namespace vmscope::analyzer {

struct Disagreement {
  std::string instruction;  // the description's instruction (or "" when no instruction claims the form)
  std::string form;         // e.g. "csrrs a0, sstatus, zero"
  std::string property;     // "traps in U", "control-sensitive", ...
  std::string description;  // what the description says (with the fact's line)
  std::string hart;         // what the hart did: the counterexample
};

struct OracleReport {
  std::string machine;          // what ran the forms, including its quirks
  size_t forms = 0, runs = 0;   // instruction forms executed, single-instruction runs
  size_t unimplemented_csrs = 0;  // CSR numbers that trap in every mode and no instruction claims
  std::vector<std::string> critical;  // instructions the hart's behaviour makes critical
  std::vector<std::string> guest_critical;  // ... guest-critical (descriptions with guest modes)
  std::vector<std::string> timing_dependent;  // ... read a clock in user mode (exempt: timing)
  std::vector<Disagreement> disagreements;
  size_t encodings_run = 0, encodings = 0;  // coverage: the opcode table's encodings the forms exercised, of all
};

class OracleRunState;
// A run in slices, so that a front end stays responsive (the browser runs a few forms a frame):
// step() runs up to `forms` more forms and says whether the run is over; report() is final then.
class OracleRun {
 public:
  OracleRun(const Spec& spec, const Assignment& a);
  ~OracleRun();
  OracleRun(const OracleRun&) = delete;
  OracleRun& operator=(const OracleRun&) = delete;
  bool step(size_t forms);
  double progress() const;  // 0..1
  const OracleReport& report() const;

 private:
  std::unique_ptr<OracleRunState> oracle_;
};

// Runs the oracle for `spec` (whose [isa] oracle must be "rv32") under the settings `a`.
OracleReport run_oracle(const Spec& spec, const Assignment& a);
std::string oracle_report_text(const Spec& spec, const OracleReport& r);

}  // namespace vmscope::analyzer
