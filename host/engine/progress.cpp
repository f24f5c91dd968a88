#include "engine/progress.hpp"

#include <cstdio>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "engine/cost.hpp"
#include "services/status_line.hpp"

namespace pipehost::engine {

std::string format_bytes(std::int64_t bytes) {
  char text[32];
  double b = static_cast<double>(bytes);
  if (b < 1024)
    std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(bytes));
  else if (b < 1024.0 * 1024)
    std::snprintf(text, sizeof text, "%.1f KB", b / 1024);
  else if (b < 1024.0 * 1024 * 1024)
    std::snprintf(text, sizeof text, "%.1f MB", b / 1024 / 1024);
  else
    std::snprintf(text, sizeof text, "%.2f GB", b / 1024 / 1024 / 1024);
  return text;
}

std::string format_duration(std::chrono::seconds seconds) {
  auto s = seconds.count();
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600LL, (s / 60) % 60LL, s % 60LL);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60LL, s % 60LL);
  return text;
}

namespace {
std::string format_count(std::int64_t n) {
  char text[32];
  if (n >= 1'000'000)
    std::snprintf(text, sizeof text, "%.1fM", static_cast<double>(n) / 1e6);
  else if (n >= 10'000)
    std::snprintf(text, sizeof text, "%.0fk", static_cast<double>(n) / 1e3);
  else
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(n));
  return text;
}
}  // namespace

void FailedRows::record(const std::string& key, bool ok) {
  std::lock_guard lock(mutex_);
  if (ok)
    keys_.erase(key);
  else
    keys_.insert(key);
}

std::int64_t FailedRows::count() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(keys_.size());
}

std::string progress_text(const std::map<std::string, std::int64_t, std::less<>>& c, std::int64_t failed,
                          std::chrono::seconds elapsed, const Pricing& pricing, const std::string& note) {
  auto get = [&](const char* name) {
    auto it = c.find(name);
    return it == c.end() ? std::int64_t{0} : it->second;
  };
  std::int64_t selected = get(counter::rows_selected), done = get(counter::rows_done);
  std::string text = "rows " + format_count(done) + "/" + format_count(selected) + " done";
  if (failed) text += ", " + format_count(failed) + " failed";
  if (auto prepared = get(counter::rows_prepared); prepared < selected)
    text += ", " + format_count(prepared) + " prepared";
  text += " | jobs " + format_count(get(counter::jobs_running)) + " running, " +
          format_count(get(counter::jobs_done)) + " done";
  if (auto up = get(counter::bytes_uploaded)) text += " | " + format_bytes(up) + " up";
  if (auto down = get(counter::bytes_downloaded)) text += ", " + format_bytes(down) + " down";
  ledger::TokenTotals tokens;
  tokens.input = get(counter::tokens_input);
  tokens.cached_input = get(counter::tokens_cached_input);
  tokens.cache_write = get(counter::tokens_cache_write);
  tokens.output = get(counter::tokens_output);
  tokens.thinking = get(counter::tokens_thinking);
  tokens.tool_units = get(counter::tool_units);
  tokens.tool_cost_usd = static_cast<double>(get(counter::tool_cost_microusd)) / 1e6;
  if (tokens.input || tokens.output) {
    text += " | tokens " + format_count(tokens.input) + " in, " +
            format_count(tokens.output + tokens.thinking) + " out";
    if (auto cost = cost_of(pricing, tokens)) text += " | " + format_dollars(cost->total);
  }
  text += " | " + format_duration(elapsed);
  std::int64_t finished = done + failed;
  if (finished > 0 && selected > finished && elapsed.count() > 0) {
    auto eta = std::chrono::seconds(elapsed.count() * (selected - finished) / finished);
    text += ", ETA " + format_duration(eta);
  }
  if (!note.empty()) text += " | " + note;
  return text;
}

ProgressReporter::ProgressReporter(services::RunServices& run, const Pricing& pricing, bool live,
                                   std::chrono::seconds log_every)
    : run_(run), pricing_(pricing), live_(live), log_every_(log_every) {
  thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  stop();
}

void ProgressReporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (live_) services::StatusLine::on_stderr().finish(fitted_line());
}

void ProgressReporter::set_note(std::string note) {
  std::lock_guard lock(mutex_);
  note_ = std::move(note);
}

std::string ProgressReporter::line() {
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
  std::string note;
  {
    std::lock_guard lock(mutex_);
    note = note_;
  }
  // Notes quote provider messages; this line is written around the log's redaction.
  return run_.secrets()->redact(
      progress_text(run_.counters().snapshot(), failed_.count(), elapsed, pricing_, note));
}

std::string ProgressReporter::fitted_line() {
  return services::fit_to_width(line(), services::terminal_width(STDERR_FILENO));
}

void ProgressReporter::loop() {
  auto period = live_ ? std::chrono::seconds(1) : log_every_;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    lock.unlock();
    if (live_)
      services::StatusLine::on_stderr().show(fitted_line());
    else
      spdlog::info("progress: {}", line());
    lock.lock();
  }
}

}  // namespace pipehost::engine
