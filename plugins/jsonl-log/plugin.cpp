// The jsonl-log plugin library: one logger stage.
#include "config.hpp"
#include "jsonl_logger.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "jsonl-log", "1.0.0", "Appends every model call, as a BrainTrust-shaped event, to a JSONL file"};
  plugin.add<pipehost::jsonl_log::JsonlLogger>(pipehost::jsonl_log::config_spec(),
                                               "Writes one JSON line per model call");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
