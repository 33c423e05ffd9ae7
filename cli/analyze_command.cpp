// `vmscope analyze`: the Popek–Goldberg analyzer on ISA descriptions (docs/isa-spec-format.md).
// Exit codes: 0 a VMM can be built — Theorem 1's condition holds, or for a hardware-assisted
// machine the guest-mode condition does (both are sufficient; with --search: in some
// combination) —, 1 neither holds, 2 an invalid description, setting or baseline; with
// --oracle: 0 the hart agrees with the description, 3 not; with --baseline: 0 the verdicts and
// critical sets are the baseline's, 4 they changed.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "baseline.h"
#include "commands.h"
#include "oracle.h"
#include "report.h"
#include "spec.h"

namespace vmscope::cli {

int analyze_command(const AnalyzeOptions& o) {
  using namespace vmscope::analyzer;
  std::vector<Spec> specs;
  bool invalid = false;
  for (const std::string& path : o.specs) {
    LoadResult r = load_spec(path);
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    if (!r.spec) invalid = true;
    else specs.push_back(std::move(*r.spec));
  }
  if (invalid) return 2;

  std::vector<ReportInput> inputs;
  bool all_hold = true, oracle_agrees = true;
  for (const Spec& spec : specs) {
    Assignment a = default_assignment(spec);
    for (const std::string& kv : o.settings) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "vmscope: --set %s: expected NAME=VALUE\n", kv.c_str());
        return 2;
      }
      const std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
      const Setting* s = spec.find_setting(name);
      if (!s) {
        if (specs.size() > 1) continue;  // a setting of another description
        std::fprintf(stderr, "%s: unknown setting '%s'\n", spec.file.c_str(), name.c_str());
        return 2;
      }
      const auto v = normalize_value(*s, value);
      if (!v) {
        std::string vals;
        for (const auto& x : s->values) vals += (vals.empty() ? "" : ", ") + x;
        std::fprintf(stderr, "%s: '%s' is not a value of setting '%s' (values: %s)\n", spec.file.c_str(),
                     value.c_str(), name.c_str(), vals.c_str());
        return 2;
      }
      a[name] = *v;
    }
    if (!o.explain.empty() && !spec.find_instruction(o.explain)) {
      if (specs.size() > 1) continue;
      std::fprintf(stderr, "%s: no instruction '%s'\n", spec.file.c_str(), o.explain.c_str());
      return 2;
    }
    if (o.oracle) {
      if (spec.oracle.empty()) {
        std::fprintf(stderr, "%s: no executing oracle for this description (its [isa] has no 'oracle')\n", spec.file.c_str());
        return 2;
      }
      const OracleReport r = run_oracle(spec, a);
      std::cout << oracle_report_text(spec, r);
      oracle_agrees &= r.disagreements.empty();
      continue;
    }
    ReportInput in;
    in.spec = &spec;
    in.analysis = analyze(spec, a);
    in.explain = o.explain;
    if (o.search) {
      in.search = search(spec);
      all_hold &= in.search->holding > 0 || in.search->guest_holding > 0;
    } else {
      all_hold &= in.analysis.theorem1.holds || (in.analysis.guest_condition && in.analysis.guest_condition->holds);
    }
    inputs.push_back(std::move(in));
  }

  if (o.oracle) return oracle_agrees ? 0 : 3;
  if (o.format == "json") {
    std::cout << report_json(inputs);
  } else if (o.format == "sarif") {
    std::cout << report_sarif(inputs);
  } else if (o.format == "html") {
    std::cout << report_html(inputs);
  } else {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (i) std::cout << "\n";
      std::cout << (o.format == "markdown" ? report_markdown(inputs[i]) : report_text(inputs[i]));
    }
  }
  if (!o.baseline.empty()) {
    std::ifstream file(o.baseline, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file) {
      std::fprintf(stderr, "%s: cannot read the baseline\n", o.baseline.c_str());
      return 2;
    }
    const BaselineComparison c = compare_with_baseline(inputs, text.str());
    if (!c.error.empty()) {
      std::fprintf(stderr, "%s: not a baseline: %s\n", o.baseline.c_str(), c.error.c_str());
      return 2;
    }
    if (c.changes.empty()) {
      std::fprintf(stderr, "vmscope analyze: verdicts and critical sets as in the baseline %s\n", o.baseline.c_str());
      return 0;
    }
    std::fprintf(stderr, "vmscope analyze: %zu change%s against the baseline %s:\n", c.changes.size(),
                 c.changes.size() == 1 ? "" : "s", o.baseline.c_str());
    for (const std::string& change : c.changes) std::fprintf(stderr, "  %s\n", change.c_str());
    return 4;
  }
  return all_hold ? 0 : 1;
}

}  // namespace vmscope::cli
