// What the host shares with every plugin instance during a run: cancellation, progress counters,
// secrets, the state dir. PluginServices is the HostServices one plugin instance sees.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "pipehost/host_services.hpp"
#include "services/endpoint_health.hpp"
#include "services/secret_registry.hpp"

namespace pipehost::services {

/// Named counters shown on the progress line and in the summary. Thread-safe.
class ProgressCounters {
 public:
  void add(std::string_view name, std::int64_t delta);
  void set(std::string_view name, std::int64_t value);
  std::int64_t get(std::string_view name) const;
  std::map<std::string, std::int64_t, std::less<>> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t, std::less<>> values_;
};

/// Run-wide state behind every plugin's HostServices.
class RunServices {
 public:
  /// `secrets` is shared with the log sink, so every key a plugin reads is cut from every log line.
  RunServices(std::filesystem::path state_dir, std::shared_ptr<SecretRegistry> secrets);

  const std::filesystem::path& state_dir() const { return state_dir_; }
  std::shared_ptr<SecretRegistry> secrets() const { return secrets_; }
  ProgressCounters& counters() { return counters_; }

  /// Asks every sleeper and long loop to stop (Ctrl-C).
  void cancel();
  bool cancelled() const { return cancelled_.load(); }
  /// Sleeps up to `duration`; false if cancelled before or during the sleep.
  bool sleep_for(std::chrono::milliseconds duration);

 private:
  std::filesystem::path state_dir_;
  std::shared_ptr<SecretRegistry> secrets_;
  ProgressCounters counters_;
  std::atomic<bool> cancelled_{false};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_wakeup_;
};

/// What the config allows one plugin instance (host keys of its section).
struct PluginPolicy {
  /// JSON pointer of the plugin's config section, e.g. "/provider" (for messages).
  std::string config_pointer;
  /// Plain http:// to hosts that are not loopback ("allow_insecure_http": true).
  bool allow_insecure_http = false;
};

/// The HostServices of one plugin instance: logs carry the plugin's name, scratch space is its own.
class PluginServices final : public HostServices {
 public:
  /// `instance` names the stage in logs and its scratch folder, e.g. "gemini-batch" or "csv-io#sink1".
  PluginServices(RunServices& run, std::string instance, PluginPolicy policy = {});

  std::shared_ptr<HttpClient> http(const HttpClientOptions& options, Status& status) noexcept override;
  Status secret(std::string_view env_name, std::string& value) noexcept override;
  void log(LogLevel level, std::string_view message) noexcept override;
  void progress(std::string_view counter, std::int64_t delta) noexcept override;
  bool sleep_for(std::chrono::milliseconds duration) noexcept override;
  bool cancelled() const noexcept override;
  std::string scratch_dir() const override;
  std::string state_dir() const override;

  /// How this plugin's HTTP calls went (every client it got reports here).
  const EndpointHealth& health() const { return health_; }

 private:
  RunServices& run_;
  std::string instance_;
  PluginPolicy policy_;
  EndpointHealth health_;
};

}  // namespace pipehost::services
