// What a command needs before it does anything: the config, the plugins and the assembled pipeline,
// with the state dir's lock for commands that change the run.
#pragma once

#include <memory>
#include <string>

#include "cli/cli_options.hpp"
#include "config/run_config.hpp"
#include "engine/pipeline.hpp"
#include "ledger/state_dir_lock.hpp"
#include "loader/plugin_registry.hpp"
#include "services/run_services.hpp"
#include "services/secret_registry.hpp"

namespace pipehost::cli {

/// Who is loading plugins: a command that runs stages must know which plugin a name means (two
/// plugins with one name stop it), a listing only shows what is there.
enum class PluginUse { list, run };

std::unique_ptr<loader::PluginRegistry> load_plugins(const CliOptions& options, PluginUse use);

/// The config with the command line's --set and --state-dir applied.
config::RunConfig load_config(const CliOptions& options);

/// Everything a command that runs stages needs. Members are destroyed in reverse order: the stages
/// before the services they were given.
struct Session {
  config::RunConfig config;
  std::unique_ptr<ledger::StateDirLock> state_lock;
  std::unique_ptr<loader::PluginRegistry> registry;
  std::unique_ptr<services::RunServices> run;
  engine::Pipeline pipeline;
};

/// Whether a command changes the run's state (ledger, jobs at the provider, scratch files).
enum class StateAccess { read, write };

Session open_session(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets,
                     StateAccess access = StateAccess::read);

/// Throws ConfigError when the config runs no model (`command` names what needs one).
void require_model(const config::RunConfig& config, const std::string& command);

}  // namespace pipehost::cli
