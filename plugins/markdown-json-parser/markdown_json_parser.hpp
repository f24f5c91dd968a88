// The markdown-json-parser Parser stage: model answer text -> JSON object (bare, fenced or in prose) ->
// checked against the response schema -> one typed field per top-level schema property.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipehost/sdk.hpp"
#include "response_schema.hpp"

namespace pipehost::markdown_json {

/// The stage's config section.
struct ParserConfig {
  /// The response schema JSON file (absolute: relative paths resolve against the config folder).
  std::string response_schema_file;
  /// How text sinks (CSV) join the elements of an array value.
  std::string list_separator = "; ";
  bool case_insensitive_enums = false;
};

/// The section's declaration.
ConfigSpec<ParserConfig> config_spec();

/// Answer text -> output fields, without the SDK's stage wrapper (tests and benchmarks use it directly).
/// `parse` keeps no mutable state, so one AnswerParser may serve several threads.
class AnswerParser {
 public:
  AnswerParser(ResponseSchema schema, std::string list_separator, ValidationOptions options);

  /// The output columns: the schema's top-level properties, in the file's order, with their types,
  /// enum values and the list separator text sinks join arrays with.
  const std::vector<Column>& columns() const { return columns_; }
  const ResponseSchema& schema() const { return schema_; }

  /// Fills `fields` (one typed value per column; null for an absent optional property) from `answer`;
  /// returns retry with the reason when the answer holds no object that matches the schema.
  Status parse(std::string_view answer, std::vector<Value>& fields) const;

 private:
  ResponseSchema schema_;
  std::string list_separator_;
  ValidationOptions options_;
  std::vector<Column> columns_;
};

/// Reads a whole file; throws std::runtime_error "<what>: cannot read \"<path>\": <reason>".
std::string read_text_file(const std::string& path, std::string_view what);

class MarkdownJsonParser final : public Parser {
 public:
  /// Reads and checks the response schema file; throws std::runtime_error naming the file and what is
  /// wrong with it.
  MarkdownJsonParser(const StageContext& context, ParserConfig config);

  Status columns(std::vector<Column>& out) override;
  Status parse(std::string_view text, std::vector<Value>& fields) override;

 private:
  AnswerParser parser_;
};

}  // namespace pipehost::markdown_json
