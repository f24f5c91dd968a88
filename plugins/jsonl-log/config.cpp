#include "config.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace pipehost::jsonl_log {

namespace json = boost::json;

namespace {
constexpr const char* kSection = "jsonl-log";
}

const std::string& config_schema() {
  static const std::string schema = std::string(R"json({
  "type": "object",
  "description": "Appends one BrainTrust-shaped event per model call to a local JSON Lines file.",
  "properties": {
    "path": {"type": "string", "format": "path",
      "description": "The JSONL file (appended to; created with its parent folders)."},)json") +
                                    braintrust::kEventOptionsSchemaProperties + R"json(
  },
  "required": ["path"],
  "additionalProperties": false
})json";
  return schema;
}

JsonlLogConfig parse_config(const std::string& config_json) {
  boost::system::error_code ec;
  json::value parsed = json::parse(config_json, ec);
  if (ec || !parsed.is_object())
    throw std::invalid_argument(std::string(kSection) + ": config is not a JSON object");
  const json::object& config = parsed.get_object();
  static const char* const kKnown[] = {"path",          "system_instruction", "user_message", "raw_answer",
                                       "parsed_fields", "input_columns",      "tags"};
  for (const auto& member : config) {
    bool known = false;
    for (const char* name : kKnown) known = known || member.key() == name;
    if (!known)
      throw std::invalid_argument(std::string(kSection) + "." + std::string(member.key()) +
                                  ": unknown option");
  }
  JsonlLogConfig out;
  const json::value* path = config.if_contains("path");
  if (!path || !path->is_string() || path->get_string().empty())
    throw std::invalid_argument(std::string(kSection) + ".path: required (the JSONL file to write)");
  out.path = std::string(path->get_string());
  out.events = braintrust::parse_event_options(config, kSection);
  return out;
}

}  // namespace pipehost::jsonl_log
