// The batch job lifecycle: plan → (record intent) → submit → poll → fetch → apply, one worker
// thread per job in flight, and the passes that feed them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "engine/fingerprint.hpp"
#include "engine/model_run_impl.hpp"
#include "engine/run_error.hpp"
#include "net/retry.hpp"

namespace pipehost::engine {

namespace {

constexpr std::size_t kOutcomesPerCommit = 512;
constexpr int kMaxSubmitAttempts = 25;
constexpr int kMaxPollFailures = 30;
constexpr int kMaxFetchAttempts = 6;
constexpr auto kMaxBackoff = std::chrono::minutes(5);

/// The engine's waits for a provider that asked to be retried (after its own HTTP attempts): longer
/// than a single call's, to ride out an outage or a quota window.
net::Backoff provider_backoff(std::chrono::milliseconds initial) {
  return net::Backoff(RetryPolicy{.initial_backoff = initial, .max_backoff = kMaxBackoff});
}

std::string seconds_text(std::chrono::milliseconds wait) {
  return std::to_string((wait.count() + 999) / 1000) + "s";
}

/// Adds the time from its construction to its end to `total` (microseconds).
class StageTimer {
 public:
  explicit StageTimer(std::atomic<std::int64_t>& total) : total_(total) {}
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;
  ~StageTimer() {
    total_ += std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_)
                  .count();
  }

 private:
  std::atomic<std::int64_t>& total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

void ModelRun::run_batch_passes() {
  job_slots_.release(settings_.max_jobs_in_flight);
  reconcile_jobs();
  std::uint64_t limit_rows =
      capabilities_.max_requests_per_job
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
      auto input_hash = request_content_hash(request.user_parts);
      chunk.rows.push_back(
          {row.key, attempt, request.user_parts, std::move(row.values), std::move(input_hash)});
      chunk.requests.push_back(std::move(request));
      chunk.bytes += size;
      run_.counters().add(counter::rows_prepared, 1);
    });
    if (!chunk.rows.empty() && !stopping()) dispatch(std::move(chunk));
    wait_for_workers();
  }
  wait_for_workers();
}

Status ModelRun::find_existing(const ledger::JobRecord& job, std::string& handle) {
  handle.clear();
  auto& provider = *pipeline_.provider;
  if (capabilities_.job_lookup == JobLookup::by_name) return provider->find(job.display_name, handle);
  // The provider's jobs carry no name: the job is an unclaimed one created since it was planned (the
  // provider's clock may differ from ours a little) with as many requests. Its answers confirm it: a
  // stranger's job answers none of its rows (see fetch_answers).
  constexpr double kClockSkewS = 300;
  std::vector<JobSummary> jobs;
  if (auto listed = provider->list_jobs(job.created_at - kClockSkewS, jobs); !listed) return listed;
  const JobSummary* best = nullptr;
  for (const auto& candidate : jobs) {
    if (candidate.request_count != job.row_count || ledger_->handle_known(candidate.handle)) continue;
    if (!best || candidate.created_at < best->created_at) best = &candidate;
  }
  if (best) handle = best->handle;
  return Status::ok();
}

bool ModelRun::find_planned_job(ledger::JobRecord& job) {
  // The intent was recorded but the process died around the create call: the job may exist.
  std::string handle;
  auto found = find_existing(job, handle);
  if (!found) throw RunError("looking up job " + job.display_name + " after a restart: " + found.message());
  if (handle.empty()) {
    spdlog::info("job {} was never created; its {} rows go back to pending", job.display_name, job.row_count);
    ledger_->release_job(job.id);
    return false;
  }
  spdlog::info("found job {} ({}) created before the restart; adopting it", job.display_name, handle);
  ledger_->set_job_handle(job.id, handle);
  job.handle = handle;
  job.state = ledger::JobState::created;
  return true;
}

void ModelRun::reconcile_jobs() {
  std::uint64_t jobs = 0, rows = 0;
  for (auto job : ledger_->unfinished_jobs()) {
    if (stopping()) return;
    if (job.state == ledger::JobState::planned) {
      if (!find_planned_job(job)) continue;
    } else {
      spdlog::info("resuming job {} ({}, {})", job.display_name, job.handle, to_string(job.state));
    }
    ++jobs, rows += job.row_count;
    while (!job_slots_.try_acquire_for(std::chrono::milliseconds(100)))
      if (stopping()) return;
    start_worker(std::move(job), {});
  }
  if (jobs)
    spdlog::info("recovering {} job(s) with {} rows from an earlier run{}", jobs, rows,
                 options_.limit ? "; they do not count against --limit" : "");
  run_.counters().set(counter::rows_recovered, static_cast<std::int64_t>(rows));
}

void ModelRun::dispatch(JobChunk chunk) {
  while (!job_slots_.try_acquire_for(std::chrono::milliseconds(100)))
    if (stopping()) return;
  if (stopping()) {
    job_slots_.release();
    return;
  }
  auto job = ledger_->plan_job(chunk.rows, chunk.bytes, fingerprint_);
  if (capabilities_.job_lookup == JobLookup::by_listing) create_turns_.enqueue(job.id);
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
  if (job.state == ledger::JobState::planned) {
    StageTimer timer(job_stage_times_.submit_us);
    if (!submit_job(job, requests)) return;
  }
  requests = {};  // the provider has them now; free the memory
  if (job.state != ledger::JobState::succeeded) {
    JobStatus status;
    {
      StageTimer timer(job_stage_times_.wait_us);
      if (!poll_job(job, status)) return;
    }
    if (status.state != JobState::succeeded) {
      std::string reason = "batch job " + job.display_name + " ended " +
                           to_string(ledger::job_state_of(status.state)) +
                           (status.message.empty() ? "" : ": " + status.message);
      spdlog::warn("{}; its rows will be retried", reason);
      if (progress_)
        for (const auto& row : ledger_->job_rows(job.id)) progress_->record_row(row.key, false);
      fetch_partial(job);
      if (stopping()) return;  // the next run fetches it again
      ledger_->close_job(job.id, ledger::job_state_of(status.state), reason, fingerprint_of(job));
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
  job.state = ledger::JobState::created;
  // Log events measure calls from here (the ledger keeps the same time for resumed runs).
  job.submitted_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ++jobs_created_;
}

bool ModelRun::submit_job(ledger::JobRecord& job, const std::vector<Request>& requests) {
  if (capabilities_.job_lookup != JobLookup::by_listing) return create_job(job, requests);
  // Whatever happens to this create, the next job's may go once it is settled.
  struct TurnDone {
    CreateTurns& turns;
    std::int64_t id;
    ~TurnDone() { turns.done(id); }
  } turn_done{create_turns_, job.id};
  if (!create_turns_.wait_turn(job.id, [this] { return stopping(); })) return false;
  return create_job(job, requests);
}

bool ModelRun::create_job(ledger::JobRecord& job, const std::vector<Request>& requests) {
  auto backoff = provider_backoff(std::chrono::seconds(2));
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
      // The job stays planned: one of the failed calls may have created it, and the next run looks
      // for it before it creates anything.
      throw RunError("creating batch job " + job.display_name + " failed " + std::to_string(attempt) +
                     " times; last error: " + status.message() + " (run again to resume)");
    }
    auto wait = backoff.next_after(status.retry_after_ms());
    if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to create " + job.display_name + ": " +
                                  status.message()))
      return false;
    // The failed call may have created the job anyway (e.g. the connection dropped after the request
    // went out): look before creating it again.
    auto found = find_existing(job, handle);
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
  auto backoff = provider_backoff(std::chrono::seconds(1));
  int failures = 0;
  while (true) {
    if (stopping()) return false;  // the job keeps running at the provider; the next run polls it
    auto polled = (*pipeline_.provider)->poll(job.handle, status);
    if (polled.is_fatal()) throw RunError("polling job " + job.display_name + ": " + polled.message());
    if (polled.is_retry()) {
      if (++failures == kMaxPollFailures)
        throw RunError("polling job " + job.display_name + " failed " + std::to_string(failures) +
                       " times; last error: " + polled.message() + " (run again to resume)");
      auto wait = backoff.next_after(polled.retry_after_ms());
      if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to poll " + job.display_name + ": " +
                                    polled.message()))
        return false;
      continue;
    }
    failures = 0;
    if (job.state != ledger::job_state_of(status.state)) {
      job.state = ledger::job_state_of(status.state);
      ledger_->set_job_state(job.id, job.state, &status);
    }
    if (is_terminal(status.state)) return true;
    if (!run_.sleep_for(interval)) return false;
    interval = std::min(max_interval, interval * 3 / 2);
  }
}

void ModelRun::fetch_partial(const ledger::JobRecord& job) {
  StageTimer timer(job_stage_times_.fetch_us);
  fetch_answers(job, true);
}

void ModelRun::fetch_job(const ledger::JobRecord& job) {
  StageTimer timer(job_stage_times_.fetch_us);
  if (!fetch_answers(job, false)) return;  // stopped, or not this run's job (its rows were released)
  ledger_->close_job(job.id, ledger::JobState::fetched, "no answer for this row in the batch output",
                     fingerprint_of(job));
}

bool ModelRun::fetch_answers(const ledger::JobRecord& job, bool partial) {
  std::unordered_map<std::string, ledger::JobRow> rows;
  for (auto& row : ledger_->job_rows(job.id)) rows.emplace(row.key, std::move(row));
  std::unordered_set<std::string> answered;
  std::vector<ledger::RowOutcome> outcomes;
  std::uint64_t unknown = 0;
  auto commit = [&] {
    ledger_->record_outcomes(job.id, outcomes, fingerprint_of(job), parser_fingerprint_);
    count_outcomes(outcomes);
    outcomes.clear();
  };
  auto backoff = provider_backoff(std::chrono::seconds(1));
  for (int attempt = 1;; ++attempt) {
    if (stopping()) return false;
    auto fetched = (*pipeline_.provider)->fetch(job.handle, [&](Response&& response) -> Status {
      if (stopping()) return Status::fatal("cancelled");
      auto it = rows.find(response.key);
      if (it == rows.end()) {
        ++unknown;
        return Status::ok();
      }
      if (!answered.insert(response.key).second) return Status::ok();  // seen in an earlier try
      auto outcome = outcome_of(it->second, response);
      outcome.started_at = job.submitted_at;
      log_call(it->second, job.display_name, fingerprint_of(job), response, outcome, job.submitted_at);
      outcomes.push_back(std::move(outcome));
      if (outcomes.size() >= kOutcomesPerCommit) commit();
      return Status::ok();
    });
    commit();
    if (stopping()) return false;  // results so far are kept; the next run fetches the rest
    if (fetched) break;
    if (partial && (fetched.is_fatal() || attempt == kMaxFetchAttempts)) {
      // A job that ended without succeeding often has no output at all.
      spdlog::debug("job {}: no answers to keep: {}", job.display_name, fetched.message());
      break;
    }
    if (fetched.is_fatal() || attempt == kMaxFetchAttempts)
      throw RunError("downloading the results of " + job.display_name + ": " + fetched.message() +
                     " (the results applied so far are kept; run again to resume)");
    auto wait = backoff.next_after(fetched.retry_after_ms());
    if (!wait_with_note(wait, "waiting " + seconds_text(wait) + " to download " + job.display_name +
                                  " again: " + fetched.message()))
      return false;
  }
  if (unknown)
    spdlog::warn("job {}: {} answers had keys that are not in the job; ignored", job.display_name, unknown);
  if (answered.empty() && unknown > 0) {
    // Found again after a lost create answer, but none of its answers is for this job's rows: it was
    // someone else's job. Nothing of it was recorded; the rows go back to pending, without an attempt.
    spdlog::warn(
        "job {} ({}) answered none of its rows: it is not this run's job; its {} rows go back to pending",
        job.display_name, job.handle, rows.size());
    ledger_->release_job(job.id, ledger::JobState::not_ours);
    return false;
  }
  if (partial) {
    if (!answered.empty())
      spdlog::info("job {}: kept {} answers it gave before it ended", job.display_name, answered.size());
    answers_kept_ += answered.size();
    return true;
  }
  answers_kept_ += answered.size();
  std::uint64_t missing = rows.size() - answered.size();
  if (missing) {
    spdlog::warn("job {}: {} rows got no answer; they will be retried", job.display_name, missing);
    if (progress_)
      for (const auto& [key, row] : rows)
        if (!answered.count(key)) progress_->record_row(key, false);
    run_.counters().add(counter::rows_failed, static_cast<std::int64_t>(missing));
  }
  return true;
}

CancelReport ModelRun::cancel_jobs() {
  open_ledger();
  open_stages();
  // Answers fetched now are recorded as a run records them: parsed with today's parser, under the
  // fingerprint each job was planned under.
  fingerprint_ = request_fingerprint(pipeline_, pricing_.model);
  parser_fingerprint_ = parser_fingerprint(pipeline_);
  auto started = (*pipeline_.provider)->start();
  if (!started) throw config::ConfigError(pipeline_.provider->label() + ": " + started.message());
  // Logging the fetched calls is worth trying, never worth failing the cancel for.
  std::erase_if(pipeline_.loggers, [](auto& logger) {
    auto status = logger->start();
    if (!status) spdlog::warn("{}: not logging the calls fetched now: {}", logger.label(), status.message());
    return !status;
  });

  auto poll_once = [&](const ledger::JobRecord& job, JobStatus& status) {
    auto backoff = provider_backoff(std::chrono::seconds(1));
    for (int attempt = 1;; ++attempt) {
      auto polled = (*pipeline_.provider)->poll(job.handle, status);
      if (polled) return;
      if (polled.is_fatal() || attempt == 5)
        throw RunError("polling job " + job.display_name + ": " + polled.message() +
                       " (nothing was cancelled or lost; "
                       "run cancel again)");
      if (!run_.sleep_for(backoff.next_after(polled.retry_after_ms()))) throw RunCancelled();
    }
  };

  CancelReport report;
  for (auto job : ledger_->unfinished_jobs()) {
    if (job.state == ledger::JobState::planned && !find_planned_job(job)) {
      ++report.never_created;
      report.rows_released += job.row_count;
      continue;
    }
    JobStatus status;
    poll_once(job, status);
    const bool was_running = !is_terminal(status.state);
    if (was_running) {
      auto cancelled = (*pipeline_.provider)->cancel(job.handle);
      if (!cancelled) throw RunError("cancelling job " + job.display_name + ": " + cancelled.message());
      spdlog::info("cancelling {} ({})", job.display_name, job.handle);
      // A cancel takes effect after a while; whatever the job answered until then is kept.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!is_terminal(status.state) && std::chrono::steady_clock::now() < deadline) {
        if (!run_.sleep_for(std::chrono::milliseconds(500))) throw RunCancelled();
        poll_once(job, status);
      }
    }
    ledger_->set_job_state(job.id, ledger::job_state_of(status.state), &status);
    if (!is_terminal(status.state)) {
      // Still winding down: it may yet answer (and bill) rows, so they stay with it; the next run or
      // cancel collects what it answered.
      ++report.still_cancelling;
      continue;
    }
    if (status.state == JobState::succeeded) {
      // It finished before the cancel could matter: every answer is recorded, none is paid for again.
      fetch_job(job);
      ++report.finished;
      continue;
    }
    fetch_partial(job);
    if (was_running) {
      report.rows_released += ledger_->release_job(job.id, ledger::job_state_of(status.state));
      ++report.cancelled;
    } else {
      // It had ended on its own (failed, expired): its rows used an attempt, as in a run.
      ledger_->close_job(
          job.id, ledger::job_state_of(status.state),
          "batch job " + job.display_name + " ended " + to_string(ledger::job_state_of(status.state)),
          fingerprint_of(job));
      ++report.ended;
    }
  }
  report.answers_kept = answers_kept_;
  for (auto& logger : pipeline_.loggers) {
    std::uint64_t delivered = 0, set_aside = 0;
    if (auto status = logger->flush(delivered, set_aside); !status)
      spdlog::warn("{}: flush failed: {}", logger.label(), status.message());
  }
  return report;
}

}  // namespace pipehost::engine
