#include "cli/session.hpp"

#include <spdlog/spdlog.h>

#include "cli/plugin_folders.hpp"

namespace pipehost::cli {

std::unique_ptr<loader::PluginRegistry> load_plugins(const CliOptions& options, bool warn_refusals) {
  auto registry = std::make_unique<loader::PluginRegistry>();
  auto folders = plugin_folders(options.plugin_dirs);
  if (folders.empty())
    throw config::ConfigError(
        "no plugin folder found: pass --plugins DIR (e.g. --plugins build/plugins) or set "
        "PIPEHOST_PLUGIN_PATH");
  for (const auto& folder : folders) registry->load_directory(folder);
  if (warn_refusals)
    for (const auto& refusal : registry->refusals()) spdlog::warn("refused plugin {}", refusal.message());
  return registry;
}

config::RunConfig load_config(const CliOptions& options) {
  std::vector<config::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(config::parse_override(text));
  auto config = config::load_run_config(options.config, overrides);
  if (!options.state_dir.empty()) config.settings.state_dir = std::filesystem::absolute(options.state_dir);
  return config;
}

Session open_session(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets,
                     StateAccess access) {
  Session session;
  session.config = load_config(options);
  session.registry = load_plugins(options, true);
  // After loading plugins (a library that cannot load leaves no state dir behind), before any stage
  // exists (stages may read and write the state dir).
  if (access == StateAccess::write && session.config.has_model())
    session.state_lock = std::make_unique<ledger::StateDirLock>(session.config.settings.state_dir);
  session.run =
      std::make_unique<services::RunServices>(session.config.settings.state_dir, std::move(secrets));
  session.pipeline = engine::assemble_pipeline(session.config, *session.registry, *session.run);
  return session;
}

void require_model(const config::RunConfig& config, const std::string& command) {
  if (!config.has_model())
    throw config::ConfigError(config.file.string() + ": " + command +
                              " needs a config with a model (request, provider and parser sections)");
}

}  // namespace pipehost::cli
