#include "engine/cost.hpp"

#include <algorithm>
#include <cstdio>

namespace pipehost::engine {

std::optional<double> cost_usd(const config::RunSettings& settings, const ledger::TokenTotals& tokens) {
  auto it = settings.prices.find(settings.model);
  if (it == settings.prices.end()) return std::nullopt;
  const auto& price = it->second;
  double uncached = static_cast<double>(std::max<std::int64_t>(0, tokens.prompt - tokens.cached));
  double dollars = (uncached * price.input + static_cast<double>(tokens.cached) * price.cached_input +
                    static_cast<double>(tokens.output + tokens.thoughts) * price.output) /
                   1e6;
  return settings.mode == "batch" ? dollars * price.batch_multiplier : dollars;
}

std::string format_cost(const config::RunSettings& settings, const ledger::TokenTotals& tokens) {
  auto cost = cost_usd(settings, tokens);
  if (!cost) return "unknown (no price for model \"" + settings.model + "\"; add it under run.prices)";
  char text[32];
  std::snprintf(text, sizeof text, *cost < 0.01 && *cost > 0 ? "$%.4f" : "$%.2f", *cost);
  return text;
}

}  // namespace pipehost::engine
