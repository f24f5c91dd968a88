#include "engine/remote_start.hpp"

#include <spdlog/spdlog.h>

#include "config/json_text.hpp"
#include "engine/run_error.hpp"

namespace pipehost::engine {

namespace {

[[noreturn]] void fail_start(const std::string& label, const Status& status) {
  if (status.is_retry())
    throw RunError(label + ": " + status.message() + " (nothing was sent; run again to resume)");
  throw config::ConfigError(label + ": " + status.message());
}

}  // namespace

void start_remote_stages(Pipeline& pipeline) {
  // Loggers first: a logging key that does not work must stop the run before the provider sends
  // anything.
  for (auto& logger : pipeline.loggers) {
    auto status = logger->start();
    if (status) continue;
    if (status.is_retry() && !logger.required) {
      spdlog::warn("{}: {}; going on without it (\"required\": false): its events are kept for a later run",
                   logger.label(), status.message());
      continue;
    }
    fail_start(logger.label(), status);
  }
  if (pipeline.provider) {
    auto status = (*pipeline.provider)->start();
    if (!status) fail_start(pipeline.provider->label(), status);
  }
}

}  // namespace pipehost::engine
