#include "prompt_template.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace pipehost::prompt_template {
namespace json = boost::json;

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

ConfigSpec<PromptConfig> config_spec() {
  ConfigSpec<GenerationConfig> generation;
  generation.add("temperature", &GenerationConfig::temperature).minimum(0).maximum(2).not_null();
  generation.add("top_p", &GenerationConfig::top_p).minimum(0).maximum(1).not_null();
  generation.add("top_k", &GenerationConfig::top_k).minimum(1).not_null();
  generation.add("max_output_tokens", &GenerationConfig::max_output_tokens).minimum(1).not_null();
  generation.add("seed", &GenerationConfig::seed).not_null();
  generation
      .add("thinking_budget", &GenerationConfig::thinking_budget,
           "Thinking tokens; 0 disables thinking, -1 lets the model decide")
      .minimum(-1)
      .not_null();

  ConfigSpec<PromptConfig> spec;
  spec.add("system_file", &PromptConfig::system_file,
           "Text or markdown file sent as the system instruction of every request")
      .path()
      .not_null();
  spec.add("user_template", &PromptConfig::user_template,
           "User message with {{column}} placeholders; {{column | json}} inserts the value as JSON (a string "
           "quoted). Give this or user_template_file")
      .not_null();
  spec.add("user_template_file", &PromptConfig::user_template_file,
           "File holding the user message template (same syntax as user_template)")
      .path()
      .not_null();
  spec.add(
          "response_schema_file", &PromptConfig::response_schema_file,
          "JSON file with the response schema: JSON Schema (or the OpenAPI dialect of Gemini's "
          "responseSchema: "
          "upper-case types, propertyOrdering, nullable), sent to the provider in its own dialect; also sets "
          "response_mime_type to application/json")
      .path()
      .not_null();
  spec.add("response_mime_type", &PromptConfig::response_mime_type,
           "Overrides the response MIME type (default: application/json with a schema, provider default "
           "without)")
      .not_null();
  spec.add("generation", &PromptConfig::generation, generation,
           "Sampling settings (temperature 0-2, top_p 0-1, top_k, max_output_tokens, seed, thinking_budget); "
           "unset ones use the provider's defaults");
  spec.add("tools", &PromptConfig::tools, "Provider-neutral tools to enable (\"web_search\")")
      .one_of({"web_search"});
  spec.add("extra", &PromptConfig::extra, "Provider-specific request fields, passed through unchanged");
  return spec;
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

namespace {

/// The rules a schema cannot say.
void check_config(const PromptConfig& config) {
  for (const auto& [key, path] : {std::pair{"system_file", &config.system_file},
                                  std::pair{"user_template_file", &config.user_template_file},
                                  std::pair{"response_schema_file", &config.response_schema_file}})
    if (*path && (*path)->empty()) throw std::runtime_error(std::string(key) + ": expected a file path");
  if (config.response_mime_type && config.response_mime_type->empty())
    throw std::runtime_error("response_mime_type: expected a MIME type");
  if (config.user_template && config.user_template_file)
    throw std::runtime_error("user_template and user_template_file both given; use one of them");
  if (!config.user_template && !config.user_template_file)
    throw std::runtime_error("user_template or user_template_file is required");
}

GenerationSettings generation_settings(const GenerationConfig& config) {
  GenerationSettings settings;
  settings.temperature = config.temperature;
  settings.top_p = config.top_p;
  settings.top_k = config.top_k;
  settings.max_output_tokens = config.max_output_tokens;
  settings.seed = config.seed;
  settings.thinking_budget = config.thinking_budget;
  return settings;
}

}  // namespace

PromptTemplate::PromptTemplate(const StageContext&, PromptConfig config) {
  check_config(config);
  if (config.system_file)
    system_instruction_ =
        std::make_shared<const std::string>(read_text_file(*config.system_file, "system_file"));
  user_template_ =
      config.user_template
          ? UserTemplate::compile(*config.user_template, "user_template")
          : UserTemplate::compile(read_text_file(*config.user_template_file, "user_template_file"),
                                  *config.user_template_file);
  generation_ = generation_settings(config.generation);
  if (config.response_schema_file) {
    generation_.response_schema_json = load_response_schema(*config.response_schema_file);
    generation_.response_mime_type = "application/json";
  }
  if (config.response_mime_type) generation_.response_mime_type = *config.response_mime_type;
  // The same tool twice is one tool.
  for (const auto& tool : config.tools)
    if (std::find(tools_.begin(), tools_.end(), tool) == tools_.end()) tools_.push_back(tool);
  if (!config.extra.is_null()) extra_json_ = to_json(config.extra);
}

Status PromptTemplate::bind(const std::vector<std::string>& columns) try {
  user_template_.bind(columns);
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status PromptTemplate::build(const Row& row, Request& request) {
  request.key = row.key;
  request.system_instruction = system_instruction_;
  request.user_parts.resize(1);
  request.user_parts[0].clear();
  try {
    user_template_.render(row.values, request.user_parts[0]);
  } catch (const std::exception& e) {
    return Status::fatal("row " + row.key + (row.line ? " (line " + std::to_string(row.line) + ")" : "") +
                         ": " + e.what());
  }
  request.generation = generation_;
  request.tools = tools_;
  request.extra_json = extra_json_;
  return Status::ok();
}

}  // namespace pipehost::prompt_template
