#include "config.hpp"

#include <stdexcept>

namespace pipehost::openai {

ConfigSpec<OpenAIConfig> config_spec() {
  ConfigSpec<OpenAIConfig> spec;
  spec.add("model", &OpenAIConfig::model, "Model id, e.g. gpt-4.1-mini (one model per batch file).")
      .required()
      .min_length(1);
  spec.add("api_key_env", &OpenAIConfig::api_key_env,
           "Environment variable holding the API key (sent only as Authorization: Bearer).")
      .secret_env();
  spec.add("base_url", &OpenAIConfig::base_url,
           "API root including /v1, as OPENAI_BASE_URL; point it at the emulator for tests.")
      .min_length(8);
  spec.add("ca_file", &OpenAIConfig::ca_file, "PEM file of an extra trusted CA (e.g. the emulator's).")
      .path();
  spec.add("endpoint", &OpenAIConfig::endpoint, "The API each request goes to, in batch and online mode.")
      .one_of({"/v1/chat/completions", "/v1/responses"});
  spec.add("max_batch_bytes", &OpenAIConfig::max_batch_bytes,
           "Largest JSONL input file per batch (the API accepts up to 200 MB).")
      .minimum(1024)
      .maximum(static_cast<double>(kMaxBatchFileBytes));
  spec.add("max_batch_requests", &OpenAIConfig::max_batch_requests,
           "Most requests per batch (the API accepts up to 50,000).")
      .minimum(1)
      .maximum(static_cast<double>(kMaxRequestsPerBatch));
  spec.add("connect_timeout_s", &OpenAIConfig::connect_timeout_s, "Longest wait for a connection.")
      .minimum(0.1)
      .maximum(600);
  spec.add("io_timeout_s", &OpenAIConfig::io_timeout_s, "Longest silence allowed while sending or receiving.")
      .minimum(0.1)
      .maximum(3600);
  spec.add("http_attempts", &OpenAIConfig::http_attempts,
           "Attempts of repeatable calls (poll, list, upload, download, online) on 429, 5xx and network "
           "errors. The batch create is never repeated blindly.")
      .minimum(1)
      .maximum(20);
  spec.add("retry_backoff_s", &OpenAIConfig::retry_backoff_s,
           "First wait before a retry; it doubles each time (with jitter) up to 30 s.")
      .minimum(0.001)
      .maximum(60);
  spec.add("delete_input_file", &OpenAIConfig::delete_input_file,
           "Delete the uploaded input file once the batch's results were fetched.");
  return spec;
}

namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument("provider." + key + ": " + what);
}

}  // namespace

void check_config(OpenAIConfig& config) {
  for (char c : config.model) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == ':'))
      bad("model", "'" + config.model + "' is not a model id (letters, digits, '-', '.', '_', ':')");
  }
  while (config.base_url.ends_with('/')) config.base_url.pop_back();
  if (!config.base_url.starts_with("https://") && !config.base_url.starts_with("http://"))
    bad("base_url", "must start with https:// (or http:// for a local emulator)");
  if (config.base_url.find_first_of("?#@") != std::string::npos)
    bad("base_url", "must not contain a query, a fragment or credentials");
  if (config.api_key_env.empty()) bad("api_key_env", "must name an environment variable");
}

}  // namespace pipehost::openai
