// The layout the pipehost run tests share: a job's run.json in a temp dir, each run's state (ledger,
// summary) under dir/STATE and the first sink's output at dir/STATE-out.csv, so one test can keep
// several independent runs of the same config side by side.
#pragma once

#include <string>
#include <vector>

#include "test_host.hpp"

namespace pipehost::test {

/// Where the first sink of the run with state `state` writes.
std::string pipehost_job_output(const TempDir& dir, const std::string& state = "state");

/// `pipehost ARGS` on dir/run.json with the in-tree plugins, no progress line, `log_level`, and the
/// state dir and first sink's path of `state`.
std::vector<std::string> pipehost_job_command(const TempDir& dir, const std::string& log_level,
                                              const std::vector<std::string>& args,
                                              const std::string& state = "state");

}  // namespace pipehost::test
