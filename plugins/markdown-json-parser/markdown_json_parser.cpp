#include "markdown_json_parser.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "column_text.hpp"
#include "json_extractor.hpp"

namespace pipehost::markdown_json {
namespace {

namespace json = boost::json;

std::string resolve_path(std::string_view path, std::string_view config_dir) {
  std::filesystem::path p{std::string(path)};
  if (p.is_relative() && !config_dir.empty()) p = std::filesystem::path(std::string(config_dir)) / p;
  return p.lexically_normal().string();
}

std::vector<Column> columns_of(const ResponseSchema& schema, const std::string& list_separator) {
  std::vector<Column> columns;
  for (const auto& property : schema.properties()) {
    Column column;
    column.name = property.name;
    const SchemaNode& node = property.schema;
    if (node.type != SchemaType::any) column.type = to_string(node.type);
    // An enum's values, or an array of enum's item values: what a report can count.
    const SchemaNode* values = node.enum_values.empty() && node.items ? node.items.get() : &node;
    for (const auto& value : values->enum_values)
      if (value.is_string()) column.enum_values.emplace_back(value.get_string());
    column.list_separator = list_separator;
    columns.push_back(std::move(column));
  }
  return columns;
}

}  // namespace

const char* const MarkdownJsonParser::kConfigSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["response_schema_file"],
  "properties": {
    "response_schema_file": {
      "type": "string", "format": "path",
      "description": "JSON file with the response schema (Gemini OpenAPI subset or JSON Schema style); its top-level properties become the output columns, in file order"
    },
    "list_separator": {
      "type": "string", "default": "; ",
      "description": "How text outputs (CSV) join the elements of an array value; JSON outputs keep arrays"
    },
    "case_insensitive_enums": {
      "type": "boolean", "default": false,
      "description": "Accept enum values in any letter case, written out in the schema's spelling"
    }
  }
})";

ParserSettings ParserSettings::from_config(std::string_view config_json, std::string_view config_dir) {
  json::error_code ec;
  const json::value config = json::parse(config_json, ec);
  if (ec) throw std::runtime_error("config is not valid JSON: " + ec.message());
  if (!config.is_object()) throw std::runtime_error("config must be a JSON object");

  ParserSettings settings;
  bool have_schema = false;
  for (const auto& member : config.get_object()) {
    const std::string_view key = member.key();
    const json::value& value = member.value();
    if (key == "response_schema_file") {
      if (!value.is_string() || value.get_string().empty())
        throw std::runtime_error("response_schema_file: expected a file path");
      settings.response_schema_file = resolve_path(value.get_string(), config_dir);
      have_schema = true;
    } else if (key == "list_separator") {
      if (!value.is_string()) throw std::runtime_error("list_separator: expected a string");
      settings.list_separator = value.get_string();
    } else if (key == "case_insensitive_enums") {
      if (!value.is_bool()) throw std::runtime_error("case_insensitive_enums: expected true or false");
      settings.case_insensitive_enums = value.get_bool();
    } else {
      throw std::runtime_error("unknown key \"" + std::string(key) +
                               "\" (expected response_schema_file, list_separator, case_insensitive_enums)");
    }
  }
  if (!have_schema) throw std::runtime_error("response_schema_file: missing required key");
  return settings;
}

std::string read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(std::string(what) + ": cannot read \"" + path + "\": " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error(std::string(what) + ": error reading \"" + path + "\"");
  return std::move(content).str();
}

AnswerParser::AnswerParser(ResponseSchema schema, std::string list_separator, ValidationOptions options)
    : schema_(std::move(schema)),
      list_separator_(std::move(list_separator)),
      options_(options),
      columns_(columns_of(schema_, list_separator_)) {}

Status AnswerParser::parse(std::string_view answer, std::vector<Value>& fields) const {
  // The parsed tree lives in a stack buffer: a 1-2 KB answer needs a few KB, so the hot path does not
  // touch the heap for it (larger answers spill over to the default allocator).
  alignas(std::max_align_t) unsigned char buffer[16 * 1024];
  json::monotonic_resource resource(buffer, sizeof buffer);

  const ObjectCheck check = [this](json::object& object) { return schema_.validate(object, options_); };
  const Extraction found = extract_json_object(answer, check, json::storage_ptr(&resource));
  if (!found.ok) return Status::retry(found.error);

  const json::object& object = found.value.get_object();
  const auto& properties = schema_.properties();
  fields.resize(properties.size());
  for (std::size_t i = 0; i < properties.size(); ++i) {
    const json::value* value = object.if_contains(properties[i].name);
    fields[i] = value ? to_value(*value) : Value();
  }
  return Status::ok();
}

namespace {

AnswerParser make_answer_parser(const StageContext& context) {
  const ParserSettings settings = ParserSettings::from_config(context.config_json, context.config_dir);
  const std::string schema_text = read_text_file(settings.response_schema_file, "response_schema_file");
  ResponseSchema schema = ResponseSchema::parse(schema_text, settings.response_schema_file);
  for (const auto& keyword : schema.unchecked_keywords())
    context.host.log(LogLevel::warn, "response schema " + settings.response_schema_file + ": " + keyword +
                                         " is not checked by markdown-json-parser");
  return AnswerParser(std::move(schema), settings.list_separator,
                      ValidationOptions{.case_insensitive_enums = settings.case_insensitive_enums});
}

}  // namespace

MarkdownJsonParser::MarkdownJsonParser(const StageContext& context) : parser_(make_answer_parser(context)) {}

Status MarkdownJsonParser::columns(std::vector<Column>& out) {
  out = parser_.columns();
  return Status::ok();
}

Status MarkdownJsonParser::parse(std::string_view text, std::vector<Value>& fields) {
  return parser_.parse(text, fields);
}

}  // namespace pipehost::markdown_json
