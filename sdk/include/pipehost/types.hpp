// Data that flows between stages: rows, provider-neutral requests and responses, jobs, call events,
// and what a provider says about its model (prices, tools). Standard-library types only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipehost/value.hpp"

namespace pipehost {

/// One input record. `values` line up with the column names the source reported from `open`.
struct Row {
  /// Stable identity of the row: the configured key column's value, or the 1-based data row number.
  std::string key;
  /// Field values, one per column. A CSV source yields strings; a JSON source keeps its types.
  std::vector<Value> values;
  /// Where the row starts in the input (1-based line for text formats; 0 if unknown). For errors.
  std::uint64_t line = 0;
};

/// An output column a parser produces: its name, and what sinks and reports may want to know.
struct Column {
  Column() = default;
  /// A column is at least a name: `sink.open({"id", "text"})`.
  Column(std::string name_) : name(std::move(name_)) {}
  Column(const char* name_) : name(name_) {}
  Column(std::string name_, std::string type_, std::vector<std::string> enum_values_ = {})
      : name(std::move(name_)), type(std::move(type_)), enum_values(std::move(enum_values_)) {}

  std::string name;
  /// Declared type from the response schema ("string", "integer", "number", "boolean", "array",
  /// "object"), empty when unknown.
  std::string type;
  /// Allowed values of an enum (or of an array-of-enum's items), in schema order.
  std::vector<std::string> enum_values;
  /// How text sinks (CSV) join an array value.
  std::string list_separator = "; ";
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
  /// The response schema as JSON Schema (lowercase types, `properties` in column order), shared by
  /// every request of a run; null when the request has no schema. Providers convert it to their own
  /// dialect.
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

/// Token accounting of one call, as reported by the provider, in provider-neutral kinds.
struct Usage {
  /// Every input token, including the cached and cache-write ones below.
  std::int64_t input_tokens = 0;
  /// Input tokens read from a cache (billed at the cached price).
  std::int64_t cached_input_tokens = 0;
  /// Input tokens written to a cache (billed at the cache-write price).
  std::int64_t cache_write_tokens = 0;
  std::int64_t output_tokens = 0;
  /// Reasoning tokens, when the provider reports them apart from the output.
  std::int64_t thinking_tokens = 0;
};

/// A server-side tool the model used for one answer, and what the provider charges for it.
struct ToolUse {
  /// Provider-neutral tool name, as in Request::tools (e.g. "web_search").
  std::string tool;
  /// How many billable units (e.g. 1 grounded prompt, or 3 search queries).
  std::int64_t units = 0;
  /// What one unit is, for reports ("grounded prompt", "search query").
  std::string unit;
  /// The fee for these units in US dollars, as the provider prices it.
  double cost_usd = 0;
};

/// How an answer ended, in the host's words.
enum class FinishStatus : std::uint8_t { complete, truncated, refused, error };

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
  FinishStatus finish = FinishStatus::complete;
  /// The provider's own word for how the answer ended, for logs.
  std::string finish_reason;
  Usage usage;
  std::vector<ToolUse> tool_uses;
  std::string model_version;
  /// Set when the call failed; `text` is then usually empty.
  std::optional<ResponseError> error;
  /// The provider's raw JSON for this call (for loggers and debugging). May be empty.
  std::string raw_json;
};

/// How a batch job whose create call may or may not have happened (a crash, a dropped connection) is
/// found again, so that it is never created twice.
enum class JobLookup : std::uint8_t {
  /// `find(display_name)` finds it: the provider keeps the name given at submit (a display name,
  /// metadata).
  by_name,
  /// The provider's jobs carry no name: `list_jobs` lists the jobs created since a time with their
  /// request counts; the host adopts the one that matches and checks it by the keys in its results.
  by_listing,
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
  JobLookup job_lookup = JobLookup::by_name;
};

/// Prices in US dollars per million tokens of each kind.
struct TokenPrices {
  double input = 0;
  double cached_input = 0;
  double cache_write = 0;
  double output = 0;
  double thinking = 0;
  /// Factor applied to batch jobs (0.5 = half price).
  double batch_multiplier = 1;
  /// Whether the batch factor also applies to cached input (not at Gemini; yes at Anthropic).
  bool batch_discounts_cached_input = true;
};

/// What one unit of a server-side tool costs, for estimates before anything is sent.
struct ToolPrice {
  std::string tool;
  std::string unit;
  double usd_per_unit = 0;
};

/// The model a provider calls and what it costs. The host's `run.prices` overrides the token prices.
struct ModelInfo {
  std::string model;
  /// Unset when the provider does not know the model's price.
  std::optional<TokenPrices> prices;
  std::vector<ToolPrice> tool_prices;
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

/// One of the provider's jobs, as `Provider::list_jobs` reports it.
struct JobSummary {
  std::string handle;
  /// Unix time in seconds.
  double created_at = 0;
  std::uint64_t request_count = 0;
  JobState state = JobState::pending;
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
  /// The model the provider reports calling (the response carries the served model version).
  std::string model;
  /// The request as it was sent.
  Request request;
  Response response;
  /// Parsed output columns and their values (empty when parsing failed).
  std::vector<std::string> output_columns;
  std::vector<Value> output_values;
  /// True when the call succeeded and its answer parsed.
  bool ok = false;
  /// Why the call failed: the provider error or the parse error. Empty when ok.
  std::string error;
  /// Input row, for loggers that record it.
  std::vector<std::string> input_columns;
  std::vector<Value> input_values;
  /// Unix times in seconds: when the request was submitted and when its answer arrived.
  double start_time = 0;
  double end_time = 0;
};

}  // namespace pipehost
