#include "report/response_shape.hpp"

#include <algorithm>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/json.hpp>

namespace pipehost::report {

namespace json = boost::json;

namespace {

/// The node's type in lower case; for ["string", "null"] the type that is not null.
std::string type_of(const json::object& node) {
  const auto* type = node.if_contains("type");
  if (!type) return node.contains("enum") ? "string" : "";
  auto lower = [](const json::string& text) { return boost::algorithm::to_lower_copy(std::string(text)); };
  if (type->is_string()) return lower(type->get_string());
  if (type->is_array())
    for (const auto& t : type->get_array())
      if (t.is_string() && lower(t.get_string()) != "null") return lower(t.get_string());
  return "";
}

std::vector<std::string> enum_values(const json::object& node) {
  std::vector<std::string> out;
  const auto* values = node.if_contains("enum");
  if (!values || !values->is_array()) return out;
  for (const auto& v : values->get_array()) {
    if (v.is_null()) continue;  // a nullable enum's null is an empty column, not a value
    out.push_back(v.is_string() ? std::string(v.get_string()) : json::serialize(v));
  }
  return out;
}

ColumnShape shape_of(const std::string& name, const json::object& node) {
  ColumnShape shape;
  shape.name = name;
  auto type = type_of(node);
  auto values = enum_values(node);
  if (!values.empty()) {
    shape.kind = ChartKind::categories;
    shape.type = "enum";
    shape.values = std::move(values);
  } else if (type == "boolean") {
    shape.kind = ChartKind::split;
    shape.type = "boolean";
    shape.values = {"true", "false"};
  } else if (type == "number" || type == "integer") {
    shape.kind = ChartKind::histogram;
    shape.type = type;
    shape.integers = type == "integer";
  } else if (type == "object") {
    shape.kind = ChartKind::none;
    shape.type = "object";
  } else if (type == "array") {
    const auto* items = node.if_contains("items");
    json::object item = items && items->is_object() ? items->get_object() : json::object();
    auto item_type = type_of(item);
    auto item_values = enum_values(item);
    shape.list = true;
    if (!item_values.empty()) {
      shape.kind = ChartKind::categories;
      shape.type = "array of enum";
      shape.values = std::move(item_values);
    } else if (item_type == "object" || item_type == "array") {
      shape.kind = ChartKind::none;
      shape.type = "array of " + item_type + "s";
      shape.list = false;
    } else {
      shape.kind = ChartKind::top_values;
      shape.type =
          item_type.empty() || item_type == "string" ? "array of text" : "array of " + item_type + "s";
    }
  } else {
    shape.kind = ChartKind::top_values;
    shape.type = "text";
  }
  return shape;
}

}  // namespace

std::vector<ColumnShape> column_shapes(std::string_view response_schema_json,
                                       const std::vector<std::string>& columns) {
  json::object properties;
  try {
    auto schema = json::parse(response_schema_json);
    if (const auto* p = schema.is_object() ? schema.get_object().if_contains("properties") : nullptr;
        p && p->is_object())
      properties = p->get_object();
  } catch (const std::exception&) {
    // No readable schema: every column is charted as free text.
  }
  std::vector<ColumnShape> out;
  for (const auto& column : columns) {
    const auto* node = properties.if_contains(column);
    if (node && node->is_object()) {
      out.push_back(shape_of(column, node->get_object()));
    } else {
      ColumnShape text;
      text.name = column;
      text.type = "text";
      out.push_back(std::move(text));
    }
  }
  return out;
}

}  // namespace pipehost::report
