// Reading what Gemini sends back: batch output lines, generateContent bodies, error envelopes and
// batch (long-running operation) resources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipehost/sdk.hpp"

namespace pipehost::gemini {

/// One batch output line → Response. `{"key":..,"response":{..}}` or `{"key":..,"error":{..}}`.
/// Returns fatal with the reason when the line is not JSON or has no key.
Status decode_output_line(std::string_view line, Response& response);

/// A GenerateContentResponse (online mode) → Response (key left as is).
Status decode_generate_content(std::string_view body, Response& response);

/// True when a per-request error with this google.rpc code / status may succeed if sent again.
bool is_retryable_rpc_error(std::int64_t code, std::string_view status);

/// A non-2xx API answer as a Status: 429 → retry with the RetryInfo retryDelay (or Retry-After) hint,
/// 408/5xx → retry, other 4xx → fatal. The message names the call and quotes the API's own message.
Status api_error(std::string_view call, int http_status, std::string_view body, std::string_view retry_after);

/// "37s" / "1.5s" (protobuf Duration JSON) → milliseconds; nullopt when unparsable.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

/// What a batch resource (an Operation wrapping GenerateContentBatch) says.
struct BatchInfo {
  std::string name;  ///< "batches/..."
  std::string display_name;
  JobStatus status;
  std::string responses_file;  ///< "files/..." when succeeded with file output
  std::string input_file;      ///< "files/..." the batch read its requests from
  std::string create_time;     ///< RFC 3339, as the API wrote it
  bool has_inline_responses = false;
};

/// Parses a batch resource (GET batches/x, create, or one list entry).
Status decode_batch(std::string_view body, BatchInfo& info);

/// Parses a batches list page: the batches and the next page token (empty at the end).
Status decode_batch_list(std::string_view body, std::vector<BatchInfo>& batches,
                         std::string& next_page_token);

/// Streams the inline responses of a finished inline batch (rarely used; file batches are the norm).
Status for_each_inline_response(std::string_view body, const std::function<Status(Response&&)>& on_response);

}  // namespace pipehost::gemini
