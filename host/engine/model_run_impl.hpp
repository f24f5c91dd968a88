// Internals of a model run, shared by model_run.cpp (orchestration), batch_jobs.cpp (job
// lifecycle), online_calls.cpp and responses.cpp (turning answers into outcomes and log events).
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/cost.hpp"
#include "engine/create_turns.hpp"
#include "engine/model_run.hpp"
#include "engine/progress.hpp"

namespace pipehost::engine {

/// Rows planned into one batch job, with their requests (kept only until the job is created).
struct JobChunk {
  std::vector<Request> requests;
  std::vector<ledger::JobRow> rows;
  std::uint64_t bytes = 0;
};

class ModelRun {
 public:
  ModelRun(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
           const RunOptions& options);
  ~ModelRun();

  RunReport run();
  RunReport export_only();
  CancelReport cancel_jobs();

 private:
  // model_run.cpp: orchestration
  void open_ledger();
  void open_stages();
  std::uint64_t registration_scan();
  /// Computes the fingerprints and refuses (or, with --rerun-changed / --accept-changed, settles) rows
  /// whose answers were made for another config or other content.
  void check_changes();
  /// Settles changed rows as the options say; throws ConfigError when they say nothing.
  void apply_change_policy();
  /// Parses the raw answers of done rows again when the parser config changed.
  void reparse_stored_answers();
  void select_rows();
  std::vector<ledger::EligibleRow> eligible_now();
  RunReport dry_run(const std::vector<ledger::EligibleRow>& rows);
  void start_remote_stages();
  /// Calls `visit(row, ordinal)` for every source row, in order; keys are made unique as in the scan.
  void for_each_source_row(const std::function<void(Row&, std::uint64_t)>& visit);
  Request build_request(const Row& row);
  RunReport finish(bool write_outputs);
  /// Streams the source again, joined with the ledger, into every sink.
  void export_outputs();
  /// The report, failures.csv and summary.json.
  RunReport summarize();
  void rethrow_worker_error();

  // batch_jobs.cpp: the batch job lifecycle
  void run_batch_passes();
  void reconcile_jobs();
  /// Looks up a job whose create may or may not have happened; false (rows released) when it was not.
  bool find_planned_job(ledger::JobRecord& job);
  /// The provider's handle of `job` if a create made it (JobLookup::by_name: by its display name;
  /// by_listing: an unclaimed job of the same size created since it was planned), or empty.
  Status find_existing(const ledger::JobRecord& job, std::string& handle);
  /// Fetches what a job that ended without succeeding did answer (cancelled, expired, failed), if any.
  void fetch_partial(const ledger::JobRecord& job);
  void dispatch(JobChunk chunk);
  void start_worker(ledger::JobRecord job, std::vector<Request> requests);
  void run_job(ledger::JobRecord job, std::vector<Request> requests);
  /// Creates a planned job (in its turn, for a provider without job names); false when the run
  /// stopped first (the job stays planned for the next run to look up).
  bool submit_job(ledger::JobRecord& job, const std::vector<Request>& requests);
  bool create_job(ledger::JobRecord& job, const std::vector<Request>& requests);
  /// Records the provider's handle of a job this run created (or found after an ambiguous failure).
  void adopt_handle(ledger::JobRecord& job, const std::string& handle);
  bool poll_job(ledger::JobRecord& job, JobStatus& status);
  void fetch_job(const ledger::JobRecord& job);
  /// Streams a job's answers into the ledger; false when the run stopped first. With `partial` (a job
  /// that ended without succeeding) a job without output is not an error.
  bool fetch_answers(const ledger::JobRecord& job, bool partial);
  /// Fingerprint a job's answers are recorded under: the one it was planned under.
  const std::string& fingerprint_of(const ledger::JobRecord& job) const {
    return job.fingerprint.empty() ? fingerprint_ : job.fingerprint;
  }
  void wait_for_workers();

  // online_calls.cpp
  void run_online_passes();

  // responses.cpp: answers → outcomes, events
  ledger::RowOutcome outcome_of(const ledger::JobRow& row, const Response& response);
  /// Logs a call made under the request config `fingerprint` with the request that was sent.
  void log_call(const ledger::JobRow& row, const std::string& job_name, const std::string& fingerprint,
                const Response& response, const ledger::RowOutcome& outcome, double start_time);
  void count_outcomes(const std::vector<ledger::RowOutcome>& outcomes);

  // Waits `wait` (cancellable) with a note on the progress line; false when cancelled.
  bool wait_with_note(std::chrono::milliseconds wait, const std::string& note);
  bool stopping() const { return run_.cancelled() || aborting_.load(); }
  void abort_with(std::exception_ptr error);

  const config::RunConfig& config_;
  Pipeline& pipeline_;
  services::RunServices& run_;
  RunOptions options_;
  const config::RunSettings& settings_;

  std::unique_ptr<ledger::RunLedger> ledger_;
  std::unique_ptr<ProgressReporter> progress_;
  std::vector<std::string> columns_;
  std::vector<Column> ai_columns_;
  /// The provider's model and prices, with run.prices applied.
  Pricing pricing_;
  std::string fingerprint_;
  std::string parser_fingerprint_;
  ProviderCapabilities capabilities_;
  /// System instruction, generation settings and tools of this run's requests (user parts empty);
  /// rebuilds the request of a call for loggers after a resume.
  Request request_template_;
  bool have_template_ = false;
  /// Templates of earlier request configs whose jobs this run fetched (under stage_mutex_).
  std::unordered_map<std::string, Request> earlier_templates_;
  const Request& request_template_of(const std::string& fingerprint);
  /// Keys that occur more than once (allowed only with run.allow_duplicate_keys).
  std::unordered_set<std::string> duplicate_keys_;
  /// With --limit: the ordinals this run may process (first attempts and their retries).
  std::optional<std::unordered_set<std::uint64_t>> selected_;

  /// Parser and loggers are called from one thread at a time (SDK contract).
  std::mutex stage_mutex_;
  std::mutex error_mutex_;
  std::exception_ptr worker_error_;
  std::atomic<bool> aborting_{false};

  std::counting_semaphore<1024> job_slots_{0};
  std::mutex workers_mutex_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> jobs_created_{0};
  /// JobLookup::by_listing: creates happen one at a time, in planning order.
  CreateTurns create_turns_;
  /// Answers recorded by fetches (for cancel's report).
  std::atomic<std::uint64_t> answers_kept_{0};
  /// Wall time of each phase of this run, for summary.json.
  std::vector<std::pair<std::string, double>> phase_seconds_;
  /// Time this run's batch jobs spent in each stage, summed over jobs (they overlap), for
  /// summary.json: where the model_calls phase went.
  struct JobStageTimes {
    std::atomic<std::int64_t> submit_us{0};  // upload and create (for by_listing providers, its turn too)
    std::atomic<std::int64_t> wait_us{0};    // polling until the job ended
    std::atomic<std::int64_t> fetch_us{0};   // download, parse, record
  } job_stage_times_;
};

}  // namespace pipehost::engine
