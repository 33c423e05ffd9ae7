// The analyzer description editor's positions (line numbers, error jumps, find).
#include <gtest/gtest.h>

#include "text_position.h"

namespace vmscope::ui {
namespace {

TEST(TextPosition, LinesAndColumnsBothWays) {
  const std::string text = "ab\ncde\n\nf";
  EXPECT_EQ(line_column_of(text, 0).line, 1);
  EXPECT_EQ(line_column_of(text, 4).line, 2);
  EXPECT_EQ(line_column_of(text, 4).column, 2);
  EXPECT_EQ(line_column_of(text, 7).line, 3);  // the empty line
  EXPECT_EQ(line_column_of(text, 8).line, 4);
  EXPECT_EQ(offset_of(text, 2, 2), 4u);
  EXPECT_EQ(offset_of(text, 4, 1), 8u);
  EXPECT_EQ(offset_of(text, 2, 99), 6u) << "clamped to the end of the line";
  EXPECT_EQ(offset_of(text, 99, 1), text.size()) << "and of the text";
  for (size_t at = 0; at <= text.size(); ++at) {
    const LineColumn lc = line_column_of(text, at);
    EXPECT_EQ(offset_of(text, lc.line, lc.column), at) << at;
  }
}

TEST(TextPosition, FindGoesOnFromTheCursorAndWraps) {
  const std::string text = "x = 1\ny = x\nz = x";
  EXPECT_EQ(find_wrapping(text, "x", 0), 0u);
  EXPECT_EQ(find_wrapping(text, "x", 1), 10u);
  EXPECT_EQ(find_wrapping(text, "x", 11), 16u);
  EXPECT_EQ(find_wrapping(text, "x", 17), 0u) << "past the last one: from the start";
  EXPECT_EQ(find_wrapping(text, "w", 0), std::string_view::npos);
  EXPECT_EQ(find_wrapping(text, "", 0), std::string_view::npos);
}

}  // namespace
}  // namespace vmscope::ui
