// Registers the markdown-json-parser plugin with the host.
#include "markdown_json_parser.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "markdown-json-parser", "1.0.0",
      "Finds the JSON object in a model answer (bare, markdown-fenced or in prose), "
      "checks it against the response schema and maps it to columns"};
  plugin.add<pipehost::markdown_json::MarkdownJsonParser>(
      pipehost::markdown_json::config_spec(),
      "Model answer text -> one column per top-level response schema property");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
