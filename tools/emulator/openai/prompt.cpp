#include "emulator/openai/prompt.hpp"

#include "emulator/util/hash.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator::openai {

namespace {

/// A content string, or the `text` of each part of a content array, joined by "\n".
std::string content_text(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string text;
  if (!content.is_array()) return text;
  for (const auto& part : content.get_array()) {
    const json::object* object = part.if_object();
    if (!object) continue;
    auto it = object->find("text");
    if (it == object->end() || !it->value().is_string()) continue;
    if (!text.empty()) text.push_back('\n');
    text += it->value().get_string();
  }
  return text;
}

void append_line(std::string& to, std::string_view text) {
  if (!to.empty()) to.push_back('\n');
  to += text;
}

/// One message ({role, content}) into the prompt.
void add_message(const json::object& message, Prompt& prompt) {
  auto content = message.find("content");
  if (content == message.end()) return;
  std::string text = content_text(content->value());
  std::string role = string_or(message, {"role"});
  append_line(role == "system" || role == "developer" ? prompt.system_text : prompt.user_text, text);
  prompt.text += text;
  prompt.text.push_back('\n');
}

OpenAiError missing(const std::string& param) {
  return OpenAiError(400, "Missing required parameter: '" + param + "'.", "invalid_request_error", param,
                     "missing_required_parameter");
}

}  // namespace

std::optional<ModelEndpoint> model_endpoint(std::string_view url) {
  if (url == "/v1/chat/completions") return ModelEndpoint::chat_completions;
  if (url == "/v1/responses") return ModelEndpoint::responses;
  return std::nullopt;
}

std::optional<OpenAiError> check_request_body(ModelEndpoint endpoint, const json::object& body) {
  auto model = body.find("model");
  if (model == body.end() || !model->value().is_string() || model->value().get_string().empty())
    return OpenAiError(400, "you must provide a model parameter");
  if (auto stream = body.find("stream"); stream != body.end() && stream->value() == json::value(true))
    return OpenAiError(400, "The emulator does not stream: send stream=false or leave it out.",
                       "invalid_request_error", "stream");
  if (endpoint == ModelEndpoint::chat_completions) {
    auto messages = body.find("messages");
    if (messages == body.end()) return missing("messages");
    if (!messages->value().is_array() || messages->value().get_array().empty()) {
      return OpenAiError(400, "Invalid 'messages': expected an array with minimum length 1.",
                         "invalid_request_error", "messages", "invalid_value");
    }
  } else {
    auto input = body.find("input");
    if (input == body.end()) return missing("input");
    if (!input->value().is_string() && !input->value().is_array()) {
      return OpenAiError(400, "Invalid 'input': expected a string or an array of input items.",
                         "invalid_request_error", "input", "invalid_type");
    }
  }
  return std::nullopt;
}

Prompt prompt_of(ModelEndpoint endpoint, const json::object& body) {
  Prompt prompt;
  prompt.model = string_or(body, {"model"});
  // Chat: response_format {type:"json_schema", json_schema:{name, strict, schema}}.
  // Responses: text {format: {type:"json_schema", name, strict, schema}}.
  const json::object* format = nullptr;
  if (endpoint == ModelEndpoint::chat_completions) {
    format = find_object(body, {"response_format"});
    if (format && string_or(*format, {"type"}) == "json_schema") {
      if (const json::object* holder = find_object(*format, {"json_schema"}))
        prompt.schema = find_any(*holder, {"schema"});
    }
  } else if (const json::object* text = find_object(body, {"text"})) {
    format = find_object(*text, {"format"});
    if (format && string_or(*format, {"type"}) == "json_schema")
      prompt.schema = find_any(*format, {"schema"});
  }
  if (prompt.schema && !prompt.schema->is_object()) prompt.schema = nullptr;
  if (prompt.schema) {
    prompt.text = json::serialize(*prompt.schema);
    prompt.text.push_back('\n');
  }

  if (endpoint == ModelEndpoint::chat_completions) {
    if (const json::value* messages = find_any(body, {"messages"}); messages && messages->is_array()) {
      for (const auto& message : messages->get_array())
        if (const json::object* object = message.if_object()) add_message(*object, prompt);
    }
    return prompt;
  }
  if (std::string instructions = string_or(body, {"instructions"}); !instructions.empty()) {
    append_line(prompt.system_text, instructions);
    prompt.text += instructions;
    prompt.text.push_back('\n');
  }
  if (const json::value* input = find_any(body, {"input"})) {
    if (input->is_string()) {
      add_message(json::object{{"role", "user"}, {"content", *input}}, prompt);
    } else if (input->is_array()) {
      for (const auto& item : input->get_array())
        if (const json::object* object = item.if_object()) add_message(*object, prompt);
    }
  }
  return prompt;
}

RequestDigest digest_of(const Prompt& prompt, std::string_view key) {
  RequestDigest digest;
  digest.user_text = prompt.user_text;
  digest.prompt_bytes = prompt.text.size();
  digest.has_system_instruction = !prompt.system_text.empty();
  digest.schema = prompt.schema;
  ContentHash hash;
  hash.update(key);
  hash.separator();
  hash.update(prompt.system_text);
  hash.separator();
  hash.update(prompt.user_text);
  hash.separator();
  if (prompt.schema) hash.update(json::serialize(*prompt.schema));
  digest.hash = hash.value();
  return digest;
}

}  // namespace pipehost::emulator::openai
