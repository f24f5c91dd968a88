// The live progress line (on a terminal) or periodic progress log lines (otherwise), built from the
// run's counters.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "config/run_config.hpp"
#include "engine/cost.hpp"
#include "services/run_services.hpp"

namespace pipehost::engine {

/// Counter names the engine maintains (plugins add their own, e.g. bytes_uploaded).
namespace counter {
inline constexpr const char* rows_total = "rows_total";
inline constexpr const char* rows_selected = "rows_selected";
/// Rows of jobs an earlier run created, resumed by this one (never counted against --limit).
inline constexpr const char* rows_recovered = "rows_recovered";
inline constexpr const char* rows_prepared = "rows_prepared";
inline constexpr const char* rows_done = "rows_done";
inline constexpr const char* rows_failed = "rows_failed";
inline constexpr const char* jobs_running = "jobs_running";
inline constexpr const char* jobs_done = "jobs_done";
inline constexpr const char* tokens_input = "tokens_input";
inline constexpr const char* tokens_cached_input = "tokens_cached_input";
inline constexpr const char* tokens_cache_write = "tokens_cache_write";
inline constexpr const char* tokens_output = "tokens_output";
inline constexpr const char* tokens_thinking = "tokens_thinking";
inline constexpr const char* tool_units = "tool_units";
/// Tool fees in millionths of a dollar (counters are integers).
inline constexpr const char* tool_cost_microusd = "tool_cost_microusd";
inline constexpr const char* bytes_uploaded = "bytes_uploaded";
inline constexpr const char* bytes_downloaded = "bytes_downloaded";
}  // namespace counter

/// Rows whose latest outcome in this run is a failure: a row that fails twice counts once, and a row
/// that fails and then succeeds no longer counts. Thread-safe.
class FailedRows {
 public:
  void record(const std::string& key, bool ok);
  std::int64_t count() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> keys_;
};

/// The progress line for these counters (without any width limit).
std::string progress_text(const std::map<std::string, std::int64_t, std::less<>>& counters,
                          std::int64_t failed_rows, std::chrono::seconds elapsed, const Pricing& pricing,
                          const std::string& note);

class ProgressReporter {
 public:
  /// `live`: redraw one line on stderr every second; otherwise log a line every `log_every`.
  ProgressReporter(services::RunServices& run, const Pricing& pricing, bool live,
                   std::chrono::seconds log_every = std::chrono::seconds(15));
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// A short note shown at the end of the line, e.g. "waiting 8s: quota (429) on create".
  void set_note(std::string note);
  /// A row's outcome, for the line's failed figure (rows, not attempts).
  void record_row(const std::string& key, bool ok) { failed_.record(key, ok); }
  /// The current status as one line.
  std::string line();
  /// line() cut to the width of the terminal on stderr.
  std::string fitted_line();
  /// Stops the thread and ends the live line.
  void stop();

 private:
  void loop();

  services::RunServices& run_;
  const Pricing& pricing_;
  bool live_;
  std::chrono::seconds log_every_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string note_;
  FailedRows failed_;
  bool stop_ = false;
  std::thread thread_;
};

/// "1.2 MB", "3.4 GB".
std::string format_bytes(std::int64_t bytes);
/// "12:03" or "1:02:03".
std::string format_duration(std::chrono::seconds seconds);

}  // namespace pipehost::engine
