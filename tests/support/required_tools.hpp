// Tests judged by outside tools (the official Node clients, chromium) skip where the tool is missing,
// so a developer without Node can still run the suite. CI sets PIPEHOST_TESTS_REQUIRE_TOOLS=1: there a
// missing judge is a failure, never a quiet skip.
#pragma once

#include <cstdlib>
#include <string_view>

#include <gtest/gtest.h>

namespace pipehost::test {

inline bool tools_required() {
  const char* value = std::getenv("PIPEHOST_TESTS_REQUIRE_TOOLS");
  return value && std::string_view(value) == "1";
}

}  // namespace pipehost::test

/// Skips the test because `why` (a tool is missing), or fails it when CI requires the tools.
#define PIPEHOST_SKIP_WITHOUT_TOOL(why)                                           \
  do {                                                                            \
    if (::pipehost::test::tools_required()) FAIL() << why << " (required in CI)"; \
    GTEST_SKIP() << why;                                                          \
  } while (false)
