// Online mode: one synchronous call per row, with bounded concurrency and a requests-per-minute
// limit; the same ledger, retries and outcomes as batch mode.
#include <condition_variable>
#include <deque>
#include <optional>

#include <spdlog/spdlog.h>

#include "engine/fingerprint.hpp"
#include "engine/model_run_impl.hpp"
#include "engine/run_error.hpp"
#include "net/retry.hpp"

namespace pipehost::engine {

namespace {

constexpr int kMaxCallAttempts = 5;

struct OnlineWork {
  ledger::JobRow row;
  Request request;
};

/// A bounded queue between the source pass and the callers.
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}
  /// False when the queue was closed for good (the run is stopping).
  bool push(OnlineWork work, const std::function<bool()>& stopping) {
    std::unique_lock lock(mutex_);
    while (items_.size() >= capacity_) {
      if (stopping()) return false;
      changed_.wait_for(lock, std::chrono::milliseconds(100));
    }
    items_.push_back(std::move(work));
    changed_.notify_all();
    return true;
  }
  std::optional<OnlineWork> pop(const std::function<bool()>& stopping) {
    std::unique_lock lock(mutex_);
    while (items_.empty()) {
      if (closed_ || stopping()) return std::nullopt;
      changed_.wait_for(lock, std::chrono::milliseconds(100));
    }
    auto work = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return work;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<OnlineWork> items_;
  bool closed_ = false;
};

/// Spaces calls evenly to stay under a requests-per-minute limit (0 = unlimited).
class RateLimiter {
 public:
  explicit RateLimiter(double per_minute)
      : interval_(per_minute > 0 ? std::chrono::microseconds(static_cast<std::int64_t>(60e6 / per_minute))
                                 : std::chrono::microseconds(0)) {}
  /// How long the caller must wait for its turn.
  std::chrono::milliseconds reserve() {
    if (interval_.count() == 0) return std::chrono::milliseconds(0);
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    auto slot = std::max(now, next_);
    next_ = slot + interval_;
    return std::chrono::duration_cast<std::chrono::milliseconds>(slot - now);
  }

 private:
  std::chrono::microseconds interval_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point next_{};
};

}  // namespace

void ModelRun::run_online_passes() {
  int concurrency = settings_.online_concurrency;
  if (capabilities_.max_online_concurrency)
    concurrency = std::min<int>(concurrency, static_cast<int>(capabilities_.max_online_concurrency));
  RateLimiter limiter(settings_.requests_per_minute);
  auto stopping_fn = [this] { return stopping(); };

  for (int pass = 1; !stopping(); ++pass) {
    auto rows = eligible_now();
    if (rows.empty()) break;
    if (pass > 1) spdlog::info("retrying {} rows that failed (pass {})", rows.size(), pass);
    WorkQueue queue(static_cast<std::size_t>(concurrency) * 2);
    std::vector<std::thread> callers;
    for (int i = 0; i < concurrency; ++i) {
      callers.emplace_back([&] {
        try {
          while (auto work = queue.pop(stopping_fn)) {
            auto wait = limiter.reserve();
            if (wait.count() > 0 && !run_.sleep_for(wait)) return;
            double start =
                std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
            Response response;
            Status called;
            net::Backoff backoff(RetryPolicy{.initial_backoff = std::chrono::seconds(1),
                                             .max_backoff = std::chrono::minutes(1)});
            for (int attempt = 1; attempt <= kMaxCallAttempts; ++attempt) {
              response = Response{};
              called = (*pipeline_.provider)->call(work->request, response);
              if (called || called.is_fatal() || attempt == kMaxCallAttempts) break;
              if (!run_.sleep_for(backoff.next_after(called.retry_after_ms()))) return;
            }
            if (called.is_fatal()) throw RunError(pipeline_.provider->label() + ": " + called.message());
            if (!called) response.error = ResponseError{"", called.message(), true};
            response.key = work->row.key;
            auto outcome = outcome_of(work->row, response);
            log_call(work->row, "", fingerprint_, response, outcome, start);
            outcome.started_at = start;
            ledger_->record_outcomes(0, {outcome}, fingerprint_, parser_fingerprint_);
            count_outcomes({outcome});
          }
        } catch (...) {
          abort_with(std::current_exception());
        }
      });
    }
    std::size_t next = 0;
    try {
      for_each_source_row([&](Row& row, std::uint64_t ordinal) {
        if (next >= rows.size() || rows[next].ordinal != ordinal) return;
        int attempt = rows[next++].attempts + 1;
        auto request = build_request(row);
        auto parts = request.user_parts;
        auto input_hash = request_content_hash(parts);
        if (!queue.push({{row.key, attempt, std::move(parts), std::move(row.values), std::move(input_hash)},
                         std::move(request)},
                        stopping_fn))
          return;
        run_.counters().add(counter::rows_prepared, 1);
      });
    } catch (...) {
      abort_with(std::current_exception());
    }
    queue.close();
    for (auto& t : callers) t.join();
  }
}

}  // namespace pipehost::engine
