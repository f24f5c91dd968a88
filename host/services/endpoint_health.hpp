// Whether a plugin instance can reach the services it calls: the host's HTTP client reports every
// attempt, and the engine's watchdog gives up on a provider that has kept failing, with no success
// in between, for too long (run.give_up_after_s).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace pipehost::services {

class EndpointHealth {
 public:
  using Clock = std::chrono::steady_clock;

  /// What is known at one moment.
  struct Snapshot {
    /// When the current run of failures began (the first failure since the last success); unset
    /// when the last attempt succeeded or nothing failed yet.
    std::optional<Clock::time_point> failing_since;
    std::optional<Clock::time_point> last_success;
    /// The last failure: where ("https://host:port") and what.
    std::string last_failure_origin;
    std::string last_failure;
    /// Failures since the last success.
    std::uint64_t failures = 0;
  };

  /// The service answered (anything but 408, 429 or 5xx): the failures so far are over.
  void record_success(Clock::time_point now = Clock::now());
  void record_failure(std::string origin, std::string error, Clock::time_point now = Clock::now());
  Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  Snapshot state_;
};

/// The message of a run that gives up on `stage` (e.g. "/provider (gemini-batch)") after failing
/// since `failing_for`; ends with "run again to resume".
std::string give_up_message(const std::string& stage, const EndpointHealth::Snapshot& health,
                            std::chrono::milliseconds failing_for);

}  // namespace pipehost::services
