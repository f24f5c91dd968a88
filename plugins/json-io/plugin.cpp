// json-io: a JSON / JSON Lines sink and a JSON Lines source in one plugin library.
#include "json_sink.hpp"
#include "jsonl_source.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"json-io", "1.0.0",
                                    "JSON files: an array or JSON Lines sink, a JSON Lines source"};
  plugin.add<pipehost::json_io::JsonlSource>(pipehost::json_io::source_spec(),
                                             "Reads rows from a JSON Lines file (one object per line)");
  plugin.add<pipehost::json_io::JsonSink>(pipehost::json_io::sink_spec(),
                                          "Writes rows as JSON objects: one array, or JSON Lines");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
