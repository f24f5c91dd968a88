#include "engine/pipeline.hpp"

#include <type_traits>

#include <boost/json.hpp>

#include "config/did_you_mean.hpp"
#include "config/json_schema.hpp"
#include "engine/redacting_stages.hpp"

namespace pipehost::engine {

namespace json = boost::json;

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

struct PreparedSection {
  const config::StageSection* section = nullptr;
  StageKind kind = StageKind::source;
  const loader::LoadedPlugin* plugin = nullptr;
  const StageDescriptor* stage = nullptr;
  json::value options;
  std::string instance;
};

class Assembler {
 public:
  Assembler(const config::RunConfig& config, const loader::PluginRegistry& registry,
            services::RunServices& run)
      : config_(config), registry_(registry), run_(run) {}

  PreparedSection prepare(const config::StageSection& section, StageKind kind, std::string instance) {
    PreparedSection prepared;
    prepared.section = &section;
    prepared.kind = kind;
    prepared.instance = std::move(instance);
    prepared.plugin = registry_.find(section.plugin);
    if (prepared.plugin) prepared.stage = prepared.plugin->stage(kind);
    if (!prepared.stage) {
      problems_.push_back(config_.file.string() + ": " + section.pointer +
                          "/plugin: " + missing_plugin(section, kind));
      return prepared;
    }
    prepared.options = section.options;
    try {
      config::JsonSchema schema(prepared.stage->config_schema, "config schema of plugin " + section.plugin);
      for (const auto& issue : schema.validate(prepared.options, section.pointer, config_.dir))
        problems_.push_back(config_.file.string() + ": " + issue.pointer + ": " + issue.message);
    } catch (const config::ConfigError& e) {
      problems_.push_back(std::string("plugin ") + section.plugin +
                          " has an invalid config schema: " + e.what());
    }
    return prepared;
  }

  void throw_problems() const {
    if (problems_.empty()) return;
    std::string message;
    for (const auto& p : problems_) message += (message.empty() ? "" : "\n") + p;
    throw config::ConfigError(message);
  }

  template <class Interface>
  BoundStage<Interface> create(const PreparedSection& prepared) {
    BoundStage<Interface> bound;
    services::PluginPolicy policy{prepared.section->pointer, prepared.section->allow_insecure_http};
    bound.services = std::make_unique<services::PluginServices>(run_, prepared.instance, std::move(policy));
    bound.plugin = prepared.plugin;
    bound.pointer = prepared.section->pointer;
    bound.required = prepared.section->required;
    bound.config_json = json::serialize(prepared.options);
    StageContext context{*bound.services, bound.config_json, config_.dir.string(), prepared.section->pointer};
    bound.stage = loader::create_stage_as<Interface>(*prepared.plugin, *prepared.stage, context);
    // What providers and parsers say becomes row errors, ledger entries and messages: redact it.
    if constexpr (std::is_same_v<Interface, Provider>)
      bound.stage = redacting_provider(bound.stage, run_.secrets());
    if constexpr (std::is_same_v<Interface, Parser>)
      bound.stage = redacting_parser(bound.stage, run_.secrets());
    return bound;
  }

 private:
  std::string missing_plugin(const config::StageSection& section, StageKind kind) const {
    auto available = registry_.names_with(kind);
    std::string kind_name = to_string(kind);
    std::string message;
    if (const auto* plugin = registry_.find(section.plugin)) {
      std::vector<std::string> provided;
      for (const auto& s : plugin->descriptor->stages) provided.emplace_back(to_string(s.kind));
      message = "plugin \"" + section.plugin + "\" has no " + kind_name +
                " stage (it provides: " + join(provided) + ")";
    } else {
      message =
          "no plugin named \"" + section.plugin + "\"" + config::did_you_mean(section.plugin, available);
    }
    message += "; available " + kind_name + " plugins: " + join(available);
    if (!registry_.refusals().empty())
      message += " (" + std::to_string(registry_.refusals().size()) +
                 " plugin file(s) were refused; see the warnings)";
    return message;
  }

  const config::RunConfig& config_;
  const loader::PluginRegistry& registry_;
  services::RunServices& run_;
  std::vector<std::string> problems_;
};

}  // namespace

Pipeline::~Pipeline() {
  loggers.clear();
  sinks.clear();
  parser.reset();
  provider.reset();
  request.reset();
  source = {};
}

Pipeline assemble_pipeline(const config::RunConfig& config, const loader::PluginRegistry& registry,
                           services::RunServices& run) {
  Assembler assembler(config, registry, run);
  auto source = assembler.prepare(config.source, StageKind::source, "source-" + config.source.plugin);
  std::optional<PreparedSection> request, provider, parser;
  if (config.request)
    request =
        assembler.prepare(*config.request, StageKind::request_builder, "request-" + config.request->plugin);
  if (config.provider)
    provider =
        assembler.prepare(*config.provider, StageKind::provider, "provider-" + config.provider->plugin);
  if (config.parser)
    parser = assembler.prepare(*config.parser, StageKind::parser, "parser-" + config.parser->plugin);
  std::vector<PreparedSection> sinks, loggers;
  for (std::size_t i = 0; i < config.sinks.size(); ++i)
    sinks.push_back(assembler.prepare(config.sinks[i], StageKind::sink,
                                      "sink" + std::to_string(i) + "-" + config.sinks[i].plugin));
  for (std::size_t i = 0; i < config.loggers.size(); ++i)
    loggers.push_back(assembler.prepare(config.loggers[i], StageKind::logger,
                                        "logger" + std::to_string(i) + "-" + config.loggers[i].plugin));
  assembler.throw_problems();

  Pipeline pipeline;
  pipeline.source = assembler.create<Source>(source);
  if (request) pipeline.request = assembler.create<RequestBuilder>(*request);
  if (provider) pipeline.provider = assembler.create<Provider>(*provider);
  if (parser) pipeline.parser = assembler.create<Parser>(*parser);
  for (const auto& s : sinks) pipeline.sinks.push_back(assembler.create<Sink>(s));
  for (const auto& l : loggers) pipeline.loggers.push_back(assembler.create<Logger>(l));
  return pipeline;
}

}  // namespace pipehost::engine
