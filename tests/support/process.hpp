// Running a program (pipehost, the emulator, node) from a test: arguments, extra environment,
// captured output, exit code, and a deadline so no test can hang.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pipehost::test {

struct ProcessResult {
  /// Exit code, or 128 + signal number when killed by a signal, or -1 when the deadline hit.
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct ProcessOptions {
  /// Added to (or replacing entries of) the test's own environment.
  std::map<std::string, std::string> env;
  /// Removed from the environment.
  std::vector<std::string> unset_env;
  std::string working_dir;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  /// Written to the child's stdin (then closed).
  std::string stdin_text;
};

/// Runs `argv` (argv[0] is a path or a name looked up in PATH) and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// Starts `argv` (argv[0] is a path) in the background with `env` added to the test's environment.
/// Its stdout goes to /dev/null, its stderr is appended to `stderr_path` (/dev/null when empty).
/// Returns its pid: the caller kills it or waits for it (waitpid).
pid_t spawn_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                    const std::string& stderr_path = "");

/// Path of a built pipehost executable: PIPEHOST_BIN_DIR/name.
std::string bin_path(const std::string& name);

}  // namespace pipehost::test
