// Positions in a text as an editor shows them (the analyzer's description editor): 1-based line
// and column <-> byte offset, and finding the next occurrence of a string.
#pragma once

#include <cstddef>
#include <string_view>

namespace vmscope::ui {

struct LineColumn {
  int line = 1, column = 1;
};

inline LineColumn line_column_of(std::string_view text, size_t offset) {
  LineColumn at;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++at.line, at.column = 1;
    else ++at.column;
  }
  return at;
}

// The offset of (line, column), clamped to the end of that line and of the text.
inline size_t offset_of(std::string_view text, int line, int column) {
  size_t i = 0;
  for (int l = 1; l < line && i < text.size(); ++i)
    if (text[i] == '\n') ++l;
  for (int c = 1; c < column && i < text.size() && text[i] != '\n'; ++c) ++i;
  return i;
}

// The next occurrence of `needle` at or after `from`, wrapping round to the start; npos if none.
inline size_t find_wrapping(std::string_view text, std::string_view needle, size_t from) {
  if (needle.empty()) return std::string_view::npos;
  const size_t at = text.find(needle, from < text.size() ? from : 0);
  return at != std::string_view::npos ? at : text.find(needle);
}

}  // namespace vmscope::ui
