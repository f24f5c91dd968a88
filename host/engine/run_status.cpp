// `pipehost status`: where a run stands, read from its ledger alone (no plugin is asked anything).
#include <boost/json.hpp>

#include "engine/cost.hpp"
#include "engine/model_run.hpp"

namespace pipehost::engine {

namespace json = boost::json;

std::string status_text(const config::RunConfig& config, bool as_json) {
  if (!std::filesystem::exists(ledger_path(config)))
    return as_json ? "{\"state\":\"not started\"}\n"
                   : "no run yet (no ledger at " + ledger_path(config).string() + ")\n";
  ledger::RunLedger ledger(ledger_path(config));
  auto counts = ledger.counts();
  auto jobs = ledger.jobs();
  auto pricing = Pricing::from_json(ledger.meta("pricing").value_or(""));
  auto cost = cost_of(pricing, counts.tokens);
  if (as_json) {
    json::object rows, job_states;
    for (const auto& [s, n] : counts.rows_by_state) rows[s] = n;
    for (const auto& [s, n] : counts.jobs_by_state) job_states[s] = n;
    json::array job_list;
    for (const auto& j : jobs)
      job_list.push_back(json::object{{"name", j.display_name},
                                      {"handle", j.handle},
                                      {"state", ledger::to_string(j.state)},
                                      {"rows", j.row_count},
                                      {"bytes", j.bytes}});
    return json::serialize(
               json::object{{"run_id", ledger.run_id()},
                            {"rows", rows},
                            {"total_rows", counts.total_rows},
                            {"jobs_by_state", job_states},
                            {"jobs", job_list},
                            {"model", pricing.model},
                            {"tokens", tokens_json(counts.tokens)},
                            {"cost", cost_json(cost)},
                            {"cost_usd", cost ? json::value(cost->total) : json::value(nullptr)}}) +
           "\n";
  }
  std::string text = "run " + ledger.run_id() + " (" + ledger_path(config).string() + ")\n";
  text += "rows: " + std::to_string(counts.total_rows) + " total";
  for (const auto& [s, n] : counts.rows_by_state) text += ", " + std::to_string(n) + " " + s;
  text += "\njobs:";
  if (counts.jobs_by_state.empty()) text += " none";
  for (const auto& [s, n] : counts.jobs_by_state)
    text.append(" ").append(std::to_string(n)).append(" ").append(s);
  // (append, not "literal" + string: GCC 12 warns about that falsely in Release, -Wrestrict)
  text.append("\n").append(tokens_text(counts.tokens)).append("\ncost so far: ");
  text.append(format_cost(pricing, counts.tokens));
  if (!pricing.model.empty()) text.append(" (").append(pricing.model).append(")");
  text += "\n";
  for (const auto& j : jobs) {
    if (j.state == ledger::JobState::fetched || j.state == ledger::JobState::discarded) continue;
    text += "  job " + j.display_name + " " + ledger::to_string(j.state) +
            (j.handle.empty() ? "" : " (" + j.handle + ")") + ", " + std::to_string(j.row_count) + " rows\n";
  }
  return text;
}

}  // namespace pipehost::engine
