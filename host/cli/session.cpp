#include "cli/session.hpp"

#include <spdlog/spdlog.h>

#include "cli/output_folders.hpp"
#include "cli/plugin_folders.hpp"

namespace pipehost::cli {

std::unique_ptr<loader::PluginRegistry> load_plugins(const CliOptions& options, PluginUse use) {
  auto registry = load_plugin_registry(options.plugin_dirs, use == PluginUse::run);
  for (const auto& warning : registry->warnings()) spdlog::warn("{}", warning);
  if (use == PluginUse::run && !registry->conflicts().empty()) {
    std::string message;
    for (const auto& conflict : registry->conflicts()) message += (message.empty() ? "" : "\n") + conflict;
    throw config::ConfigError(message);
  }
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
  session.registry = load_plugins(options, PluginUse::run);
  // After loading plugins (a library that cannot load leaves no state dir behind), before any stage
  // exists (stages may read and write the state dir).
  if (access == StateAccess::write) check_output_folders(session.config);
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
