#include "baseline.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace vmscope::analyzer {

namespace {

using Json = nlohmann::ordered_json;

std::string line_and_column(const std::string& text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') ++line, column = 1;
    else ++column;
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// The fields compared, checked for shape: a baseline from another tool (or hand-edited into
// something else) is an error, never "no changes".
std::string shape_error(const Json& root) {
  if (!root.is_object() || root.value("format", "") != "vmscope-analyzer/1" || !root.contains("descriptions") ||
      !root["descriptions"].is_array())
    return "expected a report of `vmscope analyze --format json` (\"format\": \"vmscope-analyzer/1\", \"descriptions\": [...])";
  for (const Json& d : root["descriptions"]) {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string() || !d.contains("theorems") ||
        !d["theorems"].is_array() || !d.contains("settings") || !d["settings"].is_object())
      return "a description without its name, settings or theorems";
    for (const Json& t : d["theorems"])
      if (!t.is_object() || !t.contains("number") || !t.contains("holds") || !t["holds"].is_boolean() ||
          !t.contains("counterexamples") || !t["counterexamples"].is_array())
        return "description '" + d["name"].get<std::string>() + "': a theorem without number, holds or counterexamples";
  }
  return "";
}

std::set<std::string> names(const Json& array) {
  std::set<std::string> out;
  if (array.is_array())
    for (const Json& x : array) {
      if (x.is_string()) out.insert(x.get<std::string>());
      else if (x.is_object() && x.contains("name")) out.insert(x["name"].get<std::string>());
    }
  return out;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

void compare_sets(const std::string& what, const std::string& where, const Json& before, const Json& after,
                  std::vector<std::string>& changes) {
  const std::set<std::string> b = names(before), a = names(after);
  std::set<std::string> added, removed;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(added, added.end()));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::inserter(removed, removed.end()));
  if (!added.empty()) changes.push_back(where + ": newly " + what + ": " + join(added));
  if (!removed.empty()) changes.push_back(where + ": no longer " + what + ": " + join(removed));
}

const Json* theorem(const Json& d, int number) {
  for (const Json& t : d["theorems"])
    if (t["number"] == number) return &t;
  return nullptr;
}

std::string verdict(bool holds) { return holds ? "holds" : "does not hold"; }

void compare_description(const Json& b, const Json& a, std::vector<std::string>& changes) {
  const std::string where = a["name"].get<std::string>();
  if (b["settings"] != a["settings"])
    changes.push_back(where + ": analyzed under other settings (baseline " + b["settings"].dump() + ", now " +
                      a["settings"].dump() + ")");
  static const char* const kSets[] = {"critical", "", "user-sensitive and unprivileged"};  // Theorems 1 and 3
  for (int n = 1; n <= 3; ++n) {
    const Json* tb = theorem(b, n);
    const Json* ta = theorem(a, n);
    if (!tb || !ta) {
      if (tb != ta) changes.push_back(where + ": Theorem " + std::to_string(n) + " is " + (ta ? "new" : "gone"));
      continue;
    }
    if ((*tb)["holds"] != (*ta)["holds"])
      changes.push_back(where + ": Theorem " + std::to_string(n) + " " + verdict((*tb)["holds"].get<bool>()) +
                        " in the baseline, now " + verdict((*ta)["holds"].get<bool>()));
    if (*kSets[n - 1]) compare_sets(kSets[n - 1], where, (*tb)["counterexamples"], (*ta)["counterexamples"], changes);
  }
  const Json none = Json::object();
  const Json& gb = b.contains("guest_condition") ? b["guest_condition"] : none;
  const Json& ga = a.contains("guest_condition") ? a["guest_condition"] : none;
  if (gb.contains("holds") != ga.contains("holds")) {
    changes.push_back(where + ": the guest-mode condition is " + (ga.contains("holds") ? "new" : "gone"));
  } else if (ga.contains("holds")) {
    if (gb["holds"] != ga["holds"])
      changes.push_back(where + ": the guest-mode condition " + verdict(gb["holds"].get<bool>()) +
                        " in the baseline, now " + verdict(ga["holds"].get<bool>()));
    compare_sets("guest-critical", where, gb.value("counterexamples", Json::array()),
                 ga.value("counterexamples", Json::array()), changes);
  }
  if (b.contains("search") && a.contains("search")) {
    const Json &sb = b["search"], &sa = a["search"];
    if (sb.value("theorem1_holds_in", -1) != sa.value("theorem1_holds_in", -1))
      changes.push_back(where + ": Theorem 1 holds in " + std::to_string(sa.value("theorem1_holds_in", -1)) +
                        " combinations of settings, " + std::to_string(sb.value("theorem1_holds_in", -1)) +
                        " in the baseline");
    compare_sets("critical in some combination", where, sb.value("critical", Json::array()),
                 sa.value("critical", Json::array()), changes);
  } else if (b.contains("search") != a.contains("search")) {
    changes.push_back(where + (a.contains("search") ? ": searched now, not in the baseline (use the same --search)"
                                                    : ": searched in the baseline, not now (use the same --search)"));
  }
}

}  // namespace

BaselineComparison compare_with_baseline(const std::vector<ReportInput>& now, const std::string& baseline_text) {
  BaselineComparison out;
  const Json base = Json::parse(baseline_text, nullptr, false);
  if (base.is_discarded()) {
    out.error = "not valid JSON";
#ifndef JSON_NOEXCEPTION
    try {
      (void)Json::parse(baseline_text);
    } catch (const Json::parse_error& e) {
      out.error += " (at " + line_and_column(baseline_text, e.byte) + ")";
    }
#endif
    return out;
  }
  if (out.error = shape_error(base); !out.error.empty()) return out;
  const Json current = Json::parse(report_json(now));  // (the JSON report is the one definition of the fields)
  for (const Json& a : current["descriptions"]) {
    const auto b = std::find_if(base["descriptions"].begin(), base["descriptions"].end(),
                                [&](const Json& d) { return d["name"] == a["name"]; });
    if (b == base["descriptions"].end()) out.changes.push_back(a["name"].get<std::string>() + ": not in the baseline");
    else compare_description(*b, a, out.changes);
  }
  for (const Json& b : base["descriptions"]) {
    const bool analyzed = std::any_of(current["descriptions"].begin(), current["descriptions"].end(),
                                      [&](const Json& d) { return d["name"] == b["name"]; });
    if (!analyzed) out.changes.push_back(b["name"].get<std::string>() + ": in the baseline, not analyzed now");
  }
  return out;
}

}  // namespace vmscope::analyzer
