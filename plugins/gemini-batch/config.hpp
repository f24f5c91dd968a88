// The gemini-batch provider's config section: its JSON Schema (what `pipehost plugins` shows and the
// host validates) and the parsed settings with their defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pipehost::gemini {

/// JSON Schema of the provider section (without "plugin").
extern const char* const kConfigSchema;

struct GeminiConfig {
  std::string model;
  std::string api_key_env = "GEMINI_API_KEY";
  std::string base_url = "https://generativelanguage.googleapis.com";
  std::string api_version = "v1beta";
  std::string ca_file;  ///< Empty: the system CA store only.
  bool insecure_skip_verify = false;
  std::string mode = "batch";  ///< "batch" or "online" (read by the host's engine too)
  // Read by the host's engine; kept here so the names and ranges are checked in one place.
  std::int64_t batch_size = 1000;
  std::int64_t max_jobs_in_flight = 4;
  double poll_interval_s = 30;
  /// Largest JSONL file per job: below the API's 2 GB input-file limit with room to spare.
  std::uint64_t max_batch_bytes = 1'900'000'000;
  std::chrono::milliseconds connect_timeout{15000};
  std::chrono::milliseconds io_timeout{120000};
  /// Attempts for idempotent calls (poll, list, download, generateContent) on 429/5xx/network errors.
  int http_attempts = 5;
  /// First wait before a retry (doubling, with jitter, up to 30 s); servers' hints win.
  std::chrono::milliseconds retry_backoff{1000};
  /// Resumable upload chunk size (the official client uses 8 MiB).
  std::uint64_t upload_chunk_bytes = 8ull * 1024 * 1024;
  std::uint32_t online_concurrency = 8;
  /// Delete the uploaded input file from the Files API once the batch finished and was fetched.
  bool delete_input_file = true;
};

/// Parses and checks `config_json`; throws std::invalid_argument with "provider.<key>: what" on errors.
GeminiConfig parse_config(const std::string& config_json);

}  // namespace pipehost::gemini
