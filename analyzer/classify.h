// Popek & Goldberg (1974) classification of every instruction of a description, and the
// three theorems' conditions, under one assignment of the settings or across all of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec.h"

namespace vmscope::analyzer {

// One property and the fact that decides it.
struct Property {
  bool value = false;
  std::string why;
};

struct Classification {
  std::string instruction;
  Property privileged;          // traps in user mode and does not trap in supervisor mode
  Property control_sensitive;   // changes mode, relocation, interrupt or other control state without trapping
  Property mode_sensitive;      // result depends on the mode
  Property location_sensitive;  // result depends on relocation (where the program really is)
  Property resource_sensitive;  // result depends on interrupt / other control state (extension, see docs)
  Property behaviour_sensitive; // mode-, location- or resource-sensitive
  Property sensitive;           // control- or behaviour-sensitive
  Property innocuous;           // not sensitive
  Property critical;            // sensitive but not privileged
  Property user_sensitive;      // sensitive when executed in user mode (hybrid VM, Theorem 3)
  // Reads a clock or cycle counter (time state) without trapping in user mode, where a VMM runs
  // all of its guest: not sensitive (P&G's equivalence allows differences caused by timing), but
  // the guest can observe the VMM's time through it — Theorem 2 assumes a VMM that does not
  // depend on timing. Reported apart.
  Property timing_dependent;
  // Descriptions with guest modes (hardware-assisted machines; the analyzer's extension): runs
  // in a guest mode without trapping to the VMM and there reads or writes the machine's own mode,
  // relocation, interrupt or control state (not the guest's copy the hardware keeps).
  Property guest_critical;
};

struct Theorem {
  int number = 0;
  bool holds = false;
  std::vector<std::string> counterexamples;  // critical (1, 2) or user-sensitive unprivileged (3)
  std::string explanation;
};

struct Analysis {
  Assignment settings;
  std::vector<Classification> instructions;
  Theorem theorem1, theorem2, theorem3;
  std::vector<std::string> timing_dependent;  // the instructions that are (named in the theorems' explanations)
  // With guest modes: Theorem 1's condition for a VMM that runs the guest in those modes
  // (number 0; `counterexamples` the guest-critical instructions). Absent otherwise.
  std::optional<Theorem> guest_condition;
};

Classification classify(const Spec& spec, const Instruction& in, const Assignment& a);
Analysis analyze(const Spec& spec, const Assignment& a);

// --search: every combination of the settings.
struct CriticalCondition {
  std::string instruction;
  bool always = false;                   // critical in every combination
  std::vector<Assignment> when;          // otherwise: the combinations (of relevant settings only)
};
struct SearchResult {
  size_t combinations = 0, holding = 0;
  std::vector<std::string> relevant;     // settings that change Theorem 1's verdict somewhere
  std::vector<std::string> irrelevant;
  std::vector<Assignment> holding_projected;  // combinations where Theorem 1 holds, relevant settings only
  std::vector<CriticalCondition> critical;
  size_t guest_holding = 0;              // with guest modes: combinations where the guest-mode condition holds
  std::vector<Assignment> guest_holding_projected;  // ... on the settings that change it somewhere
  std::vector<CriticalCondition> guest_critical;   // instructions guest-critical somewhere, and when
};
SearchResult search(const Spec& spec);

std::string describe_assignment(const Assignment& a);

}  // namespace vmscope::analyzer
