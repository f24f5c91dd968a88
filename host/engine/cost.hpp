// Money: tokens × the model's prices (US$ per million tokens), with the batch discount.
#pragma once

#include <optional>
#include <string>

#include "config/run_config.hpp"
#include "ledger/run_ledger.hpp"

namespace pipehost::engine {

/// Cost of `tokens` for `model`, or nullopt when the config has no price for the model.
/// Cached prompt tokens are billed at the cached rate, thinking tokens at the output rate.
std::optional<double> cost_usd(const config::RunSettings& settings, const ledger::TokenTotals& tokens);

/// "$1.23" or "unknown (no price for model X; add it under run.prices)".
std::string format_cost(const config::RunSettings& settings, const ledger::TokenTotals& tokens);

}  // namespace pipehost::engine
