#include "config.hpp"

#include <stdexcept>

namespace pipehost::anthropic {

ConfigSpec<AnthropicConfig> config_spec() {
  ConfigSpec<AnthropicConfig> spec;
  spec.add("model", &AnthropicConfig::model,
           "Model id or alias, e.g. claude-sonnet-4-5, claude-haiku-4-5, claude-opus-4-5-20251101.")
      .min_length(1);
  spec.add("api_key_env", &AnthropicConfig::api_key_env,
           "Environment variable holding the API key (sent as Authorization: Bearer, as the official "
           "client 1.x does).")
      .secret_env();
  spec.add("base_url", &AnthropicConfig::base_url,
           "API root without /v1, like ANTHROPIC_BASE_URL; point it at the emulator for tests.")
      .min_length(1);
  spec.add("ca_file", &AnthropicConfig::ca_file, "PEM file of an extra trusted CA (e.g. the emulator's).")
      .path();
  spec.add("max_tokens", &AnthropicConfig::max_tokens,
           "Most output tokens per answer (a request's own max_output_tokens wins).")
      .minimum(1)
      .maximum(1000000);
  spec.add("cache_system", &AnthropicConfig::cache_system,
           "Mark the system instruction (and the answer tool before it) as a cached prompt prefix: every "
           "row after the first reads it at 0.1x the input price instead of paying it in full.");
  spec.add("cache_ttl", &AnthropicConfig::cache_ttl,
           "Lifetime of the cached prefix: 1h (advised for batches, which can take longer than 5 minutes; "
           "writes cost 2x input) or 5m (writes cost 1.25x input).")
      .one_of({"1h", "5m"});
  spec.add("http_attempts", &AnthropicConfig::http_attempts,
           "Attempts of calls that are safe to repeat (poll, list, results, cancel, online messages) on "
           "429, 5xx and network errors. Batch creates are never repeated automatically.")
      .minimum(1)
      .maximum(20);
  spec.add("retry_backoff_s", &AnthropicConfig::retry_backoff_s,
           "First wait before such a retry; it doubles (with jitter) up to 30 s; Retry-After wins.")
      .exclusive_minimum(0)
      .maximum(60);
  spec.add("io_timeout_s", &AnthropicConfig::io_timeout_s,
           "Longest silence allowed while sending or receiving.")
      .exclusive_minimum(0)
      .maximum(3600);
  spec.add("connect_timeout_s", &AnthropicConfig::connect_timeout_s, "Connect budget.")
      .exclusive_minimum(0)
      .maximum(600);
  return spec;
}

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument("provider." + key + ": " + what);
}

}  // namespace

void check_config(AnthropicConfig& config) {
  for (char c : config.model) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '@' ||
          c == ':'))
      bad("model", "'" + config.model + "' is not a model id (letters, digits, '-', '.', '_')");
  }
  if (config.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
  while (config.base_url.ends_with('/')) config.base_url.pop_back();
  if (!config.base_url.starts_with("https://") && !config.base_url.starts_with("http://"))
    bad("base_url", "must start with https:// (or http:// for a local emulator)");
  if (config.base_url.find_first_of("?#@ ") != std::string::npos)
    bad("base_url", "must not contain a query, a fragment, credentials or spaces");
  if (config.base_url.ends_with("/v1"))
    bad("base_url", "give the API root without /v1 (like ANTHROPIC_BASE_URL): the paths carry /v1/...");
}

}  // namespace pipehost::anthropic
