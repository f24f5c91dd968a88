// What kind of values each output column holds, read from the request's response schema: Gemini's
// OpenAPI subset ("type": "STRING", "enum", "items") or the same keywords in lower-case JSON Schema
// style (also "type": ["string", "null"]).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/report_data.hpp"

namespace pipehost::report {

struct ColumnShape {
  std::string name;
  ChartKind kind = ChartKind::top_values;
  /// "enum", "array of enum", "boolean", "number", "integer", "text", "array of text", "object", ...
  std::string type;
  /// The allowed values of an enum (or of an array's items).
  std::vector<std::string> values;
  /// The column holds a list joined with the parser's list separator.
  bool list = false;
  bool integers = false;
};

/// The shape of each of `columns` (the parser's output columns): from the schema property of the same
/// name, or free text when the schema has none (or cannot be read).
std::vector<ColumnShape> column_shapes(std::string_view response_schema_json,
                                       const std::vector<std::string>& columns);

}  // namespace pipehost::report
