// Bounded waiting: a provider that keeps failing to reach its service (an unresolvable or closed
// endpoint, a service answering 5xx) would otherwise be retried for hours. The watchdog reads the
// provider's endpoint health (fed by the host's HTTP client) and gives up on the run once the
// provider has kept failing, with no successful call in between, for run.give_up_after_s.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/run_config.hpp"
#include "engine/pipeline.hpp"
#include "services/endpoint_health.hpp"

namespace pipehost::engine {

/// The message to give up with when `health` at `now` has been failing for `limit` or longer.
std::optional<std::string> give_up_verdict(const services::EndpointHealth::Snapshot& health,
                                           services::EndpointHealth::Clock::time_point now,
                                           std::chrono::milliseconds limit, const std::string& stage);

class ProviderWatchdog {
 public:
  /// Checks `health` every `check_every` and calls `give_up(message)` once when the verdict says so.
  /// `stage` names the provider in the message, e.g. "/provider (gemini-batch)".
  ProviderWatchdog(const services::EndpointHealth& health, std::string stage, std::chrono::milliseconds limit,
                   std::function<void(const std::string&)> give_up,
                   std::chrono::milliseconds check_every = std::chrono::milliseconds(200));
  ~ProviderWatchdog();
  ProviderWatchdog(const ProviderWatchdog&) = delete;
  ProviderWatchdog& operator=(const ProviderWatchdog&) = delete;

 private:
  void loop();

  const services::EndpointHealth& health_;
  std::string stage_;
  std::chrono::milliseconds limit_;
  std::function<void(const std::string&)> give_up_;
  std::chrono::milliseconds check_every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

/// A watchdog on `provider` with the run's give_up_after_s.
std::unique_ptr<ProviderWatchdog> watch_provider(const BoundStage<Provider>& provider,
                                                 const config::RunSettings& settings,
                                                 std::function<void(const std::string&)> give_up);

}  // namespace pipehost::engine
