#include "response_schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <boost/json/parser.hpp>

#include "column_text.hpp"
#include "json_extractor.hpp"

namespace pipehost::markdown_json {
namespace {

namespace json = boost::json;

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view view(const json::string& s) {
  return {s.data(), s.size()};
}

/// JSON pointer token escaping (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string pointer_token(std::string_view name) {
  std::string token;
  token.reserve(name.size() + 1);
  token += '/';
  for (char c : name) {
    if (c == '~')
      token += "~0";
    else if (c == '/')
      token += "~1";
    else
      token += c;
  }
  return token;
}

// Keywords that only describe (never restrict) what an answer may be: ignored without a word.
constexpr std::array<std::string_view, 14> kDescriptiveKeywords = {
    "description", "format", "title",    "example",    "examples", "propertyOrdering", "default",
    "$schema",     "$id",    "$comment", "deprecated", "readOnly", "writeOnly",        "x-order"};

/// Reads a schema tree, failing with "<origin>: <pointer>: <what>".
class SchemaReader {
 public:
  SchemaReader(std::string_view origin, std::vector<std::string>& unchecked)
      : origin_(origin), unchecked_(unchecked) {}

  SchemaNode read(const json::value& value, const std::string& pointer) {
    if (!value.is_object())
      fail(pointer, std::string("expected a schema object, got ") + json_kind_name(value));
    const json::object& schema = value.get_object();
    SchemaNode node;
    if (const auto* type = schema.if_contains("type")) read_type(*type, pointer + "/type", node);
    if (const auto* nullable = schema.if_contains("nullable")) {
      if (!nullable->is_bool()) fail(pointer + "/nullable", "expected true or false");
      node.nullable = node.nullable || nullable->get_bool();
    }
    if (const auto* properties = schema.if_contains("properties"))
      read_properties(*properties, pointer + "/properties", node);
    if (const auto* required = schema.if_contains("required"))
      read_required(*required, pointer + "/required", node);
    if (const auto* values = schema.if_contains("enum")) read_enum(*values, pointer + "/enum", node);
    if (const auto* items = schema.if_contains("items"))
      node.items = std::make_unique<SchemaNode>(read(*items, pointer + "/items"));
    if (const auto* min = schema.if_contains("minItems"))
      node.min_items = read_count(*min, pointer + "/minItems");
    if (const auto* max = schema.if_contains("maxItems"))
      node.max_items = read_count(*max, pointer + "/maxItems");
    if (node.min_items && node.max_items && *node.min_items > *node.max_items)
      fail(pointer, "minItems " + std::to_string(*node.min_items) + " is greater than maxItems " +
                        std::to_string(*node.max_items));

    for (const auto& member : schema) {
      const std::string_view key = member.key();
      static constexpr std::array<std::string_view, 8> kChecked = {
          "type", "nullable", "properties", "required", "enum", "items", "minItems", "maxItems"};
      if (std::find(kChecked.begin(), kChecked.end(), key) != kChecked.end()) continue;
      if (std::find(kDescriptiveKeywords.begin(), kDescriptiveKeywords.end(), key) !=
          kDescriptiveKeywords.end())
        continue;
      unchecked_.push_back(pointer + pointer_token(key));
    }
    return node;
  }

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw std::runtime_error(std::string(origin_) + ": " + (pointer.empty() ? "top level" : pointer) + ": " +
                             what);
  }

 private:
  static std::optional<SchemaType> type_named(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, SchemaType>, 7> kTypes = {{
        {"object", SchemaType::object},
        {"string", SchemaType::string},
        {"number", SchemaType::number},
        {"integer", SchemaType::integer},
        {"boolean", SchemaType::boolean},
        {"array", SchemaType::array},
        {"type_unspecified", SchemaType::any},
    }};
    for (const auto& [known, type] : kTypes)
      if (iequals_ascii(name, known)) return type;
    return std::nullopt;
  }

  void read_type(const json::value& value, const std::string& pointer, SchemaNode& node) const {
    static const std::string kExpected = "(expected one of OBJECT, STRING, NUMBER, INTEGER, BOOLEAN, ARRAY)";
    if (value.is_string()) {
      const auto type = type_named(view(value.get_string()));
      if (!type) fail(pointer, "unknown type " + json_excerpt(value) + " " + kExpected);
      node.type = *type;
      return;
    }
    if (!value.is_array()) fail(pointer, "expected a type name or an array of type names");
    // JSON Schema style: ["string", "null"] is a nullable string.
    std::optional<SchemaType> chosen;
    for (std::size_t i = 0; i < value.get_array().size(); ++i) {
      const auto& element = value.get_array()[i];
      const std::string element_pointer = pointer + "/" + std::to_string(i);
      if (!element.is_string()) fail(element_pointer, "expected a type name");
      const std::string_view name = view(element.get_string());
      if (iequals_ascii(name, "null")) {
        node.nullable = true;
        continue;
      }
      const auto type = type_named(name);
      if (!type) fail(element_pointer, "unknown type " + json_excerpt(element) + " " + kExpected);
      if (chosen) fail(pointer, "several non-null types are not supported");
      chosen = type;
    }
    node.type = chosen.value_or(SchemaType::any);
  }

  void read_properties(const json::value& value, const std::string& pointer, SchemaNode& node) {
    if (!value.is_object()) fail(pointer, "expected an object of property schemas");
    for (const auto& member : value.get_object()) {
      SchemaProperty property;
      property.name = member.key();
      property.schema = read(member.value(), pointer + pointer_token(member.key()));
      node.properties.push_back(std::move(property));
    }
  }

  void read_required(const json::value& value, const std::string& pointer, SchemaNode& node) const {
    if (!value.is_array()) fail(pointer, "expected an array of property names");
    for (std::size_t i = 0; i < value.get_array().size(); ++i) {
      const auto& name = value.get_array()[i];
      const std::string element_pointer = pointer + "/" + std::to_string(i);
      if (!name.is_string()) fail(element_pointer, "expected a property name");
      auto it = std::find_if(node.properties.begin(), node.properties.end(),
                             [&](const SchemaProperty& p) { return p.name == view(name.get_string()); });
      if (it == node.properties.end())
        fail(element_pointer, json_excerpt(name) + " is not one of the properties");
      it->required = true;
    }
  }

  void read_enum(const json::value& value, const std::string& pointer, SchemaNode& node) const {
    if (!value.is_array() || value.get_array().empty()) fail(pointer, "expected a non-empty array of values");
    node.enum_text = "[";
    for (const auto& element : value.get_array()) {
      if (node.enum_values.size() > 0) node.enum_text += ", ";
      if (element.is_string())
        node.enum_text += view(element.get_string());
      else
        append_json_text(element, node.enum_text);
      node.enum_values.emplace_back(element);
    }
    node.enum_text += "]";
  }

  /// minItems/maxItems: a non-negative integer; Gemini's own schema type encodes int64 as a string ("3").
  std::uint64_t read_count(const json::value& value, const std::string& pointer) const {
    if (value.is_uint64()) return value.get_uint64();
    if (value.is_int64() && value.get_int64() >= 0) return static_cast<std::uint64_t>(value.get_int64());
    if (value.is_string()) {
      const std::string_view text = view(value.get_string());
      std::uint64_t count = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), count);
      if (!text.empty() && result.ec == std::errc() && result.ptr == text.data() + text.size()) return count;
    }
    fail(pointer, "expected a non-negative integer");
  }

  std::string_view origin_;
  std::vector<std::string>& unchecked_;
};

/// Line and column (1-based) of a byte offset, for schema file parse errors.
std::string line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// A violation found while validating; the pointer is built while the recursion unwinds.
struct Violation {
  std::string pointer;
  std::string what;
};

bool matches_type(const json::value& value, SchemaType type) {
  switch (type) {
    case SchemaType::any:
      return true;
    case SchemaType::object:
      return value.is_object();
    case SchemaType::string:
      return value.is_string();
    case SchemaType::boolean:
      return value.is_bool();
    case SchemaType::array:
      return value.is_array();
    case SchemaType::number:
      return value.is_number();
    case SchemaType::integer:
      if (value.is_int64() || value.is_uint64()) return true;
      // 3.0 is an integer in JSON Schema's data model.
      return value.is_double() && std::isfinite(value.get_double()) &&
             std::trunc(value.get_double()) == value.get_double();
  }
  return false;
}

bool is_non_finite(const json::value& value) {
  return value.is_double() && !std::isfinite(value.get_double());
}

/// An integer-valued number the parser kept exactly: int64, uint64, or a double strictly inside the
/// int64 range (3.0, 1e3). Integer literals that fit are never doubles, so a double at or beyond the
/// bounds came from a literal with more digits than 64 bits hold (-9223372036854775809 rounds to
/// -2^63 exactly).
bool fits_in_64_bits(const json::value& value) {
  if (!value.is_double()) return true;
  double number = value.get_double();
  return number > -9223372036854775808.0 && number < 9223372036854775808.0;
}

/// "/<index>" for an array element. (Not `"/" + std::to_string(i)`: GCC 12 at -O3 flags that with a
/// false -Wrestrict, GCC bug 105651.)
std::string index_token(std::size_t index) {
  std::string token(1, '/');
  token += std::to_string(index);
  return token;
}

std::string item_count(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " item" : " items");
}

bool enum_contains(json::value& value, const SchemaNode& node, const ValidationOptions& options) {
  for (const auto& allowed : node.enum_values) {
    if (allowed == value) return true;
    if (allowed.is_number() && value.is_number() && allowed.to_number<double>() == value.to_number<double>())
      return true;
  }
  if (options.case_insensitive_enums && value.is_string()) {
    for (const auto& allowed : node.enum_values) {
      if (allowed.is_string() && iequals_ascii(view(allowed.get_string()), view(value.get_string()))) {
        value.get_string() = allowed.get_string();  // the schema's spelling goes to the output
        return true;
      }
    }
  }
  return false;
}

bool check(json::value& value, const SchemaNode& node, const ValidationOptions& options,
           Violation& violation);

bool check_object(json::object& object, const SchemaNode& node, const ValidationOptions& options,
                  Violation& violation) {
  for (const auto& property : node.properties) {
    auto it = object.find(property.name);
    if (it == object.end()) {
      if (!property.required) continue;
      violation = {pointer_token(property.name), "missing required property"};
      return false;
    }
    if (!check(it->value(), property.schema, options, violation)) {
      violation.pointer.insert(0, pointer_token(property.name));
      return false;
    }
  }
  return true;
}

bool check_array(json::array& array, const SchemaNode& node, const ValidationOptions& options,
                 Violation& violation) {
  if (node.max_items && array.size() > *node.max_items) {
    violation = {"", item_count(array.size()) + ", at most " + std::to_string(*node.max_items)};
    return false;
  }
  if (node.min_items && array.size() < *node.min_items) {
    violation = {"", item_count(array.size()) + ", at least " + std::to_string(*node.min_items)};
    return false;
  }
  if (!node.items) return true;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!check(array[i], *node.items, options, violation)) {
      violation.pointer.insert(0, index_token(i));
      return false;
    }
  }
  return true;
}

bool check(json::value& value, const SchemaNode& node, const ValidationOptions& options,
           Violation& violation) {
  if (value.is_null() && node.nullable) return true;
  if (!matches_type(value, node.type)) {
    violation = {"", std::string("expected ") + to_string(node.type) + ", got " + json_kind_name(value)};
    return false;
  }
  if ((node.type == SchemaType::number || node.type == SchemaType::integer) && is_non_finite(value)) {
    violation = {"", "number out of range"};
    return false;
  }
  if (node.type == SchemaType::integer && !fits_in_64_bits(value)) {
    // The JSON parser keeps integers exactly only within int64/uint64; beyond, it rounds them to a
    // double. Fail the row rather than write a changed number.
    violation = {"", "integer " + json_excerpt(value) + " does not fit in 64 bits (it would lose digits)"};
    return false;
  }
  if (!node.enum_values.empty() && !enum_contains(value, node, options)) {
    violation = {"", json_excerpt(value) + " is not one of " + node.enum_text};
    return false;
  }
  if (value.is_object()) return check_object(value.get_object(), node, options, violation);
  if (value.is_array()) return check_array(value.get_array(), node, options, violation);
  return true;
}

}  // namespace

const char* to_string(SchemaType type) {
  switch (type) {
    case SchemaType::any:
      return "any";
    case SchemaType::object:
      return "object";
    case SchemaType::string:
      return "string";
    case SchemaType::number:
      return "number";
    case SchemaType::integer:
      return "integer";
    case SchemaType::boolean:
      return "boolean";
    case SchemaType::array:
      return "array";
  }
  return "unknown";
}

ResponseSchema ResponseSchema::parse(std::string_view json_text, std::string_view origin) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (json_text.substr(0, kUtf8Bom.size()) == kUtf8Bom) json_text.remove_prefix(kUtf8Bom.size());
  json::parser parser;
  json::error_code ec;
  const std::size_t consumed = parser.write(json_text.data(), json_text.size(), ec);
  if (ec)
    throw std::runtime_error(std::string(origin) + ": invalid JSON at " +
                             line_and_column(json_text, consumed) + ": " + ec.message());
  const json::value document = parser.release();

  ResponseSchema schema;
  SchemaReader reader(origin, schema.unchecked_);
  schema.root_ = reader.read(document, "");
  const bool object_root = schema.root_.type == SchemaType::object || schema.root_.type == SchemaType::any;
  if (!object_root || schema.root_.properties.empty())
    reader.fail("", "the response schema must be an object with properties (one output column each)");
  return schema;
}

std::string ResponseSchema::validate(boost::json::object& answer, const ValidationOptions& options) const {
  Violation violation;
  if (check_object(answer, root_, options, violation)) return {};
  return violation.pointer + ": " + violation.what;
}

}  // namespace pipehost::markdown_json
