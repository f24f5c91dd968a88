// The command line: `pipehost [COMMAND] [OPTIONS] [CONFIG]` (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pipehost::cli {

struct CliOptions {
  /// run (default), validate, plugins, status, export, cancel, report, rows, calls.
  std::string command = "run";
  std::vector<std::string> plugin_dirs;
  std::string config;
  /// For `plugins NAME`.
  std::string plugin_name;
  std::vector<std::string> overrides;
  std::string state_dir;
  std::string log_level = "info";
  std::optional<std::uint64_t> limit;
  /// report: the HTML file (-o); rows: --status and --where filters; calls: --key.
  std::string output;
  std::string status;
  std::vector<std::string> where;
  std::string key;
  bool dry_run = false;
  bool no_progress = false;
  bool json = false;
  bool rerun_changed = false;
  bool accept_changed = false;
  bool retry_failed = false;
  bool help = false;
  bool version = false;
};

/// Thrown for a bad command line; the message says what is wrong.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses argv. Throws UsageError.
CliOptions parse_command_line(int argc, const char* const argv[]);

/// The --help text.
std::string usage_text();

}  // namespace pipehost::cli
