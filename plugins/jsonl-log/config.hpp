// The jsonl-log section of run.json: where to write, and the same include options as braintrust-log.
#pragma once

#include <string>

#include "braintrust_events/event_options.hpp"
#include "pipehost/config.hpp"

namespace pipehost::jsonl_log {

struct JsonlLogConfig {
  /// The JSONL file; appended to, created with its parent folders.
  std::string path;
  braintrust::EventOptions events;
};

/// The section's declaration: `path` and the include options (braintrust::event_options_spec()).
ConfigSpec<JsonlLogConfig> config_spec();

}  // namespace pipehost::jsonl_log
