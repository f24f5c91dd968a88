// Reading JSON files with errors that point at a line and column.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace pipehost::config {

/// Thrown for any config problem; `what()` is the complete one-line message for the user.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses `text` (JSON, `//` and `/* */` comments allowed). On a syntax error throws ConfigError
/// "<origin>:<line>:<column>: invalid JSON: <reason>".
boost::json::value parse_json(std::string_view text, const std::string& origin);

/// Reads and parses a JSON file; a missing or unreadable file is a ConfigError naming the path.
boost::json::value read_json_file(const std::filesystem::path& path);

/// Escapes a key for use in a JSON pointer (RFC 6901: "~" → "~0", "/" → "~1").
std::string pointer_token(std::string_view key);

/// Short description of a JSON value's type for messages: "string \"abc\"", "number 3", "object", ...
std::string describe_value(const boost::json::value& value);

}  // namespace pipehost::config
