// The gemini-batch provider's config section: its declaration (keys, defaults, bounds, descriptions;
// what `pipehost plugins` shows and the host validates) and the struct it fills, in the units the
// config is written in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pipehost/config.hpp"

namespace pipehost::gemini {

struct GeminiConfig {
  std::string model;
  std::string api_key_env = "GEMINI_API_KEY";
  std::string base_url = "https://generativelanguage.googleapis.com";
  std::string api_version = "v1beta";
  std::optional<std::string> ca_file;  ///< Unset: the system CA store only.
  bool insecure_skip_verify = false;
  // mode, batch_size, max_jobs_in_flight, poll_interval_s, online_concurrency and requests_per_minute
  // belong to the host's engine: the host takes them out of the provider section (and documents them)
  // before the plugin sees it.
  /// Largest JSONL file per job: below the API's 2 GB input-file limit with room to spare.
  std::int64_t max_batch_bytes = 1'900'000'000;
  double connect_timeout_s = 15;
  double io_timeout_s = 120;
  /// Attempts for idempotent calls (poll, list, download, generateContent) on 429/5xx/network errors.
  int http_attempts = 5;
  /// First wait before a retry (doubling, with jitter, up to 30 s); servers' hints win.
  double retry_backoff_s = 1;
  /// Resumable upload chunk size (the official client uses 8 MiB).
  std::int64_t upload_chunk_mb = 8;
  /// Delete the uploaded input file from the Files API once the batch finished and was fetched.
  bool delete_input_file = true;

  std::chrono::milliseconds connect_timeout() const { return milliseconds_of(connect_timeout_s); }
  std::chrono::milliseconds io_timeout() const { return milliseconds_of(io_timeout_s); }
  std::chrono::milliseconds retry_backoff() const { return milliseconds_of(retry_backoff_s); }
  std::uint64_t upload_chunk_bytes() const { return static_cast<std::uint64_t>(upload_chunk_mb) << 20; }

 private:
  static std::chrono::milliseconds milliseconds_of(double seconds);
};

/// The provider section's declaration (without "plugin").
ConfigSpec<GeminiConfig> config_spec();

/// The rules a schema cannot say: a model id ("models/" dropped), a named key variable, an http(s)
/// base URL without query or credentials (trailing slashes dropped). Throws std::invalid_argument
/// "provider.<key>: what".
void check_config(GeminiConfig& config);

}  // namespace pipehost::gemini
