// The jsonl-log section of run.json: where to write, and the same include options as braintrust-log.
#pragma once

#include <string>

#include "event/event_options.hpp"

namespace pipehost::jsonl_log {

/// JSON Schema of the logger section (without "plugin").
const std::string& config_schema();

struct JsonlLogConfig {
  /// The JSONL file; appended to, created with its parent folders.
  std::string path;
  braintrust::EventOptions events;
};

/// Parses `config_json`; throws std::invalid_argument with "jsonl-log.<key>: what".
JsonlLogConfig parse_config(const std::string& config_json);

}  // namespace pipehost::jsonl_log
