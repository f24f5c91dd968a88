// The openai-batch provider's config section, declared once (pipehost::ConfigSpec): the JSON Schema
// the host checks configs against, the defaults, and the struct the provider reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pipehost/config.hpp"

namespace pipehost::openai {

/// The API's per-batch limits (Batch guide, "Rate limits"): requests per input file and file size.
inline constexpr std::int64_t kMaxRequestsPerBatch = 50'000;
inline constexpr std::int64_t kMaxBatchFileBytes = 200'000'000;

struct OpenAIConfig {
  std::string model;
  std::string api_key_env = "OPENAI_API_KEY";
  /// Includes /v1, as OPENAI_BASE_URL does for the official client.
  std::string base_url = "https://api.openai.com/v1";
  std::optional<std::string> ca_file;
  /// "/v1/chat/completions" or "/v1/responses".
  std::string endpoint = "/v1/chat/completions";
  // mode, batch_size, max_jobs_in_flight, poll_interval_s, online_concurrency and requests_per_minute
  // belong to the host's engine: the host takes them out of the section before the plugin sees it.
  /// Largest JSONL input file per batch (the API refuses files over 200 MB).
  std::int64_t max_batch_bytes = 190'000'000;
  /// Most requests per batch (the API's limit is 50,000).
  std::int64_t max_batch_requests = kMaxRequestsPerBatch;
  double connect_timeout_s = 15;
  double io_timeout_s = 120;
  /// Attempts of calls that are safe to repeat (poll, list, download, upload, online) on 429, 5xx
  /// and network errors. The batch create is never repeated blindly.
  int http_attempts = 5;
  double retry_backoff_s = 1;
  /// Delete the uploaded input file once the batch's results were fetched.
  bool delete_input_file = true;

  std::chrono::milliseconds connect_timeout() const { return millis(connect_timeout_s); }
  std::chrono::milliseconds io_timeout() const { return millis(io_timeout_s); }
  std::chrono::milliseconds retry_backoff() const { return millis(retry_backoff_s); }
  /// The endpoint's path below base_url ("/chat/completions" or "/responses").
  std::string endpoint_path() const { return endpoint.substr(3); }
  bool responses_api() const { return endpoint == "/v1/responses"; }

 private:
  static std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000 + 0.5));
  }
};

/// The declared config (schema, defaults, reader).
ConfigSpec<OpenAIConfig> config_spec();

/// Checks what the schema cannot say (URL shape, model id); throws std::invalid_argument with
/// "provider.<key>: what". Trailing slashes of base_url are removed.
void check_config(OpenAIConfig& config);

}  // namespace pipehost::openai
