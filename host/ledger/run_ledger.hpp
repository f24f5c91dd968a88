// The run ledger: the single source of truth of a run, in one SQLite file (WAL) in the state dir.
//
// Rows go pending → submitted(job) → done | failed(reason, attempts). A job's display name is
// recorded (durably) before the provider is asked to create it, so a job created just before a
// crash is found again by name instead of being paid for twice. Results are applied to a row only
// while it is still submitted to that job, so re-fetching a job after a crash changes nothing that
// was already recorded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/sqlite_db.hpp"
#include "pipehost/types.hpp"

namespace pipehost::ledger {

enum class RowState : int { pending = 0, submitted = 1, done = 2, failed = 3 };

/// Ledger states of a job. The provider's states (pending, running, succeeded, failed, cancelled,
/// expired) are stored as they are; the host adds planned (name recorded, not created yet), created,
/// fetched (every result applied) and discarded (never created; its rows went back to pending).
namespace job_state {
inline constexpr const char* planned = "planned";
inline constexpr const char* created = "created";
inline constexpr const char* fetched = "fetched";
inline constexpr const char* discarded = "discarded";
}  // namespace job_state

struct JobRecord {
  std::int64_t id = 0;
  std::string display_name;
  std::string handle;
  std::string state;
  std::uint64_t row_count = 0;
  std::uint64_t bytes = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::string message;
  double created_at = 0;
  double submitted_at = 0;
};

/// A row as it was put into a job: enough to rebuild the call's request and input for loggers.
struct JobRow {
  std::string key;
  int attempt = 1;
  /// The request's user parts.
  std::vector<std::string> user_parts;
  /// The input row's values.
  std::vector<std::string> values;
};

/// What happened to one row in one attempt.
struct RowOutcome {
  std::string key;
  int attempt = 1;
  bool ok = false;
  /// For failures: may a later attempt succeed?
  bool retryable = true;
  std::string error;
  std::vector<std::string> fields;
  std::string raw_text;
  std::string model_version;
  std::string finish_reason;
  Usage usage;
};

/// A row's final standing, for export.
struct RowResult {
  RowState state = RowState::pending;
  int attempts = 0;
  std::string error;
  /// Parsed output fields (done rows).
  std::vector<std::string> fields;
};

/// Token totals (every attempt, as billed).
struct TokenTotals {
  std::int64_t prompt = 0;
  std::int64_t output = 0;
  std::int64_t cached = 0;
  std::int64_t thoughts = 0;
};

struct LedgerCounts {
  std::map<std::string, std::uint64_t> rows_by_state;
  std::map<std::string, std::uint64_t> jobs_by_state;
  TokenTotals tokens;
  std::uint64_t total_rows = 0;
};

/// A row that may be sent: where it is in the source, and how many attempts it has had.
struct EligibleRow {
  std::uint64_t ordinal = 0;
  int attempts = 0;
};

struct FailedRow {
  std::string key;
  int attempts = 0;
  std::string reason;
};

const char* to_string(RowState state);

/// Thread-safe: every method takes the ledger's lock.
class RunLedger {
 public:
  static constexpr int kSchemaVersion = 1;

  /// Opens (creating or migrating) the ledger at `file`.
  explicit RunLedger(const std::filesystem::path& file);

  /// Random id of this ledger's run, fixed at creation (used in job names and event ids).
  std::string run_id() const { return run_id_; }
  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  // --- registration scan: every run reads the whole source once before sending anything ---
  /// Starts a scan; rows registered in it get fresh ordinals (their position in the source now).
  std::int64_t begin_scan();
  /// Registers a row seen at `ordinal` (1-based) and `line`. Returns the line of an earlier row with
  /// the same key in this scan when the key is a duplicate, or 0.
  std::uint64_t register_row(std::int64_t scan, const std::string& key, std::uint64_t ordinal, std::uint64_t line);
  /// Commits registrations made so far (call every few thousand rows and at the end).
  void commit_scan_batch();
  /// The scan whose ordinals are current (the last completed one), or 0.
  std::int64_t current_scan();
  void finish_scan(std::int64_t scan);

  /// Rows that may be sent now, in input order: pending, or failed with a retryable reason and
  /// fewer than `max_attempts` attempts.
  std::vector<EligibleRow> eligible_rows(int max_attempts);

  // --- jobs ---
  /// Durably records a new job (state planned) with its rows, which become submitted. Returns it.
  JobRecord plan_job(const std::vector<JobRow>& rows, std::uint64_t bytes);
  void set_job_handle(std::int64_t job_id, const std::string& handle);
  void set_job_state(std::int64_t job_id, const std::string& state, const JobStatus* status = nullptr);
  /// Jobs that still need the host: planned, created, pending, running, succeeded (not fetched).
  std::vector<JobRecord> unfinished_jobs();
  std::vector<JobRecord> jobs();
  std::vector<JobRow> job_rows(std::int64_t job_id);
  /// Takes a job's rows back to pending without counting an attempt (the job was never created, or
  /// was cancelled by the user) and gives the job `state`.
  void release_job(std::int64_t job_id, const std::string& state = job_state::discarded);
  /// Applies outcomes of a job's rows (only to rows still submitted to that job; `job_id` 0 for
  /// online calls, applied to any row not done yet). `fingerprint` marks which config produced them.
  void record_outcomes(std::int64_t job_id, const std::vector<RowOutcome>& outcomes, const std::string& fingerprint);
  /// Ends a job: rows of it still submitted fail with `reason` (retryable, under `fingerprint`), and
  /// the job takes `state`.
  void close_job(std::int64_t job_id, const std::string& state, const std::string& reason,
                 const std::string& fingerprint);

  // --- reading ---
  std::optional<RowResult> row_result(const std::string& key);
  LedgerCounts counts();
  std::vector<FailedRow> failed_rows();

  // --- config changes ---
  /// Done rows recorded under another config fingerprint.
  std::uint64_t count_done_with_other_fingerprint(const std::string& fingerprint);
  /// Makes rows done under another fingerprint pending again (they will be redone).
  std::uint64_t rerun_other_fingerprint(const std::string& fingerprint);
  /// Keeps rows done under another fingerprint, as if done under this one.
  void accept_other_fingerprint(const std::string& fingerprint);
  /// Failed rows recorded under another fingerprint get their attempts back (a new config deserves
  /// a new chance).
  void reset_failures_with_other_fingerprint(const std::string& fingerprint);

 private:
  void migrate();
  std::mutex mutex_;
  Database db_;
  std::string run_id_;
  std::optional<Transaction> scan_transaction_;
};

}  // namespace pipehost::ledger
