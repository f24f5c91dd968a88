// Checks, before anything is sent, that a run can write where its config says it writes.
#pragma once

#include "config/run_config.hpp"

namespace pipehost::cli {

/// Throws config::ConfigError when the state dir (of a model run) or the folder of a sink's or
/// logger's `path` cannot be created or written. The usual case is an installed example, whose
/// folder (e.g. /usr/share/pipehost/examples/songs) is read-only: the message says to copy it, or
/// to point the outputs elsewhere.
void check_output_folders(const config::RunConfig& config);

}  // namespace pipehost::cli
