// echo-provider: a provider plugin that answers every request, online, with a JSON object echoing
// it: {"key": ..., "echo": <the user text>, "chars": <its length>}. No network and no cost, so a
// pipeline can be tried end to end; and the smallest complete example of a provider written against
// the installed SDK 2: a declared config, the SDK's JSON writer, model info, a neutral finish status.
#include <string>

#include "pipehost/sdk.hpp"

namespace {

struct EchoConfig {
  std::string prefix;
  std::string model = "echo-1";
};

pipehost::ConfigSpec<EchoConfig> echo_spec() {
  pipehost::ConfigSpec<EchoConfig> spec;
  spec.add("prefix", &EchoConfig::prefix, "Text put before every echo");
  spec.add("model", &EchoConfig::model, "Name reported as the model (it costs nothing whatever it is)");
  return spec;
}

class EchoProvider final : public pipehost::Provider {
 public:
  EchoProvider(const pipehost::StageContext&, EchoConfig config) : config_(std::move(config)) {}

  pipehost::Status capabilities(pipehost::ProviderCapabilities& capabilities) override {
    capabilities.online = true;
    return pipehost::Status::ok();
  }

  pipehost::Status model(pipehost::ModelInfo& info) override {
    info.model = config_.model;
    info.prices = pipehost::TokenPrices{};  // free: every price is 0
    return pipehost::Status::ok();
  }

  pipehost::Status call(const pipehost::Request& request, pipehost::Response& response) override {
    std::string text;
    for (const auto& part : request.user_parts) text += part;
    pipehost::Value answer = pipehost::Value::object();
    answer.set("key", request.key);
    answer.set("echo", config_.prefix + text);
    answer.set("chars", static_cast<std::int64_t>(text.size()));
    response.key = request.key;
    response.text = pipehost::to_json(answer);
    response.finish = pipehost::FinishStatus::complete;
    response.model_version = config_.model;
    response.usage.input_tokens = static_cast<std::int64_t>(text.size() + 3) / 4;
    response.usage.output_tokens = static_cast<std::int64_t>(response.text.size() + 3) / 4;
    return pipehost::Status::ok();
  }

 private:
  EchoConfig config_;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"echo-provider", "2.0.0",
                                    "Answers each request with JSON echoing it (online, free)"};
  plugin.add<EchoProvider>(echo_spec(), "Echoes each request as a JSON object");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
