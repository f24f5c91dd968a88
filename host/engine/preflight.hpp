// Checks that need no network and send nothing, run by `validate` and by `run` (and, in part, by
// `export`) before anything is sent or written, so a run that cannot end well never starts and never
// pays: an output that would overwrite the input or cannot be written, output columns that collide
// with input columns, a provider that cannot work in the configured mode, an API key variable that is
// unset. Every problem is reported at once, each naming the config file and the JSON pointer.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/run_config.hpp"
#include "engine/pipeline.hpp"
#include "services/secret_registry.hpp"

namespace pipehost::engine {

struct PreflightChecks {
  /// Every "format": "secret-env" variable is set. (The values of those that are set are registered as
  /// secrets either way, so every command redacts them.)
  bool secrets = true;
  /// The provider can run in the configured mode (batch jobs or online calls).
  bool provider_mode = true;
};

/// The problems found, one message each ("<config file>: <pointer>: what"). Throws config::ConfigError
/// or InputError only when a stage itself fails (e.g. the source cannot be opened).
std::vector<std::string> preflight_problems(const config::RunConfig& config, Pipeline& pipeline,
                                            services::SecretRegistry& secrets,
                                            const PreflightChecks& checks = {});

/// Throws config::ConfigError listing every problem preflight_problems finds.
void preflight(const config::RunConfig& config, Pipeline& pipeline, services::SecretRegistry& secrets,
               const PreflightChecks& checks = {});

/// True when `a` and `b` name the same file: the same inode when both exist, otherwise the same path
/// once symbolic links, "." and ".." are resolved.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

/// Why a file cannot be written at `path` (empty when it can): the path is a folder, a folder on the
/// way is a file, or the nearest existing folder does not let this process create files (tested by
/// creating and removing a file there, which is honest for root too).
std::string unwritable_reason(const std::filesystem::path& path);

/// Output column names that collide: input columns named like an AI column or like the columns the
/// host adds (_status, _error). One message per collision.
std::vector<std::string> column_collisions(const std::vector<std::string>& input_columns,
                                           const std::vector<std::string>& ai_columns);

}  // namespace pipehost::engine
