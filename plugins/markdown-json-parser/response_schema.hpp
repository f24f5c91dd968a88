// The response schema an answer must match: the OpenAPI subset Gemini takes as `responseSchema`
// (type names in upper case: OBJECT, STRING, ...) or the same keywords in lower-case JSON Schema style.
//
// Checked keywords: type (object, string, number, integer, boolean, array; JSON Schema's ["string",
// "null"] form too), properties, required, enum, items, minItems, maxItems, nullable. Descriptive
// keywords (description, format, title, example, propertyOrdering, ...) are ignored; validation keywords
// outside the subset (anyOf, pattern, minimum, ...) are ignored too, and listed in `unchecked_keywords()`
// so the stage can warn about them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace pipehost::markdown_json {

enum class SchemaType : std::uint8_t { any, object, string, number, integer, boolean, array };

/// Lower-case name of a schema type ("string", ...; "any" for an untyped node).
const char* to_string(SchemaType type);

struct SchemaProperty;

/// One node of the schema tree.
struct SchemaNode {
  SchemaType type = SchemaType::any;
  bool nullable = false;
  /// Object properties, in the schema file's order.
  std::vector<SchemaProperty> properties;
  /// Allowed values (any JSON values; Gemini only allows strings). Empty: no restriction.
  std::vector<boost::json::value> enum_values;
  /// The allowed values as shown in errors: "[High, Medium, Low]".
  std::string enum_text;
  /// Schema of array elements, if given.
  std::unique_ptr<SchemaNode> items;
  std::optional<std::uint64_t> min_items;
  std::optional<std::uint64_t> max_items;
};

struct SchemaProperty {
  std::string name;
  bool required = false;
  SchemaNode schema;
};

struct ValidationOptions {
  /// Accept enum strings in any ASCII case, rewriting them to the schema's spelling.
  bool case_insensitive_enums = false;
};

class ResponseSchema {
 public:
  /// Parses schema JSON text. `origin` (e.g. the file path) prefixes every error. Throws
  /// std::runtime_error: "<origin>: <JSON pointer>: <what>". The top level must be an object schema with
  /// at least one property (those properties become the output columns).
  static ResponseSchema parse(std::string_view json_text, std::string_view origin);

  /// The top-level properties, in order: one output column each.
  const std::vector<SchemaProperty>& properties() const { return root_.properties; }
  const SchemaNode& root() const { return root_; }

  /// JSON pointers of keywords present in the schema that this validator does not check.
  const std::vector<std::string>& unchecked_keywords() const { return unchecked_; }

  /// Checks an answer object. Returns an empty string when it matches, else "<pointer>: <what>" for the
  /// first violation, e.g. `/energy: "Very High" is not one of [High, Medium, Low]`. With
  /// case-insensitive enums, matching strings are rewritten to the schema's spelling.
  std::string validate(boost::json::object& answer, const ValidationOptions& options) const;

 private:
  SchemaNode root_;
  std::vector<std::string> unchecked_;
};

}  // namespace pipehost::markdown_json
