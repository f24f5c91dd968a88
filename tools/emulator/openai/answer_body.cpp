#include "emulator/openai/answer_body.hpp"

#include "emulator/openai/ids.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator::openai {

namespace {

json::value member_or(const json::object& object, std::string_view name, json::value fallback) {
  auto it = object.find(name);
  return it == object.end() ? fallback : it->value();
}

json::object chat_completion(const Answer& answer, const json::object& request, std::int64_t created) {
  json::object message{
      {"role", "assistant"}, {"content", answer.text}, {"refusal", nullptr}, {"annotations", json::array()}};
  json::object choice{
      {"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr}, {"finish_reason", "stop"}};
  json::object usage;
  usage["prompt_tokens"] = answer.prompt_tokens;
  usage["completion_tokens"] = answer.completion_tokens;
  usage["total_tokens"] = answer.prompt_tokens + answer.completion_tokens;
  usage["prompt_tokens_details"] = json::object{{"cached_tokens", answer.cached_tokens}, {"audio_tokens", 0}};
  usage["completion_tokens_details"] = json::object{{"reasoning_tokens", 0},
                                                    {"audio_tokens", 0},
                                                    {"accepted_prediction_tokens", 0},
                                                    {"rejected_prediction_tokens", 0}};
  json::object out;
  out["id"] = "chatcmpl-" + base62_id(answer.hash, 0xC4A7, 29);
  out["object"] = "chat.completion";
  out["created"] = created;
  out["model"] = string_or(request, {"model"});
  out["choices"] = json::array{std::move(choice)};
  out["usage"] = std::move(usage);
  out["service_tier"] = "default";
  out["system_fingerprint"] = "fp_emulator";
  return out;
}

json::object response(const Answer& answer, const json::object& request, std::int64_t created) {
  json::object text_part{{"type", "output_text"},
                         {"annotations", json::array()},
                         {"logprobs", json::array()},
                         {"text", answer.text}};
  json::object message{{"id", "msg_" + hex32(answer.hash ^ 0x3E55A6E)},
                       {"type", "message"},
                       {"status", "completed"},
                       {"role", "assistant"},
                       {"content", json::array{std::move(text_part)}}};
  json::object usage;
  usage["input_tokens"] = answer.prompt_tokens;
  usage["input_tokens_details"] = json::object{{"cached_tokens", answer.cached_tokens}};
  usage["output_tokens"] = answer.completion_tokens;
  usage["output_tokens_details"] = json::object{{"reasoning_tokens", 0}};
  usage["total_tokens"] = answer.prompt_tokens + answer.completion_tokens;
  json::object out;
  out["id"] = "resp_" + hex32(answer.hash);
  out["object"] = "response";
  out["created_at"] = created;
  out["status"] = "completed";
  out["background"] = false;
  out["error"] = nullptr;
  out["incomplete_details"] = nullptr;
  out["instructions"] = member_or(request, "instructions", nullptr);
  out["max_output_tokens"] = member_or(request, "max_output_tokens", nullptr);
  out["model"] = string_or(request, {"model"});
  out["output"] = json::array{std::move(message)};
  out["parallel_tool_calls"] = true;
  out["previous_response_id"] = nullptr;
  out["reasoning"] = json::object{{"effort", nullptr}, {"summary", nullptr}};
  out["service_tier"] = "default";
  out["store"] = member_or(request, "store", true);
  out["temperature"] = member_or(request, "temperature", 1.0);
  out["text"] = member_or(request, "text", json::object{{"format", json::object{{"type", "text"}}}});
  out["tool_choice"] = "auto";
  out["tools"] = json::array();
  out["top_p"] = member_or(request, "top_p", 1.0);
  out["truncation"] = "disabled";
  out["usage"] = std::move(usage);
  out["user"] = nullptr;
  out["metadata"] = member_or(request, "metadata", json::object());
  return out;
}

}  // namespace

Answer make_answer(const Prompt& prompt, std::string_view key, AnswerForm form, PromptCache& cache) {
  RequestDigest digest = digest_of(prompt, key);
  Answer answer;
  answer.text = answer_text(digest, form);
  answer.prompt_tokens = token_count(prompt.text.size());
  answer.completion_tokens = token_count(answer.text.size());
  answer.cached_tokens = cache.lookup_and_remember(prompt.model, prompt.text);
  answer.hash = digest.hash;
  return answer;
}

json::object answer_body(ModelEndpoint endpoint, const Answer& answer, const json::object& request,
                         std::int64_t created) {
  return endpoint == ModelEndpoint::chat_completions ? chat_completion(answer, request, created)
                                                     : response(answer, request, created);
}

}  // namespace pipehost::emulator::openai
