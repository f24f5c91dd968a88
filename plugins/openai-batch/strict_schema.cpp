#include "strict_schema.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace pipehost::openai {
namespace {

constexpr std::array kAnnotations = {"$schema",  "$id",       "$comment",   "examples", "default",
                                     "readOnly", "writeOnly", "deprecated", "$anchor",  "contentMediaType"};
constexpr std::array kAnySchema = {"type",  "enum",        "const",       "anyOf", "$ref",
                                   "$defs", "definitions", "description", "title"};
constexpr std::array kObject = {"properties", "required", "additionalProperties"};
constexpr std::array kArray = {"items", "minItems", "maxItems"};
constexpr std::array kString = {"pattern", "format"};
constexpr std::array kNumber = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"};

template <std::size_t N>
bool in(const std::array<const char*, N>& names, std::string_view key) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

bool known(std::string_view key) {
  return in(kAnySchema, key) || in(kObject, key) || in(kArray, key) || in(kString, key) || in(kNumber, key);
}

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  throw std::invalid_argument("response schema at " + (where.empty() ? std::string("the root") : where) +
                              ": " + what);
}

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

bool has_type(const Value& schema, std::string_view type) {
  const Value* t = schema.find("type");
  if (!t) return false;
  if (t->is_string()) return t->as_string() == type;
  if (t->is_array())
    for (const auto& item : t->items())
      if (item.is_string() && item.as_string() == type) return true;
  return false;
}

/// An optional property becomes a required one that may be null.
Value nullable(Value schema) {
  if (has_type(schema, "null")) return schema;
  if (const Value* ref = schema.find("$ref")) {
    Value wrapped = Value::object();
    Value options = Value::array();
    Value target = Value::object();
    target.set("$ref", *ref);
    options.push_back(std::move(target));
    Value null_type = Value::object();
    null_type.set("type", "null");
    options.push_back(std::move(null_type));
    wrapped.set("anyOf", std::move(options));
    if (const Value* description = schema.find("description")) wrapped.set("description", *description);
    return wrapped;
  }
  Value out = Value::object();
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const std::string& key = schema.key(i);
    const Value& value = schema[i];
    if (key == "type") {
      Value types = Value::array();
      if (value.is_array())
        for (const auto& t : value.items()) types.push_back(t);
      else
        types.push_back(value);
      types.push_back("null");
      out.set("type", std::move(types));
    } else if (key == "enum" && value.is_array()) {
      Value values = value;
      values.push_back(Value());
      out.set("enum", std::move(values));
    } else if (key == "anyOf" && value.is_array() && !schema.find("type")) {
      Value options = value;
      Value null_type = Value::object();
      null_type.set("type", "null");
      options.push_back(std::move(null_type));
      out.set("anyOf", std::move(options));
    } else {
      out.set(key, value);
    }
  }
  return out;
}

Value convert(const Value& schema, const std::string& where);

Value convert_object(const Value& schema, const std::string& where) {
  Value out = Value::object();
  const Value* properties = schema.find("properties");
  const Value* required = schema.find("required");
  const Value* additional = schema.find("additionalProperties");
  if (additional && !(additional->kind() == Value::Kind::boolean && !additional->as_bool()))
    refuse(where,
           "additionalProperties must be false (OpenAI's strict structured outputs accept only closed "
           "objects)");
  if (properties && !properties->is_object()) refuse(where, "properties must be an object");
  if (required && !required->is_array()) refuse(where, "required must be an array");
  auto is_required = [&](const std::string& name) {
    if (!required) return false;
    for (const auto& item : required->items())
      if (item.is_string() && item.as_string() == name) return true;
    return false;
  };
  if (required && properties) {
    for (const auto& item : required->items())
      if (item.is_string() && !properties->find(item.as_string()))
        refuse(where, "required names '" + item.as_string() + "', which is not in properties");
  }
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const std::string& key = schema.key(i);
    if (key == "properties" || key == "required" || key == "additionalProperties") continue;
    out.set(key, schema[i]);
  }
  Value converted = Value::object();
  Value names = Value::array();
  if (properties) {
    for (std::size_t i = 0; i < properties->size(); ++i) {
      const std::string& name = properties->key(i);
      Value property = convert((*properties)[i], where + "/properties/" + pointer_token(name));
      converted.set(name, is_required(name) ? std::move(property) : nullable(std::move(property)));
      names.push_back(name);
    }
  }
  out.set("properties", std::move(converted));
  out.set("required", std::move(names));
  out.set("additionalProperties", false);
  return out;
}

Value convert(const Value& schema, const std::string& where) {
  if (!schema.is_object()) refuse(where, "a schema must be a JSON object");
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const std::string& key = schema.key(i);
    if (in(kAnnotations, key) || known(key)) continue;
    std::string hint;
    if (key == "oneOf") hint = " (use anyOf)";
    if (key == "minLength" || key == "maxLength") hint = " (use pattern, or say it in the description)";
    if (key == "nullable") hint = " (use a type list with \"null\")";
    refuse(where, key + " is not supported by OpenAI's strict structured outputs" + hint);
  }
  bool object = has_type(schema, "object") || (!schema.find("type") && schema.find("properties"));
  Value out = object ? convert_object(schema, where) : Value::object();
  if (!object) {
    for (std::size_t i = 0; i < schema.size(); ++i) {
      const std::string& key = schema.key(i);
      if (in(kAnnotations, key)) continue;
      if (in(kObject, key)) {
        // properties on a non-object type: strict mode has no use for them.
        refuse(where, key + " on a schema whose type is not object");
      }
      out.set(key, schema[i]);
    }
  } else {
    // Annotations of objects are dropped here too.
    Value kept = Value::object();
    for (std::size_t i = 0; i < out.size(); ++i)
      if (!in(kAnnotations, out.key(i))) kept.set(out.key(i), out[i]);
    out = std::move(kept);
  }
  // Sub-schemas.
  Value result = Value::object();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& key = out.key(i);
    const Value& value = out[i];
    if (key == "items") {
      if (value.is_array()) refuse(where, "items must be one schema (tuple items are not supported)");
      result.set(key, convert(value, where + "/items"));
    } else if (key == "anyOf") {
      if (!value.is_array() || value.size() == 0) refuse(where, "anyOf must be a non-empty array");
      Value options = Value::array();
      for (std::size_t k = 0; k < value.size(); ++k)
        options.push_back(convert(value[k], where + "/anyOf/" + std::to_string(k)));
      result.set(key, std::move(options));
    } else if (key == "$defs" || key == "definitions") {
      if (!value.is_object()) refuse(where, key + " must be an object");
      Value defs = Value::object();
      for (std::size_t k = 0; k < value.size(); ++k)
        defs.set(value.key(k), convert(value[k], where + "/" + key + "/" + pointer_token(value.key(k))));
      result.set(key, std::move(defs));
    } else {
      result.set(key, value);
    }
  }
  return result;
}

}  // namespace

Value to_strict_schema(const Value& schema) {
  if (!schema.is_object() || !has_type(schema, "object"))
    refuse("", "OpenAI's strict structured outputs need an object at the root (\"type\": \"object\")");
  if (schema.find("anyOf")) refuse("", "anyOf is not allowed at the root of a strict schema");
  return convert(schema, "");
}

std::string to_strict_schema_json(std::string_view schema_json) {
  Value schema;
  std::string error;
  if (!parse_json(schema_json, schema, error))
    throw std::invalid_argument("the response schema is not valid JSON: " + error);
  return to_json(to_strict_schema(schema));
}

}  // namespace pipehost::openai
