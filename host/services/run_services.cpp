#include "services/run_services.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "net/http_client.hpp"

namespace pipehost::services {

void ProgressCounters::add(std::string_view name, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  auto it = values_.find(name);
  if (it == values_.end()) it = values_.emplace(std::string(name), 0).first;
  it->second += delta;
}

void ProgressCounters::set(std::string_view name, std::int64_t value) {
  std::lock_guard lock(mutex_);
  auto it = values_.find(name);
  if (it == values_.end())
    values_.emplace(std::string(name), value);
  else
    it->second = value;
}

std::int64_t ProgressCounters::get(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = values_.find(name);
  return it == values_.end() ? 0 : it->second;
}

std::map<std::string, std::int64_t, std::less<>> ProgressCounters::snapshot() const {
  std::lock_guard lock(mutex_);
  return values_;
}

RunServices::RunServices(std::filesystem::path state_dir, std::shared_ptr<SecretRegistry> secrets)
    : state_dir_(std::move(state_dir)), secrets_(std::move(secrets)) {}

void RunServices::cancel() {
  {
    std::lock_guard lock(sleep_mutex_);
    cancelled_ = true;
  }
  sleep_wakeup_.notify_all();
}

bool RunServices::sleep_for(std::chrono::milliseconds duration) {
  std::unique_lock lock(sleep_mutex_);
  return !sleep_wakeup_.wait_for(lock, duration, [this] { return cancelled_.load(); });
}

PluginServices::PluginServices(RunServices& run, std::string instance, PluginPolicy policy)
    : run_(run), instance_(std::move(instance)), policy_(std::move(policy)) {}

std::shared_ptr<HttpClient> PluginServices::http(const HttpClientOptions& options, Status& status) noexcept {
  try {
    net::HttpEnvironment environment;
    environment.log = [this](LogLevel level, std::string_view message) { log(level, message); };
    environment.redact = [secrets = run_.secrets()](std::string_view text) { return secrets->redact(text); };
    environment.sleep_for = [this](std::chrono::milliseconds duration) { return run_.sleep_for(duration); };
    environment.cancelled = [this] { return run_.cancelled(); };
    environment.on_attempt = [this](const net::AttemptReport& report) {
      if (report.reached)
        health_.record_success();
      else
        health_.record_failure(report.origin, report.error);
    };
    if (!policy_.allow_insecure_http) {
      std::string section = policy_.config_pointer.empty() ? "its config section" : policy_.config_pointer;
      environment.refuse_plain_http =
          "use https://, or set \"allow_insecure_http\": true in " + section + " if you must";
    }
    status = Status::ok();
    return net::make_http_client(options, std::move(environment), status);
  } catch (const std::exception& e) {
    status = Status::fatal(e.what());
    return nullptr;
  }
}

Status PluginServices::secret(std::string_view env_name, std::string& value) noexcept {
  try {
    std::string name(env_name);
    const char* v = std::getenv(name.c_str());
    if (!v || !*v)
      return Status::fatal("environment variable " + name + " is not set");
    value = v;
    run_.secrets()->add(value);
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::fatal(e.what());
  }
}

void PluginServices::log(LogLevel level, std::string_view message) noexcept {
  try {
    static constexpr spdlog::level::level_enum levels[] = {spdlog::level::trace, spdlog::level::debug,
                                                           spdlog::level::info, spdlog::level::warn,
                                                           spdlog::level::err};
    spdlog::log(levels[static_cast<int>(level)], "[{}] {}", instance_, message);
  } catch (...) {
    // Logging must never take the run down.
  }
}

void PluginServices::progress(std::string_view counter, std::int64_t delta) noexcept {
  try {
    run_.counters().add(counter, delta);
  } catch (...) {
  }
}

bool PluginServices::sleep_for(std::chrono::milliseconds duration) noexcept {
  try {
    return run_.sleep_for(duration);
  } catch (...) {
    return !run_.cancelled();
  }
}

bool PluginServices::cancelled() const noexcept {
  return run_.cancelled();
}

std::string PluginServices::scratch_dir() const {
  auto dir = run_.state_dir() / "scratch" / instance_;
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string PluginServices::state_dir() const {
  return run_.state_dir().string();
}

}  // namespace pipehost::services
