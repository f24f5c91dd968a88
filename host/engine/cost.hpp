// Money: tokens of each kind × the model's prices (US$ per million tokens), with the batch discount,
// plus the fees of server-side tools as the provider priced them. The provider says what its model
// costs (Provider::model); `run.prices` overrides it per model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "config/run_config.hpp"
#include "ledger/run_ledger.hpp"
#include "pipehost/types.hpp"

namespace pipehost::engine {

/// What a run's calls cost: the model, its prices (after `run.prices`), its tools' fees, the mode.
struct Pricing {
  std::string model;
  std::optional<TokenPrices> prices;
  std::vector<ToolPrice> tool_prices;
  bool batch = true;

  /// The provider's model info with the config's overrides applied.
  static Pricing from(const ModelInfo& info, const config::RunSettings& settings);
  /// As JSON text, kept in the ledger so `status` prices the run without loading its provider.
  std::string to_json() const;
  static Pricing from_json(const std::string& text);
};

/// Dollars by kind.
struct CostBreakdown {
  double input = 0;
  double cached_input = 0;
  double cache_write = 0;
  double output = 0;
  double thinking = 0;
  double tokens = 0;
  double tools = 0;
  double total = 0;
};

/// The cost of `totals`, or nullopt when the model has no known price.
std::optional<CostBreakdown> cost_of(const Pricing& pricing, const ledger::TokenTotals& totals);

/// "$1.23" (with the tool fees when there are any) or "unknown (no price for model X; add it under
/// run.prices)".
std::string format_cost(const Pricing& pricing, const ledger::TokenTotals& totals);

/// "$1.23".
std::string format_dollars(double usd);

/// "tokens: 1200 input (800 cached, 0 cache write), 300 output, 0 thinking[, 2 tool uses]".
std::string tokens_text(const ledger::TokenTotals& tokens);
/// The token totals and the cost by kind, as summary.json and `status --json` show them.
boost::json::object tokens_json(const ledger::TokenTotals& tokens);
boost::json::value cost_json(const std::optional<CostBreakdown>& cost);

}  // namespace pipehost::engine
