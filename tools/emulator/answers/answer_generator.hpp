// Synthetic model answers. Deterministic per (key, request): the same request always gets the
// same answer, whichever route (batch file, inlined batch, generateContent) carried it.
//
// Rules (also in README.md):
// - With a system instruction AND a response schema (generationConfig.responseSchema, OpenAPI
//   subset, or responseJsonSchema, JSON Schema), the text is compact JSON satisfying the schema.
//   Otherwise it is conversational prose with no JSON in it (the real failure when the system
//   instruction is misplaced).
// - usageMetadata: promptTokenCount = ceil(prompt bytes / 4) where prompt bytes = the prefix
//   (every text part of systemInstruction, the compact JSON of the response schema, the compact
//   JSON of `tools`) plus every text part of contents; candidatesTokenCount = ceil(answer bytes /
//   4); totalTokenCount = their sum. The prefix is what Gemini's implicit cache can reuse (see
//   gemini/implicit_cache.hpp); tools are not part of the answer's hash, so a tool never changes
//   the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "emulator/util/hash.hpp"

namespace pipehost::emulator {

/// What an answer depends on, pulled out of a GenerateContentRequest (camelCase or snake_case).
struct RequestDigest {
  std::string user_text;                       // text parts of contents, joined by newlines
  std::size_t prompt_bytes = 0;                // prefix + contents text bytes
  std::size_t prefix_bytes = 0;                // Gemini: system text + schema JSON + tools JSON bytes
  std::uint64_t prefix_hash = 0;               // Gemini: of those same three, in that order
  bool has_system_instruction = false;         // non-empty system text
  const boost::json::value* schema = nullptr;  // responseSchema or responseJsonSchema
  std::uint64_t hash = 0;                      // of (key, texts, schema)
};

RequestDigest digest_request(const boost::json::object& request, std::string_view key);

/// How a fault changes an answer's form (the content stays the deterministic one).
struct AnswerForm {
  bool fenced = false;  // ```json ... ``` around the JSON
  bool prose = false;   // prose instead of JSON
};

/// The answer text for a request.
std::string answer_text(const RequestDigest& digest, AnswerForm form);

/// A value satisfying `schema` (OpenAPI subset or JSON Schema), chosen by `random`.
boost::json::value value_for_schema(const boost::json::value& schema, SplitMix64& random);

/// A full GenerateContentResponse (candidates, usageMetadata, modelVersion, responseId).
boost::json::object generate_content_response(const RequestDigest& digest, std::string_view model,
                                              AnswerForm form);
boost::json::object generate_content_response(const boost::json::object& request, std::string_view key,
                                              std::string_view model, AnswerForm form);

/// ceil(bytes / 4): the emulator's token count.
std::int64_t tokens_for(std::size_t bytes);

}  // namespace pipehost::emulator
