#include "services/endpoint_health.hpp"

#include <cstdio>

namespace pipehost::services {

void EndpointHealth::record_success(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  state_.last_success = now;
  state_.failing_since.reset();
  state_.failures = 0;
}

void EndpointHealth::record_failure(std::string origin, std::string error, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!state_.failing_since) state_.failing_since = now;
  state_.last_failure_origin = std::move(origin);
  state_.last_failure = std::move(error);
  ++state_.failures;
}

EndpointHealth::Snapshot EndpointHealth::snapshot() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string give_up_message(const std::string& stage, const EndpointHealth::Snapshot& health,
                            std::chrono::milliseconds failing_for) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.0f", static_cast<double>(failing_for.count()) / 1000.0);
  std::string where = health.last_failure_origin.empty() ? "its service" : health.last_failure_origin;
  return stage + ": gave up after " + seconds + " s without a successful call to " + where + " (" +
         std::to_string(health.failures) + " failed attempts; last error: " + health.last_failure +
         "); check the endpoint and the network (run.give_up_after_s sets how long to keep trying), then "
         "run again to resume";
}

}  // namespace pipehost::services
