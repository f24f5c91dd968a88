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
  bool rerun_changed = false;
  bool accept_changed = false;
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
  std::filesystem::path summary_file;
  /// Set when some rows failed.
  std::filesystem::path failures_file;
  /// For --dry-run: the estimate as text.
  std::string estimate;
};

/// Runs (or resumes) the job. Throws RunError / RunCancelled / config::ConfigError.
RunReport run_model(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run,
                    const RunOptions& options);

/// Writes every sink from the ledger (pipehost export). Returns the report of what was written.
RunReport export_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run);

/// Where the run stands (pipehost status), without touching the provider.
std::string status_text(const config::RunConfig& config, bool as_json);

/// Cancels the run's live jobs at the provider (pipehost cancel). Returns how many were cancelled.
std::uint64_t cancel_run(const config::RunConfig& config, Pipeline& pipeline, services::RunServices& run);

/// The ledger file of a run.
std::filesystem::path ledger_path(const config::RunConfig& config);

}  // namespace pipehost::engine
