#include "ledger/run_ledger.hpp"

#include <array>
#include <chrono>
#include <random>

#include "ledger/ledger_queries.hpp"

namespace pipehost::ledger {

using queries::json_array;
using queries::kJobColumns;
using queries::read_job;
using queries::texts_from_json;
using queries::values_from_json;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string random_run_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> digit(0, 35);
  std::string id;
  for (int i = 0; i < 8; ++i) {
    int d = digit(rd);
    id += static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
  }
  return id;
}

const char* kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rows (
  key TEXT PRIMARY KEY,
  ordinal INTEGER NOT NULL,
  line INTEGER NOT NULL,
  scan INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  retryable INTEGER NOT NULL DEFAULT 1,
  job_id INTEGER,
  last_error TEXT,
  fingerprint TEXT,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  thoughts_tokens INTEGER NOT NULL DEFAULT 0,
  updated_at REAL
);
CREATE INDEX rows_by_scan ON rows(scan, ordinal);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL UNIQUE,
  handle TEXT,
  state TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  created_at REAL NOT NULL,
  submitted_at REAL,
  updated_at REAL NOT NULL
);
CREATE TABLE job_rows (
  job_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  user_parts TEXT NOT NULL,
  input_values TEXT NOT NULL,
  PRIMARY KEY (job_id, key)
);
CREATE TABLE results (
  key TEXT PRIMARY KEY,
  fields TEXT NOT NULL,
  raw_text TEXT,
  model_version TEXT,
  finish_reason TEXT,
  attempt INTEGER NOT NULL,
  fingerprint TEXT,
  completed_at REAL NOT NULL
);
)sql";

// Version 2: row content hashes (edited inputs are detected), the fingerprint each job was planned
// under, and every answer kept as a call with its raw text (results point at the call they came from,
// so a changed parser re-parses instead of paying again).
const char* kSchemaV2 = R"sql(
ALTER TABLE rows ADD COLUMN content_hash TEXT;
ALTER TABLE rows ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN tool_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN tool_cost_usd REAL NOT NULL DEFAULT 0;
CREATE INDEX rows_by_job ON rows(job_id);
ALTER TABLE jobs ADD COLUMN fingerprint TEXT;
ALTER TABLE job_rows ADD COLUMN input_hash TEXT;
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  job_id INTEGER,
  ok INTEGER NOT NULL,
  error TEXT,
  raw_text TEXT,
  finish_reason TEXT,
  model_version TEXT,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  thoughts_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  tool_units INTEGER NOT NULL DEFAULT 0,
  tool_cost_usd REAL NOT NULL DEFAULT 0,
  fingerprint TEXT,
  input_hash TEXT,
  started_at REAL,
  completed_at REAL NOT NULL
);
CREATE INDEX calls_by_key ON calls(key);
INSERT INTO calls(key, attempt, ok, raw_text, finish_reason, model_version, fingerprint, completed_at)
  SELECT key, attempt, 1, raw_text, finish_reason, model_version, fingerprint, completed_at FROM results;
ALTER TABLE results ADD COLUMN call_id INTEGER;
ALTER TABLE results ADD COLUMN input_hash TEXT;
ALTER TABLE results ADD COLUMN parser_fingerprint TEXT;
UPDATE results SET call_id=(SELECT max(id) FROM calls WHERE calls.key=results.key);
ALTER TABLE results DROP COLUMN raw_text;
ALTER TABLE results DROP COLUMN model_version;
ALTER TABLE results DROP COLUMN finish_reason;
UPDATE jobs SET fingerprint=(SELECT value FROM meta WHERE key='config_fingerprint');
)sql";

// Version 3: the shared part of the requests (system instruction, settings) of each request config,
// so calls answered after a config change are logged with the request that was sent.
const char* kSchemaV3 = R"sql(
CREATE TABLE request_templates (
  fingerprint TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  created_at REAL NOT NULL
);
)sql";

// Usage of an outcome, added to a row's totals: the SET clause and its bindings, in one order.
constexpr const char* kAddUsage =
    "prompt_tokens=prompt_tokens+?, cached_tokens=cached_tokens+?, cache_write_tokens=cache_write_tokens+?, "
    "output_tokens=output_tokens+?, thoughts_tokens=thoughts_tokens+?, tool_units=tool_units+?, "
    "tool_cost_usd=tool_cost_usd+?";
constexpr int kUsageColumns = 7;

void bind_usage(Statement& s, int first, const RowOutcome& o) {
  s.bind(first, o.usage.input_tokens)
      .bind(first + 1, o.usage.cached_input_tokens)
      .bind(first + 2, o.usage.cache_write_tokens)
      .bind(first + 3, o.usage.output_tokens)
      .bind(first + 4, o.usage.thinking_tokens)
      .bind(first + 5, o.tool_units)
      .bind(first + 6, o.tool_cost_usd);
}

// Rows of the current scan whose answer (recorded or in flight) was made under another request config.
constexpr const char* kConfigChanged =
    "r.scan=?1 AND ((r.state=2 AND coalesce(r.fingerprint, '')!=?2) OR (r.state=1 AND EXISTS (SELECT 1 FROM "
    "jobs j "
    "WHERE j.id=r.job_id AND j.fingerprint IS NOT NULL AND j.fingerprint!=?2)))";
// ... or for other content than the row holds now (unknown hashes, from older ledgers, never count).
constexpr const char* kContentChanged =
    "r.scan=?1 AND r.content_hash IS NOT NULL AND ((r.state=2 AND EXISTS (SELECT 1 FROM results s WHERE "
    "s.key=r.key AND s.input_hash IS NOT NULL AND s.input_hash!=r.content_hash)) OR (r.state=1 AND EXISTS "
    "(SELECT 1 FROM job_rows jr WHERE jr.job_id=r.job_id AND jr.key=r.key AND jr.input_hash IS NOT NULL AND "
    "jr.input_hash!=r.content_hash)))";

}  // namespace

const char* to_string(RowState state) {
  switch (state) {
    case RowState::pending:
      return "pending";
    case RowState::submitted:
      return "submitted";
    case RowState::done:
      return "done";
    case RowState::failed:
      return "failed";
  }
  return "unknown";
}

namespace {
constexpr std::array<std::pair<JobState, const char*>, 11> kJobStateNames = {{
    {JobState::planned, "planned"},
    {JobState::created, "created"},
    {JobState::pending, "pending"},
    {JobState::running, "running"},
    {JobState::succeeded, "succeeded"},
    {JobState::failed, "failed"},
    {JobState::cancelled, "cancelled"},
    {JobState::expired, "expired"},
    {JobState::fetched, "fetched"},
    {JobState::discarded, "discarded"},
    {JobState::not_ours, "not_ours"},
}};
}  // namespace

const char* to_string(JobState state) {
  for (const auto& [known, name] : kJobStateNames)
    if (known == state) return name;
  return "unknown";
}

JobState job_state_named(std::string_view text) {
  for (const auto& [state, name] : kJobStateNames)
    if (text == name) return state;
  throw LedgerError("unknown job state \"" + std::string(text) +
                    "\" in the ledger (written by a newer pipehost?)");
}

JobState job_state_of(pipehost::JobState state) {
  switch (state) {
    case pipehost::JobState::pending:
      return JobState::pending;
    case pipehost::JobState::running:
      return JobState::running;
    case pipehost::JobState::succeeded:
      return JobState::succeeded;
    case pipehost::JobState::failed:
      return JobState::failed;
    case pipehost::JobState::cancelled:
      return JobState::cancelled;
    case pipehost::JobState::expired:
      return JobState::expired;
  }
  return JobState::failed;
}

RunLedger::RunLedger(const std::filesystem::path& file) : db_(file) {
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA foreign_keys=ON");
  migrate();
}

RunLedger::RunLedger(ScratchTag, const std::filesystem::path& source) : db_("") {
  if (std::filesystem::exists(source)) db_.copy_from(source);
  migrate();
}

std::unique_ptr<RunLedger> RunLedger::scratch_copy_of(const std::filesystem::path& file) {
  return std::unique_ptr<RunLedger>(new RunLedger(ScratchTag{}, file));
}

void RunLedger::migrate() {
  std::lock_guard lock(mutex_);
  auto has_meta = db_.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  has_meta.step();
  int version = 0;
  if (has_meta.column_int(0) > 0) {
    auto v = db_.prepare("SELECT value FROM meta WHERE key='schema_version'");
    if (v.step()) version = std::stoi(v.column_text(0));
  }
  if (version > kSchemaVersion)
    throw LedgerError(db_.file().string() + ": the run ledger has schema version " + std::to_string(version) +
                      ", newer than this pipehost understands (" + std::to_string(kSchemaVersion) +
                      "); use a newer pipehost");
  if (version < 1) {
    Transaction tx(db_, true);
    db_.exec(kSchemaV1);
    db_.prepare("INSERT INTO meta(key, value) VALUES('schema_version', '1')").run();
    db_.prepare("INSERT INTO meta(key, value) VALUES('run_id', ?)").bind(1, random_run_id()).run();
    db_.prepare("INSERT INTO meta(key, value) VALUES('created_at', ?)").bind(1, std::to_string(now())).run();
    tx.commit();
  }
  if (version < 2) {
    Transaction tx(db_, true);
    db_.exec(kSchemaV2);
    db_.prepare("UPDATE meta SET value='2' WHERE key='schema_version'").run();
    tx.commit();
  }
  if (version < 3) {
    Transaction tx(db_, true);
    db_.exec(kSchemaV3);
    db_.prepare("UPDATE meta SET value='3' WHERE key='schema_version'").run();
    tx.commit();
  }
  // Later schema versions add their migrations here, each in its own transaction.
  auto id = db_.prepare("SELECT value FROM meta WHERE key='run_id'");
  if (!id.step()) throw LedgerError(db_.file().string() + ": the run ledger has no run id");
  run_id_ = id.column_text(0);
}

std::optional<std::string> RunLedger::meta(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare("SELECT value FROM meta WHERE key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.column_text(0);
}

void RunLedger::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  db_.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value")
      .bind(1, key)
      .bind(2, value)
      .run();
}

void RunLedger::keep_request_template(const std::string& fingerprint, const std::string& request_json) {
  std::lock_guard lock(mutex_);
  db_.prepare(
         "INSERT INTO request_templates(fingerprint, request, created_at) VALUES(?, ?, ?) "
         "ON CONFLICT(fingerprint) DO NOTHING")
      .bind(1, fingerprint)
      .bind(2, request_json)
      .bind(3, now())
      .run();
}

std::optional<std::string> RunLedger::request_template(const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare("SELECT request FROM request_templates WHERE fingerprint=?");
  s.bind(1, fingerprint);
  if (!s.step()) return std::nullopt;
  return s.column_text(0);
}

std::int64_t RunLedger::begin_scan() {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare("SELECT coalesce(max(scan), 0) + 1 FROM rows");
  s.step();
  auto scan = s.column_int(0);
  scan_transaction_.emplace(db_, false);
  return scan;
}

std::uint64_t RunLedger::register_row(std::int64_t scan, const std::string& key, std::uint64_t ordinal,
                                      std::uint64_t line, const std::string& content_hash) {
  std::lock_guard lock(mutex_);
  // A row seen before in this scan is a duplicate: the upsert's WHERE leaves it untouched.
  auto& upsert = db_.cached(
      "INSERT INTO rows(key, ordinal, line, scan, content_hash) VALUES(?, ?, ?, ?, nullif(?, '')) "
      "ON CONFLICT(key) DO UPDATE SET ordinal=excluded.ordinal, line=excluded.line, scan=excluded.scan, "
      "content_hash=excluded.content_hash WHERE rows.scan != excluded.scan");
  upsert.bind(1, key)
      .bind(2, static_cast<std::int64_t>(ordinal))
      .bind(3, static_cast<std::int64_t>(line))
      .bind(4, scan)
      .bind(5, content_hash)
      .run();
  if (db_.changes() == 1) return 0;
  auto& previous = db_.cached("SELECT line FROM rows WHERE key=?");
  previous.bind(1, key);
  previous.step();
  auto line_number = static_cast<std::uint64_t>(std::max<std::int64_t>(previous.column_int(0), 1));
  previous.reset();  // a stepped statement would hold its read snapshot open
  return line_number;
}

void RunLedger::commit_scan_batch() {
  std::lock_guard lock(mutex_);
  if (!scan_transaction_) return;
  scan_transaction_->commit();
  scan_transaction_.emplace(db_, false);
}

void RunLedger::finish_scan(std::int64_t scan) {
  std::lock_guard lock(mutex_);
  if (scan_transaction_) {
    db_.prepare(
           "INSERT INTO meta(key, value) VALUES('current_scan', ?) ON CONFLICT(key) DO UPDATE SET "
           "value=excluded.value")
        .bind(1, std::to_string(scan))
        .run();
    // Answers recorded before content hashes existed take the content seen now as theirs.
    db_.exec(
        "UPDATE results SET input_hash=(SELECT content_hash FROM rows WHERE rows.key=results.key) "
        "WHERE input_hash IS NULL");
    scan_transaction_->commit();
    scan_transaction_.reset();
  }
}

std::int64_t RunLedger::current_scan() {
  auto value = meta("current_scan");
  return value ? std::stoll(*value) : 0;
}

std::vector<EligibleRow> RunLedger::eligible_rows(int max_attempts) {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(
      "SELECT ordinal, attempts FROM rows WHERE scan=? AND (state=0 OR (state=3 AND retryable=1 AND "
      "attempts<?)) "
      "ORDER BY ordinal");
  s.bind(1, scan).bind(2, static_cast<std::int64_t>(max_attempts));
  std::vector<EligibleRow> out;
  while (s.step())
    out.push_back({static_cast<std::uint64_t>(s.column_int(0)), static_cast<int>(s.column_int(1))});
  return out;
}

JobRecord RunLedger::plan_job(const std::vector<JobRow>& rows, std::uint64_t bytes,
                              const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  double t = now();
  // The id is known only after the insert; the name is derived from it right away.
  db_.prepare(
         "INSERT INTO jobs(display_name, state, row_count, bytes, created_at, updated_at, fingerprint) "
         "VALUES('pending-name', ?, ?, ?, ?, ?, nullif(?, ''))")
      .bind(1, std::string_view(to_string(JobState::planned)))
      .bind(2, static_cast<std::int64_t>(rows.size()))
      .bind(3, static_cast<std::int64_t>(bytes))
      .bind(4, t)
      .bind(5, t)
      .bind(6, fingerprint)
      .run();
  JobRecord job;
  job.id = db_.last_insert_rowid();
  char name[64];
  std::snprintf(name, sizeof name, "pipehost-%s-%05lld", run_id_.c_str(), static_cast<long long>(job.id));
  job.display_name = name;
  job.state = JobState::planned;
  job.row_count = rows.size();
  job.bytes = bytes;
  job.created_at = t;
  job.fingerprint = fingerprint;
  db_.prepare("UPDATE jobs SET display_name=? WHERE id=?").bind(1, job.display_name).bind(2, job.id).run();
  auto& insert = db_.cached(
      "INSERT INTO job_rows(job_id, key, attempt, user_parts, input_values, input_hash) "
      "VALUES(?, ?, ?, ?, ?, nullif(?, ''))");
  auto& update = db_.cached("UPDATE rows SET state=1, job_id=?, updated_at=? WHERE key=?");
  for (const auto& row : rows) {
    insert.bind(1, job.id)
        .bind(2, row.key)
        .bind(3, static_cast<std::int64_t>(row.attempt))
        .bind(4, json_array(row.user_parts))
        .bind(5, json_array(row.values))
        .bind(6, row.input_hash)
        .run();
    update.bind(1, job.id).bind(2, t).bind(3, row.key).run();
  }
  tx.commit();
  return job;
}

void RunLedger::set_job_handle(std::int64_t job_id, const std::string& handle) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  db_.prepare("UPDATE jobs SET handle=?, state=?, submitted_at=?, updated_at=? WHERE id=?")
      .bind(1, handle)
      .bind(2, std::string_view(to_string(JobState::created)))
      .bind(3, now())
      .bind(4, now())
      .bind(5, job_id)
      .run();
  tx.commit();
}

void RunLedger::set_job_state(std::int64_t job_id, JobState state, const JobStatus* status) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  if (status) {
    db_.prepare("UPDATE jobs SET state=?, succeeded=?, failed=?, message=?, updated_at=? WHERE id=?")
        .bind(1, std::string_view(to_string(state)))
        .bind(2, static_cast<std::int64_t>(status->succeeded))
        .bind(3, static_cast<std::int64_t>(status->failed))
        .bind(4, status->message)
        .bind(5, now())
        .bind(6, job_id)
        .run();
  } else {
    db_.prepare("UPDATE jobs SET state=?, updated_at=? WHERE id=?")
        .bind(1, std::string_view(to_string(state)))
        .bind(2, now())
        .bind(3, job_id)
        .run();
  }
  tx.commit();
}

std::vector<JobRecord> RunLedger::unfinished_jobs() {
  std::lock_guard lock(mutex_);
  // A job that reached a provider end state still needs the host while rows are submitted to it (the
  // process may have died between recording the end state and settling the rows).
  auto s =
      db_.prepare(std::string("SELECT ") + kJobColumns +
                  " FROM jobs WHERE state IN ('planned', 'created', 'pending', 'running', 'succeeded') OR "
                  "EXISTS (SELECT 1 FROM rows WHERE rows.job_id=jobs.id AND rows.state=1) ORDER BY id");
  std::vector<JobRecord> out;
  while (s.step()) out.push_back(read_job(s));
  return out;
}

std::vector<JobRecord> RunLedger::jobs() {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY id");
  std::vector<JobRecord> out;
  while (s.step()) out.push_back(read_job(s));
  return out;
}

bool RunLedger::handle_known(const std::string& handle) {
  std::lock_guard lock(mutex_);
  auto& s = db_.cached("SELECT 1 FROM jobs WHERE handle=?");
  s.bind(1, handle);
  bool known = s.step();
  s.reset();
  return known;
}

std::vector<JobRow> RunLedger::job_rows(std::int64_t job_id) {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(
      "SELECT key, attempt, user_parts, input_values, coalesce(input_hash, '') FROM job_rows WHERE job_id=?");
  s.bind(1, job_id);
  std::vector<JobRow> out;
  while (s.step())
    out.push_back({s.column_text(0), static_cast<int>(s.column_int(1)), texts_from_json(s.column_text(2)),
                   values_from_json(s.column_text(3)), s.column_text(4)});
  return out;
}

std::uint64_t RunLedger::release_job(std::int64_t job_id, JobState state) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  db_.prepare("UPDATE rows SET state=0, job_id=NULL, updated_at=? WHERE job_id=? AND state=1")
      .bind(1, now())
      .bind(2, job_id)
      .run();
  auto released = static_cast<std::uint64_t>(db_.changes());
  db_.prepare("UPDATE jobs SET state=?, updated_at=? WHERE id=?")
      .bind(1, std::string_view(to_string(state)))
      .bind(2, now())
      .bind(3, job_id)
      .run();
  tx.commit();
  return released;
}

void RunLedger::record_outcomes(std::int64_t job_id, const std::vector<RowOutcome>& outcomes,
                                const std::string& fingerprint, const std::string& parser_fingerprint) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, false);
  // Batch results apply only while the row is still submitted to this job; online results to any
  // row not done yet.
  const char* guard = job_id ? "key=? AND state=1 AND job_id=?" : "key=? AND state!=2 AND ?=0";
  auto& done = db_.cached(std::string("UPDATE rows SET state=2, attempts=?, retryable=1, job_id=NULL, "
                                      "last_error=NULL, fingerprint=?, " +
                                      std::string(kAddUsage) + ", updated_at=? WHERE ") +
                          guard);
  auto& failed = db_.cached(std::string("UPDATE rows SET state=3, attempts=?, retryable=?, job_id=NULL, "
                                        "last_error=?, fingerprint=?, " +
                                        std::string(kAddUsage) + ", updated_at=? WHERE ") +
                            guard);
  auto& call = db_.cached(
      "INSERT INTO calls(key, attempt, job_id, ok, error, raw_text, finish_reason, model_version, "
      "prompt_tokens, "
      "cached_tokens, cache_write_tokens, output_tokens, thoughts_tokens, tool_units, tool_cost_usd, "
      "fingerprint, "
      "input_hash, started_at, completed_at) "
      "VALUES(?, ?, nullif(?, 0), ?, nullif(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''), "
      "nullif(?, 0), ?)");
  auto& result = db_.cached(
      "INSERT INTO results(key, fields, attempt, fingerprint, completed_at, call_id, input_hash, "
      "parser_fingerprint) "
      "VALUES(?, ?, ?, ?, ?, ?, nullif(?, ''), ?) ON CONFLICT(key) DO UPDATE SET fields=excluded.fields, "
      "attempt=excluded.attempt, fingerprint=excluded.fingerprint, completed_at=excluded.completed_at, "
      "call_id=excluded.call_id, input_hash=excluded.input_hash, "
      "parser_fingerprint=excluded.parser_fingerprint");
  double t = now();
  for (const auto& o : outcomes) {
    auto& update = o.ok ? done : failed;
    // The failed statement has two more columns (retryable, last_error) after the attempt.
    int i = 1;
    update.bind(i, static_cast<std::int64_t>(o.attempt));
    if (!o.ok) {
      update.bind(++i, static_cast<std::int64_t>(o.retryable ? 1 : 0));
      update.bind(++i, o.error);
    }
    update.bind(++i, fingerprint);
    bind_usage(update, i + 1, o);
    i += kUsageColumns;
    update.bind(++i, t);
    update.bind(++i, o.key);
    update.bind(++i, job_id);
    update.run();
    if (db_.changes() != 1) continue;  // already applied (a re-fetch after a crash) or no longer this job's
    call.bind(1, o.key)
        .bind(2, static_cast<std::int64_t>(o.attempt))
        .bind(3, job_id)
        .bind(4, static_cast<std::int64_t>(o.ok ? 1 : 0))
        .bind(5, o.error)
        .bind(6, o.raw_text)
        .bind(7, o.finish_reason)
        .bind(8, o.model_version)
        .bind(16, fingerprint)
        .bind(17, o.input_hash)
        .bind(18, o.started_at)
        .bind(19, t);
    bind_usage(call, 9, o);
    call.run();
    if (!o.ok) continue;
    result.bind(1, o.key)
        .bind(2, json_array(o.fields))
        .bind(3, static_cast<std::int64_t>(o.attempt))
        .bind(4, fingerprint)
        .bind(5, t)
        .bind(6, db_.last_insert_rowid())
        .bind(7, o.input_hash)
        .bind(8, parser_fingerprint)
        .run();
  }
  tx.commit();
}

void RunLedger::close_job(std::int64_t job_id, JobState state, const std::string& reason,
                          const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  // Rows still submitted to the job got no answer: the attempt counts, and they may be retried.
  db_.prepare(
         "UPDATE rows SET state=3, retryable=1, job_id=NULL, last_error=?, updated_at=?, fingerprint=?, "
         "attempts=(SELECT attempt FROM job_rows WHERE job_rows.job_id=rows.job_id AND "
         "job_rows.key=rows.key) "
         "WHERE job_id=? AND state=1")
      .bind(1, reason)
      .bind(2, now())
      .bind(3, fingerprint)
      .bind(4, job_id)
      .run();
  db_.prepare("UPDATE jobs SET state=?, updated_at=? WHERE id=?")
      .bind(1, std::string_view(to_string(state)))
      .bind(2, now())
      .bind(3, job_id)
      .run();
  tx.commit();
}

std::optional<RowResult> RunLedger::row_result(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto& s = db_.cached(
      "SELECT r.state, r.attempts, coalesce(r.last_error, ''), coalesce(res.fields, '') FROM rows r "
      "LEFT JOIN results res ON res.key = r.key AND r.state = 2 WHERE r.key=?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  RowResult result;
  result.state = static_cast<RowState>(s.column_int(0));
  result.attempts = static_cast<int>(s.column_int(1));
  result.error = s.column_text(2);
  if (result.state == RowState::done) result.fields = values_from_json(s.column_text(3));
  s.reset();  // a stepped statement would hold its read snapshot open
  return result;
}

LedgerCounts RunLedger::counts() {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  return queries::read_counts(db_, scan);
}

std::vector<FailedRow> RunLedger::failed_rows() {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(
      "SELECT key, attempts, coalesce(last_error, '') FROM rows WHERE scan=? AND state=3 ORDER BY ordinal");
  s.bind(1, scan);
  std::vector<FailedRow> out;
  while (s.step()) out.push_back({s.column_text(0), static_cast<int>(s.column_int(1)), s.column_text(2)});
  return out;
}

std::vector<CallRecord> RunLedger::calls(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto s = db_.prepare(std::string(queries::kSelectCalls) + "WHERE c.key=? ORDER BY c.id");
  s.bind(1, key);
  std::vector<CallRecord> out;
  while (s.step()) out.push_back(queries::read_call(s));
  return out;
}

ChangedRows RunLedger::changed_rows(const std::string& fingerprint, std::size_t sample) {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  ChangedRows changed;
  // Both queries take the same three parameters (the scan, the fingerprint, the sample size).
  auto collect = [&](const char* condition, std::uint64_t& count, std::vector<std::string>& keys) {
    auto n = db_.prepare(std::string("SELECT count(*) FROM rows r WHERE ?2 IS NOT NULL AND ") + condition);
    n.bind(1, scan).bind(2, fingerprint);
    n.step();
    count = static_cast<std::uint64_t>(n.column_int(0));
    if (count == 0) return;
    auto first = db_.prepare(std::string("SELECT r.key FROM rows r WHERE ?2 IS NOT NULL AND ") + condition +
                             " ORDER BY r.ordinal LIMIT ?3");
    first.bind(1, scan).bind(2, fingerprint).bind(3, static_cast<std::int64_t>(sample));
    while (first.step()) keys.push_back(first.column_text(0));
  };
  collect(kConfigChanged, changed.config, changed.config_keys);
  collect(kContentChanged, changed.content, changed.content_keys);
  return changed;
}

std::uint64_t RunLedger::rerun_changed(const std::string& fingerprint) {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  auto reset =
      db_.prepare(std::string("UPDATE rows AS r SET state=0, attempts=0, retryable=1, last_error=NULL "
                              "WHERE r.state=2 AND ((") +
                  kConfigChanged + ") OR (" + kContentChanged + "))");
  reset.bind(1, scan).bind(2, fingerprint).run();
  auto changed = static_cast<std::uint64_t>(db_.changes());
  tx.commit();
  return changed;
}

std::uint64_t RunLedger::accept_changed(const std::string& fingerprint) {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  auto keys = std::string("SELECT r.key FROM rows r WHERE r.state=2 AND ((") + kConfigChanged + ") OR (" +
              kContentChanged + "))";
  db_.exec("CREATE TEMP TABLE IF NOT EXISTS accepted(key TEXT PRIMARY KEY); DELETE FROM temp.accepted;");
  db_.prepare("INSERT INTO temp.accepted " + keys).bind(1, scan).bind(2, fingerprint).run();
  auto accepted = static_cast<std::uint64_t>(db_.changes());
  db_.prepare("UPDATE rows SET fingerprint=? WHERE key IN (SELECT key FROM temp.accepted)")
      .bind(1, fingerprint)
      .run();
  db_.prepare(
         "UPDATE results SET fingerprint=?, input_hash=(SELECT content_hash FROM rows WHERE "
         "rows.key=results.key) "
         "WHERE key IN (SELECT key FROM temp.accepted)")
      .bind(1, fingerprint)
      .run();
  db_.exec("DELETE FROM temp.accepted");
  tx.commit();
  return accepted;
}

void RunLedger::rename_fingerprint(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  for (const char* table : {"rows", "jobs", "results", "calls"})
    db_.prepare(std::string("UPDATE ") + table + " SET fingerprint=? WHERE fingerprint=?")
        .bind(1, to)
        .bind(2, from)
        .run();
  tx.commit();
}

std::uint64_t RunLedger::requeue_failed() {
  auto scan = current_scan();
  std::lock_guard lock(mutex_);
  Transaction tx(db_, true);
  db_.prepare("UPDATE rows SET attempts=0, retryable=1 WHERE scan=? AND state=3").bind(1, scan).run();
  auto requeued = static_cast<std::uint64_t>(db_.changes());
  tx.commit();
  return requeued;
}

std::vector<StoredAnswer> RunLedger::answers_to_reparse(const std::string& parser_fingerprint,
                                                        const std::string& after_key, std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto& s = db_.cached(
      "SELECT res.key, coalesce(c.raw_text, '') FROM results res JOIN rows r ON r.key=res.key AND r.state=2 "
      "LEFT JOIN calls c ON c.id=res.call_id WHERE coalesce(res.parser_fingerprint, '')!=? AND res.key>? "
      "ORDER BY res.key LIMIT ?");
  s.bind(1, parser_fingerprint).bind(2, after_key).bind(3, static_cast<std::int64_t>(limit));
  std::vector<StoredAnswer> out;
  while (s.step()) out.push_back({s.column_text(0), s.column_text(1)});
  s.reset();
  return out;
}

void RunLedger::store_reparsed(const std::string& key, const std::vector<Value>& fields,
                               const std::string& parser_fingerprint) {
  std::lock_guard lock(mutex_);
  db_.cached("UPDATE results SET fields=?, parser_fingerprint=? WHERE key=?")
      .bind(1, json_array(fields))
      .bind(2, parser_fingerprint)
      .bind(3, key)
      .run();
}

void RunLedger::fail_reparsed(const std::string& key, const std::string& reason,
                              const std::string& parser_fingerprint) {
  std::lock_guard lock(mutex_);
  db_.cached(
         "UPDATE rows SET state=3, retryable=1, attempts=0, last_error=?, updated_at=? WHERE key=? AND "
         "state=2")
      .bind(1, reason)
      .bind(2, now())
      .bind(3, key)
      .run();
  db_.cached("UPDATE results SET parser_fingerprint=? WHERE key=?")
      .bind(1, parser_fingerprint)
      .bind(2, key)
      .run();
}

void RunLedger::begin_batch() {
  std::lock_guard lock(mutex_);
  batch_transaction_.emplace(db_, false);
}

void RunLedger::commit_batch() {
  std::lock_guard lock(mutex_);
  if (batch_transaction_) batch_transaction_->commit();
  batch_transaction_.reset();
}

void RunLedger::reset_failures_with_other_fingerprint(const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_, false);
  db_.prepare(
         "UPDATE rows SET attempts=0, retryable=1, fingerprint=? WHERE state=3 AND coalesce(fingerprint, '') "
         "!= ?")
      .bind(1, fingerprint)
      .bind(2, fingerprint)
      .run();
  tx.commit();
}

}  // namespace pipehost::ledger
