// Requests as Messages API bodies: the `params` of a Message Batch request and the body of an online
// POST /v1/messages are the same JSON.
//
//   {"model":M,"max_tokens":N,"temperature":T,...,
//    "system":[{"type":"text","text":SYSTEM,"cache_control":{"type":"ephemeral","ttl":"1h"}}],
//    "tools":[{"name":"answer","description":...,"input_schema":SCHEMA}],
//    "tool_choice":{"type":"tool","name":"answer"},
//    "messages":[{"role":"user","content":USER}]}
//
// Structured output is a forced tool whose input_schema is the response schema, not the newer
// output_config.format: the tool takes the request builder's JSON Schema as it is (the grammar behind
// output_config rejects minimum/maximum, maxItems, string lengths, ...) and works on every Claude model.
// Its input, serialized, is the answer text the parser gets. The cached prefix is tools + system (the
// API's cache order), marked on the system block (or on the tool when there is no system text).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "config.hpp"
#include "pipehost/status.hpp"
#include "pipehost/types.hpp"

namespace pipehost::anthropic {

/// Name of the tool that carries structured answers.
inline constexpr const char* kAnswerTool = "answer";

class RequestEncoder {
 public:
  explicit RequestEncoder(const AnthropicConfig& config) : config_(config) {}

  /// Appends the Messages API body of `request`. Fatal when the request cannot be expressed (a tool
  /// this provider does not offer, a schema whose root is not an object, thinking with a schema).
  Status append_params(std::string& out, const Request& request) const;
  /// Appends `{"custom_id":ID,"params":{...}}`.
  Status append_batch_item(std::string& out, const std::string& custom_id, const Request& request) const;
  /// The exact length of append_batch_item's output, without copying the shared prefix.
  Status batch_item_size(const std::string& custom_id, const Request& request, std::uint64_t& bytes) const;

 private:
  /// `,"system":[...],"tools":[...],"tool_choice":{...}` for this system text and schema: the same for
  /// every request of a run, so it is built once (the songs system text is 17 KB).
  Status shared_part(const Request& request, std::shared_ptr<const std::string>& part) const;
  /// Everything but the shared part: `{"model":...` before it, `,"messages":...}` after it.
  Status own_parts(const Request& request, std::string& head, std::string& tail) const;

  const AnthropicConfig& config_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const std::string> cached_system_;
  mutable std::shared_ptr<const std::string> cached_schema_;
  mutable std::shared_ptr<const std::string> cached_part_;
};

}  // namespace pipehost::anthropic
