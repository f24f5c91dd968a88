#include "pricing.hpp"

#include <map>

namespace pipehost::gemini {
namespace {

// US$ per million tokens (ai.google.dev/pricing, standard tier, prompts up to 200k tokens). Batch jobs
// are billed at half; cached input keeps its own price in a batch (the discounts do not stack).
TokenPrices prices(double input, double cached_input, double output) {
  TokenPrices p;
  p.input = input;
  p.cached_input = cached_input;
  p.output = output;
  p.thinking = output;  // thinking tokens are billed as output
  p.batch_multiplier = 0.5;
  p.batch_discounts_cached_input = false;
  return p;
}

const std::map<std::string, TokenPrices>& price_table() {
  static const std::map<std::string, TokenPrices> table = {
      {"gemini-flash-latest", prices(0.30, 0.03, 2.50)},
      {"gemini-2.5-flash", prices(0.30, 0.03, 2.50)},
      {"gemini-flash-lite-latest", prices(0.10, 0.01, 0.40)},
      {"gemini-2.5-flash-lite", prices(0.10, 0.01, 0.40)},
      {"gemini-2.5-pro", prices(1.25, 0.125, 10.00)},
  };
  return table;
}

// Google Search grounding: $35 per 1,000 grounded prompts on Gemini 2.5 models, $14 per 1,000 search
// queries on Gemini 3 models (each beyond a free daily allowance, which pipehost does not subtract).
constexpr double kPerGroundedPrompt = 35.0 / 1000;
constexpr double kPerSearchQuery = 14.0 / 1000;

bool bills_per_query(const std::string& model) {
  return model.rfind("gemini-3", 0) == 0 || model.rfind("models/gemini-3", 0) == 0;
}

}  // namespace

ModelInfo model_info(const std::string& model) {
  ModelInfo info;
  info.model = model;
  if (auto it = price_table().find(model); it != price_table().end()) info.prices = it->second;
  if (bills_per_query(model))
    info.tool_prices.push_back({"web_search", "search query", kPerSearchQuery});
  else
    info.tool_prices.push_back({"web_search", "grounded prompt", kPerGroundedPrompt});
  return info;
}

void price_tool_uses(const std::string& model, Response& response) {
  for (auto& use : response.tool_uses) {
    if (use.tool != "web_search") continue;
    if (bills_per_query(model)) {
      use.unit = "search query";
      use.cost_usd = static_cast<double>(use.units) * kPerSearchQuery;
    } else {
      use.unit = "grounded prompt";
      use.units = 1;
      use.cost_usd = kPerGroundedPrompt;
    }
  }
}

}  // namespace pipehost::gemini
