// The typed config view: a plugin declares its config fields once, and that one declaration gives
// the JSON Schema the host validates configs against (and shows in `pipehost plugins NAME` and
// docs/config-reference.md), the defaults, and the code that fills the plugin's config struct.
//
//   struct SinkConfig {
//     std::string path;
//     std::string delimiter = ",";
//     Format format = Format::csv;
//     std::optional<std::string> ca_file;
//   };
//   pipehost::ConfigSpec<SinkConfig> sink_spec() {
//     pipehost::ConfigSpec<SinkConfig> spec;
//     spec.add("path", &SinkConfig::path, "Output file.").required().path();
//     spec.add("delimiter", &SinkConfig::delimiter, "Field separator.").one_of({",", ";", "\t"});
//     spec.add("format", &SinkConfig::format, {{"csv", Format::csv}, {"tsv", Format::tsv}}, "Layout.");
//     spec.add("ca_file", &SinkConfig::ca_file, "Extra trusted CA (PEM).").path();
//     return spec;
//   }
//   plugin.add<CsvSink>(sink_spec(), "Writes a CSV file");   // CsvSink(const StageContext&, SinkConfig)
//
// Defaults are the members' values in a default-constructed struct. Field types: std::string, bool,
// std::int64_t, int, double, std::vector<std::string>, pipehost::Value (any JSON object, passed
// through), std::optional of those, enums (declared with their names), and nested structs with their
// own ConfigSpec (as a nested object, or `include`d so their fields sit at this level).
//
// Reading checks what the schema says (types, required and unknown keys, enums, bounds, lengths, item
// counts), so a stage constructed without the host (a test, another host) gets the same refusals, with
// the JSON pointer of the offending value.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "pipehost/stages.hpp"
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
  /// The value must be one of these strings; for an array of strings, every item must be.
  ConfigField& one_of(std::initializer_list<const char*> values);
  ConfigField& minimum(double value);
  ConfigField& maximum(double value);
  /// Numbers: the value must be greater than this.
  ConfigField& exclusive_minimum(double value);
  /// Strings: at least this many characters.
  ConfigField& min_length(std::int64_t value);
  /// Arrays: at least this many items.
  ConfigField& min_items(std::int64_t value);
  /// Arrays: at most this many items.
  ConfigField& max_items(std::int64_t value);
  /// std::optional fields: the key may be left out (unset) but not given as null.
  ConfigField& not_null();

  const std::string& name() const { return name_; }
  bool is_required() const { return required_; }
  bool is_path() const;
  /// This field's JSON Schema (an object).
  Value schema() const;
  /// Checks a value that has the field's type against its constraints (enum, bounds, lengths, item
  /// counts); `where` is its JSON pointer, for the message.
  Status check(const Value& value, const std::string& where) const;

 private:
  template <class C>
  friend class ConfigSpec;
  std::string name_;
  std::string description_;
  Value type_schema_;
  Value default_;
  bool required_ = false;
  bool not_null_ = false;
  Value constraints_ = Value::object();
  /// Arrays: constraints on every item (one_of).
  Value item_constraints_ = Value::object();
};

template <class Config>
class ConfigSpec {
 public:
  /// Declares a field stored in `member`.
  template <class T>
  ConfigField& add(std::string name, T Config::*member, std::string description = {});
  /// Declares an enum field: a string that must be one of `choices`' names, stored as its value.
  template <class E>
  requires std::is_enum_v<E> ConfigField& add(std::string name, E Config::*member,
                                              std::initializer_list<std::pair<const char*, E>> choices,
                                              std::string description = {});
  /// Declares a nested object field described by its own spec.
  template <class Nested>
  requires std::is_class_v<Nested> ConfigField& add(std::string name, Nested Config::*member,
                                                    const ConfigSpec<Nested>& nested,
                                                    std::string description = {});
  /// Declares `nested`'s fields at this level of the section, stored in `member` (options several
  /// stages share: each includes the same spec).
  template <class Nested>
  void include(Nested Config::*member, const ConfigSpec<Nested>& nested);

  /// The JSON Schema of the whole section (an object that allows only the declared keys).
  Value schema_value() const;
  std::string schema() const { return to_json(schema_value()); }
  /// Fills `out` (starting from its defaults) from a config section's JSON object. `pointer` (where the
  /// section sits in the config) prefixes the pointers in messages; relative `.path()` values resolve
  /// against `config_dir` when it is given.
  Status read(const Value& section, Config& out, const std::string& pointer = "",
              const std::string& config_dir = "") const;
  /// The same from the section's JSON text.
  Status read_json(std::string_view section_json, Config& out, const std::string& pointer = "",
                   const std::string& config_dir = "") const;
  /// What the SDK does before it constructs a stage: reads `context.config_json`, naming
  /// `context.config_pointer` in messages and resolving relative paths against `context.config_dir`.
  Status read(const StageContext& context, Config& out) const {
    return read_json(context.config_json, out, context.config_pointer, context.config_dir);
  }

 private:
  template <class C>
  friend class ConfigSpec;
  using Reader =
      std::function<Status(const Value&, Config&, const std::string& where, const std::string& config_dir)>;
  struct Entry {
    std::shared_ptr<ConfigField> field;
    Reader read;
  };
  ConfigField& add_entry(std::shared_ptr<ConfigField> field, Reader read);
  std::vector<Entry> entries_;
};

}  // namespace pipehost

#include "pipehost/detail/config_impl.hpp"
