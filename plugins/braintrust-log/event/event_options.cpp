#include "event_options.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace pipehost::braintrust {

namespace json = boost::json;

const char* const kEventOptionsSchemaProperties = R"json(
    "system_instruction": {"type": "string", "enum": ["omit", "hash", "full"], "default": "omit",
      "description": "The system instruction in input.messages: omit it (it can be 17 KB per row), log its SHA-256 (\"sha256:<hex>\"), or log it in full."},
    "user_message": {"type": "boolean", "default": true,
      "description": "Log the user message (the row's prompt) in input.messages."},
    "raw_answer": {"type": "boolean", "default": true,
      "description": "Log the model's raw text as output when the call or its parsing failed (or always when parsed_fields is false)."},
    "parsed_fields": {"type": "boolean", "default": true,
      "description": "Log the parsed output columns as the output object."},
    "input_columns": {"type": ["array", "null"], "items": {"type": "string"}, "default": null,
      "description": "Input row columns copied into metadata.input_row: null = all columns, [] = none."},
    "tags": {"type": "array", "items": {"type": "string"}, "default": [],
      "description": "Tags added to every logged event."})json";

namespace {

[[noreturn]] void bad(const std::string& section, const std::string& key, const std::string& what) {
  throw std::invalid_argument(section + "." + key + ": " + what);
}

bool get_bool(const json::object& config, const std::string& section, const char* key, bool fallback) {
  const json::value* value = config.if_contains(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_bool()) bad(section, key, "expected true or false");
  return value->get_bool();
}

std::vector<std::string> get_strings(const json::value& value, const std::string& section, const char* key) {
  if (!value.is_array()) bad(section, key, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_string()) bad(section, key, "expected an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

EventOptions parse_event_options(const json::object& config, const std::string& section) {
  EventOptions options;
  if (const json::value* mode = config.if_contains("system_instruction"); mode && !mode->is_null()) {
    std::string text = mode->is_string() ? std::string(mode->get_string()) : std::string();
    if (text == "omit")
      options.system_instruction = SystemInstructionMode::omit;
    else if (text == "hash")
      options.system_instruction = SystemInstructionMode::hash;
    else if (text == "full")
      options.system_instruction = SystemInstructionMode::full;
    else
      bad(section, "system_instruction", "expected \"omit\", \"hash\" or \"full\"");
  }
  options.user_message = get_bool(config, section, "user_message", options.user_message);
  options.raw_answer = get_bool(config, section, "raw_answer", options.raw_answer);
  options.parsed_fields = get_bool(config, section, "parsed_fields", options.parsed_fields);
  if (const json::value* columns = config.if_contains("input_columns"); columns && !columns->is_null()) {
    options.input_columns = get_strings(*columns, section, "input_columns");
  }
  if (const json::value* tags = config.if_contains("tags"); tags && !tags->is_null()) {
    options.tags = get_strings(*tags, section, "tags");
  }
  return options;
}

}  // namespace pipehost::braintrust
