// Reads what OpenAI sends back: chat.completion / response bodies, batch output and error file lines,
// Batch objects and batch lists, in the host's provider-neutral words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipehost/status.hpp"
#include "pipehost/types.hpp"

namespace pipehost::openai {

/// The parts of a Batch object the provider uses.
struct BatchInfo {
  std::string id;
  /// OpenAI's own word: validating, in_progress, finalizing, completed, failed, expired, cancelling,
  /// cancelled.
  std::string status;
  std::string input_file_id;
  std::string output_file_id;
  std::string error_file_id;
  /// metadata.name: the host's display name given at create.
  std::string name;
  double created_at = 0;
  JobStatus job;
};

/// OpenAI's batch status in the host's words (an unknown one is `running`, so the host keeps polling).
JobState job_state(std::string_view status);

/// Fills `out` (not `key`) from a Chat Completions or Responses body. Fatal when it is neither.
Status decode_body(const Value& body, Response& out);
/// One line of a batch output or error file: an answer, or a per-row error (retryable for 429, 5xx
/// and expired requests). Fatal when the line cannot be read at all.
Status decode_result_line(std::string_view line, Response& out);
/// The per-row error of an HTTP error answer `{"error": {message, type, param, code}}`.
ResponseError error_of(int http_status, const Value* body);

Status decode_batch(std::string_view text, BatchInfo& out);
Status decode_batch_list(std::string_view text, std::vector<BatchInfo>& out, bool& has_more);

}  // namespace pipehost::openai
