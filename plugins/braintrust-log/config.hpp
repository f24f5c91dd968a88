// The braintrust-log section of run.json: its declaration (keys, defaults, bounds, descriptions; the
// host validates configs against the schema it makes) and the struct it fills, in the units the
// config is written in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "braintrust_events/event_options.hpp"
#include "pipehost/config.hpp"

namespace pipehost::braintrust {

inline constexpr const char* kDefaultApiUrl = "https://api.braintrust.dev";
inline constexpr const char* kDefaultAppUrl = "https://www.braintrust.dev";

struct BraintrustLogConfig {
  /// Exactly one of these: a project name (get-or-create) or an existing project's id.
  std::string project;
  std::string project_id;
  std::string api_key_env = "BRAINTRUST_API_KEY";
  std::string api_url = kDefaultApiUrl;
  std::string app_url = kDefaultAppUrl;
  std::optional<std::string> ca_file;  ///< Unset: the system CA store only.
  std::int64_t batch_size = 100;
  std::int64_t flush_interval_ms = 1000;
  std::int64_t max_request_bytes = 3 << 20;
  std::int64_t queue_size = 2000;
  /// How long one batch is retried (429, 5xx, network) before its events are set aside.
  double max_retry_s = 60;
  /// First retry backoff (doubles up to retry_max_ms, with jitter; Retry-After wins).
  std::int64_t retry_initial_ms = 1000;
  std::int64_t retry_max_ms = 15000;
  double connect_timeout_s = 15;
  double io_timeout_s = 60;
  /// Unset: <state_dir>/braintrust-failed.jsonl.
  std::optional<std::string> failed_file;
  EventOptions events;

  std::chrono::milliseconds flush_interval() const { return std::chrono::milliseconds(flush_interval_ms); }
  std::chrono::milliseconds max_retry() const { return milliseconds_of(max_retry_s); }
  std::chrono::milliseconds retry_initial_backoff() const {
    return std::chrono::milliseconds(retry_initial_ms);
  }
  std::chrono::milliseconds retry_max_backoff() const { return std::chrono::milliseconds(retry_max_ms); }
  std::chrono::milliseconds connect_timeout() const { return milliseconds_of(connect_timeout_s); }
  std::chrono::milliseconds io_timeout() const { return milliseconds_of(io_timeout_s); }
  /// Whether the logs link may be asked for at app_url: where the user pointed it, or when both URLs
  /// are the public service's, never at the public app while api_url points elsewhere (an emulator).
  bool link_allowed() const { return app_url != kDefaultAppUrl || api_url == kDefaultApiUrl; }

 private:
  static std::chrono::milliseconds milliseconds_of(double seconds);
};

/// The section's declaration.
ConfigSpec<BraintrustLogConfig> config_spec();

/// The rules a schema cannot say: exactly one of project and project_id, a named key variable, http(s)
/// URLs (whose trailing slashes it drops). Throws std::invalid_argument "braintrust-log[.<key>]: what".
void check_config(BraintrustLogConfig& config);

}  // namespace pipehost::braintrust
