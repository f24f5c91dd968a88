// Validation of config sections against a stage's JSON Schema (the subset plugins use: type,
// properties, required, additionalProperties, enum, const, items, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, minItems, maxItems, minLength, anyOf, and "format": "path").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace pipehost::config {

/// One problem found in a config value: where (JSON pointer into the config file) and what.
struct SchemaIssue {
  std::string pointer;
  std::string message;
};

class JsonSchema {
 public:
  /// Parses a schema text; throws ConfigError ("<origin>: ...") if it is not valid JSON.
  JsonSchema(std::string_view schema_text, const std::string& origin);
  explicit JsonSchema(boost::json::value schema);

  /// Checks `value`, which sits at `pointer` in the config. String values whose schema says
  /// "format": "path" are rewritten to absolute paths relative to `base_dir`. Returns every issue.
  std::vector<SchemaIssue> validate(boost::json::value& value, const std::string& pointer,
                                    const std::filesystem::path& base_dir) const;

  const boost::json::value& json() const { return schema_; }

 private:
  boost::json::value schema_;
};

}  // namespace pipehost::config
