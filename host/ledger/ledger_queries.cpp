#include "ledger/ledger_queries.hpp"

namespace pipehost::ledger::queries {

std::string json_array(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, texts[i]);
  }
  return out + "]";
}

std::string json_array(const std::vector<Value>& values) {
  return to_json(Value::array(values));
}

std::vector<Value> values_from_json(const std::string& text) {
  Value parsed;
  std::string error;
  if (text.empty() || !parse_json(text, parsed, error) || !parsed.is_array()) return {};
  return parsed.items();
}

std::vector<std::string> texts_from_json(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& v : values_from_json(text)) out.push_back(v.to_text());
  return out;
}

const char* const kJobColumns =
    "id, display_name, coalesce(handle, ''), state, row_count, bytes, succeeded, failed, coalesce(message, "
    "''), "
    "created_at, coalesce(submitted_at, 0), coalesce(fingerprint, ''), updated_at";

JobRecord read_job(const Statement& s) {
  JobRecord job;
  job.id = s.column_int(0);
  job.display_name = s.column_text(1);
  job.handle = s.column_text(2);
  job.state = job_state_named(s.column_text(3));
  job.row_count = static_cast<std::uint64_t>(s.column_int(4));
  job.bytes = static_cast<std::uint64_t>(s.column_int(5));
  job.succeeded = static_cast<std::uint64_t>(s.column_int(6));
  job.failed = static_cast<std::uint64_t>(s.column_int(7));
  job.message = s.column_text(8);
  job.created_at = s.column_double(9);
  job.submitted_at = s.column_double(10);
  job.fingerprint = s.column_text(11);
  job.updated_at = s.column_double(12);
  return job;
}

const char* const kTokenColumns =
    "prompt_tokens, cached_tokens, cache_write_tokens, output_tokens, thoughts_tokens, tool_units, "
    "tool_cost_usd";

TokenTotals read_tokens(const Statement& s, int first) {
  return {s.column_int(first),       s.column_int(first + 1), s.column_int(first + 2),
          s.column_int(first + 3),   s.column_int(first + 4), s.column_int(first + 5),
          s.column_double(first + 6)};
}

const char* const kSelectCalls =
    "SELECT c.id, c.key, c.attempt, coalesce(j.display_name, ''), c.ok, coalesce(c.error, ''), "
    "coalesce(c.raw_text, ''), coalesce(c.finish_reason, ''), coalesce(c.model_version, ''), "
    "coalesce(c.fingerprint, ''), coalesce(c.started_at, 0), c.completed_at, coalesce(jr.user_parts, ''), "
    "c.prompt_tokens, c.cached_tokens, c.cache_write_tokens, c.output_tokens, c.thoughts_tokens, "
    "c.tool_units, "
    "c.tool_cost_usd FROM calls c LEFT JOIN jobs j ON j.id=c.job_id "
    "LEFT JOIN job_rows jr ON jr.job_id=c.job_id AND jr.key=c.key ";

CallRecord read_call(const Statement& s) {
  CallRecord c;
  c.id = s.column_int(0);
  c.key = s.column_text(1);
  c.attempt = static_cast<int>(s.column_int(2));
  c.job_name = s.column_text(3);
  c.ok = s.column_int(4) != 0;
  c.error = s.column_text(5);
  c.raw_text = s.column_text(6);
  c.finish_reason = s.column_text(7);
  c.model_version = s.column_text(8);
  c.fingerprint = s.column_text(9);
  c.started_at = s.column_double(10);
  c.completed_at = s.column_double(11);
  c.user_parts = texts_from_json(s.column_text(12));
  auto tokens = read_tokens(s, 13);
  c.usage = {tokens.input, tokens.cached_input, tokens.cache_write, tokens.output, tokens.thinking};
  c.tool_units = tokens.tool_units;
  c.tool_cost_usd = tokens.tool_cost_usd;
  return c;
}

LedgerCounts read_counts(Database& db, std::int64_t scan) {
  LedgerCounts counts;
  auto rows = db.prepare("SELECT state, count(*) FROM rows WHERE scan=? GROUP BY state");
  rows.bind(1, scan);
  while (rows.step()) {
    auto n = static_cast<std::uint64_t>(rows.column_int(1));
    counts.rows_by_state[to_string(static_cast<RowState>(rows.column_int(0)))] = n;
    counts.total_rows += n;
  }
  auto jobs = db.prepare("SELECT state, count(*) FROM jobs GROUP BY state");
  while (jobs.step())
    counts.jobs_by_state[jobs.column_text(0)] = static_cast<std::uint64_t>(jobs.column_int(1));
  std::string sums;
  for (const char* column : {"prompt_tokens", "cached_tokens", "cache_write_tokens", "output_tokens",
                             "thoughts_tokens", "tool_units", "tool_cost_usd"})
    sums += std::string(sums.empty() ? "" : ", ") + "coalesce(sum(" + column + "), 0)";
  auto tokens = db.prepare("SELECT " + sums + " FROM rows");
  tokens.step();
  counts.tokens = read_tokens(tokens, 0);
  return counts;
}

}  // namespace pipehost::ledger::queries
