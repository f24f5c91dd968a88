// The batch job lifecycle: plan → (record intent) → submit → poll → fetch → apply, one worker
// thread per job in flight, and the passes that feed them.
#include <algorithm>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "engine/model_run_impl.hpp"
#include "engine/run_error.hpp"

namespace pipehost::engine {

namespace {

constexpr std::size_t kOutcomesPerCommit = 512;
constexpr int kMaxSubmitAttempts = 25;
constexpr int kMaxPollFailures = 30;
constexpr int kMaxFetchAttempts = 6;
constexpr auto kMaxBackoff = std::chrono::minutes(5);

const char* state_name(JobState state) {
  switch (state) {
    case JobState::pending: return "pending";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::cancelled: return "cancelled";
    case JobState::expired: return "expired";
  }
  return "unknown";
}

std::chrono::milliseconds next_wait(const Status& status, std::chrono::milliseconds& backoff) {
  auto wait = std::max(backoff, std::chrono::milliseconds(std::max<std::int64_t>(status.retry_after_ms(), 0)));
  backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  return wait;
}

std::string seconds_text(std::chrono::milliseconds wait) {
  return std::to_string((wait.count() + 999) / 1000) + "s";
}

}  // namespace

void ModelRun::run_batch_passes() {
  job_slots_.release(settings_.max_jobs_in_flight);
  reconcile_jobs();
  std::uint64_t limit_rows = capabilities_.max_requests_per_job
                                 ? std::min<std::uint64_t>(settings_.batch_size, capabilities_.max_requests_per_job)
                                 : settings_.batch_size;
  for (int pass = 1; !stopping(); ++pass) {
    auto rows = eligible_now();
    if (rows.empty()) {
      // Rows of jobs still in flight may fail and become eligible again.
      wait_for_workers();
      rows = eligible_now();
      if (rows.empty() || stopping()) break;
    }
    if (pass > 1) spdlog::info("retrying {} rows that failed (pass {})", rows.size(), pass);
    JobChunk chunk;
    std::size_t next = 0;
    for_each_source_row([&](Row& row, std::uint64_t ordinal) {
      if (next >= rows.size() || rows[next].ordinal != ordinal) return;
      int attempt = rows[next++].attempts + 1;
      auto request = build_request(row);
      std::uint64_t size = 0;
      auto measured = (*pipeline_.provider)->encoded_size(request, size);
      if (!measured) throw RunError(pipeline_.provider->label() + ": " + measured.message());
      bool full = chunk.rows.size() == limit_rows ||
                  (capabilities_.max_bytes_per_job && chunk.bytes + size > capabilities_.max_bytes_per_job);
      if (!chunk.rows.empty() && full) dispatch(std::exchange(chunk, {}));
      chunk.rows.push_back({row.key, attempt, request.user_parts, std::move(row.values)});
      chunk.requests.push_back(std::move(request));
      chunk.bytes += size;
      run_.counters().add(counter::rows_prepared, 1);
    });
    if (!chunk.rows.empty() && !stopping()) dispatch(std::move(chunk));
    wait_for_workers();
  }
  wait_for_workers();
}

void ModelRun::reconcile_jobs() {
  for (auto job : ledger_->unfinished_jobs()) {
    if (stopping()) return;
    if (job.state == ledger::job_state::planned) {
      // The intent was recorded but the process died around the create call: the job may exist.
      std::string handle;
      auto found = (*pipeline_.provider)->find(job.display_name, handle);
      if (!found) throw RunError("looking up job " + job.display_name + " after a restart: " + found.message());
      if (handle.empty()) {
        spdlog::info("job {} was never created; its {} rows go back to pending", job.display_name, job.row_count);
        ledger_->release_job(job.id);
        continue;
      }
      spdlog::info("found job {} ({}) created before the restart; adopting it", job.display_name, handle);
      ledger_->set_job_handle(job.id, handle);
      job.handle = handle;
      job.state = ledger::job_state::created;
    } else {
      spdlog::info("resuming job {} ({}, {})", job.display_name, job.handle, job.state);
    }
    while (!job_slots_.try_acquire_for(std::chrono::milliseconds(100)))
      if (stopping()) return;
    start_worker(std::move(job), {});
  }
}

void ModelRun::dispatch(JobChunk chunk) {
  while (!job_slots_.try_acquire_for(std::chrono::milliseconds(100)))
    if (stopping()) return;
  if (stopping()) {
    job_slots_.release();
    return;
  }
  auto job = ledger_->plan_job(chunk.rows, chunk.bytes);
  start_worker(std::move(job), std::move(chunk.requests));
}

void ModelRun::start_worker(ledger::JobRecord job, std::vector<Request> requests) {
  std::lock_guard lock(workers_mutex_);
  workers_.emplace_back([this, job = std::move(job), requests = std::move(requests)]() mutable {
    run_.counters().add(counter::jobs_running, 1);
    try {
      run_job(std::move(job), std::move(requests));
    } catch (...) {
      abort_with(std::current_exception());
    }
    run_.counters().add(counter::jobs_running, -1);
    job_slots_.release();
  });
}

void ModelRun::wait_for_workers() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(workers_mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
}

void ModelRun::run_job(ledger::JobRecord job, std::vector<Request> requests) {
  if (job.state == ledger::job_state::planned && !submit_job(job, requests)) return;
  requests = {};  // the provider has them now; free the memory
  if (job.state != "succeeded") {
    JobStatus status;
    if (!poll_job(job, status)) return;
    if (status.state != JobState::succeeded) {
      std::string reason = "batch job " + job.display_name + " ended " + state_name(status.state) +
                           (status.message.empty() ? "" : ": " + status.message);
      spdlog::warn("{}; its rows will be retried", reason);
      if (progress_)
        for (const auto& row : ledger_->job_rows(job.id)) progress_->record_row(row.key, false);
      ledger_->close_job(job.id, state_name(status.state), reason, fingerprint_);
      run_.counters().add(counter::jobs_done, 1);
      run_.counters().add(counter::rows_failed, static_cast<std::int64_t>(job.row_count));
      return;
    }
  }
  fetch_job(job);
  run_.counters().add(counter::jobs_done, 1);
}

void ModelRun::adopt_handle(ledger::JobRecord& job, const std::string& handle) {
  ledger_->set_job_handle(job.id, handle);
  job.handle = handle;
  job.state = ledger::job_state::created;
  // Log events measure calls from here (the ledger keeps the same time for resumed runs).
  job.submitted_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ++jobs_created_;
}

bool ModelRun::submit_job(ledger::JobRecord& job, const std::vector<Request>& requests) {
  std::chrono::milliseconds backoff(2000);
  for (int attempt = 1;; ++attempt) {
    if (stopping()) return false;  // stays planned: the next run finds it or releases its rows
    std::string handle;
    auto status = (*pipeline_.provider)->submit(job.display_name, requests, handle);
    if (status && !handle.empty()) {
      adopt_handle(job, handle);
      spdlog::info("created job {} ({}): {} rows", job.display_name, handle, job.row_count);
      return true;
    }
    if (status) status = Status::fatal("the provider returned no job handle");
    if (status.is_fatal()) {
      ledger_->release_job(job.id);
      throw RunError("creating batch job " + job.display_name + ": " + status.message());
    }
    if (attempt == kMaxSubmitAttempts) {
      ledger_->release_job(job.id);
      throw RunError("creating batch job " + job.display_name + " failed " + std::to_string(attempt) +
                     " times; last error: " + status.message() + " (run again to resume)");
    }
    auto wait = next_wait(status, backoff);
    if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to create " + job.display_name + ": " + status.message()))
      return false;
    // The failed call may have created the job anyway (e.g. the connection dropped after the request
    // went out): look before creating it again.
    auto found = (*pipeline_.provider)->find(job.display_name, handle);
    if (found && !handle.empty()) {
      adopt_handle(job, handle);
      spdlog::info("job {} exists after all ({}); adopting it", job.display_name, handle);
      return true;
    }
  }
}

bool ModelRun::poll_job(ledger::JobRecord& job, JobStatus& status) {
  auto interval = std::chrono::milliseconds(
      std::min<std::int64_t>(500, static_cast<std::int64_t>(settings_.poll_interval_s * 1000)));
  auto max_interval = std::chrono::milliseconds(static_cast<std::int64_t>(settings_.poll_interval_s * 1000));
  std::chrono::milliseconds backoff(1000);
  int failures = 0;
  while (true) {
    if (stopping()) return false;  // the job keeps running at the provider; the next run polls it
    auto polled = (*pipeline_.provider)->poll(job.handle, status);
    if (polled.is_fatal()) throw RunError("polling job " + job.display_name + ": " + polled.message());
    if (polled.is_retry()) {
      if (++failures == kMaxPollFailures)
        throw RunError("polling job " + job.display_name + " failed " + std::to_string(failures) +
                       " times; last error: " + polled.message() + " (run again to resume)");
      auto wait = next_wait(polled, backoff);
      if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to poll " + job.display_name + ": " + polled.message()))
        return false;
      continue;
    }
    failures = 0;
    if (job.state != state_name(status.state)) {
      job.state = state_name(status.state);
      ledger_->set_job_state(job.id, job.state, &status);
    }
    if (is_terminal(status.state)) return true;
    if (!run_.sleep_for(interval)) return false;
    interval = std::min(max_interval, interval * 3 / 2);
  }
}

void ModelRun::fetch_job(const ledger::JobRecord& job) {
  std::unordered_map<std::string, ledger::JobRow> rows;
  for (auto& row : ledger_->job_rows(job.id)) rows.emplace(row.key, std::move(row));
  std::unordered_set<std::string> answered;
  std::vector<ledger::RowOutcome> outcomes;
  std::uint64_t unknown = 0;
  auto commit = [&] {
    ledger_->record_outcomes(job.id, outcomes, fingerprint_);
    count_outcomes(outcomes);
    outcomes.clear();
  };
  std::chrono::milliseconds backoff(1000);
  for (int attempt = 1;; ++attempt) {
    if (stopping()) return;
    auto fetched = (*pipeline_.provider)->fetch(job.handle, [&](Response&& response) -> Status {
      if (stopping()) return Status::fatal("cancelled");
      auto it = rows.find(response.key);
      if (it == rows.end()) {
        ++unknown;
        return Status::ok();
      }
      if (!answered.insert(response.key).second) return Status::ok();  // seen in an earlier try
      auto outcome = outcome_of(it->second, response);
      log_call(it->second, job.display_name, response, outcome, job.submitted_at);
      outcomes.push_back(std::move(outcome));
      if (outcomes.size() >= kOutcomesPerCommit) commit();
      return Status::ok();
    });
    commit();
    if (stopping()) return;  // results so far are kept; the next run fetches the rest
    if (fetched) break;
    if (fetched.is_fatal() || attempt == kMaxFetchAttempts)
      throw RunError("downloading the results of " + job.display_name + ": " + fetched.message() +
                     " (the results applied so far are kept; run again to resume)");
    auto wait = next_wait(fetched, backoff);
    if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to download " + job.display_name + " again: " +
                                  fetched.message()))
      return;
  }
  if (unknown) spdlog::warn("job {}: {} answers had keys that are not in the job; ignored", job.display_name, unknown);
  std::uint64_t missing = rows.size() - answered.size();
  if (missing) {
    spdlog::warn("job {}: {} rows got no answer; they will be retried", job.display_name, missing);
    if (progress_)
      for (const auto& [key, row] : rows)
        if (!answered.count(key)) progress_->record_row(key, false);
    run_.counters().add(counter::rows_failed, static_cast<std::int64_t>(missing));
  }
  ledger_->close_job(job.id, ledger::job_state::fetched, "no answer for this row in the batch output", fingerprint_);
}

}  // namespace pipehost::engine
