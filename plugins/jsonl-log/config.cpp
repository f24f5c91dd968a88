#include "config.hpp"

namespace pipehost::jsonl_log {

ConfigSpec<JsonlLogConfig> config_spec() {
  ConfigSpec<JsonlLogConfig> spec;
  spec.add("path", &JsonlLogConfig::path, "The JSONL file (appended to; created with its parent folders).")
      .required()
      .path();
  spec.include(&JsonlLogConfig::events, braintrust::event_options_spec());
  return spec;
}

}  // namespace pipehost::jsonl_log
