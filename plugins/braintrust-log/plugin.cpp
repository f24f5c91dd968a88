// The braintrust-log plugin library: one logger stage.
#include "braintrust_logger.hpp"
#include "config.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{
      "braintrust-log", "1.0.0",
      "Logs every model call to a BrainTrust project (batched, retried, idempotent)"};
  plugin.add<pipehost::braintrust::BraintrustLogger>(
      pipehost::braintrust::config_spec(), "Sends one BrainTrust project-logs event per model call");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
