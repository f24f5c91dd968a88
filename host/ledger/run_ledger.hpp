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
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/sqlite_db.hpp"
#include "pipehost/types.hpp"

namespace pipehost::ledger {

enum class RowState : int { pending = 0, submitted = 1, done = 2, failed = 3 };

/// Ledger states of a job, stored by name: the provider's states (pending, running, succeeded,
/// failed, cancelled, expired) and the host's own.
enum class JobState : std::uint8_t {
  /// Name and rows recorded, not created yet (or the create's answer was lost).
  planned,
  created,
  pending,
  running,
  succeeded,
  failed,
  cancelled,
  expired,
  /// Every answer applied.
  fetched,
  /// Never created; its rows went back to pending.
  discarded,
  /// Found again by listing after a lost create, but its answers were for other rows: someone else's.
  not_ours,
};
const char* to_string(JobState state);
/// The state named `text`; throws on a name this version does not know.
JobState job_state_named(std::string_view text);
/// The ledger state of a job the provider reports in `state`.
JobState job_state_of(pipehost::JobState state);

struct JobRecord {
  std::int64_t id = 0;
  std::string display_name;
  std::string handle;
  JobState state = JobState::planned;
  /// Request config fingerprint the job was planned under; its answers are recorded under it.
  std::string fingerprint;
  std::uint64_t row_count = 0;
  std::uint64_t bytes = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::string message;
  double created_at = 0;
  double submitted_at = 0;
  /// When the job's state last changed (for a finished job: when it ended).
  double updated_at = 0;
};

/// A row as it was put into a job: enough to rebuild the call's request and input for loggers.
struct JobRow {
  std::string key;
  int attempt = 1;
  /// The request's user parts.
  std::vector<std::string> user_parts;
  /// The input row's values.
  std::vector<Value> values;
  /// Hash of what was sent for the row (request_content_hash of the user parts).
  std::string input_hash;
};

/// What happened to one row in one attempt.
struct RowOutcome {
  std::string key;
  int attempt = 1;
  bool ok = false;
  /// For failures: may a later attempt succeed?
  bool retryable = true;
  std::string error;
  std::vector<Value> fields;
  std::string raw_text;
  std::string model_version;
  std::string finish_reason;
  Usage usage;
  /// Billable units of server-side tools and their fees.
  std::int64_t tool_units = 0;
  double tool_cost_usd = 0;
  /// The content the answer was made for (JobRow::input_hash).
  std::string input_hash;
  /// Unix time the call started (job submission for batch jobs).
  double started_at = 0;
};

/// A row's final standing, for export.
struct RowResult {
  RowState state = RowState::pending;
  int attempts = 0;
  std::string error;
  /// Parsed output fields (done rows).
  std::vector<Value> fields;
};

/// Token and tool totals (every attempt, as billed).
struct TokenTotals {
  std::int64_t input = 0;
  std::int64_t cached_input = 0;
  std::int64_t cache_write = 0;
  std::int64_t output = 0;
  std::int64_t thinking = 0;
  std::int64_t tool_units = 0;
  double tool_cost_usd = 0;
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

/// Rows whose recorded answer (or answer in flight) no longer matches the run's config or input.
struct ChangedRows {
  /// Answered, or in flight, under another request config fingerprint (prompt, schema, model, template).
  std::uint64_t config = 0;
  /// Answered, or in flight, for input content other than the row's content now.
  std::uint64_t content = 0;
  /// The first few keys of each kind, in input order.
  std::vector<std::string> config_keys;
  std::vector<std::string> content_keys;
  bool any() const { return config + content > 0; }
};

/// A done row's stored answer, for re-parsing with a changed parser.
struct StoredAnswer {
  std::string key;
  std::string raw_text;
};

/// One answer received for a row: everything `pipehost calls` and the report show.
struct CallRecord {
  std::int64_t id = 0;
  std::string key;
  int attempt = 0;
  std::string job_name;
  bool ok = false;
  std::string error;
  std::string raw_text;
  std::string finish_reason;
  std::string model_version;
  Usage usage;
  std::int64_t tool_units = 0;
  double tool_cost_usd = 0;
  std::string fingerprint;
  double started_at = 0;
  double completed_at = 0;
  /// The request's user parts as sent (from the job's rows).
  std::vector<std::string> user_parts;
};

const char* to_string(RowState state);

/// Thread-safe: every method takes the ledger's lock.
class RunLedger {
 public:
  static constexpr int kSchemaVersion = 3;

  /// Opens (creating or migrating) the ledger at `file`.
  explicit RunLedger(const std::filesystem::path& file);
  /// A private copy of the ledger at `file` (or a new empty ledger when there is none) in a temporary
  /// database deleted on close: what `--dry-run` works on, so it can never change the real one.
  static std::unique_ptr<RunLedger> scratch_copy_of(const std::filesystem::path& file);

  /// Random id of this ledger's run, fixed at creation (used in job names and event ids).
  std::string run_id() const { return run_id_; }
  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  // --- registration scan: every run reads the whole source once before sending anything ---
  /// Starts a scan; rows registered in it get fresh ordinals (their position in the source now).
  std::int64_t begin_scan();
  /// Registers a row seen at `ordinal` (1-based) and `line` whose request content hashes to
  /// `content_hash`. Returns the line of an earlier row with the same key in this scan when the key is
  /// a duplicate, or 0.
  std::uint64_t register_row(std::int64_t scan, const std::string& key, std::uint64_t ordinal,
                             std::uint64_t line, const std::string& content_hash = "");
  /// Commits registrations made so far (call every few thousand rows and at the end).
  void commit_scan_batch();
  /// The scan whose ordinals are current (the last completed one), or 0.
  std::int64_t current_scan();
  void finish_scan(std::int64_t scan);

  /// Rows that may be sent now, in input order: pending, or failed with a retryable reason and
  /// fewer than `max_attempts` attempts.
  std::vector<EligibleRow> eligible_rows(int max_attempts);

  // --- jobs ---
  /// Durably records a new job (state planned) with its rows, which become submitted, under the request
  /// config `fingerprint`. Returns it.
  JobRecord plan_job(const std::vector<JobRow>& rows, std::uint64_t bytes,
                     const std::string& fingerprint = "");
  void set_job_handle(std::int64_t job_id, const std::string& handle);
  void set_job_state(std::int64_t job_id, JobState state, const JobStatus* status = nullptr);
  /// Jobs that still need the host: planned, created, pending, running, succeeded (not fetched), and
  /// any job that still has rows submitted to it.
  std::vector<JobRecord> unfinished_jobs();
  std::vector<JobRecord> jobs();
  /// Whether some job of this ledger already has the provider handle `handle`.
  bool handle_known(const std::string& handle);
  std::vector<JobRow> job_rows(std::int64_t job_id);
  /// Takes a job's rows back to pending without counting an attempt (the job was never created, or
  /// was cancelled by the user) and gives the job `state`. Returns how many rows went back.
  std::uint64_t release_job(std::int64_t job_id, JobState state = JobState::discarded);
  /// Applies outcomes of a job's rows (only to rows still submitted to that job; `job_id` 0 for
  /// online calls, applied to any row not done yet) and keeps every applied answer as a call.
  /// `fingerprint` is the request config the calls were made under (the job's, not today's);
  /// `parser_fingerprint` the parser config that produced the fields.
  void record_outcomes(std::int64_t job_id, const std::vector<RowOutcome>& outcomes,
                       const std::string& fingerprint, const std::string& parser_fingerprint = "");
  /// Ends a job: rows of it still submitted fail with `reason` (retryable, under `fingerprint`), and
  /// the job takes `state`.
  void close_job(std::int64_t job_id, JobState state, const std::string& reason,
                 const std::string& fingerprint);

  // --- reading ---
  std::optional<RowResult> row_result(const std::string& key);
  LedgerCounts counts();
  std::vector<FailedRow> failed_rows();
  /// Every answer received for `key`, oldest first.
  std::vector<CallRecord> calls(const std::string& key);

  // --- requests ---
  /// Keeps the shared part of the requests made under the request config `fingerprint` (the first
  /// one kept stays: a fingerprint covers the files the requests are built from).
  void keep_request_template(const std::string& fingerprint, const std::string& request_json);
  std::optional<std::string> request_template(const std::string& fingerprint);

  // --- config and input changes ---
  /// Rows of the current scan answered (or in flight) under another request config than
  /// `fingerprint`, or for other content than they hold now; up to `sample` keys of each kind.
  ChangedRows changed_rows(const std::string& fingerprint, std::size_t sample = 5);
  /// Makes done rows that changed (config or content) pending again, with a fresh attempt budget; their
  /// old answers stay in the calls. Rows in flight are left alone (their answers come back under
  /// their own fingerprint and are redone by the next call). Returns how many rows were reset.
  std::uint64_t rerun_changed(const std::string& fingerprint);
  /// Keeps the answers of done rows that changed, as if made under `fingerprint` for the content now.
  std::uint64_t accept_changed(const std::string& fingerprint);
  /// Rewrites fingerprint `from` to `to` everywhere (a ledger written before fingerprints left the
  /// parser out, when the config is otherwise unchanged).
  void rename_fingerprint(const std::string& from, const std::string& to);
  /// Gives every failed row of the current scan a fresh attempt budget (`run --retry-failed`).
  std::uint64_t requeue_failed();

  // --- parser changes: answers are re-parsed from their raw text, never paid for again ---
  /// Up to `limit` done rows whose fields were parsed under another parser config, after `after_key`.
  std::vector<StoredAnswer> answers_to_reparse(const std::string& parser_fingerprint,
                                               const std::string& after_key, std::size_t limit);
  /// Stores re-parsed fields of a done row.
  void store_reparsed(const std::string& key, const std::vector<Value>& fields,
                      const std::string& parser_fingerprint);
  /// A done row whose answer no longer parses: failed (retryable, fresh attempts) with `reason`.
  void fail_reparsed(const std::string& key, const std::string& reason,
                     const std::string& parser_fingerprint);
  /// Wraps many store/fail calls in one transaction.
  void begin_batch();
  void commit_batch();
  /// Failed rows recorded under another fingerprint get their attempts back (a new config deserves
  /// a new chance).
  void reset_failures_with_other_fingerprint(const std::string& fingerprint);

 private:
  struct ScratchTag {};
  RunLedger(ScratchTag, const std::filesystem::path& source);
  void migrate();
  std::mutex mutex_;
  Database db_;
  std::string run_id_;
  std::optional<Transaction> scan_transaction_;
  std::optional<Transaction> batch_transaction_;
};

}  // namespace pipehost::ledger
