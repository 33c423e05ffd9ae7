// Renders analyses as SARIF 2.1.0 (OASIS), the format code-scanning tools read: each instruction
// that breaks a theorem's condition is a result located at the description's facts that make it
// so — the fact for the mode where it runs without trapping first, then the others of the
// instruction's modes — so that a review annotates the very lines to change.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "report.h"

namespace vmscope::analyzer {

namespace {

using Json = nlohmann::ordered_json;

struct Rule {
  const char* id;
  const char* name;
  const char* level;
  const char* short_text;
  const char* full_text;
};
// (The same three kinds the text report lists after the table.)
constexpr Rule kCritical{"PG1", "CriticalInstruction", "error",
                         "Sensitive but not privileged: breaks Popek and Goldberg's Theorem 1 (and 2)",
                         "A sensitive instruction (it changes or depends on mode, relocation, interrupt or control "
                         "state) that runs in user mode without trapping: a trap-and-emulate VMM never sees it, so "
                         "Theorem 1's sufficient condition (every sensitive instruction privileged) does not hold."};
constexpr Rule kUserSensitive{"PG3", "UserSensitiveUnprivileged", "warning",
                              "User-sensitive and not privileged: breaks Theorem 3's condition for a hybrid VMM",
                              "Executed in user mode without trapping, it writes control state or reads relocation, "
                              "interrupt or control state: a hybrid VMM, which interprets the guest's supervisor code, "
                              "still needs every user-sensitive instruction to trap (Theorem 3)."};
constexpr Rule kGuestCritical{"PG-GUEST", "GuestCriticalInstruction", "error",
                              "Guest-critical: runs in a guest mode without trapping and reaches the machine's own state",
                              "In a mode where hardware runs a guest (VS/VU, VMX non-root, EL1 under EL2) it neither "
                              "traps to the VMM nor stays within the guest's own copy of the state: the analyzer's "
                              "guest-mode condition (its extension of Theorem 1 to hardware-assisted machines) fails."};
constexpr Rule kTiming{"PG-TIME", "TimingDependentInstruction", "note",
                       "Timing-dependent: reads a clock in user mode without trapping (not sensitive)",
                       "It reads time state (a clock, a cycle counter) where a VMM runs its guest. Popek and "
                       "Goldberg's equivalence property allows differences caused by timing, so it does not break "
                       "Theorem 1; but Theorem 2 assumes a VMM without timing dependencies, and a guest observes "
                       "the VMM's timing through it."};
const Rule* const kRules[] = {&kCritical, &kUserSensitive, &kGuestCritical, &kTiming};

Json rule_json(const Rule& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"shortDescription", {{"text", r.short_text}}},
          {"fullDescription", {{"text", r.full_text}}},
          {"defaultConfiguration", {{"level", r.level}}},
          {"helpUri", "https://dl.acm.org/doi/10.1145/361011.361073"}};
}

Json location(const Spec& spec, const Position& pos, const std::string& text) {
  Json artifact = {{"uri", spec.file}};
  if (!spec.file.empty() && spec.file[0] != '/') artifact["uriBaseId"] = "%SRCROOT%";
  Json l = {{"physicalLocation",
             {{"artifactLocation", artifact},
              {"region", {{"startLine", std::max(pos.line, 1)}, {"startColumn", std::max(pos.column, 1)}}}}}};
  if (!text.empty()) l["message"] = {{"text", text}};
  return l;
}

// The facts in force for `in` under the analysis's settings: the decisive mode's first.
Json fact_locations(const Spec& spec, const Instruction& in, const Assignment& a, const std::vector<std::string>& modes) {
  Json out = Json::array();
  std::vector<int> lines;
  for (const std::string& m : modes) {
    const Fact* f = applicable_fact(in, m, a);
    if (!f || std::find(lines.begin(), lines.end(), f->pos.line) != lines.end()) continue;
    lines.push_back(f->pos.line);
    out.push_back(location(spec, f->pos, "the fact for mode " + m + (f->traps ? " (traps)" : " (runs without trapping)")));
  }
  return out;
}

Json result(const Spec& spec, const Rule& rule, size_t rule_index, const Instruction& in, const Assignment& a,
            const std::string& why, std::vector<std::string> modes) {
  Json locations = fact_locations(spec, in, a, modes);
  if (locations.empty()) locations.push_back(location(spec, in.pos, ""));
  Json r = {{"ruleId", rule.id},
            {"ruleIndex", rule_index},
            {"level", rule.level},
            {"message", {{"text", in.name + ": " + why + " (" + describe_assignment(a) + ")"}}},
            {"locations", Json::array({locations[0]})}};
  Json related = Json::array();
  for (size_t i = 1; i < locations.size(); ++i) related.push_back(locations[i]);
  related.push_back(location(spec, in.pos, "the instruction " + in.name));
  for (size_t i = 0; i < related.size(); ++i) related[i]["id"] = i;
  r["relatedLocations"] = related;
  // Stable across runs and line moves: code scanning matches results by it.
  r["partialFingerprints"] = {{"vmscope/instruction", spec.name + "/" + in.name + "/" + rule.id}};
  return r;
}

}  // namespace

std::string report_sarif(const std::vector<ReportInput>& inputs) {
  Json rules = Json::array();
  for (const Rule* r : kRules) rules.push_back(rule_json(*r));
  Json results = Json::array();
  for (const ReportInput& input : inputs) {
    const Spec& spec = *input.spec;
    const Analysis& a = input.analysis;
    for (const Classification& c : a.instructions) {
      if (!input.explain.empty() && c.instruction != input.explain) continue;
      const Instruction& in = *spec.find_instruction(c.instruction);
      const std::vector<std::string> classic = {spec.user_mode, spec.supervisor_mode};
      if (c.critical.value) results.push_back(result(spec, kCritical, 0, in, a.settings, c.critical.why, classic));
      if (c.user_sensitive.value && !c.privileged.value)
        results.push_back(result(spec, kUserSensitive, 1, in, a.settings, c.user_sensitive.why, classic));
      if (c.guest_critical.value)
        results.push_back(result(spec, kGuestCritical, 2, in, a.settings, c.guest_critical.why, spec.guest_modes));
      if (c.timing_dependent.value)
        results.push_back(result(spec, kTiming, 3, in, a.settings, c.timing_dependent.why, {spec.user_mode}));
    }
  }
  Json run = {{"tool",
               {{"driver",
                 {{"name", "vmscope analyze"},
                  {"version", VMSCOPE_VERSION},
                  {"informationUri", "https://dl.acm.org/doi/10.1145/361011.361073"},
                  {"rules", rules}}}}},
              {"originalUriBaseIds", {{"%SRCROOT%", {{"description", {{"text", "Where the descriptions' paths start"}}}}}}},
              {"results", results}};
  Json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}};
  return log.dump(2) + "\n";
}

}  // namespace vmscope::analyzer
