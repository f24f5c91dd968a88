// The command line: `pipehost [COMMAND] [OPTIONS] [CONFIG]` (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pipehost::cli {

struct CliOptions {
  /// run (default), validate, plugins, status, export, cancel, init, report, rows, calls.
  std::string command = "run";
  /// Whether the command was named (`pipehost run --help` is run's help, `pipehost --help` the global one).
  bool command_given = false;
  std::vector<std::string> plugin_dirs;
  std::string config;
  /// For `plugins NAME`.
  std::string plugin_name;
  /// For `init [DIR]` and its `--from DATA.csv`.
  std::string init_dir;
  std::string from;
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
  explicit UsageError(const std::string& message, std::string command = {})
      : std::runtime_error(message), command_(std::move(command)) {}
  /// The command whose help to point to; empty for the global help.
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

/// Parses argv. Throws UsageError.
CliOptions parse_command_line(int argc, const char* const argv[]);

/// The --help text: of one command, or the global one when `command` is empty.
std::string usage_text(std::string_view command = {});

}  // namespace pipehost::cli
