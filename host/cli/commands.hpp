// The pipehost commands. Each returns an exit code (exit_codes.hpp) and reports errors itself.
#pragma once

#include "cli/cli_options.hpp"

namespace pipehost::cli {

/// Runs the command in `options`; never throws.
int run_command(const CliOptions& options);

}  // namespace pipehost::cli
