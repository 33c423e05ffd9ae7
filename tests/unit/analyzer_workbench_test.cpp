// The analyzer as the debugger uses it: shipped descriptions compiled in, settings kept across
// edits, the verdict following an edited fact, errors with their position, the oracle on demand.
#include <gtest/gtest.h>

#include "analyzer_workbench.h"

using vmscope::ui::AnalyzerWorkbench;

namespace {

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(AnalyzerWorkbench, ShipsEveryDescriptionAndStartsWithTheHartsOwn) {
  AnalyzerWorkbench w;
  std::vector<std::string> files;
  for (const auto& s : w.specs()) files.emplace_back(s.file);
  for (const char* f : {"isa-specs/rv32.toml", "isa-specs/x86-ia32.toml", "isa-specs/pdp10.toml", "isa-specs/m68000.toml",
                        "isa-specs/m68010.toml", "isa-specs/armv7a.toml", "isa-specs/mips32.toml", "isa-specs/s370.toml",
                        "isa-specs/vax.toml"})
    EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
  EXPECT_EQ(w.specs()[w.chosen()].file, "isa-specs/rv32.toml");
  ASSERT_TRUE(w.analysis());
  EXPECT_TRUE(w.analysis()->theorem1.holds);
  EXPECT_FALSE(w.edited());
}

TEST(AnalyzerWorkbench, AnEditedFactChangesTheVerdict) {
  AnalyzerWorkbench w;
  ASSERT_TRUE(w.choose("isa-specs/pdp10.toml"));
  ASSERT_TRUE(w.analysis());
  EXPECT_FALSE(w.analysis()->theorem1.holds);  // JRST 1 is critical
  // JRST 1 in user mode: make it trap, as a virtualizable machine would.
  const std::string fixed = replace_once(w.text(), "modes = [\"user\"]\ntraps = false\nreads = [\"registers\"]\nwrites = [\"registers\"]\neffect = \"jump\"",
                                         "modes = [\"user\"]\ntraps = true");
  w.set_text(fixed);
  EXPECT_TRUE(w.edited());
  ASSERT_TRUE(w.analysis()) << (w.errors().empty() ? "" : w.errors()[0].str());
  EXPECT_TRUE(w.analysis()->theorem1.holds);
}

TEST(AnalyzerWorkbench, ErrorsNameTheLineAndColumnAndReplaceTheAnalysis) {
  AnalyzerWorkbench w;
  ASSERT_TRUE(w.choose("isa-specs/pdp10.toml"));
  w.set_text(replace_once(w.text(), "traps = false", "traps = maybe"));
  EXPECT_FALSE(w.analysis());
  ASSERT_FALSE(w.errors().empty());
  EXPECT_NE(w.errors()[0].str().find("isa-specs/pdp10.toml:"), std::string::npos) << w.errors()[0].str();
  EXPECT_GT(w.errors()[0].pos.line, 1);
  w.choose(w.chosen());  // revert
  EXPECT_TRUE(w.analysis());
}

TEST(AnalyzerWorkbench, SettingsSurviveEditsAndDecide) {
  AnalyzerWorkbench w;
  w.set_setting("mcounteren.CY", "1");
  w.set_setting("scounteren.CY", "1");
  ASSERT_TRUE(w.analysis());
  EXPECT_TRUE(w.analysis()->theorem1.holds) << "the cycle counter readable in U-mode is a clock: timing only";
  EXPECT_EQ(w.analysis()->timing_dependent, std::vector<std::string>{"CSR cycle/cycleh"});
  w.set_setting("mcounteren.IR", "1");
  w.set_setting("scounteren.IR", "1");
  EXPECT_FALSE(w.analysis()->theorem1.holds) << "instret readable in U-mode is critical";
  w.set_text(w.text() + "\n");  // an edit that changes nothing keeps the settings
  EXPECT_EQ(w.settings().at("mcounteren.IR"), "1");
  EXPECT_FALSE(w.analysis()->theorem1.holds);
  w.set_setting("mcounteren.IR", "7");  // not a value: ignored
  EXPECT_EQ(w.settings().at("mcounteren.IR"), "1");
}

TEST(AnalyzerWorkbench, OracleRunsForTheHartsOwnDescriptionOnly) {
  AnalyzerWorkbench w;
  ASSERT_TRUE(w.has_oracle());
  w.set_setting("quirk.status_read", "1");
  w.run_oracle();
  ASSERT_TRUE(w.oracle());
  EXPECT_TRUE(w.oracle()->disagreements.empty());
  EXPECT_EQ(w.oracle()->critical, std::vector<std::string>{"CSR sstatus read"});
  ASSERT_TRUE(w.choose("isa-specs/x86-ia32.toml"));
  EXPECT_FALSE(w.has_oracle());
}

}  // namespace
