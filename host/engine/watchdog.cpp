#include "engine/watchdog.hpp"

namespace pipehost::engine {

std::optional<std::string> give_up_verdict(const services::EndpointHealth::Snapshot& health,
                                           services::EndpointHealth::Clock::time_point now,
                                           std::chrono::milliseconds limit, const std::string& stage) {
  if (!health.failing_since) return std::nullopt;
  auto failing_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - *health.failing_since);
  if (failing_for < limit) return std::nullopt;
  return services::give_up_message(stage, health, failing_for);
}

ProviderWatchdog::ProviderWatchdog(const services::EndpointHealth& health, std::string stage,
                                   std::chrono::milliseconds limit,
                                   std::function<void(const std::string&)> give_up,
                                   std::chrono::milliseconds check_every)
    : health_(health),
      stage_(std::move(stage)),
      limit_(limit),
      give_up_(std::move(give_up)),
      check_every_(check_every),
      thread_([this] { loop(); }) {}

ProviderWatchdog::~ProviderWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProviderWatchdog::loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, check_every_, [this] { return stop_; })) {
    auto verdict =
        give_up_verdict(health_.snapshot(), services::EndpointHealth::Clock::now(), limit_, stage_);
    if (verdict) {
      lock.unlock();
      give_up_(*verdict);
      return;
    }
  }
}

std::unique_ptr<ProviderWatchdog> watch_provider(const BoundStage<Provider>& provider,
                                                 const config::RunSettings& settings,
                                                 std::function<void(const std::string&)> give_up) {
  auto limit = std::chrono::milliseconds(static_cast<std::int64_t>(settings.give_up_after_s * 1000));
  return std::make_unique<ProviderWatchdog>(provider.services->health(), provider.label(), limit,
                                            std::move(give_up));
}

}  // namespace pipehost::engine
