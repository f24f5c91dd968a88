// Registers the prompt-template plugin with the host.
#include "pipehost/sdk.hpp"
#include "prompt_template.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "prompt-template", "1.0.0",
      "Builds one request per row: shared system instruction, user message from a {{column}} template, "
      "response schema, generation settings and tools"};
  plugin.add<pipehost::prompt_template::PromptTemplate>(
      pipehost::prompt_template::config_spec(), "Row -> request from a system file and a user template");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
