// The emulator's answer to a model request, as the body the real endpoint returns: a
// `chat.completion` object or a `response` object, with usage counted on the prompt text
// (see prompt.hpp) and cached tokens from the prefix cache (see prompt_cache.hpp).
//
// The text follows the Gemini rules (answers/answer_generator.hpp): a system message AND a
// json_schema response format give compact JSON satisfying the schema; otherwise prose.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/openai/prompt.hpp"
#include "emulator/openai/prompt_cache.hpp"

namespace pipehost::emulator::openai {

struct Answer {
  std::string text;
  std::int64_t prompt_tokens = 0;      // ceil(prompt text bytes / 4)
  std::int64_t completion_tokens = 0;  // ceil(answer text bytes / 4)
  std::int64_t cached_tokens = 0;
  std::uint64_t hash = 0;  // of what the answer depends on; seeds the ids
};

Answer make_answer(const Prompt& prompt, std::string_view key, AnswerForm form, PromptCache& cache);

/// The endpoint's response body for `answer` to `request`; `created` in unix seconds.
boost::json::object answer_body(ModelEndpoint endpoint, const Answer& answer,
                                const boost::json::object& request, std::int64_t created);

}  // namespace pipehost::emulator::openai
