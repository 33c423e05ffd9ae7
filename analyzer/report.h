// The analyzer's output: text, JSON, SARIF, Markdown and HTML (docs/isa-spec-format.md).
#pragma once

#include <optional>
#include <string>

#include "classify.h"

namespace vmscope::analyzer {


struct ReportInput {
  const Spec* spec = nullptr;
  Analysis analysis;
  std::optional<SearchResult> search;
  std::string explain;  // instruction name, or empty
};

std::string report_text(const ReportInput& in);
std::string report_markdown(const ReportInput& in);
// JSON for several descriptions at once: {"format": ..., "descriptions": [...]}.
std::string report_json(const std::vector<ReportInput>& inputs);
// SARIF 2.1.0 for code-scanning tools: critical, user-sensitive and guest-critical instructions
// as results at their facts' lines (report_sarif.cpp).
std::string report_sarif(const std::vector<ReportInput>& inputs);
// One self-contained HTML page, a table per description, classes coloured as in the debugger.
std::string report_html(const std::vector<ReportInput>& inputs);

}  // namespace vmscope::analyzer
