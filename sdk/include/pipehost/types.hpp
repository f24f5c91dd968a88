// Data that flows between stages: rows, provider-neutral requests and responses, jobs, call events.
// Only standard-library types, so a plugin needs no other headers (and may use any Boost or none).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pipehost {

/// One input record. `values` line up with the column names the source reported from `open`.
struct Row {
  /// Stable identity of the row: the configured key column's value, or the 1-based data row number.
  std::string key;
  /// Field values, one per column, as text.
  std::vector<std::string> values;
  /// Where the row starts in the input (1-based line for text formats; 0 if unknown). For errors.
  std::uint64_t line = 0;
};

/// Sampling and output settings of a request. Unset optionals mean "provider default".
struct GenerationSettings {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::optional<std::int64_t> max_output_tokens;
  std::optional<std::int64_t> seed;
  /// Thinking budget in tokens (0 disables thinking on models that allow it).
  std::optional<std::int64_t> thinking_budget;
  /// E.g. "application/json" when a response schema is set; empty for provider default.
  std::string response_mime_type;
  /// JSON text of the response schema (OpenAPI-subset as Gemini's `responseSchema`), shared by every
  /// request of a run; null when the request has no schema.
  std::shared_ptr<const std::string> response_schema_json;
};

/// A provider-neutral model call built from one row.
struct Request {
  /// The row key; providers echo it so responses can be joined back (output order is not input order).
  std::string key;
  /// System instruction text, shared by every request of a run (it can be 17 KB; never copy per row).
  std::shared_ptr<const std::string> system_instruction;
  /// User content, as text parts in order.
  std::vector<std::string> user_parts;
  GenerationSettings generation;
  /// Provider-neutral tool names, e.g. "web_search". Providers map them to their own shapes.
  std::vector<std::string> tools;
  /// Free JSON object text with provider-specific fields (may be empty).
  std::string extra_json;
};

/// Token accounting of one call, as reported by the provider.
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t thoughts_tokens = 0;
  std::int64_t total_tokens = 0;
};

/// Why a single call failed (the call, not the transport of the whole job).
struct ResponseError {
  /// Provider code, e.g. "429", "INVALID_ARGUMENT".
  std::string code;
  std::string message;
  /// True when sending the same request again may succeed.
  bool retryable = false;
};

/// The provider's answer to one Request.
struct Response {
  std::string key;
  /// Concatenated text of the answer (without thought parts).
  std::string text;
  /// E.g. "STOP", "MAX_TOKENS", "SAFETY".
  std::string finish_reason;
  Usage usage;
  std::string model_version;
  /// Set when the call failed; `text` is then usually empty.
  std::optional<ResponseError> error;
  /// The provider's raw JSON for this call (for loggers and debugging). May be empty.
  std::string raw_json;
};

/// What a provider can do. The host plans jobs with these limits.
struct ProviderCapabilities {
  bool batch = false;
  bool online = false;
  /// Most requests in one batch job; 0 = no limit.
  std::uint64_t max_requests_per_job = 0;
  /// Most encoded bytes in one batch job (see Provider::encoded_size); 0 = no limit.
  std::uint64_t max_bytes_per_job = 0;
  /// Most concurrent online calls the provider wants; 0 = let the host decide.
  std::uint32_t max_online_concurrency = 0;
};

/// Lifecycle state of a provider batch job.
enum class JobState : std::uint8_t { pending, running, succeeded, failed, cancelled, expired };

/// True for states a job never leaves.
inline bool is_terminal(JobState state) {
  return state == JobState::succeeded || state == JobState::failed || state == JobState::cancelled ||
         state == JobState::expired;
}

/// Snapshot of a batch job, as returned by Provider::poll.
struct JobStatus {
  JobState state = JobState::pending;
  std::uint64_t total = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t pending = 0;
  /// Provider message, e.g. why a job failed.
  std::string message;
};

/// One model call as seen by loggers: what was asked, what came back, what was parsed.
struct CallEvent {
  /// Stable id of this call: derived from run, row key and attempt, so re-sending the event after a
  /// crash updates the same logged record instead of duplicating it.
  std::string event_id;
  std::string run_id;
  std::string key;
  /// 1 for the first try of a row, 2 for its first retry, ...
  int attempt = 1;
  /// Display name of the batch job, empty in online mode.
  std::string job_name;
  /// Model as configured (the response carries the served model version).
  std::string model;
  Request request;
  Response response;
  /// Parsed output columns and their values (empty when parsing failed).
  std::vector<std::string> output_columns;
  std::vector<std::string> output_values;
  /// True when the call succeeded and its answer parsed.
  bool ok = false;
  /// Why the call failed: the provider error or the parse error. Empty when ok.
  std::string error;
  /// Input row, for loggers that record it.
  std::vector<std::string> input_columns;
  std::vector<std::string> input_values;
  /// Unix times in seconds: when the request was submitted and when its answer arrived.
  double start_time = 0;
  double end_time = 0;
};

}  // namespace pipehost
