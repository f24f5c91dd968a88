// Runs a build step of the out-of-tree tests (cmake, pipehost) and fails the test, with its output,
// when it does not exit 0.
#pragma once

#include <gtest/gtest.h>

#include "process.hpp"

namespace pipehost::test {

inline ProcessResult run_checked(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.timeout = std::chrono::minutes(8);  // a cold build of a plugin on a busy 2-core machine
  auto r = run_process(argv, options);
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n" << r.out << r.err;
  return r;
}

}  // namespace pipehost::test
