// The braintrust-log section of run.json: its JSON Schema and the parsed settings with defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "event/event_options.hpp"

namespace pipehost::braintrust {

/// JSON Schema of the logger section (without "plugin").
const std::string& config_schema();

struct BraintrustLogConfig {
  /// Exactly one of these: a project name (get-or-create) or an existing project's id.
  std::string project;
  std::string project_id;
  std::string api_key_env = "BRAINTRUST_API_KEY";
  std::string api_url = "https://api.braintrust.dev";
  std::string app_url = "https://www.braintrust.dev";
  /// True when app_url or api_url came from the config (not both defaults).
  bool app_url_given = false;
  bool api_url_given = false;
  std::string ca_file;  ///< Empty: the system CA store only.
  std::size_t batch_size = 100;
  std::chrono::milliseconds flush_interval{1000};
  std::size_t max_request_bytes = 3u << 20;
  std::size_t queue_size = 2000;
  /// How long one batch is retried (429, 5xx, network) before its events are set aside.
  std::chrono::milliseconds max_retry{60000};
  /// First retry backoff (doubles up to retry_max_backoff, with jitter; Retry-After wins).
  std::chrono::milliseconds retry_initial_backoff{1000};
  std::chrono::milliseconds retry_max_backoff{15000};
  std::chrono::milliseconds connect_timeout{15000};
  std::chrono::milliseconds io_timeout{60000};
  /// Empty: <state_dir>/braintrust-failed.jsonl.
  std::string failed_file;
  EventOptions events;
};

/// Parses `config_json` (already schema-checked by the host, checked again here so the core is safe
/// on its own). Throws std::invalid_argument with "braintrust-log.<key>: what".
BraintrustLogConfig parse_config(const std::string& config_json);

}  // namespace pipehost::braintrust
