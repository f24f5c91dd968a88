// echo-provider: a provider plugin that answers every request, online, with a JSON object echoing
// it: {"key": ..., "echo": <the user text>, "chars": <its length>}. No network and no cost, so a
// pipeline can be tried end to end; and the smallest complete example of a provider.
#include <string>

#include "pipehost/sdk.hpp"

namespace {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

class EchoProvider final : public pipehost::Provider {
 public:
  // The config was validated against the schema below by the host; this provider has no options
  // besides "prefix", read with a tiny search to stay free of any JSON library.
  explicit EchoProvider(const pipehost::StageContext& context) {
    auto at = context.config_json.find("\"prefix\":\"");
    if (at != std::string::npos) {
      auto start = at + 10;
      prefix_ = context.config_json.substr(start, context.config_json.find('"', start) - start);
    }
  }

  pipehost::Status capabilities(pipehost::ProviderCapabilities& capabilities) override {
    capabilities.online = true;
    return pipehost::Status::ok();
  }

  pipehost::Status call(const pipehost::Request& request, pipehost::Response& response) override {
    std::string text;
    for (const auto& part : request.user_parts) text += part;
    response.key = request.key;
    response.text = "{\"key\": " + json_string(request.key) + ", \"echo\": " + json_string(prefix_ + text) +
                    ", \"chars\": " + std::to_string(text.size()) + "}";
    response.finish_reason = "STOP";
    response.model_version = "echo-1";
    response.usage.prompt_tokens = static_cast<std::int64_t>(text.size() + 3) / 4;
    response.usage.output_tokens = static_cast<std::int64_t>(response.text.size() + 3) / 4;
    response.usage.total_tokens = response.usage.prompt_tokens + response.usage.output_tokens;
    return pipehost::Status::ok();
  }

 private:
  std::string prefix_;
};

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"echo-provider", "1.0.0",
                                    "Answers each request with JSON echoing it (online, free)"};
  plugin.add<EchoProvider>(R"({
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "model": {"type": "string", "description": "ignored; kept so configs can name a model"},
      "prefix": {"type": "string", "description": "text put before every echo", "default": ""}
    }
  })",
                           "Echoes every request (online mode)");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
