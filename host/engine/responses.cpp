// Turning a provider's answer into a row outcome (parsed fields or a precise failure), and into
// one event for every logger.
#include <chrono>

#include <spdlog/spdlog.h>

#include "engine/fingerprint.hpp"
#include "engine/model_run_impl.hpp"
#include "engine/request_template.hpp"

namespace pipehost::engine {

namespace {

const char* to_string(FinishStatus finish) {
  switch (finish) {
    case FinishStatus::complete:
      return "complete";
    case FinishStatus::truncated:
      return "truncated";
    case FinishStatus::refused:
      return "refused";
    case FinishStatus::error:
      return "an error";
  }
  return "unknown";
}

}  // namespace

ledger::RowOutcome ModelRun::outcome_of(const ledger::JobRow& row, const Response& response) {
  ledger::RowOutcome outcome;
  outcome.key = row.key;
  outcome.attempt = row.attempt;
  outcome.usage = response.usage;
  outcome.raw_text = response.text;
  outcome.model_version = response.model_version;
  outcome.finish_reason = response.finish_reason;
  outcome.input_hash = row.input_hash;
  for (const auto& tool : response.tool_uses) {
    outcome.tool_units += tool.units;
    outcome.tool_cost_usd += tool.cost_usd;
  }
  if (response.error) {
    outcome.retryable = response.error->retryable;
    outcome.error = "provider error" + (response.error->code.empty() ? "" : " " + response.error->code) +
                    ": " + response.error->message;
    return outcome;
  }
  std::vector<Value> fields;
  Status parsed;
  {
    std::lock_guard lock(stage_mutex_);
    parsed = (*pipeline_.parser)->parse(response.text, fields);
  }
  if (!parsed) {
    outcome.retryable = !parsed.is_fatal();
    outcome.error = "parse error: " + parsed.message();
    if (response.finish != FinishStatus::complete)
      outcome.error += std::string(" (the answer was ") + to_string(response.finish) +
                       (response.finish_reason.empty() ? "" : ": " + response.finish_reason) + ")";
    return outcome;
  }
  if (fields.size() != ai_columns_.size()) {
    outcome.retryable = false;
    outcome.error = "the parser returned " + std::to_string(fields.size()) + " fields for " +
                    std::to_string(ai_columns_.size()) + " output columns";
    return outcome;
  }
  outcome.ok = true;
  outcome.fields = std::move(fields);
  return outcome;
}

const Request& ModelRun::request_template_of(const std::string& fingerprint) {
  // (cancel reads no rows, so it has no template of its own: it finds the kept one too.)
  if (fingerprint == fingerprint_ && have_template_) return request_template_;
  auto known = earlier_templates_.find(fingerprint);
  if (known != earlier_templates_.end()) return known->second;
  // A job planned under an earlier request config: its requests were built from that config. A
  // ledger from before templates were kept has none; today's is the best we have then.
  auto kept = ledger_->request_template(fingerprint);
  return earlier_templates_.emplace(fingerprint, kept ? request_template_from_json(*kept) : request_template_)
      .first->second;
}

void ModelRun::log_call(const ledger::JobRow& row, const std::string& job_name,
                        const std::string& fingerprint, const Response& response,
                        const ledger::RowOutcome& outcome, double start_time) {
  if (pipeline_.loggers.empty()) return;
  std::lock_guard lock(stage_mutex_);
  CallEvent event;
  event.run_id = ledger_->run_id();
  event.key = row.key;
  event.attempt = row.attempt;
  event.event_id =
      sha256_hex(event.run_id + "\n" + row.key + "\n" + std::to_string(row.attempt)).substr(0, 32);
  event.job_name = job_name;
  event.model = pricing_.model;
  event.request = request_template_of(fingerprint);
  event.request.key = row.key;
  event.request.user_parts = row.user_parts;
  event.response = response;
  if (outcome.ok) {
    for (const auto& column : ai_columns_) event.output_columns.push_back(column.name);
    event.output_values = outcome.fields;
  }
  event.ok = outcome.ok;
  event.error = outcome.error;
  event.input_columns = columns_;
  event.input_values = row.values;
  event.end_time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  event.start_time = start_time > 0 ? start_time : event.end_time;
  for (auto& logger : pipeline_.loggers) {
    auto status = logger->log(event);
    if (!status)
      spdlog::warn("{}: could not log the call for row {}: {}", logger.label(), row.key, status.message());
  }
}

void ModelRun::count_outcomes(const std::vector<ledger::RowOutcome>& outcomes) {
  auto& c = run_.counters();
  for (const auto& o : outcomes) {
    c.add(o.ok ? counter::rows_done : counter::rows_failed, 1);
    if (progress_) progress_->record_row(o.key, o.ok);
    c.add(counter::tokens_input, o.usage.input_tokens);
    c.add(counter::tokens_cached_input, o.usage.cached_input_tokens);
    c.add(counter::tokens_cache_write, o.usage.cache_write_tokens);
    c.add(counter::tokens_output, o.usage.output_tokens);
    c.add(counter::tokens_thinking, o.usage.thinking_tokens);
    c.add(counter::tool_units, o.tool_units);
    c.add(counter::tool_cost_microusd, static_cast<std::int64_t>(o.tool_cost_usd * 1e6));
  }
}

}  // namespace pipehost::engine
