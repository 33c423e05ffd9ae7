// The unit tests' entry point. `unit_tests --hart-tests` runs only the hart's suites (those
// registered with VMSCOPE_HART_TEST_SUITE) with the fixture's hart on the block translator:
// ctest's second run of them (unit.hart_tests_on_the_translator). A --gtest_filter given with it
// narrows that set further.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "test_machine.h"

namespace {

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = text.find(by, start)) != std::string::npos; start = at + 1) parts.push_back(text.substr(start, at - start));
  parts.push_back(text.substr(start));
  return parts;
}

// gtest's filter syntax: POSITIVE[:POSITIVE...][-NEGATIVE[:NEGATIVE...]], with * and ? wildcards.
bool matches(const std::string& filter, const std::string& name) {
  const size_t dash = filter.find('-');
  const std::string positive = filter.substr(0, dash), negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
  const auto any = [&name](const std::string& patterns) {
    for (const std::string& p : split(patterns, ':'))
      if (!p.empty() && fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
    return false;
  };
  return (positive.empty() || any(positive)) && !any(negative);
}

}  // namespace

int main(int argc, char** argv) {
  bool hart_tests = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hart-tests") == 0) {
      hart_tests = true;
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      break;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (hart_tests) {
    vmscope::test::hart_test_engine() = vmscope::Engine::translator;
    const std::string asked = GTEST_FLAG_GET(filter);
    std::string filter;
    const ::testing::UnitTest& all = *::testing::UnitTest::GetInstance();
    for (int s = 0; s < all.total_test_suite_count(); ++s) {
      const ::testing::TestSuite& suite = *all.GetTestSuite(s);
      std::string base = suite.name();
      base = base.substr(base.find('/') + 1);  // (a parameterized suite: "Instantiation/Suite")
      if (!vmscope::test::hart_test_suites().count(base)) continue;
      for (int t = 0; t < suite.total_test_count(); ++t) {
        const std::string name = std::string(suite.name()) + "." + suite.GetTestInfo(t)->name();
        if (matches(asked, name)) filter += (filter.empty() ? "" : ":") + name;
      }
    }
    GTEST_FLAG_SET(filter, filter.empty() ? "-*" : filter);
  }
  return RUN_ALL_TESTS();
}
