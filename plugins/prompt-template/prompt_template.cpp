#include "prompt_template.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace pipehost::prompt_template {
namespace {

namespace json = boost::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string resolve_path(std::string_view path, std::string_view config_dir) {
  std::filesystem::path p{std::string(path)};
  if (p.is_relative() && !config_dir.empty()) p = std::filesystem::path(std::string(config_dir)) / p;
  return p.lexically_normal().string();
}

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::runtime_error(key + ": " + what);
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& known) {
  std::string message = "unknown key \"" + std::string(key) + "\"";
  const std::string suggestion = closest_match(key, known);
  if (!suggestion.empty()) message += " (did you mean \"" + suggestion + "\"?)";
  message += "; expected one of: ";
  for (std::size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
  return message;
}

std::string path_setting(const json::value& value, const std::string& key, std::string_view config_dir) {
  if (!value.is_string() || value.get_string().empty()) fail(key, "expected a file path");
  return resolve_path(value.get_string(), config_dir);
}

std::string format_number(double number) {
  std::ostringstream out;
  out << number;
  return out.str();
}

double number_setting(const json::value& value, const std::string& key, double min, double max) {
  if (!value.is_number())
    fail(key, "expected a number from " + format_number(min) + " to " + format_number(max));
  const double number = value.to_number<double>();
  if (!(number >= min && number <= max))
    fail(key, "expected a number from " + format_number(min) + " to " + format_number(max) + ", got " +
                  format_number(number));
  return number;
}

std::int64_t integer_setting(const json::value& value, const std::string& key, std::int64_t min) {
  std::int64_t integer = 0;
  if (value.is_int64())
    integer = value.get_int64();
  else if (value.is_double() && std::trunc(value.get_double()) == value.get_double() &&
           std::abs(value.get_double()) < 9e15)
    integer = static_cast<std::int64_t>(value.get_double());
  else
    fail(key, "expected an integer");
  if (integer < min)
    fail(key, "expected an integer of at least " + std::to_string(min) + ", got " + std::to_string(integer));
  return integer;
}

void read_generation(const json::value& value, GenerationSettings& generation) {
  if (!value.is_object()) fail("generation", "expected an object");
  static const std::vector<std::string> kKeys = {"temperature",       "top_p", "top_k",
                                                 "max_output_tokens", "seed",  "thinking_budget"};
  for (const auto& member : value.get_object()) {
    const std::string key(member.key());
    const std::string name = "generation." + key;
    if (key == "temperature")
      generation.temperature = number_setting(member.value(), name, 0, 2);
    else if (key == "top_p")
      generation.top_p = number_setting(member.value(), name, 0, 1);
    else if (key == "top_k")
      generation.top_k = integer_setting(member.value(), name, 1);
    else if (key == "max_output_tokens")
      generation.max_output_tokens = integer_setting(member.value(), name, 1);
    else if (key == "seed")
      generation.seed = integer_setting(member.value(), name, INT64_MIN);
    // -1 asks Gemini for a dynamic budget; 0 turns thinking off where the model allows it.
    else if (key == "thinking_budget")
      generation.thinking_budget = integer_setting(member.value(), name, -1);
    else
      fail("generation", unknown_key_message(key, kKeys));
  }
}

void read_tools(const json::value& value, std::vector<std::string>& tools) {
  if (!value.is_array()) fail("tools", "expected an array of tool names");
  for (const auto& tool : value.get_array()) {
    if (!tool.is_string() || tool.get_string() != "web_search")
      fail("tools", "unknown tool " + json::serialize(tool) + " (supported: web_search)");
    const std::string name(tool.get_string());
    if (std::find(tools.begin(), tools.end(), name) == tools.end()) tools.push_back(name);
  }
}

}  // namespace

const char* const PromptTemplate::kConfigSchema = R"schema({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "system_file": {
      "type": "string", "format": "path",
      "description": "Text or markdown file sent as the system instruction of every request"
    },
    "user_template": {
      "type": "string",
      "description": "User message with {{column}} placeholders; {{column | json}} inserts the value as JSON (a string quoted). Give this or user_template_file"
    },
    "user_template_file": {
      "type": "string", "format": "path",
      "description": "File holding the user message template (same syntax as user_template)"
    },
    "response_schema_file": {
      "type": "string", "format": "path",
      "description": "JSON file with the response schema: JSON Schema (or the OpenAPI dialect of Gemini's responseSchema: upper-case types, propertyOrdering, nullable), sent to the provider in its own dialect; also sets response_mime_type to application/json"
    },
    "response_mime_type": {
      "type": "string",
      "description": "Overrides the response MIME type (default: application/json with a schema, provider default without)"
    },
    "generation": {
      "type": "object",
      "additionalProperties": false,
      "description": "Sampling settings; unset ones use the provider's defaults",
      "properties": {
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "top_k": {"type": "integer", "minimum": 1},
        "max_output_tokens": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer"},
        "thinking_budget": {"type": "integer", "minimum": -1,
                            "description": "Thinking tokens; 0 disables thinking, -1 lets the model decide"}
      }
    },
    "tools": {
      "type": "array",
      "items": {"type": "string", "enum": ["web_search"]},
      "description": "Provider-neutral tools to enable"
    },
    "extra": {
      "type": "object",
      "description": "Provider-specific request fields, passed through unchanged"
    }
  }
})schema";

PromptSettings PromptSettings::from_config(std::string_view config_json, std::string_view config_dir) {
  json::error_code ec;
  const json::value config = json::parse(config_json, ec);
  if (ec) throw std::runtime_error("config is not valid JSON: " + ec.message());
  if (!config.is_object()) throw std::runtime_error("config must be a JSON object");

  static const std::vector<std::string> kKeys = {"system_file",
                                                 "user_template",
                                                 "user_template_file",
                                                 "response_schema_file",
                                                 "response_mime_type",
                                                 "generation",
                                                 "tools",
                                                 "extra"};
  PromptSettings settings;
  for (const auto& member : config.get_object()) {
    const std::string key(member.key());
    const json::value& value = member.value();
    if (key == "system_file") {
      settings.system_file = path_setting(value, key, config_dir);
    } else if (key == "user_template") {
      if (!value.is_string()) fail(key, "expected a string");
      settings.user_template = std::string(value.get_string());
    } else if (key == "user_template_file") {
      settings.user_template_file = path_setting(value, key, config_dir);
    } else if (key == "response_schema_file") {
      settings.response_schema_file = path_setting(value, key, config_dir);
    } else if (key == "response_mime_type") {
      if (!value.is_string() || value.get_string().empty()) fail(key, "expected a MIME type");
      settings.response_mime_type = std::string(value.get_string());
    } else if (key == "generation") {
      read_generation(value, settings.generation);
    } else if (key == "tools") {
      read_tools(value, settings.tools);
    } else if (key == "extra") {
      if (!value.is_object()) fail(key, "expected an object");
      settings.extra_json = json::serialize(value);
    } else {
      throw std::runtime_error(unknown_key_message(key, kKeys));
    }
  }
  if (settings.user_template && !settings.user_template_file.empty())
    throw std::runtime_error("user_template and user_template_file both given; use one of them");
  if (!settings.user_template && settings.user_template_file.empty())
    throw std::runtime_error("user_template or user_template_file is required");
  return settings;
}

std::string read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(std::string(what) + ": cannot read \"" + path + "\": " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error(std::string(what) + ": error reading \"" + path + "\"");
  std::string text = std::move(content).str();
  if (std::string_view(text).substr(0, kUtf8Bom.size()) == kUtf8Bom) text.erase(0, kUtf8Bom.size());
  return text;
}

namespace {

UserTemplate load_template(const PromptSettings& settings) {
  if (settings.user_template) return UserTemplate::compile(*settings.user_template, "user_template");
  return UserTemplate::compile(read_text_file(settings.user_template_file, "user_template_file"),
                               settings.user_template_file);
}

/// A response schema in JSON Schema's words, whatever dialect the file uses: type names lower case
/// ("STRING" → "string"), `nullable: true` → a "null" type, `properties` in `propertyOrdering` order
/// (which then goes: the order of `properties` is the column order). Providers convert it to theirs.
json::value to_json_schema(const json::value& schema) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& item : schema.get_array()) out.push_back(to_json_schema(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  const auto& in = schema.get_object();
  auto lower = [](json::value type) {
    if (type.is_string()) {
      std::string name(type.get_string());
      for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      return json::value(name);
    }
    return type;
  };
  json::object out;
  for (const auto& [key, value] : in) {
    if (key == "propertyOrdering" || key == "nullable") continue;
    if (key == "type") {
      json::value type = value.is_array() ? json::value(json::array{}) : lower(value);
      if (value.is_array())
        for (const auto& t : value.get_array()) type.get_array().push_back(lower(t));
      const auto* nullable = in.if_contains("nullable");
      if (nullable && nullable->is_bool() && nullable->get_bool() && type.is_string())
        type = json::array{type, "null"};
      out["type"] = type;
    } else if (key == "properties" && value.is_object()) {
      json::object properties;
      if (const auto* order = in.if_contains("propertyOrdering"); order && order->is_array())
        for (const auto& name : order->get_array())
          if (name.is_string())
            if (const auto* p = value.get_object().if_contains(name.get_string()))
              properties[name.get_string()] = to_json_schema(*p);
      for (const auto& [name, property] : value.get_object())
        if (!properties.contains(name)) properties[name] = to_json_schema(property);
      out["properties"] = std::move(properties);
    } else if (key == "items" || key == "anyOf" || key == "oneOf" || key == "allOf") {
      out[key] = to_json_schema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/// The response schema as compact JSON Schema (the provider embeds it in every request line).
std::shared_ptr<const std::string> load_response_schema(const std::string& path) {
  const std::string text = read_text_file(path, "response_schema_file");
  json::error_code ec;
  const json::value schema = json::parse(text, ec);
  if (ec)
    throw std::runtime_error("response_schema_file: \"" + path + "\" is not valid JSON: " + ec.message());
  if (!schema.is_object())
    throw std::runtime_error("response_schema_file: \"" + path + "\" must hold a JSON object");
  return std::make_shared<const std::string>(json::serialize(to_json_schema(schema)));
}

}  // namespace

PromptTemplate::PromptTemplate(const StageContext& context) {
  PromptSettings settings = PromptSettings::from_config(context.config_json, context.config_dir);
  if (!settings.system_file.empty())
    system_instruction_ =
        std::make_shared<const std::string>(read_text_file(settings.system_file, "system_file"));
  user_template_ = load_template(settings);
  generation_ = std::move(settings.generation);
  if (!settings.response_schema_file.empty()) {
    generation_.response_schema_json = load_response_schema(settings.response_schema_file);
    generation_.response_mime_type = "application/json";
  }
  if (settings.response_mime_type) generation_.response_mime_type = *settings.response_mime_type;
  tools_ = std::move(settings.tools);
  extra_json_ = std::move(settings.extra_json);
}

Status PromptTemplate::bind(const std::vector<std::string>& columns) {
  user_template_.bind(columns);
  return Status::ok();
}

Status PromptTemplate::build(const Row& row, Request& request) {
  request.key = row.key;
  request.system_instruction = system_instruction_;
  request.user_parts.resize(1);
  request.user_parts[0].clear();
  try {
    user_template_.render(row.values, request.user_parts[0]);
  } catch (const std::runtime_error& e) {
    return Status::fatal("row " + row.key + (row.line ? " (line " + std::to_string(row.line) + ")" : "") +
                         ": " + e.what());
  }
  request.generation = generation_;
  request.tools = tools_;
  request.extra_json = extra_json_;
  return Status::ok();
}

}  // namespace pipehost::prompt_template
