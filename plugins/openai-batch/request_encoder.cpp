#include "request_encoder.hpp"

#include <algorithm>
#include <stdexcept>

#include "strict_schema.hpp"

namespace pipehost::openai {

struct RequestEncoder::Shared {
  std::shared_ptr<const std::string> source;  // kept alive, so the identity cannot be reused
  std::string json;
};

struct RequestEncoder::Extra {
  std::string text;
  std::vector<std::string> keys;
  /// `,"key":value` for every member, in order.
  std::string members;
  bool has(std::string_view key) const { return std::find(keys.begin(), keys.end(), key) != keys.end(); }
};

RequestEncoder::RequestEncoder(std::string model, std::string endpoint)
    : endpoint_(std::move(endpoint)), responses_(endpoint_ == "/v1/responses") {
  append_json_string(model_json_, model);
}

std::shared_ptr<const RequestEncoder::Shared> RequestEncoder::system_instruction(
    const std::shared_ptr<const std::string>& text) {
  std::lock_guard lock(mutex_);
  for (const auto& shared : instructions_)
    if (shared->source == text) return shared;
  auto shared = std::make_shared<Shared>();
  shared->source = text;
  append_json_string(shared->json, *text);
  if (instructions_.size() >= 8) instructions_.erase(instructions_.begin());
  instructions_.push_back(shared);
  return shared;
}

std::shared_ptr<const RequestEncoder::Shared> RequestEncoder::schema(
    const std::shared_ptr<const std::string>& text) {
  std::lock_guard lock(mutex_);
  for (const auto& shared : schemas_)
    if (shared->source == text) return shared;
  auto shared = std::make_shared<Shared>();
  shared->source = text;
  shared->json = to_strict_schema_json(*text);
  if (schemas_.size() >= 8) schemas_.erase(schemas_.begin());
  schemas_.push_back(shared);
  return shared;
}

std::shared_ptr<const RequestEncoder::Extra> RequestEncoder::extra(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (last_extra_ && last_extra_->text == text) return last_extra_;
  Value parsed;
  std::string error;
  if (!parse_json(text, parsed, error)) throw std::invalid_argument("extra_json is not valid JSON: " + error);
  if (!parsed.is_object()) throw std::invalid_argument("extra_json must be a JSON object");
  auto out = std::make_shared<Extra>();
  out->text = text;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const std::string& key = parsed.key(i);
    if (key == "model" || key == "messages" || key == "input" || key == "stream")
      throw std::invalid_argument("extra_json must not set \"" + key + "\" (the provider sets it)");
    out->keys.push_back(key);
    out->members += ',';
    append_json_string(out->members, key);
    out->members += ':';
    write_json(parsed[i], out->members);
  }
  last_extra_ = out;
  return out;
}

std::string RequestEncoder::ignored_settings(const Request& request) {
  std::string out;
  if (request.generation.top_k) out += "top_k";
  if (request.generation.thinking_budget) out += std::string(out.empty() ? "" : ", ") + "thinking_budget";
  return out;
}

void RequestEncoder::append_body(std::string& out, const Request& request) {
  for (const auto& tool : request.tools) {
    if (tool == "web_search")
      throw std::invalid_argument(
          "the web_search tool is not available through OpenAI's Batch API for this provider (Chat "
          "Completions has no search tool for these models, and batch Responses do not offer it); remove "
          "\"web_search\" from the request's tools");
    throw std::invalid_argument("tool '" + tool + "' is not supported by the openai-batch provider");
  }
  std::shared_ptr<const Extra> more = request.extra_json.empty() ? nullptr : extra(request.extra_json);
  auto wanted = [&](std::string_view key) { return !more || !more->has(key); };
  const auto& g = request.generation;

  out += "{\"model\":";
  out += model_json_;
  out += responses_ ? ",\"input\":[" : ",\"messages\":[";
  bool first = true;
  if (request.system_instruction && !request.system_instruction->empty()) {
    out += "{\"role\":\"system\",\"content\":";
    out += system_instruction(request.system_instruction)->json;
    out += '}';
    first = false;
  }
  if (!first) out += ',';
  out += "{\"role\":\"user\",\"content\":";
  if (request.user_parts.size() == 1) {
    append_json_string(out, request.user_parts.front());
  } else {
    out += '[';
    for (std::size_t i = 0; i < request.user_parts.size(); ++i) {
      if (i) out += ',';
      out += responses_ ? "{\"type\":\"input_text\",\"text\":" : "{\"type\":\"text\",\"text\":";
      append_json_string(out, request.user_parts[i]);
      out += '}';
    }
    out += ']';
  }
  out += "}]";
  if (g.response_schema_json) {
    const auto& strict = schema(g.response_schema_json)->json;
    if (responses_ && wanted("text")) {
      out +=
          ",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"response\",\"strict\":true,\"schema\":";
      out += strict;
      out += "}}";
    } else if (!responses_ && wanted("response_format")) {
      out +=
          ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"response\",\"strict\":"
          "true,\"schema\":";
      out += strict;
      out += "}}";
    }
  }
  if (g.temperature && wanted("temperature")) {
    out += ",\"temperature\":";
    append_json_number(out, *g.temperature);
  }
  if (g.top_p && wanted("top_p")) {
    out += ",\"top_p\":";
    append_json_number(out, *g.top_p);
  }
  const char* max_key = responses_ ? "max_output_tokens" : "max_completion_tokens";
  if (g.max_output_tokens && wanted(max_key)) {
    out += ",\"";
    out += max_key;
    out += "\":";
    append_json_number(out, *g.max_output_tokens);
  }
  if (g.seed && !responses_ && wanted("seed")) {
    out += ",\"seed\":";
    append_json_number(out, *g.seed);
  }
  if (more) out += more->members;
  out += '}';
}

void RequestEncoder::append_line(std::string& out, const Request& request) {
  out += "{\"custom_id\":";
  append_json_string(out, request.key);
  out += ",\"method\":\"POST\",\"url\":\"";
  out += endpoint_;
  out += "\",\"body\":";
  append_body(out, request);
  out += "}\n";
}

std::uint64_t RequestEncoder::line_size(const Request& request) {
  thread_local std::string buffer;
  buffer.clear();
  append_line(buffer, request);
  std::uint64_t size = buffer.size();
  if (buffer.capacity() > (1u << 20)) std::string().swap(buffer);
  return size;
}

}  // namespace pipehost::openai
