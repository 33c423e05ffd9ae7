// The unit tests' entry point. `unit_tests --hart-tests` runs only the hart's suites (those
// registered with VMSCOPE_HART_TEST_SUITE) with the fixture's hart on the block translator:
// ctest's second run of them (unit.hart_tests_on_the_translator).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "test_machine.h"

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
    std::string filter;
    for (const std::string& suite : vmscope::test::hart_test_suites())
      filter += (filter.empty() ? "" : ":") + suite + ".*:*/" + suite + ".*";
    GTEST_FLAG_SET(filter, filter);
  }
  return RUN_ALL_TESTS();
}
