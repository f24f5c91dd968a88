// The queries the writing ledger (RunLedger) and the read-only one (LedgerReader) share, so both
// read a job, a call or the token totals the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/run_ledger.hpp"
#include "ledger/sqlite_db.hpp"

namespace pipehost::ledger::queries {

/// Lists stored as JSON arrays (user parts as strings; input values and fields typed), written and read
/// with the SDK's JSON: exact integers, one escaping rule.
std::string json_array(const std::vector<std::string>& texts);
std::string json_array(const std::vector<Value>& values);
std::vector<Value> values_from_json(const std::string& text);
std::vector<std::string> texts_from_json(const std::string& text);

/// The columns of a job, in the order read_job reads them.
extern const char* const kJobColumns;
JobRecord read_job(const Statement& s);

/// "SELECT <call columns> FROM calls c LEFT JOIN ..." to which a WHERE and ORDER BY are appended.
extern const char* const kSelectCalls;
CallRecord read_call(const Statement& s);

/// Token and tool columns of `rows` (summed) or `calls`, in the order read_tokens reads them.
extern const char* const kTokenColumns;
TokenTotals read_tokens(const Statement& s, int first);

/// Rows of `scan` by state, jobs by state, tokens of every row.
LedgerCounts read_counts(Database& db, std::int64_t scan);

}  // namespace pipehost::ledger::queries
