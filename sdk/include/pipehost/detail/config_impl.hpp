// Implementation of pipehost/config.hpp: the JSON Schema and the reader of each field type.
#pragma once

#include <cmath>
#include <filesystem>
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

/// Relative paths resolve against the config file's folder (the host has done it already; a test or
/// another host may not have).
inline void resolve_path(std::string& path, const std::string& config_dir) {
  if (path.empty() || config_dir.empty()) return;
  std::filesystem::path p(path);
  if (p.is_relative()) path = (std::filesystem::path(config_dir) / p).lexically_normal().string();
}
inline void resolve_path(std::optional<std::string>& path, const std::string& config_dir) {
  if (path) resolve_path(*path, config_dir);
}
template <class T>
void resolve_path(T&, const std::string&) {}

/// A bound as the schema writes it: whole numbers without a fraction.
inline Value bound_value(double value) {
  return value == std::floor(value) && std::abs(value) < 9e15 ? Value(static_cast<std::int64_t>(value))
                                                              : Value(value);
}

inline bool is_array_type(const Value& type_schema) {
  const Value* type = type_schema.find("type");
  if (!type) return false;
  if (type->is_string()) return type->as_string() == "array";
  for (const auto& t : type->items())
    if (t.is_string() && t.as_string() == "array") return true;
  return false;
}

/// Checks `value` against the constraint keywords in `constraints` (an object of schema keywords).
inline Status check_constraints(const Value& constraints, const Value& value, const std::string& where) {
  if (const Value* allowed = constraints.find("enum")) {
    bool found = false;
    std::string listed;
    for (const auto& option : allowed->items()) {
      found = found || option == value;
      listed += (listed.empty() ? "" : ", ") + to_json(option);
    }
    if (!found) return Status::fatal(where + ": expected one of " + listed + ", got " + to_json(value));
  }
  const bool number = value.kind() == Value::Kind::integer || value.kind() == Value::Kind::number;
  if (number) {
    const double v = value.as_double();
    if (const Value* b = constraints.find("minimum"); b && v < b->as_double())
      return Status::fatal(where + ": must be at least " + to_json(*b) + ", got " + to_json(value));
    if (const Value* b = constraints.find("maximum"); b && v > b->as_double())
      return Status::fatal(where + ": must be at most " + to_json(*b) + ", got " + to_json(value));
    if (const Value* b = constraints.find("exclusiveMinimum"); b && v <= b->as_double())
      return Status::fatal(where + ": must be greater than " + to_json(*b) + ", got " + to_json(value));
  }
  if (value.is_string()) {
    if (const Value* min = constraints.find("minLength");
        min && static_cast<std::int64_t>(value.as_string().size()) < min->as_int())
      return Status::fatal(where + (value.as_string().empty()
                                        ? ": must not be empty"
                                        : ": must be at least " + to_json(*min) + " characters"));
  }
  if (value.is_array()) {
    const auto count = static_cast<std::int64_t>(value.size());
    if (const Value* min = constraints.find("minItems"); min && count < min->as_int())
      return Status::fatal(where + ": expected at least " + to_json(*min) + " items, got " +
                           std::to_string(count));
    if (const Value* max = constraints.find("maxItems"); max && count > max->as_int())
      return Status::fatal(where + ": expected at most " + to_json(*max) + " items, got " +
                           std::to_string(count));
  }
  return Status::ok();
}

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
  (detail::is_array_type(type_schema_) ? item_constraints_ : constraints_).set("enum", std::move(list));
  return *this;
}
inline ConfigField& ConfigField::minimum(double value) {
  constraints_.set("minimum", detail::bound_value(value));
  return *this;
}
inline ConfigField& ConfigField::maximum(double value) {
  constraints_.set("maximum", detail::bound_value(value));
  return *this;
}
inline ConfigField& ConfigField::exclusive_minimum(double value) {
  constraints_.set("exclusiveMinimum", detail::bound_value(value));
  return *this;
}
inline ConfigField& ConfigField::min_length(std::int64_t value) {
  constraints_.set("minLength", value);
  return *this;
}
inline ConfigField& ConfigField::min_items(std::int64_t value) {
  constraints_.set("minItems", value);
  return *this;
}
inline ConfigField& ConfigField::max_items(std::int64_t value) {
  constraints_.set("maxItems", value);
  return *this;
}
inline ConfigField& ConfigField::not_null() {
  not_null_ = true;
  return *this;
}

inline bool ConfigField::is_path() const {
  const Value* format = constraints_.find("format");
  return format && format->as_string() == "path";
}

inline Value ConfigField::schema() const {
  Value schema = type_schema_;
  // A not_null optional is its plain type: the key is left out to leave it unset.
  if (const Value* type = schema.find("type"); not_null_ && type && type->is_array())
    schema.set("type", Value((*type)[0]));
  for (std::size_t i = 0; i < constraints_.size(); ++i) schema.set(constraints_.key(i), constraints_[i]);
  // A nullable field's null (unset) must pass its enum too.
  if (const Value* allowed = schema.find("enum");
      allowed && schema.find("type") && schema.find("type")->is_array()) {
    Value with_null = *allowed;
    with_null.push_back(Value());
    schema.set("enum", std::move(with_null));
  }
  if (item_constraints_.size() > 0) {
    Value items = schema.find("items") ? *schema.find("items") : Value::object();
    for (std::size_t i = 0; i < item_constraints_.size(); ++i)
      items.set(item_constraints_.key(i), item_constraints_[i]);
    schema.set("items", std::move(items));
  }
  if (!description_.empty()) schema.set("description", description_);
  // A required field has no default; an unset optional shows null, an empty string nothing.
  bool optional_type = schema.find("type") && schema.find("type")->is_array();
  if (!required_ && (!default_.is_null() || optional_type)) schema.set("default", default_);
  return schema;
}

inline Status ConfigField::check(const Value& value, const std::string& where) const {
  if (value.is_null()) return Status::ok();
  if (Status s = detail::check_constraints(constraints_, value, where); !s) return s;
  if (value.is_array() && item_constraints_.size() > 0)
    for (std::size_t i = 0; i < value.size(); ++i)
      if (Status s = detail::check_constraints(item_constraints_, value[i], where + "/" + std::to_string(i));
          !s)
        return s;
  return Status::ok();
}

template <class Config>
ConfigField& ConfigSpec<Config>::add_entry(std::shared_ptr<ConfigField> field, Reader read) {
  entries_.push_back({field, std::move(read)});
  return *field;
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
  std::shared_ptr<const ConfigField> declared = field;  // its modifiers are applied after `add` returns
  return add_entry(field, [member, declared](const Value& v, Config& out, const std::string& where,
                                             const std::string& config_dir) {
    if ((v.is_null() && declared->not_null_) || !Type::read(v, out.*member))
      return Status::fatal(where + ": expected " + Type::kExpected + ", got " + to_json(v));
    if (Status checked = declared->check(v, where); !checked) return checked;
    if (declared->is_path()) detail::resolve_path(out.*member, config_dir);
    return Status::ok();
  });
}

template <class Config>
template <class E>
requires std::is_enum_v<E> ConfigField& ConfigSpec<Config>::add(
    std::string name, E Config::*member, std::initializer_list<std::pair<const char*, E>> choices,
    std::string description) {
  auto field = std::make_shared<ConfigField>();
  field->name_ = std::move(name);
  field->description_ = std::move(description);
  field->type_schema_ = detail::schema_of_type("string");
  std::vector<std::pair<std::string, E>> names(choices.begin(), choices.end());
  const E default_value = Config{}.*member;
  Value list = Value::array();
  for (const auto& [text, value] : names) {
    list.push_back(text);
    if (value == default_value) field->default_ = Value(text);
  }
  field->constraints_.set("enum", std::move(list));
  std::shared_ptr<const ConfigField> declared = field;
  return add_entry(field, [member, declared, names](const Value& v, Config& out, const std::string& where,
                                                    const std::string&) {
    if (!v.is_string()) return Status::fatal(where + ": expected a string, got " + to_json(v));
    if (Status checked = declared->check(v, where); !checked) return checked;
    for (const auto& [text, value] : names)
      if (text == v.as_string()) out.*member = value;
    return Status::ok();
  });
}

template <class Config>
template <class Nested>
requires std::is_class_v<Nested> ConfigField& ConfigSpec<Config>::add(std::string name,
                                                                      Nested Config::*member,
                                                                      const ConfigSpec<Nested>& nested,
                                                                      std::string description) {
  auto field = std::make_shared<ConfigField>();
  field->name_ = std::move(name);
  field->description_ = std::move(description);
  field->type_schema_ = nested.schema_value();
  return add_entry(field, [member, nested](const Value& v, Config& out, const std::string& where,
                                           const std::string& config_dir) {
    return nested.read(v, out.*member, where, config_dir);
  });
}

template <class Config>
template <class Nested>
void ConfigSpec<Config>::include(Nested Config::*member, const ConfigSpec<Nested>& nested) {
  for (const auto& entry : nested.entries_) {
    add_entry(entry.field, [member, read = entry.read](const Value& v, Config& out, const std::string& where,
                                                       const std::string& config_dir) {
      return read(v, out.*member, where, config_dir);
    });
  }
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
Status ConfigSpec<Config>::read(const Value& section, Config& out, const std::string& pointer,
                                const std::string& config_dir) const {
  if (!section.is_object()) return Status::fatal((pointer.empty() ? "/" : pointer) + ": expected an object");
  for (std::size_t i = 0; i < section.size(); ++i) {
    const Entry* entry = nullptr;
    for (const auto& e : entries_)
      if (e.field->name() == section.key(i)) entry = &e;
    std::string where = pointer + "/" + section.key(i);
    if (!entry) return Status::fatal(where + ": unknown key");
    if (Status s = entry->read(section[i], out, where, config_dir); !s) return s;
  }
  for (const auto& e : entries_)
    if (e.field->is_required() && !section.find(e.field->name()))
      return Status::fatal(pointer + "/" + e.field->name() + ": missing");
  return Status::ok();
}

template <class Config>
Status ConfigSpec<Config>::read_json(std::string_view section_json, Config& out, const std::string& pointer,
                                     const std::string& config_dir) const {
  Value section;
  std::string error;
  if (!parse_json(section_json, section, error)) return Status::fatal("config is not valid JSON: " + error);
  return read(section, out, pointer, config_dir);
}

}  // namespace pipehost
