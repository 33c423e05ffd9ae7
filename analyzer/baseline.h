// --baseline: this run against a committed JSON report (`vmscope analyze --format json`), as a CI
// gate wants it — only what a change of the description's meaning changes: each description's
// verdicts (Theorems 1-3, the guest-mode condition; with --search, in how many combinations
// Theorem 1 holds), the settings they were reached under, and its sets of critical,
// user-sensitive and guest-critical instructions. Explanations, order and wording may change.
#pragma once

#include <string>
#include <vector>

#include "report.h"

namespace vmscope::analyzer {

struct BaselineComparison {
  std::string error;                 // why the baseline is not such a report ("" when it is)
  std::vector<std::string> changes;  // one sentence per change; empty: none
};
BaselineComparison compare_with_baseline(const std::vector<ReportInput>& now, const std::string& baseline_text);

}  // namespace vmscope::analyzer
