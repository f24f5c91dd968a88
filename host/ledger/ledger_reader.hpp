// Read-only queries over a run ledger, for `pipehost report`, `rows` and `calls`.
//
// The file is opened with SQLITE_OPEN_READONLY: the reader never creates, migrates or changes a
// ledger, takes no state dir lock, and (WAL) reads a consistent snapshot beside a live run. Every
// query streams through a callback with one SQLite statement, so a million-row ledger is never held
// in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/run_ledger.hpp"
#include "ledger/sqlite_db.hpp"

namespace pipehost::ledger {

/// Row standing as users see it (the output's `_status`): submitted rows are still pending.
enum class RowStatus { ok, failed, pending };

RowStatus status_of(RowState state);
const char* to_string(RowStatus status);
/// "ok", "failed" or "pending"; nullopt for anything else.
std::optional<RowStatus> parse_row_status(std::string_view text);

/// `--where column=value` (or `column!=value`) on a done row's parsed fields.
struct FieldCondition {
  /// Index of the output column in the parsed fields.
  std::size_t field = 0;
  std::string value;
  bool equal = true;
};

struct RowQuery {
  std::optional<RowStatus> status;
  /// All must hold; rows without an answer (failed, pending) never match one.
  std::vector<FieldCondition> fields;
  std::optional<std::uint64_t> limit;
};

/// A row of the current input, with its answer (done rows) or reason (failed rows).
struct RowView {
  std::string key;
  std::uint64_t ordinal = 0;
  RowState state = RowState::pending;
  int attempts = 0;
  /// Why the row failed (failed rows).
  std::string error;
  /// Parsed output fields (done rows).
  std::vector<Value> fields;
  /// Tokens of every attempt.
  TokenTotals tokens;
};

/// A batch job with the time of its last state change (for a finished job: when it ended).
struct JobSpan {
  JobRecord job;
  double updated_at = 0;
};

class LedgerReader {
 public:
  /// Opens `file` read-only. Throws LedgerError when it is missing, not a ledger, or of another
  /// schema version than this pipehost writes.
  explicit LedgerReader(const std::filesystem::path& file);

  const std::filesystem::path& file() const { return db_.file(); }
  /// Every meta value (run_id, config_fingerprint, parser_fingerprint, plugins, current_scan, ...).
  const std::map<std::string, std::string>& meta() const { return meta_; }
  std::string meta(const std::string& key) const;
  /// The scan whose rows are the current input (0 before the first scan completed).
  std::int64_t current_scan() const { return current_scan_; }

  /// Rows of the current input by state, jobs by state, tokens of every row.
  LedgerCounts counts();

  /// Whether the ledger has a row with `key` (of any scan).
  bool has_row(const std::string& key);
  /// Rows of the current input in input order, as `query` selects; `visit` returns false to stop.
  void for_each_row(const RowQuery& query, const std::function<bool(const RowView&)>& visit);
  /// The parsed fields of every done row of the current input, as the JSON array text stored (in no
  /// particular order: the report only counts them).
  void for_each_done_fields(const std::function<void(std::string_view fields_json)>& visit);
  /// Key and reason of every failed row of the current input, in input order.
  void for_each_failure(const std::function<void(const std::string& key, const std::string& reason)>& visit);
  /// Every answer received for `key` (every answer in the ledger when `key` is empty), oldest first;
  /// `visit` returns false to stop.
  void for_each_call(const std::string& key, const std::function<bool(const CallRecord&)>& visit);
  /// The latest answer received for `key`, if any.
  std::optional<CallRecord> last_call(const std::string& key);
  /// Every batch job, in the order they were planned.
  std::vector<JobSpan> jobs();
  /// The input values of each of `keys` as last put into a job (rows never sent are left out).
  std::map<std::string, std::vector<Value>> input_values(const std::vector<std::string>& keys);

 private:
  Database db_;
  std::map<std::string, std::string> meta_;
  std::int64_t current_scan_ = 0;
};

}  // namespace pipehost::ledger
