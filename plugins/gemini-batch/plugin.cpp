// The gemini-batch plugin library: one provider stage.
#include "config.hpp"
#include "gemini_batch_provider.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "gemini-batch", "1.0.0", "Gemini API provider: Batch API with file upload, or online generateContent"};
  plugin.add<pipehost::gemini::GeminiBatchProvider>(pipehost::gemini::config_spec(),
                                                    "Sends requests to Gemini (batch or online)");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
