// The synthetic answer to one Messages request (a batch request's `params` or a POST /v1/messages
// body): a full Message object, deterministic per (key, request), built with answers/.
//
// Rules (also in README.md):
// - a forced tool (tool_choice {"type":"tool","name":N} naming a tool with `input_schema`, or
//   {"type":"any"} with exactly one tool) → one `tool_use` block whose `input` satisfies the
//   schema, stop_reason "tool_use";
// - otherwise JSON output (`output_config.format` or the older beta `output_format`,
//   {"type":"json_schema","schema":{...}}) → one text block holding compact JSON for the schema;
// - otherwise → one text block of prose without JSON (with or without a system prompt).
// Structured output does not depend on the system prompt, as on the real API (a forced tool or
// a JSON format constrains the answer whatever the instructions). Faults: `prose` replaces any
// answer (tool_use included) with prose; `fenced` wraps JSON text in a ```json fence.
// A text answer longer than max_tokens is cut there (stop_reason "max_tokens").
// Usage: see prompt_layout.hpp and prompt_cache.hpp; output_tokens = ceil(answer bytes / 4)
// (the tool input's compact JSON for tool_use).
#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/anthropic/prompt_cache.hpp"

namespace pipehost::emulator::anthropic {

/// Throws HttpError 400 (invalid_request_error) when `params` is not a valid non-streaming
/// Messages create body (model, max_tokens >= 1, messages with roles and content, system, tools,
/// tool_choice, output format, cache_control).
void validate_params(const boost::json::object& params);

struct MessageOutcome {
  boost::json::object message;
  CacheUsage cache;
};

/// Validates `params` (throws as validate_params does), reads/writes the prompt cache at `now`
/// and builds the Message. `service_tier` is "batch" or "standard".
MessageOutcome answer_message(const boost::json::object& params, std::string_view key, AnswerForm form,
                              PromptCache& cache, WallClock::time_point now, std::string_view service_tier);

}  // namespace pipehost::emulator::anthropic
