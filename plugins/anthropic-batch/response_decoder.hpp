// Reading what the Messages and Message Batches APIs answer: a Message (text or the answer tool's
// input, how it ended, usage by token kind), a results line (succeeded / errored / expired /
// canceled), a MessageBatch and a page of them, error bodies and RFC 3339 times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/status.hpp"
#include "pipehost/types.hpp"
#include "pipehost/value.hpp"

namespace pipehost::anthropic {

/// A MessageBatch, as far as the provider needs it.
struct BatchInfo {
  std::string id;
  /// "in_progress", "canceling" or "ended".
  std::string processing_status;
  /// Unix seconds.
  double created_at = 0;
  bool cancel_initiated = false;
  /// Where the results are; empty until the batch has ended.
  std::string results_url;
  std::uint64_t processing = 0, succeeded = 0, errored = 0, canceled = 0, expired = 0;

  std::uint64_t total() const { return processing + succeeded + errored + canceled + expired; }
  /// The host's view: running until ended; then cancelled when a cancel was asked, expired when every
  /// request expired, otherwise succeeded (failed requests are reported per row by fetch).
  JobStatus status() const;
  JobSummary summary() const;
};

Status decode_batch(std::string_view body, BatchInfo& info);
/// A page of GET /v1/messages/batches: its batches, has_more and last_id.
Status decode_batch_page(std::string_view body, std::vector<BatchInfo>& batches, bool& has_more,
                         std::string& last_id);

/// Fills text, finish, usage and model version from a Message object.
void read_message(const Value& message, Response& response);
/// The body of POST /v1/messages.
Status decode_message(std::string_view body, Response& response);

enum class ResultType : std::uint8_t { succeeded, errored, expired, canceled };

/// One line of a batch's results: its custom_id, its type and (for the first three) the Response -
/// the answer, or the error as ResponseError (api_error, overloaded_error, rate_limit_error,
/// timeout_error and expired are retryable). `response.key` is left empty; raw_json is the line.
Status decode_result_line(std::string_view line, std::string& custom_id, ResultType& type,
                          Response& response);

/// "type: message" of an error body {"type":"error","error":{"type","message"}}, or the body's start.
std::string error_text(std::string_view body);
/// Error types worth sending again.
bool is_retryable_error_type(std::string_view type);

/// Parses "2026-11-27T15:03:47.123456Z" (any fraction, "Z" or "+hh:mm"/"-hh:mm") to Unix seconds.
bool parse_rfc3339(std::string_view text, double& unix_seconds);

/// The host's word for a stop_reason.
FinishStatus finish_of(std::string_view stop_reason);

}  // namespace pipehost::anthropic
