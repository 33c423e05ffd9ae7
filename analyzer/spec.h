// An ISA description for the Popek–Goldberg analyzer (format: docs/isa-spec-format.md):
// observable facts per instruction and privilege mode, possibly conditional on settings.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vmscope::analyzer {

// Classes of processor state a fact may read or write. `guest`: state that belongs to the
// running guest of a hardware-assisted machine (the hardware keeps the guest's own copy, as
// vsstatus for sstatus in VS-mode or GDTR in the VMCS) rather than the machine's. `time`: a
// clock or cycle counter (time of day, a timer's count, cycles): reading it shows only *when*
// the program runs, and P&G's equivalence property allows "differences caused by timing
// dependencies", so a read of time state makes no instruction sensitive; writing it sets the
// machine's clock, which is control.
enum class StateClass { mode, relocation, interrupts, control, registers, memory, guest, time };
const char* state_class_name(StateClass c);
std::optional<StateClass> parse_state_class(const std::string& name);
std::string state_class_names();  // "mode, relocation, ..." (for messages)
// Mode, relocation, interrupts and other control state: what P&G's VMM must keep to itself
// (what a read must not see and a write must not change).
bool is_control_state(StateClass c);
// What a write must not change: control state, and the clock.
bool is_control_write(StateClass c);

struct Position {
  int line = 0, column = 0;
};

struct Fact {
  std::vector<std::string> modes;            // the modes it applies to (all when absent)
  std::map<std::string, std::string> when;   // setting -> value; empty: always
  bool traps = false;
  std::set<StateClass> reads, writes;        // empty when it traps
  std::string effect;                        // optional short label of the observable effect
  std::string note;
  Position pos;
};

struct Instruction {
  std::string name;
  std::string summary;
  std::vector<std::string> forms;  // for an executing oracle: the encodings it stands for
  std::vector<std::string> sources;
  std::vector<Fact> facts;
  Position pos;
};

struct Setting {
  std::string name;
  std::string description;
  std::vector<std::string> values;
  std::string default_value;
  Position pos;
};

struct Source {
  std::string id, citation, url;
};

struct Spec {
  std::string file;
  std::string name;
  std::string description;
  std::vector<std::string> modes;
  std::string user_mode, supervisor_mode;
  // Hardware-assisted machines: the modes in which the hardware runs a guest (VS and VU, VMX
  // non-root, EL1 under EL2), the guest kernel's first. The classic theorems look at the other
  // modes; the guest-mode condition (classify.h) at these.
  std::vector<std::string> guest_modes;
  std::string oracle;  // the machine that can execute its forms ("rv32": vmscope's hart), or ""
  std::vector<Source> sources;
  std::vector<Setting> settings;
  std::vector<Instruction> instructions;

  const Setting* find_setting(const std::string& name) const;
  bool is_guest_mode(const std::string& mode) const;
  const Instruction* find_instruction(const std::string& name) const;
};

struct SpecError {
  std::string file;
  Position pos;
  std::string message;
  std::string str() const;  // file:line:column: message
};

struct LoadResult {
  std::optional<Spec> spec;
  std::vector<SpecError> errors;
};

// Parses and validates a description; `file` names it in the errors.
LoadResult parse_spec(const std::string& text, const std::string& file);
LoadResult load_spec(const std::string& path);

// A value for every setting.
using Assignment = std::map<std::string, std::string>;
Assignment default_assignment(const Spec& spec);
// Every combination of the declared settings' values, in a fixed order.
std::vector<Assignment> all_assignments(const Spec& spec);
// The fact that applies to `instruction` in `mode` under `a` (validation guarantees one).
const Fact* applicable_fact(const Instruction& instruction, const std::string& mode, const Assignment& a);
// Normalizes a TOML-ish value as written on the command line ("true" / "1" / "0") against
// the setting's declared values; returns nullopt when it is not one of them.
std::optional<std::string> normalize_value(const Setting& s, const std::string& value);

}  // namespace vmscope::analyzer
