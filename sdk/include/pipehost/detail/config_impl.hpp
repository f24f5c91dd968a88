// Implementation of pipehost/config.hpp: the JSON Schema and the reader of each field type.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

namespace pipehost {
namespace detail {

inline Value schema_of_type(const char* type) {
  Value schema = Value::object();
  schema.set("type", type);
  return schema;
}

template <class T>
struct ConfigType;

template <>
struct ConfigType<std::string> {
  static Value schema() { return schema_of_type("string"); }
  static Value default_of(const std::string& s) { return s.empty() ? Value() : Value(s); }
  static bool read(const Value& v, std::string& out) {
    if (!v.is_string()) return false;
    out = v.as_string();
    return true;
  }
  static constexpr const char* kExpected = "a string";
};

template <>
struct ConfigType<bool> {
  static Value schema() { return schema_of_type("boolean"); }
  static Value default_of(bool b) { return Value(b); }
  static bool read(const Value& v, bool& out) {
    if (v.kind() != Value::Kind::boolean) return false;
    out = v.as_bool();
    return true;
  }
  static constexpr const char* kExpected = "true or false";
};

template <>
struct ConfigType<std::int64_t> {
  static Value schema() { return schema_of_type("integer"); }
  static Value default_of(std::int64_t i) { return Value(i); }
  static bool read(const Value& v, std::int64_t& out) {
    if (v.fits_int64()) return out = v.as_int(), true;
    // 1e3 is an integer too, as JSON Schema sees it.
    double d = v.as_double();
    if (v.kind() != Value::Kind::number || d != std::floor(d) || std::abs(d) > 9e15) return false;
    out = static_cast<std::int64_t>(d);
    return true;
  }
  static constexpr const char* kExpected = "a whole number";
};

template <>
struct ConfigType<int> {
  static Value schema() { return schema_of_type("integer"); }
  static Value default_of(int i) { return Value(i); }
  static bool read(const Value& v, int& out) {
    std::int64_t wide = 0;
    if (!ConfigType<std::int64_t>::read(v, wide) || wide < std::numeric_limits<int>::min() ||
        wide > std::numeric_limits<int>::max())
      return false;
    out = static_cast<int>(wide);
    return true;
  }
  static constexpr const char* kExpected = "a whole number";
};

template <>
struct ConfigType<double> {
  static Value schema() { return schema_of_type("number"); }
  static Value default_of(double d) { return Value(d); }
  static bool read(const Value& v, double& out) {
    if (v.kind() != Value::Kind::number && v.kind() != Value::Kind::integer) return false;
    out = v.as_double();
    return true;
  }
  static constexpr const char* kExpected = "a number";
};

template <>
struct ConfigType<std::vector<std::string>> {
  static Value schema() {
    Value schema = schema_of_type("array");
    schema.set("items", schema_of_type("string"));
    return schema;
  }
  static Value default_of(const std::vector<std::string>& items) {
    Value array = Value::array();
    for (const auto& item : items) array.push_back(item);
    return array;
  }
  static bool read(const Value& v, std::vector<std::string>& out) {
    if (!v.is_array()) return false;
    out.clear();
    for (const auto& item : v.items()) {
      if (!item.is_string()) return false;
      out.push_back(item.as_string());
    }
    return true;
  }
  static constexpr const char* kExpected = "an array of strings";
};

/// Any JSON object, passed through as it is (e.g. provider-specific request fields).
template <>
struct ConfigType<Value> {
  static Value schema() { return schema_of_type("object"); }
  static Value default_of(const Value& v) { return v.is_object() && v.size() > 0 ? v : Value(); }
  static bool read(const Value& v, Value& out) {
    if (!v.is_object()) return false;
    out = v;
    return true;
  }
  static constexpr const char* kExpected = "an object";
};

template <class T>
struct ConfigType<std::optional<T>> {
  static Value schema() {
    Value schema = ConfigType<T>::schema();
    schema.set("type", Value::array({Value(schema.find("type")->as_string()), Value("null")}));
    return schema;
  }
  static Value default_of(const std::optional<T>& v) { return v ? ConfigType<T>::default_of(*v) : Value(); }
  static bool read(const Value& v, std::optional<T>& out) {
    if (v.is_null()) return out.reset(), true;
    T inner{};
    if (!ConfigType<T>::read(v, inner)) return false;
    out = std::move(inner);
    return true;
  }
  static constexpr const char* kExpected = ConfigType<T>::kExpected;
};

}  // namespace detail

inline ConfigField& ConfigField::required() {
  required_ = true;
  return *this;
}
inline ConfigField& ConfigField::path() {
  constraints_.set("format", "path");
  return *this;
}
inline ConfigField& ConfigField::secret_env() {
  constraints_.set("format", "secret-env");
  return *this;
}
inline ConfigField& ConfigField::one_of(std::initializer_list<const char*> values) {
  Value list = Value::array();
  for (const char* v : values) list.push_back(v);
  constraints_.set("enum", std::move(list));
  return *this;
}
inline ConfigField& ConfigField::minimum(double value) {
  constraints_.set("minimum",
                   value == std::floor(value) ? Value(static_cast<std::int64_t>(value)) : Value(value));
  return *this;
}
inline ConfigField& ConfigField::maximum(double value) {
  constraints_.set("maximum",
                   value == std::floor(value) ? Value(static_cast<std::int64_t>(value)) : Value(value));
  return *this;
}
inline ConfigField& ConfigField::exclusive_minimum(double value) {
  constraints_.set("exclusiveMinimum",
                   value == std::floor(value) ? Value(static_cast<std::int64_t>(value)) : Value(value));
  return *this;
}
inline ConfigField& ConfigField::min_length(std::int64_t value) {
  constraints_.set("minLength", value);
  return *this;
}

inline Value ConfigField::schema() const {
  Value schema = type_schema_;
  for (std::size_t i = 0; i < constraints_.size(); ++i) schema.set(constraints_.key(i), constraints_[i]);
  if (!description_.empty()) schema.set("description", description_);
  // A required field has no default; an unset optional shows null, an empty string nothing.
  bool optional_type = schema.find("type") && schema.find("type")->is_array();
  if (!required_ && (!default_.is_null() || optional_type)) schema.set("default", default_);
  return schema;
}

template <class Config>
template <class T>
ConfigField& ConfigSpec<Config>::add(std::string name, T Config::*member, std::string description) {
  using Type = detail::ConfigType<T>;
  auto field = std::make_shared<ConfigField>();
  field->name_ = std::move(name);
  field->description_ = std::move(description);
  field->type_schema_ = Type::schema();
  field->default_ = Type::default_of(Config{}.*member);
  entries_.push_back({field, [member](const Value& v, Config& out, const std::string& pointer) {
                        if (Type::read(v, out.*member)) return Status::ok();
                        return Status::fatal(pointer + ": expected " + Type::kExpected + ", got " +
                                             to_json(v));
                      }});
  return *field;
}

template <class Config>
template <class Nested>
ConfigField& ConfigSpec<Config>::add(std::string name, Nested Config::*member,
                                     const ConfigSpec<Nested>& nested, std::string description) {
  auto field = std::make_shared<ConfigField>();
  field->name_ = std::move(name);
  field->description_ = std::move(description);
  field->type_schema_ = nested.schema_value();
  entries_.push_back({field, [member, nested](const Value& v, Config& out, const std::string& pointer) {
                        return nested.read(v, out.*member, pointer);
                      }});
  return *field;
}

template <class Config>
Value ConfigSpec<Config>::schema_value() const {
  Value properties = Value::object(), required = Value::array();
  for (const auto& entry : entries_) {
    properties.set(entry.field->name(), entry.field->schema());
    if (entry.field->is_required()) required.push_back(entry.field->name());
  }
  Value schema = Value::object();
  schema.set("type", "object");
  schema.set("additionalProperties", false);
  schema.set("properties", std::move(properties));
  if (required.size()) schema.set("required", std::move(required));
  return schema;
}

template <class Config>
Status ConfigSpec<Config>::read(const Value& section, Config& out, const std::string& pointer) const {
  if (!section.is_object()) return Status::fatal((pointer.empty() ? "/" : pointer) + ": expected an object");
  for (std::size_t i = 0; i < section.size(); ++i) {
    const Entry* entry = nullptr;
    for (const auto& e : entries_)
      if (e.field->name() == section.key(i)) entry = &e;
    std::string where = pointer + "/" + section.key(i);
    if (!entry) return Status::fatal(where + ": unknown key");
    if (Status s = entry->read(section[i], out, where); !s) return s;
  }
  for (const auto& e : entries_)
    if (e.field->is_required() && !section.find(e.field->name()))
      return Status::fatal(pointer + "/" + e.field->name() + ": missing");
  return Status::ok();
}

template <class Config>
Status ConfigSpec<Config>::read_json(std::string_view section_json, Config& out) const {
  Value section;
  std::string error;
  if (!parse_json(section_json, section, error)) return Status::fatal("config is not valid JSON: " + error);
  return read(section, out);
}

}  // namespace pipehost
