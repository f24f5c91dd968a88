#include "markdown_json_parser.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/monotonic_resource.hpp>

#include "column_text.hpp"
#include "json_extractor.hpp"

namespace pipehost::markdown_json {
namespace {

namespace json = boost::json;

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

ConfigSpec<ParserConfig> config_spec() {
  ConfigSpec<ParserConfig> spec;
  spec.add("response_schema_file", &ParserConfig::response_schema_file,
           "JSON file with the response schema (Gemini OpenAPI subset or JSON Schema style); its top-level "
           "properties become the output columns, in file order")
      .required()
      .path();
  spec.add("list_separator", &ParserConfig::list_separator,
           "How text outputs (CSV) join the elements of an array value; JSON outputs keep arrays");
  spec.add("case_insensitive_enums", &ParserConfig::case_insensitive_enums,
           "Accept enum values in any letter case, written out in the schema's spelling");
  return spec;
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

AnswerParser make_answer_parser(const StageContext& context, const ParserConfig& config) {
  if (config.response_schema_file.empty())
    throw std::runtime_error("response_schema_file: expected a file path");
  const std::string schema_text = read_text_file(config.response_schema_file, "response_schema_file");
  ResponseSchema schema = ResponseSchema::parse(schema_text, config.response_schema_file);
  for (const auto& keyword : schema.unchecked_keywords())
    context.host.log(LogLevel::warn, "response schema " + config.response_schema_file + ": " + keyword +
                                         " is not checked by markdown-json-parser");
  return AnswerParser(std::move(schema), config.list_separator,
                      ValidationOptions{.case_insensitive_enums = config.case_insensitive_enums});
}

}  // namespace

MarkdownJsonParser::MarkdownJsonParser(const StageContext& context, ParserConfig config)
    : parser_(make_answer_parser(context, config)) {}

Status MarkdownJsonParser::columns(std::vector<Column>& out) {
  out = parser_.columns();
  return Status::ok();
}

Status MarkdownJsonParser::parse(std::string_view text, std::vector<Value>& fields) try {
  return parser_.parse(text, fields);
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

}  // namespace pipehost::markdown_json
