// The anthropic-batch provider's config: one declaration (config_spec) gives the JSON Schema the host
// validates and documents, the defaults, and the code that fills AnthropicConfig.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pipehost/config.hpp"

namespace pipehost::anthropic {

struct AnthropicConfig {
  std::string model = "claude-sonnet-4-5";
  std::string api_key_env = "ANTHROPIC_API_KEY";
  /// API root without /v1, as ANTHROPIC_BASE_URL (the request paths carry /v1/...).
  std::string base_url = "https://api.anthropic.com";
  std::optional<std::string> ca_file;
  std::int64_t max_tokens = 1024;
  /// Mark the system instruction as a cacheable prefix (cache_control on the system block).
  bool cache_system = true;
  /// Lifetime of that cache entry: "1h" (the batch guide's advice: a batch can outlast 5 minutes) or
  /// "5m"; writes cost 2x / 1.25x the input price.
  std::string cache_ttl = "1h";
  /// Attempts of calls that are safe to repeat (poll, list, results, cancel, online messages).
  std::int64_t http_attempts = 5;
  /// First wait before such a retry; it doubles (with jitter) up to 30 s. Retry-After wins.
  double retry_backoff_s = 1;
  /// Longest silence while sending or receiving.
  double io_timeout_s = 120;
  double connect_timeout_s = 15;
  // mode, batch_size, max_jobs_in_flight, poll_interval_s, online_concurrency, requests_per_minute and
  // allow_insecure_http are the host's: it takes them out of the section before the plugin sees it.
};

ConfigSpec<AnthropicConfig> config_spec();

/// Checks what the schema cannot say (URL shape, model id) and normalises (no trailing '/');
/// throws std::invalid_argument with "provider.<key>: what".
void check_config(AnthropicConfig& config);

inline std::chrono::milliseconds milliseconds_of(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000 + 0.5));
}

}  // namespace pipehost::anthropic
