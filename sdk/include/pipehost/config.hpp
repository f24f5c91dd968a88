// The typed config view: a plugin declares its config fields once, and that one declaration gives
// the JSON Schema the host validates configs against (and shows in `pipehost plugins NAME` and
// docs/config-reference.md), the defaults, and the code that fills the plugin's config struct.
//
//   struct SinkConfig {
//     std::string path;
//     std::string delimiter = ",";
//     std::optional<std::string> ca_file;
//   };
//   pipehost::ConfigSpec<SinkConfig> sink_spec() {
//     pipehost::ConfigSpec<SinkConfig> spec;
//     spec.add("path", &SinkConfig::path, "Output file.").required().path();
//     spec.add("delimiter", &SinkConfig::delimiter, "Field separator.").one_of({",", ";", "\t"});
//     spec.add("ca_file", &SinkConfig::ca_file, "Extra trusted CA (PEM).").path();
//     return spec;
//   }
//   plugin.add<CsvSink>(sink_spec(), "Writes a CSV file");   // CsvSink(const StageContext&, SinkConfig)
//
// Defaults are the members' values in a default-constructed struct. Field types: std::string, bool,
// std::int64_t, int, double, std::vector<std::string>, pipehost::Value (any JSON object, passed
// through), std::optional of those, and nested structs with their own ConfigSpec.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipehost/status.hpp"
#include "pipehost/value.hpp"

namespace pipehost {

/// One declared config field. The modifiers return the field, so they chain.
class ConfigField {
 public:
  ConfigField& required();
  /// A file or folder path: relative paths resolve against the config file's folder.
  ConfigField& path();
  /// The NAME of an environment variable that holds a secret (an API key); the host checks it is set.
  ConfigField& secret_env();
  /// The value must be one of these strings.
  ConfigField& one_of(std::initializer_list<const char*> values);
  ConfigField& minimum(double value);
  ConfigField& maximum(double value);
  /// Numbers: the value must be greater than this.
  ConfigField& exclusive_minimum(double value);
  /// Strings: at least this many characters.
  ConfigField& min_length(std::int64_t value);

  const std::string& name() const { return name_; }
  bool is_required() const { return required_; }
  /// This field's JSON Schema (an object).
  Value schema() const;

 private:
  template <class C>
  friend class ConfigSpec;
  std::string name_;
  std::string description_;
  Value type_schema_;
  Value default_;
  bool required_ = false;
  Value constraints_ = Value::object();
};

template <class Config>
class ConfigSpec {
 public:
  /// Declares a field stored in `member`.
  template <class T>
  ConfigField& add(std::string name, T Config::*member, std::string description = {});
  /// Declares a nested object field described by its own spec.
  template <class Nested>
  ConfigField& add(std::string name, Nested Config::*member, const ConfigSpec<Nested>& nested,
                   std::string description = {});

  /// The JSON Schema of the whole section (an object that allows only the declared keys).
  Value schema_value() const;
  std::string schema() const { return to_json(schema_value()); }
  /// Fills `out` (starting from its defaults) from a config section's JSON object.
  Status read(const Value& section, Config& out, const std::string& pointer = "") const;
  /// The same from the section's JSON text (StageContext::config_json).
  Status read_json(std::string_view section_json, Config& out) const;

 private:
  struct Entry {
    std::shared_ptr<ConfigField> field;
    std::function<Status(const Value&, Config&, const std::string&)> read;
  };
  std::vector<Entry> entries_;
};

}  // namespace pipehost

#include "pipehost/detail/config_impl.hpp"
