#include "cli/report_commands.hpp"

#include <iostream>

#include <boost/json.hpp>

#include "cli/exit_codes.hpp"
#include "cli/session.hpp"
#include "config/did_you_mean.hpp"
#include "engine/cost.hpp"
#include "engine/model_run.hpp"
#include "engine/run_error.hpp"
#include "engine/run_report.hpp"
#include "ledger/ledger_reader.hpp"
#include "report/html_text.hpp"
#include "report/render_html.hpp"

namespace pipehost::cli {

namespace json = boost::json;

namespace {

/// Characters of a request or answer shown per call in the text listing (--json has them whole).
constexpr std::size_t kTextChars = 600;

/// The run's ledger, read-only; a run that never started has none.
ledger::LedgerReader open_ledger(const config::RunConfig& config) {
  auto file = engine::ledger_path(config);
  if (!std::filesystem::exists(file))
    throw engine::RunError("no run ledger at " + file.string() + " (run the job first)");
  return ledger::LedgerReader(file);
}

std::vector<std::string> output_columns(engine::Pipeline& pipeline) {
  std::vector<Column> columns;
  if (auto status = (*pipeline.parser)->columns(columns); !status)
    throw config::ConfigError(pipeline.parser->label() + ": " + status.message());
  std::vector<std::string> names;
  for (const auto& column : columns) names.push_back(column.name);
  return names;
}

/// A typed field as JSON (numbers, arrays and null as they are).
json::value json_of(const Value& value) {
  return json::parse(to_json(value));
}

/// "energy=High" / "energy!=High" against the output columns; nullopt (with the reason) when bad.
std::optional<ledger::FieldCondition> parse_where(const std::string& text,
                                                  const std::vector<std::string>& columns,
                                                  std::string& problem) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    problem = "--where takes COLUMN=VALUE or COLUMN!=VALUE (e.g. --where energy=High), not \"" + text + "\"";
    return std::nullopt;
  }
  bool negated = text[eq - 1] == '!';
  std::string column = text.substr(0, negated ? eq - 1 : eq);
  auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) {
    std::string names;
    for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c;
    problem = "--where: no output column \"" + column + "\"" + config::did_you_mean(column, columns) +
              "; output columns: " + names;
    return std::nullopt;
  }
  return ledger::FieldCondition{static_cast<std::size_t>(it - columns.begin()), text.substr(eq + 1),
                                !negated};
}

/// Continuation lines of a multi-line value, indented under its label.
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

}  // namespace

int report_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  auto session = open_session(options, std::move(secrets), StateAccess::read);
  require_model(session.config, "report");
  open_ledger(session.config);  // a clear message when there is no run yet
  auto inputs = engine::report_inputs(session.config, session.pipeline);
  std::filesystem::path file = options.output.empty() ? engine::report_path(session.config)
                                                      : std::filesystem::absolute(options.output);
  report::write_report(inputs, file);
  std::cout << "report: " << file.string() << "\n";
  return kExitOk;
}

int rows_command(const CliOptions& options, std::shared_ptr<services::SecretRegistry> secrets) {
  ledger::RowQuery query;
  if (!options.status.empty()) {
    query.status = ledger::parse_row_status(options.status);
    if (!query.status) {
      std::cerr << "pipehost: --status takes ok, failed or pending, not \"" << options.status << "\"\n";
      return kExitUsage;
    }
  }
  query.limit = options.limit;
  auto session = open_session(options, std::move(secrets), StateAccess::read);
  require_model(session.config, "rows");
  auto columns = output_columns(session.pipeline);
  for (const auto& text : options.where) {
    std::string problem;
    auto condition = parse_where(text, columns, problem);
    if (!condition) {
      std::cerr << "pipehost: " << problem << "\n";
      return kExitUsage;
    }
    query.fields.push_back(*condition);
  }
  auto reader = open_ledger(session.config);
  std::uint64_t shown = 0;
  reader.for_each_row(query, [&](const ledger::RowView& row) {
    ++shown;
    auto status = ledger::to_string(ledger::status_of(row.state));
    if (options.json) {
      json::value fields = nullptr;
      if (row.state == ledger::RowState::done) {
        json::object named;
        for (std::size_t i = 0; i < columns.size() && i < row.fields.size(); ++i)
          named[columns[i]] = json_of(row.fields[i]);
        fields = std::move(named);
      }
      json::object line{
          {"key", row.key},
          {"ordinal", row.ordinal},
          {"status", status},
          {"attempts", row.attempts},
          {"error", row.state == ledger::RowState::failed ? json::value(row.error) : json::value(nullptr)},
          {"fields", std::move(fields)},
          {"tokens", engine::tokens_json(row.tokens)}};
      std::cout << json::serialize(line) << "\n";
      return true;
    }
    std::cout << row.key << "  " << status << "  (row " << row.ordinal << ", " << row.attempts << " attempt"
              << (row.attempts == 1 ? "" : "s") << ")\n";
    if (row.state == ledger::RowState::failed)
      std::cout << "  reason: " << indented(row.error, "    ") << "\n";
    for (std::size_t i = 0; i < columns.size() && i < row.fields.size(); ++i)
      std::cout << "  " << columns[i] << ": " << indented(row.fields[i].to_text(), "    ") << "\n";
    std::cout << "\n";
    return true;
  });
  if (!options.json) std::cout << shown << " row" << (shown == 1 ? "" : "s") << "\n";
  return kExitOk;
}

int calls_command(const CliOptions& options) {
  auto config = load_config(options);
  require_model(config, "calls");
  auto reader = open_ledger(config);
  if (!options.key.empty() && !reader.has_row(options.key)) {
    std::cerr << "pipehost: no row with key \"" << options.key << "\" in " << reader.file().string() << "\n";
    return kExitUsage;
  }
  std::uint64_t shown = 0;
  reader.for_each_call(options.key, [&](const ledger::CallRecord& call) {
    if (options.limit && shown >= *options.limit) return false;
    ++shown;
    double latency = call.started_at > 0 ? call.completed_at - call.started_at : 0;
    if (options.json) {
      json::array parts;
      for (const auto& p : call.user_parts) parts.emplace_back(p);
      json::object line{
          {"id", call.id},
          {"key", call.key},
          {"attempt", call.attempt},
          {"job", call.job_name.empty() ? json::value(nullptr) : json::value(call.job_name)},
          {"ok", call.ok},
          {"error", call.error.empty() ? json::value(nullptr) : json::value(call.error)},
          {"request", json::object{{"user_parts", std::move(parts)}}},
          {"raw_text", call.raw_text},
          {"finish_reason", call.finish_reason},
          {"model_version", call.model_version},
          {"usage", engine::tokens_json({call.usage.input_tokens, call.usage.cached_input_tokens,
                                         call.usage.cache_write_tokens, call.usage.output_tokens,
                                         call.usage.thinking_tokens, call.tool_units, call.tool_cost_usd})},
          {"fingerprint", call.fingerprint},
          {"started_at", call.started_at > 0 ? json::value(call.started_at) : json::value(nullptr)},
          {"completed_at", call.completed_at},
          {"latency_s", call.started_at > 0 ? json::value(latency) : json::value(nullptr)}};
      std::cout << json::serialize(line) << "\n";
      return true;
    }
    std::cout << "call " << call.id << "  key " << call.key << "  attempt " << call.attempt << "  "
              << (call.ok ? "ok" : "failed") << "\n";
    std::cout << "  job: " << (call.job_name.empty() ? "(online call)" : call.job_name)
              << "; answered: " << report::format_time(call.completed_at);
    if (call.started_at > 0) std::cout << " (" << report::format_seconds(latency) << " after it was sent)";
    std::cout << "\n  "
              << engine::tokens_text({call.usage.input_tokens, call.usage.cached_input_tokens,
                                      call.usage.cache_write_tokens, call.usage.output_tokens,
                                      call.usage.thinking_tokens, call.tool_units, call.tool_cost_usd})
              << "; finish: " << (call.finish_reason.empty() ? "-" : call.finish_reason)
              << "; model: " << (call.model_version.empty() ? "-" : call.model_version) << "\n";
    for (const auto& part : call.user_parts)
      std::cout << "  request: " << indented(report::cut_chars(part, kTextChars), "    ") << "\n";
    if (!call.error.empty()) std::cout << "  error: " << indented(call.error, "    ") << "\n";
    std::cout << "  answer: " << indented(report::cut_chars(call.raw_text, kTextChars), "    ") << "\n\n";
    return true;
  });
  if (!options.json) std::cout << shown << " call" << (shown == 1 ? "" : "s") << "\n";
  return kExitOk;
}

}  // namespace pipehost::cli
