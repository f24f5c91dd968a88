// The openai-batch plugin: one provider stage, its config declared by config_spec().
#include "config.hpp"
#include "openai_batch_provider.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "openai-batch", "1.0.0",
      "OpenAI provider: Batch API (Files + Batches) or online chat completions / "
      "responses"};
  plugin.add<pipehost::openai::OpenAIBatchProvider>(
      pipehost::openai::config_spec(),
      "OpenAI Batch API (JSONL upload, create, poll, output and error files) or online calls");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
