#include "config.hpp"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace pipehost::gemini {

std::chrono::milliseconds GeminiConfig::milliseconds_of(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
}

ConfigSpec<GeminiConfig> config_spec() {
  using C = GeminiConfig;
  ConfigSpec<C> spec;
  spec.add("model", &C::model, "Model id, e.g. gemini-2.5-flash (without models/).").required();
  spec.add("api_key_env", &C::api_key_env,
           "Environment variable holding the API key (sent as x-goog-api-key).")
      .secret_env();
  spec.add("base_url", &C::base_url, "API root; point it at the emulator for tests.");
  spec.add("api_version", &C::api_version, "API version in the URL paths.")
      .one_of({"v1beta", "v1", "v1alpha"});
  spec.add("ca_file", &C::ca_file, "PEM file of an extra trusted CA (e.g. the emulator's certificate).")
      .path();
  spec.add("insecure_skip_verify", &C::insecure_skip_verify,
           "Turns TLS certificate verification off (logged loudly). Never in production.");
  spec.add("max_batch_bytes", &C::max_batch_bytes,
           "Largest JSONL input file per job (the API limit is 2 GB).")
      .minimum(1024)
      .maximum(2000000000);
  spec.add("connect_timeout_s", &C::connect_timeout_s,
           "Longest wait for a connection (name lookup, TCP connect and TLS handshake).")
      .minimum(0.1)
      .maximum(600);
  spec.add("io_timeout_s", &C::io_timeout_s, "Longest silence allowed while sending or receiving.")
      .minimum(0.1)
      .maximum(3600);
  spec.add("http_attempts", &C::http_attempts, "Attempts of idempotent calls on 429, 5xx and network errors.")
      .minimum(1)
      .maximum(20);
  spec.add("retry_backoff_s", &C::retry_backoff_s,
           "First wait before a retry; it doubles each time (with jitter) up to 30 s.")
      .minimum(0.001)
      .maximum(60);
  spec.add("upload_chunk_mb", &C::upload_chunk_mb,
           "Chunk size of the resumable upload of a job's input file.")
      .minimum(1)
      .maximum(1024);
  spec.add("delete_input_file", &C::delete_input_file,
           "Delete the uploaded input file once the batch's results were fetched.");
  return spec;
}

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument("provider." + key + ": " + what);
}

}  // namespace

void check_config(GeminiConfig& config) {
  if (config.model.empty()) bad("model", "required, e.g. \"gemini-2.5-flash\"");
  if (config.model.starts_with("models/")) config.model.erase(0, 7);
  for (char c : config.model) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) {
      bad("model", "'" + config.model + "' is not a model id (letters, digits, '-', '.', '_')");
    }
  }
  if (config.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
  while (config.base_url.ends_with('/')) config.base_url.pop_back();
  if (!config.base_url.starts_with("https://") && !config.base_url.starts_with("http://")) {
    bad("base_url", "must start with https:// (or http:// for a local emulator)");
  }
  if (config.base_url.find('?') != std::string::npos || config.base_url.find('@') != std::string::npos) {
    bad("base_url", "must not contain a query or credentials");
  }
}

}  // namespace pipehost::gemini
