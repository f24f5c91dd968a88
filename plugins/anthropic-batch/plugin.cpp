// The anthropic-batch plugin library: one provider stage.
#include "anthropic_batch_provider.hpp"
#include "config.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "anthropic-batch", "1.0.0",
      "Anthropic provider: Message Batches (inline requests, prompt caching) or "
      "online Messages"};
  plugin.add<pipehost::anthropic::AnthropicBatchProvider>(pipehost::anthropic::config_spec(),
                                                          "Sends requests to Claude (batch or online)");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
