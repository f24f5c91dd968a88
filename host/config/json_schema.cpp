#include "json_schema.hpp"

#include <algorithm>
#include <cmath>

#include <boost/json.hpp>

#include "did_you_mean.hpp"
#include "json_text.hpp"

namespace pipehost::config {

namespace json = boost::json;

namespace {

bool has_type(const json::value& value, std::string_view type) {
  switch (value.kind()) {
    case json::kind::null: return type == "null";
    case json::kind::bool_: return type == "boolean";
    case json::kind::int64:
    case json::kind::uint64: return type == "integer" || type == "number";
    case json::kind::double_: {
      if (type == "number") return true;
      double d = value.get_double();
      return type == "integer" && std::isfinite(d) && std::floor(d) == d;
    }
    case json::kind::string: return type == "string";
    case json::kind::array: return type == "array";
    case json::kind::object: return type == "object";
  }
  return false;
}

std::vector<std::string> type_names(const json::value& type) {
  std::vector<std::string> names;
  if (type.is_string()) names.emplace_back(type.get_string());
  else if (type.is_array())
    for (const auto& t : type.get_array())
      if (t.is_string()) names.emplace_back(t.get_string());
  return names;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

double as_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

class Validator {
 public:
  Validator(const std::filesystem::path& base_dir, std::vector<SchemaIssue>& issues)
      : base_dir_(base_dir), issues_(issues) {}

  void check(const json::value& schema, json::value& value, const std::string& pointer) {
    if (!schema.is_object()) return;  // `true` / `{}` accept anything
    const auto& s = schema.get_object();

    if (auto* type = s.if_contains("type")) {
      auto names = type_names(*type);
      bool ok = std::any_of(names.begin(), names.end(), [&](const auto& t) { return has_type(value, t); });
      if (!ok) {
        fail(pointer, "expected " + join(names, " or ") + ", got " + describe_value(value));
        return;
      }
    }
    if (auto* any_of = s.if_contains("anyOf"); any_of && any_of->is_array()) {
      bool matched = false;
      for (const auto& alternative : any_of->get_array()) {
        std::vector<SchemaIssue> trial;
        json::value copy = value;
        Validator(base_dir_, trial).check(alternative, copy, pointer);
        if (trial.empty()) {
          value = std::move(copy);
          matched = true;
          break;
        }
      }
      if (!matched) fail(pointer, "does not match any allowed form, got " + describe_value(value));
    }
    if (auto* constant = s.if_contains("const"); constant && value != *constant)
      fail(pointer, "expected " + json::serialize(*constant) + ", got " + describe_value(value));
    if (auto* allowed = s.if_contains("enum"); allowed && allowed->is_array()) check_enum(allowed->get_array(), value, pointer);

    if (value.is_number()) check_number(s, value, pointer);
    if (value.is_string()) check_string(s, value, pointer);
    if (value.is_array()) check_array(s, value.get_array(), pointer);
    if (value.is_object()) check_object(s, value.get_object(), pointer);
  }

 private:
  void fail(const std::string& pointer, std::string message) { issues_.push_back({pointer, std::move(message)}); }

  void check_enum(const json::array& allowed, const json::value& value, const std::string& pointer) {
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
    std::vector<std::string> names, strings;
    for (const auto& a : allowed) {
      names.push_back(json::serialize(a));
      if (a.is_string()) strings.emplace_back(a.get_string());
    }
    std::string hint = value.is_string() ? did_you_mean(value.get_string(), strings) : "";
    fail(pointer, "expected one of " + join(names, ", ") + ", got " + describe_value(value) + hint);
  }

  void check_number(const json::object& s, const json::value& value, const std::string& pointer) {
    double v = as_double(value);
    auto bound = [&](const char* key) -> const json::value* {
      auto* b = s.if_contains(key);
      return (b && b->is_number()) ? b : nullptr;
    };
    if (auto* b = bound("minimum"); b && v < as_double(*b))
      fail(pointer, "must be at least " + json::serialize(*b) + ", got " + json::serialize(value));
    if (auto* b = bound("maximum"); b && v > as_double(*b))
      fail(pointer, "must be at most " + json::serialize(*b) + ", got " + json::serialize(value));
    if (auto* b = bound("exclusiveMinimum"); b && v <= as_double(*b))
      fail(pointer, "must be greater than " + json::serialize(*b) + ", got " + json::serialize(value));
    if (auto* b = bound("exclusiveMaximum"); b && v >= as_double(*b))
      fail(pointer, "must be less than " + json::serialize(*b) + ", got " + json::serialize(value));
  }

  void check_string(const json::object& s, json::value& value, const std::string& pointer) {
    if (auto* min = s.if_contains("minLength"); min && min->is_number() &&
                                                  static_cast<double>(value.get_string().size()) < as_double(*min))
      fail(pointer, value.get_string().empty() ? "must not be empty"
                                               : "must be at least " + json::serialize(*min) + " characters");
    auto* format = s.if_contains("format");
    if (format && format->is_string() && format->get_string() == "path" && !value.get_string().empty()) {
      std::filesystem::path p(std::string(value.get_string()));
      if (p.is_relative()) p = base_dir_ / p;
      value = p.lexically_normal().string();
    }
  }

  void check_array(const json::object& s, json::array& array, const std::string& pointer) {
    auto count = static_cast<double>(array.size());
    if (auto* min = s.if_contains("minItems"); min && min->is_number() && count < as_double(*min))
      fail(pointer, "expected at least " + json::serialize(*min) + " items, got " + std::to_string(array.size()));
    if (auto* max = s.if_contains("maxItems"); max && max->is_number() && count > as_double(*max))
      fail(pointer, "expected at most " + json::serialize(*max) + " items, got " + std::to_string(array.size()));
    if (auto* items = s.if_contains("items"))
      for (std::size_t i = 0; i < array.size(); ++i) check(*items, array[i], pointer + "/" + std::to_string(i));
  }

  void check_object(const json::object& s, json::object& object, const std::string& pointer) {
    static const json::object no_properties;
    const auto* props = s.if_contains("properties");
    const auto& properties = (props && props->is_object()) ? props->get_object() : no_properties;

    if (auto* required = s.if_contains("required"); required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (name.is_string() && !object.contains(name.get_string()))
          fail(pointer + "/" + pointer_token(name.get_string()), "missing (required)");
      }
    }
    std::vector<std::string> known;
    for (const auto& p : properties) known.emplace_back(p.key());
    const auto* additional = s.if_contains("additionalProperties");
    for (auto& [key, member] : object) {
      std::string member_pointer = pointer + "/" + pointer_token(key);
      if (auto* property = properties.if_contains(key)) {
        check(*property, member, member_pointer);
      } else if (additional && additional->is_bool() && !additional->get_bool()) {
        fail(member_pointer, "unknown key \"" + std::string(key) + "\"" + did_you_mean(key, known));
      } else if (additional && additional->is_object()) {
        check(*additional, member, member_pointer);
      }
    }
  }

  const std::filesystem::path& base_dir_;
  std::vector<SchemaIssue>& issues_;
};

}  // namespace

JsonSchema::JsonSchema(std::string_view schema_text, const std::string& origin)
    : schema_(parse_json(schema_text, origin)) {}

JsonSchema::JsonSchema(json::value schema) : schema_(std::move(schema)) {}

std::vector<SchemaIssue> JsonSchema::validate(json::value& value, const std::string& pointer,
                                              const std::filesystem::path& base_dir) const {
  std::vector<SchemaIssue> issues;
  Validator(base_dir, issues).check(schema_, value, pointer);
  return issues;
}

}  // namespace pipehost::config
