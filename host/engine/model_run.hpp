// A run with a model: the engine behind `pipehost run` when the config has request, provider and
// parser sections. Resumable and exactly-once per row: see docs/architecture.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "config/run_config.hpp"
#include "engine/pipeline.hpp"
#include "ledger/run_ledger.hpp"
#include "services/run_services.hpp"

namespace pipehost::engine {

struct RunOptions {
  /// Process at most this many rows that are not done yet (their retries included).
  std::optional<std::uint64_t> limit;
  /// Build requests and estimate; send nothing.
  bool dry_run = false;
  /// Redo rows answered under another prompt/schema/model/template or for other input content.
  bool rerun_changed = false;
  /// Keep such rows' answers.
  bool accept_changed = false;
  /// Give rows that ended failed a fresh attempt budget.
  bool retry_failed = false;
  /// Redraw a live progress line (a terminal); otherwise log progress periodically.
  bool live_progress = false;
};

struct RunReport {
  std::uint64_t rows_total = 0;
  std::uint64_t rows_ok = 0;
  std::uint64_t rows_failed = 0;
  std::uint64_t rows_pending = 0;
  std::uint64_t jobs_created = 0;
  ledger::TokenTotals tokens;
  std::string cost;
  std::string model;
  std::filesystem::path summary_file;
  /// Set when some rows failed.
  std::filesystem::path failures_file;
  /// Set when the HTML report was written (run.report).
  std::filesystem::path report_file;
  /// For --dry-run: the estimate as text.
  std::string estimate;
};

/// Runs (or resumes) the job. Throws RunError / RunCancelled / config::ConfigError.
RunReport run_model(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                    const RunOptions& options);

/// Writes every sink from the ledger (pipehost export). Returns the report of what was written.
/// Only `accept_changed` of the options applies.
RunReport export_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                     const RunOptions& options = {});

/// Where the run stands (pipehost status), without touching the provider.
std::string status_text(const config::RunConfig& config, bool as_json);

/// What `pipehost cancel` did.
struct CancelReport {
  /// Jobs cancelled at the provider while they ran.
  std::uint64_t cancelled = 0;
  /// Jobs that had finished at the provider: their answers were fetched and recorded.
  std::uint64_t finished = 0;
  /// Jobs that had ended without succeeding (failed, expired, cancelled before).
  std::uint64_t ended = 0;
  /// Jobs that were never created (their rows went back to pending).
  std::uint64_t never_created = 0;
  /// Cancelled jobs the provider had not stopped yet; they keep their rows until the next run or cancel.
  std::uint64_t still_cancelling = 0;
  /// Answers recorded from all of them (ok or failed rows).
  std::uint64_t answers_kept = 0;
  /// Rows that go back to pending (sent again by the next run).
  std::uint64_t rows_released = 0;
};

/// Settles the run's live jobs (pipehost cancel): each is polled; finished ones are fetched and their
/// answers recorded; running ones are cancelled, and whatever they answered is kept.
CancelReport cancel_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run);

/// The ledger file of a run.
std::filesystem::path ledger_path(const config::RunConfig& config);

}  // namespace pipehost::engine
