// `pipehost init [--from DATA.csv] [DIR]`: a starter run.json, prompt.md and schema.json.
#pragma once

#include "cli/cli_options.hpp"

namespace pipehost::cli {

/// Writes the starter files; refuses (exit 2, naming the file) if any of them exists. Throws
/// config::ConfigError / engine::InputError like the other commands.
int init_command(const CliOptions& options);

}  // namespace pipehost::cli
