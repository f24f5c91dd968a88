// The string values of a config section that its schema marks with a "format", e.g. "path" (a file
// the plugin reads or writes) or "secret-env" (the NAME of an environment variable that holds a
// secret). The host checks such values without knowing the plugin: input and output files before a
// run, and that every secret variable is set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace pipehost::config {

/// Schema format of a string naming an environment variable that holds a secret (an API key).
inline constexpr std::string_view kSecretEnvFormat = "secret-env";
/// Schema format of a file path (resolved against the config file's folder by the host).
inline constexpr std::string_view kPathFormat = "path";

struct FormattedValue {
  /// JSON pointer in the config file, e.g. "/provider/api_key_env".
  std::string pointer;
  std::string value;
  /// The section did not give it: this is the schema's default.
  bool from_default = false;
};

/// Every string in `value` whose schema says "format": `format`, walking properties, items and
/// additionalProperties. An absent property with a string default counts with its default (the
/// plugin will use it). `pointer` is where `value` sits in the config file.
std::vector<FormattedValue> values_with_format(const boost::json::value& schema,
                                               const boost::json::value& value, const std::string& pointer,
                                               std::string_view format);

}  // namespace pipehost::config
