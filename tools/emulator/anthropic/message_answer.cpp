#include "emulator/anthropic/message_answer.hpp"

#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "emulator/anthropic/anthropic_error.hpp"
#include "emulator/util/hash.hpp"
#include "emulator/util/ids.hpp"

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

const json::value* member(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() || it->value().is_null() ? nullptr : &it->value();
}

std::string string_member(const json::object& object, std::string_view name) {
  const json::value* value = member(object, name);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

bool is_custom_tool(const json::object& tool) {
  std::string type = string_member(tool, "type");
  return type.empty() || type == "custom";
}

void validate_text_blocks(const json::array& blocks, const std::string& where) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const json::object* block = blocks[i].if_object();
    std::string at = where + "." + std::to_string(i);
    if (!block) throw invalid_request(at + ": Input should be an object");
    if (string_member(*block, "type") != "text") throw invalid_request(at + ".type: Input should be 'text'");
    const json::value* text = member(*block, "text");
    if (!text || !text->is_string()) throw invalid_request(at + ".text: Field required");
  }
}

void validate_messages(const json::object& params) {
  const json::value* messages = member(params, "messages");
  if (!messages) throw invalid_request("messages: Field required");
  if (!messages->is_array()) throw invalid_request("messages: Input should be a valid list");
  if (messages->get_array().empty()) throw invalid_request("messages: at least one message is required");
  const json::array& list = messages->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string at = "messages." + std::to_string(i);
    const json::object* message = list[i].if_object();
    if (!message) throw invalid_request(at + ": Input should be an object");
    std::string role = string_member(*message, "role");
    if (role != "user" && role != "assistant")
      throw invalid_request(at + ".role: Input should be 'user' or 'assistant'");
    const json::value* content = member(*message, "content");
    if (!content) throw invalid_request(at + ".content: Field required");
    if (content->is_array()) {
      for (std::size_t b = 0; b < content->get_array().size(); ++b) {
        const json::object* block = content->get_array()[b].if_object();
        if (!block || string_member(*block, "type").empty())
          throw invalid_request(at + ".content." + std::to_string(b) + ".type: Field required");
      }
    } else if (!content->is_string()) {
      throw invalid_request(at + ".content: Input should be a valid string or list of content blocks");
    }
  }
}

/// The tool a `tool_choice` forces, or nullptr; throws for a choice naming no tool.
const json::object* forced_tool(const json::object& params) {
  const json::value* choice_value = member(params, "tool_choice");
  if (!choice_value) return nullptr;
  const json::object* choice = choice_value->if_object();
  if (!choice) throw invalid_request("tool_choice: Input should be an object");
  std::string type = string_member(*choice, "type");
  const json::value* tools_value = member(params, "tools");
  const json::array* tools = tools_value ? tools_value->if_array() : nullptr;
  if (type == "auto" || type == "none") return nullptr;
  if (type == "any") {
    if (!tools || tools->empty()) throw invalid_request("tool_choice: 'any' requires tools");
    const json::object* only = tools->size() == 1 ? (*tools)[0].if_object() : nullptr;
    return only && is_custom_tool(*only) ? only : nullptr;
  }
  if (type != "tool")
    throw invalid_request("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  std::string name = string_member(*choice, "name");
  if (name.empty()) throw invalid_request("tool_choice.name: Field required");
  if (tools) {
    for (const auto& tool : *tools) {
      if (const json::object* object = tool.if_object(); object && string_member(*object, "name") == name)
        return is_custom_tool(*object) ? object : nullptr;
    }
  }
  throw invalid_request("tool_choice.name: Tool '" + name + "' not found in tools");
}

/// The JSON schema of `output_config.format` (or the beta `output_format`), or nullptr.
const json::value* output_schema(const json::object& params) {
  const json::value* format = nullptr;
  std::string where = "output_config.format";
  if (const json::value* config = member(params, "output_config")) {
    if (!config->is_object()) throw invalid_request("output_config: Input should be an object");
    format = member(config->get_object(), "format");
  }
  if (!format) {
    format = member(params, "output_format");
    where = "output_format";
  }
  if (!format) return nullptr;
  const json::object* object = format->if_object();
  if (!object || string_member(*object, "type") != "json_schema")
    throw invalid_request(where + ".type: Input should be 'json_schema'");
  const json::value* schema = member(*object, "schema");
  if (!schema || !schema->is_object()) throw invalid_request(where + ".schema: Field required");
  return schema;
}

void validate_tools(const json::object& params) {
  const json::value* tools = member(params, "tools");
  if (!tools) return;
  if (!tools->is_array()) throw invalid_request("tools: Input should be a valid list");
  for (std::size_t i = 0; i < tools->get_array().size(); ++i) {
    std::string at = "tools." + std::to_string(i);
    const json::object* tool = tools->get_array()[i].if_object();
    if (!tool) throw invalid_request(at + ": Input should be an object");
    if (string_member(*tool, "name").empty()) throw invalid_request(at + ".name: Field required");
    const json::value* schema = member(*tool, "input_schema");
    if (is_custom_tool(*tool) && (!schema || !schema->is_object()))
      throw invalid_request(at + ".input_schema: Field required");
  }
}

/// Text of a `system` or a message `content`: a string, or the text of its text blocks.
void append_text(const json::value& holder, std::string& out, ContentHash& hash) {
  auto add = [&](json::string_view text) {
    if (!out.empty()) out.push_back('\n');
    out.append(text.data(), text.size());
    hash.update(text);
    hash.separator();
  };
  if (holder.is_string()) {
    add(holder.get_string());
    return;
  }
  const json::array* blocks = holder.if_array();
  if (!blocks) return;
  for (const auto& block : *blocks) {
    const json::object* object = block.if_object();
    if (!object) continue;
    const json::value* text = member(*object, "text");
    if (text && text->is_string()) add(text->get_string());
  }
}

std::string fenced_json(std::string text, bool fenced) {
  return fenced ? "```json\n" + text + "\n```" : text;
}

/// Cuts `text` to at most `bytes` bytes without splitting a UTF-8 sequence.
void cut_utf8(std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  text.resize(bytes);
}

json::object usage_json(const CacheUsage& cache, std::int64_t output_tokens, std::string_view service_tier) {
  return {{"input_tokens", cache.input_tokens},
          {"output_tokens", output_tokens},
          {"cache_creation_input_tokens", cache.cache_write_tokens()},
          {"cache_read_input_tokens", cache.cache_read_tokens},
          {"cache_creation", json::object{{"ephemeral_5m_input_tokens", cache.cache_write_5m_tokens},
                                          {"ephemeral_1h_input_tokens", cache.cache_write_1h_tokens}}},
          {"service_tier", service_tier},
          {"server_tool_use", nullptr},
          {"output_tokens_details", nullptr},
          {"inference_geo", nullptr},
          {"speed", nullptr}};
}

}  // namespace

void validate_params(const json::object& params) {
  if (string_member(params, "model").empty()) throw invalid_request("model: Field required");
  const json::value* max_tokens = member(params, "max_tokens");
  if (!max_tokens) throw invalid_request("max_tokens: Field required");
  if (!max_tokens->is_int64() && !max_tokens->is_uint64())
    throw invalid_request("max_tokens: Input should be a valid integer");
  if (max_tokens->is_int64() && max_tokens->get_int64() < 1)
    throw invalid_request("max_tokens: Input should be greater than or equal to 1");
  validate_messages(params);
  if (const json::value* system = member(params, "system")) {
    if (const json::array* blocks = system->if_array()) {
      validate_text_blocks(*blocks, "system");
    } else if (!system->is_string()) {
      throw invalid_request("system: Input should be a valid string or list of text blocks");
    }
  }
  if (const json::value* stream = member(params, "stream"); stream && stream->is_bool() && stream->get_bool())
    throw invalid_request("stream: the emulator does not stream; send stream: false");
  validate_tools(params);
  forced_tool(params);
  output_schema(params);
}

MessageOutcome answer_message(const json::object& params, std::string_view key, AnswerForm form,
                              PromptCache& cache, WallClock::time_point now, std::string_view service_tier) {
  validate_params(params);
  PromptLayout layout = layout_prompt(params);
  const json::object* tool = forced_tool(params);
  const json::value* schema = tool ? member(*tool, "input_schema") : output_schema(params);

  RequestDigest digest;
  ContentHash hash;
  hash.update(key);
  hash.separator();
  std::string system_text;  // only hashed: structured output does not depend on it
  if (const json::value* system = member(params, "system")) append_text(*system, system_text, hash);
  hash.separator();
  for (const auto& message : params.at("messages").get_array()) {
    if (const json::value* content = member(message.get_object(), "content"))
      append_text(*content, digest.user_text, hash);
  }
  hash.separator();
  if (schema) hash.update(json::serialize(*schema));
  if (tool) hash.update(string_member(*tool, "name"));
  digest.hash = hash.value();

  json::object block;
  std::string stop_reason = "end_turn";
  std::int64_t output_tokens = 0;
  if (schema && tool && !form.prose) {
    SplitMix64 random(digest.hash);
    json::value input = value_for_schema(*schema, random);
    output_tokens = emulator_tokens(json::serialize(input).size());
    block = {{"type", "tool_use"},
             {"id", "toolu_01" + base36_id(0x7001, digest.hash)},
             {"name", string_member(*tool, "name")},
             {"input", std::move(input)},
             {"caller", json::object{{"type", "direct"}}}};
    stop_reason = "tool_use";
  } else {
    std::string text;
    if (schema && !form.prose) {
      SplitMix64 random(digest.hash);
      text = fenced_json(json::serialize(value_for_schema(*schema, random)), form.fenced);
    } else {
      text = answer_text(digest, AnswerForm{false, true});
    }
    const json::value& limit = params.at("max_tokens");
    std::int64_t max_tokens = limit.is_int64() ? limit.get_int64() : INT64_MAX;  // uint64: beyond int64
    if (emulator_tokens(text.size()) > max_tokens) {
      cut_utf8(text, static_cast<std::size_t>(max_tokens) * 4);
      stop_reason = "max_tokens";
    }
    output_tokens = emulator_tokens(text.size());
    block = {{"type", "text"}, {"text", std::move(text)}, {"citations", nullptr}};
  }

  MessageOutcome outcome;
  outcome.cache = cache.account(layout, now);
  outcome.message = {{"id", "msg_01" + base36_id(0x3E55A6E, digest.hash)},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"content", json::array{std::move(block)}},
                     {"model", params.at("model")},
                     {"stop_reason", stop_reason},
                     {"stop_sequence", nullptr},
                     {"stop_details", nullptr},
                     {"container", nullptr},
                     {"diagnostics", nullptr},
                     {"usage", usage_json(outcome.cache, output_tokens, service_tier)}};
  return outcome;
}

}  // namespace pipehost::emulator::anthropic
