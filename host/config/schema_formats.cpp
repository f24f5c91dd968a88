#include "config/schema_formats.hpp"

#include "config/json_text.hpp"

namespace pipehost::config {

namespace json = boost::json;

namespace {

bool has_format(const json::object& schema, std::string_view format) {
  const auto* f = schema.if_contains("format");
  return f && f->is_string() && f->get_string() == format;
}

void collect(const json::value& schema, const json::value& value, const std::string& pointer,
             std::string_view format, std::vector<FormattedValue>& out) {
  if (!schema.is_object()) return;
  const auto& s = schema.get_object();
  if (value.is_string() && has_format(s, format)) {
    out.push_back({pointer, std::string(value.get_string()), false});
    return;
  }
  // anyOf alternatives: a value matches at most one of the forms the host validated it against;
  // looking through all of them finds the one that carries the format.
  if (const auto* any_of = s.if_contains("anyOf"); any_of && any_of->is_array())
    for (const auto& alternative : any_of->get_array()) collect(alternative, value, pointer, format, out);
  if (value.is_array()) {
    if (const auto* items = s.if_contains("items")) {
      const auto& array = value.get_array();
      for (std::size_t i = 0; i < array.size(); ++i)
        collect(*items, array[i], pointer + "/" + std::to_string(i), format, out);
    }
    return;
  }
  if (!value.is_object()) return;
  const auto& object = value.get_object();
  const auto* properties = s.if_contains("properties");
  if (properties && properties->is_object()) {
    for (const auto& [key, property] : properties->get_object()) {
      std::string member = pointer + "/" + pointer_token(key);
      if (const auto* given = object.if_contains(key)) {
        collect(property, *given, member, format, out);
      } else if (property.is_object() && has_format(property.get_object(), format)) {
        const auto* fallback = property.get_object().if_contains("default");
        if (fallback && fallback->is_string())
          out.push_back({member, std::string(fallback->get_string()), true});
      }
    }
  }
  if (const auto* additional = s.if_contains("additionalProperties"); additional && additional->is_object()) {
    for (const auto& [key, member] : object) {
      if (properties && properties->is_object() && properties->get_object().contains(key)) continue;
      collect(*additional, member, pointer + "/" + pointer_token(key), format, out);
    }
  }
}

}  // namespace

std::vector<FormattedValue> values_with_format(const json::value& schema, const json::value& value,
                                               const std::string& pointer, std::string_view format) {
  std::vector<FormattedValue> out;
  collect(schema, value, pointer, format, out);
  return out;
}

}  // namespace pipehost::config
