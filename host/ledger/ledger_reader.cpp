#include "ledger/ledger_reader.hpp"

#include <boost/json.hpp>

#include "ledger/ledger_queries.hpp"

namespace pipehost::ledger {

namespace json = boost::json;

RowStatus status_of(RowState state) {
  switch (state) {
    case RowState::done:
      return RowStatus::ok;
    case RowState::failed:
      return RowStatus::failed;
    default:
      return RowStatus::pending;
  }
}

const char* to_string(RowStatus status) {
  switch (status) {
    case RowStatus::ok:
      return "ok";
    case RowStatus::failed:
      return "failed";
    case RowStatus::pending:
      return "pending";
  }
  return "pending";
}

std::optional<RowStatus> parse_row_status(std::string_view text) {
  for (auto status : {RowStatus::ok, RowStatus::failed, RowStatus::pending})
    if (text == to_string(status)) return status;
  return std::nullopt;
}

LedgerReader::LedgerReader(const std::filesystem::path& file) : db_(file, OpenMode::read_only) {
  auto has_meta = db_.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  has_meta.step();
  if (has_meta.column_int(0) == 0)
    throw LedgerError(file.string() + ": not a run ledger (it has no meta table)");
  auto all = db_.prepare("SELECT key, value FROM meta");
  while (all.step()) meta_[all.column_text(0)] = all.column_text(1);
  auto version = meta("schema_version");
  if (version != std::to_string(RunLedger::kSchemaVersion))
    throw LedgerError(file.string() + ": the run ledger has schema version " +
                      (version.empty() ? "?" : version) + "; this pipehost reads version " +
                      std::to_string(RunLedger::kSchemaVersion) +
                      (!version.empty() && std::stoi(version) < RunLedger::kSchemaVersion
                           ? " (run `pipehost status` or `pipehost run` once to upgrade it)"
                           : " (use a newer pipehost)"));
  auto scan = meta("current_scan");
  current_scan_ = scan.empty() ? 0 : std::stoll(scan);
}

std::string LedgerReader::meta(const std::string& key) const {
  auto it = meta_.find(key);
  return it == meta_.end() ? std::string() : it->second;
}

LedgerCounts LedgerReader::counts() {
  return queries::read_counts(db_, current_scan_);
}

bool LedgerReader::has_row(const std::string& key) {
  auto s = db_.prepare("SELECT 1 FROM rows WHERE key=?");
  s.bind(1, key);
  return s.step();
}

void LedgerReader::for_each_row(const RowQuery& query, const std::function<bool(const RowView&)>& visit) {
  // Parameters: ?1 the scan, ?2 the limit (-1: none), then one per field condition.
  std::string sql =
      "SELECT r.key, r.ordinal, r.state, r.attempts, coalesce(r.last_error, ''), coalesce(res.fields, ''), " +
      std::string(queries::kTokenColumns) +
      " FROM rows r LEFT JOIN results res ON res.key=r.key AND r.state=2 WHERE r.scan=?1";
  if (query.status == RowStatus::ok) sql += " AND r.state=2";
  if (query.status == RowStatus::failed) sql += " AND r.state=3";
  if (query.status == RowStatus::pending) sql += " AND r.state IN (0, 1)";
  for (std::size_t i = 0; i < query.fields.size(); ++i) {
    const auto& condition = query.fields[i];
    // Fields are typed: compare their text (113, ["a","b"], High) with the value given.
    sql += " AND r.state=2 AND CAST(json_extract(res.fields, '$[" + std::to_string(condition.field) +
           "]') AS TEXT)" + (condition.equal ? "=" : "!=") + "?" + std::to_string(i + 3);
  }
  sql += " ORDER BY r.ordinal LIMIT ?2";
  auto s = db_.prepare(sql);
  s.bind(1, current_scan_);
  s.bind(2, query.limit ? static_cast<std::int64_t>(*query.limit) : std::int64_t{-1});
  for (std::size_t i = 0; i < query.fields.size(); ++i)
    s.bind(static_cast<int>(i + 3), query.fields[i].value);
  RowView row;
  while (s.step()) {
    row.key = s.column_text(0);
    row.ordinal = static_cast<std::uint64_t>(s.column_int(1));
    row.state = static_cast<RowState>(s.column_int(2));
    row.attempts = static_cast<int>(s.column_int(3));
    row.error = row.state == RowState::failed ? s.column_text(4) : std::string();
    row.fields = queries::values_from_json(s.column_text(5));
    row.tokens = queries::read_tokens(s, 6);
    if (!visit(row)) break;
  }
}

void LedgerReader::for_each_done_fields(const std::function<void(std::string_view fields_json)>& visit) {
  auto s = db_.prepare(
      "SELECT res.fields FROM results res JOIN rows r ON r.key=res.key WHERE r.scan=? AND r.state=2");
  s.bind(1, current_scan_);
  while (s.step()) visit(s.column_view(0));
}

void LedgerReader::for_each_failure(
    const std::function<void(const std::string& key, const std::string& reason)>& visit) {
  auto s =
      db_.prepare("SELECT key, coalesce(last_error, '') FROM rows WHERE scan=? AND state=3 ORDER BY ordinal");
  s.bind(1, current_scan_);
  while (s.step()) visit(s.column_text(0), s.column_text(1));
}

void LedgerReader::for_each_call(const std::string& key,
                                 const std::function<bool(const CallRecord&)>& visit) {
  auto s = db_.prepare(std::string(queries::kSelectCalls) + (key.empty() ? "" : "WHERE c.key=? ") +
                       "ORDER BY c.id");
  if (!key.empty()) s.bind(1, key);
  while (s.step())
    if (!visit(queries::read_call(s))) break;
}

std::optional<CallRecord> LedgerReader::last_call(const std::string& key) {
  auto s = db_.prepare(std::string(queries::kSelectCalls) + "WHERE c.key=? ORDER BY c.id DESC LIMIT 1");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return queries::read_call(s);
}

std::vector<JobSpan> LedgerReader::jobs() {
  auto s = db_.prepare(std::string("SELECT ") + queries::kJobColumns + " FROM jobs ORDER BY id");
  std::vector<JobSpan> out;
  while (s.step()) {
    JobSpan span;
    span.job = queries::read_job(s);
    span.updated_at = span.job.updated_at;
    out.push_back(std::move(span));
  }
  return out;
}

std::map<std::string, std::vector<Value>> LedgerReader::input_values(const std::vector<std::string>& keys) {
  std::map<std::string, std::vector<Value>> out;
  // A row that was answered: its latest call names the job, and job_rows is keyed by (job, key).
  auto by_call = db_.prepare(
      "SELECT jr.input_values FROM calls c JOIN job_rows jr ON jr.job_id=c.job_id AND jr.key=c.key "
      "WHERE c.key=? ORDER BY c.id DESC LIMIT 1");
  json::array unanswered;
  for (const auto& key : keys) {
    by_call.bind(1, key);
    if (by_call.step())
      out[key] = queries::values_from_json(by_call.column_text(0));
    else
      unanswered.emplace_back(key);
    by_call.reset();
  }
  if (unanswered.empty()) return out;
  // Rows sent but never answered (their job failed, or left them out): one pass over job_rows for all
  // of them, the latest job last.
  auto scan = db_.prepare(
      "SELECT key, input_values FROM job_rows WHERE key IN (SELECT value FROM json_each(?)) ORDER BY job_id");
  scan.bind(1, json::serialize(unanswered));
  while (scan.step()) out[scan.column_text(0)] = queries::values_from_json(scan.column_text(1));
  return out;
}

}  // namespace pipehost::ledger
