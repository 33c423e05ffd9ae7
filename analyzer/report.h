// The analyzer's output: text, JSON (docs/analyzer-json.md) and Markdown.
#pragma once

#include <optional>
#include <string>

#include "classify.h"

namespace vmscope::analyzer {

enum class Format { text, json, markdown };

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

}  // namespace vmscope::analyzer
