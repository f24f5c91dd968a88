// Turns provider-neutral Requests into OpenAI request bodies (Chat Completions or Responses) and batch
// input lines {"custom_id", "method": "POST", "url", "body"}.
//
// The system instruction goes first, as a system message, and the response schema (converted for
// strict mode) right after it is shared by every row: the prompt's prefix is the same for a whole job,
// which is what OpenAI's automatic prefix caching needs. Both are escaped once per run and copied per
// line, so writing 20,000 lines with a 17 KB instruction is mostly memcpy.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipehost/types.hpp"

namespace pipehost::openai {

class RequestEncoder {
 public:
  /// `endpoint` is "/v1/chat/completions" or "/v1/responses".
  RequestEncoder(std::string model, std::string endpoint);
  RequestEncoder(const RequestEncoder&) = delete;
  RequestEncoder& operator=(const RequestEncoder&) = delete;

  /// Appends the endpoint's request body (a JSON object). Thread-safe. Throws std::invalid_argument
  /// for a request OpenAI cannot take (a tool it does not offer, a schema strict mode cannot express,
  /// extra_json that is not an object).
  void append_body(std::string& out, const Request& request);
  /// Appends one batch input line, ending in '\n'. The custom_id is the row key itself (OpenAI puts
  /// no limit on it), so answers map back without a table. Thread-safe.
  void append_line(std::string& out, const Request& request);
  /// The exact size of append_line's output. Thread-safe.
  std::uint64_t line_size(const Request& request);

  /// Settings of a request OpenAI has no word for (top_k, thinking_budget), comma-separated; empty
  /// when there are none. They are left out of the request.
  static std::string ignored_settings(const Request& request);

  struct Shared;  // a shared text's escaped (or converted) JSON, cached by identity
  struct Extra;   // a parsed extra_json object

 private:
  std::shared_ptr<const Shared> system_instruction(const std::shared_ptr<const std::string>& text);
  std::shared_ptr<const Shared> schema(const std::shared_ptr<const std::string>& text);
  std::shared_ptr<const Extra> extra(const std::string& text);

  std::string model_json_;
  std::string endpoint_;
  bool responses_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<const Shared>> instructions_;
  std::vector<std::shared_ptr<const Shared>> schemas_;
  std::shared_ptr<const Extra> last_extra_;
};

}  // namespace pipehost::openai
