// What the emulator reads from the body of a model request, for the two endpoints it answers:
// /v1/chat/completions and /v1/responses (online, or as the `body` of a batch line).
//
// - System text: the content of `system` and `developer` messages (Responses: also
//   `instructions`). User text: every other message's text.
// - Schema: `response_format: {type:"json_schema", json_schema:{schema}}` (chat) or
//   `text: {format: {type:"json_schema", schema}}` (Responses).
// - Prompt text (what tokens are counted on and the prefix cache sees): the schema serialized as
//   compact JSON plus "\n" when there is one, then (Responses) `instructions` plus "\n", then every
//   message's text plus "\n", in request order. A message's text is its `content` string, or the
//   `text` of each of its content parts joined by "\n".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/openai/openai_error.hpp"

namespace pipehost::emulator::openai {

enum class ModelEndpoint { chat_completions, responses };

/// "/v1/chat/completions" or "/v1/responses" → the endpoint; anything else → nullopt.
std::optional<ModelEndpoint> model_endpoint(std::string_view url);

struct Prompt {
  std::string model;
  std::string system_text;
  std::string user_text;
  const boost::json::value* schema = nullptr;  // points into the request body
  std::string text;                            // the prompt text (see above)
};

/// The parameter error the real API would answer 400 with, or nullopt. Checks only what the
/// emulator relies on: `model`; `messages` (chat) or `input` (Responses); no `stream: true`.
std::optional<OpenAiError> check_request_body(ModelEndpoint endpoint, const boost::json::object& body);

Prompt prompt_of(ModelEndpoint endpoint, const boost::json::object& body);

/// The answer generator's view of the prompt; `key` (a batch line's custom_id, "" online) is part
/// of what the answer depends on, as with Gemini.
RequestDigest digest_of(const Prompt& prompt, std::string_view key);

}  // namespace pipehost::emulator::openai
