// Reading a stage's config section (StageContext::config_json). The host has already checked it
// against the stage's JSON Schema; these accessors check again (tests and other hosts construct
// stages directly) and add the rules a schema cannot say, with messages that name the JSON pointer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "pipehost/sdk.hpp"

namespace pipehost::io {

class StageConfig {
 public:
  /// Parses the section; `stage` names it in messages (e.g. "csv-io source").
  StageConfig(const StageContext& context, std::string stage);

  /// A required file path. Relative paths (the host makes them absolute already) resolve against the
  /// config file's folder.
  std::string path(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  std::string string(std::string_view key, std::string_view default_value);
  /// A string that must be one of `allowed`.
  std::string choice(std::string_view key, std::initializer_list<std::string_view> allowed,
                     std::string_view default_value);
  /// A string of exactly one ASCII character.
  char ascii_character(std::string_view key, char default_value);
  bool boolean(std::string_view key, bool default_value);
  std::uint64_t integer(std::string_view key, std::uint64_t default_value, std::uint64_t minimum,
                        std::uint64_t maximum);
  /// An array of strings (empty when absent).
  std::vector<std::string> string_list(std::string_view key);

  /// Fails on keys that no accessor asked for. Call after reading everything.
  void reject_unknown_keys() const;

  /// Throws std::invalid_argument("<stage> config <pointer>/<key>: <what>").
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;

 private:
  const boost::json::value* find(std::string_view key);

  std::string stage_;
  std::string pointer_;
  std::string config_dir_;
  boost::json::object object_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace pipehost::io
