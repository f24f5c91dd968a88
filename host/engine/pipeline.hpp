// A run's stage objects, created from the config through the loaded plugins. Each section is
// validated against its plugin's config schema first; errors name the file and JSON pointer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.hpp"
#include "loader/plugin_registry.hpp"
#include "pipehost/stages.hpp"
#include "services/run_services.hpp"

namespace pipehost::engine {

/// A stage object with the HostServices it was given. The services outlive the stage.
template <class Interface>
struct BoundStage {
  std::unique_ptr<services::PluginServices> services;
  std::shared_ptr<Interface> stage;
  const loader::LoadedPlugin* plugin = nullptr;
  /// JSON pointer of its config section, e.g. "/sinks/0".
  std::string pointer;
  /// The section as the stage received it (validated, paths resolved, "plugin" removed).
  std::string config_json;
  /// False when the section says "required": false (a logger the run may go on without).
  bool required = true;

  Interface* operator->() const { return stage.get(); }
  /// "/sinks/0 (csv-io)", for messages.
  std::string label() const { return pointer + " (" + plugin->name() + ")"; }
};

struct Pipeline {
  BoundStage<Source> source;
  std::optional<BoundStage<RequestBuilder>> request;
  std::optional<BoundStage<Provider>> provider;
  std::optional<BoundStage<Parser>> parser;
  std::vector<BoundStage<Sink>> sinks;
  std::vector<BoundStage<Logger>> loggers;

  /// Destroys stages in reverse order of creation (loggers, sinks, parser, provider, request, source).
  ~Pipeline();
  Pipeline() = default;
  Pipeline(Pipeline&&) = default;
  Pipeline& operator=(Pipeline&&) = default;
};

/// Validates every section against its plugin's schema (all problems reported together), then
/// creates the stages. Throws config::ConfigError or loader::StageCreationError.
Pipeline assemble_pipeline(const config::RunConfig& config, const loader::PluginRegistry& registry,
                           services::RunServices& run);

}  // namespace pipehost::engine
