#include "pricing.hpp"

#include <map>

namespace pipehost::openai {
namespace {

// US$ per 1M tokens, standard tier (openai.com/api/pricing). The Batch API bills half of every
// kind, cached input included. Reasoning tokens are billed as output.
TokenPrices prices(double input, double cached_input, double output) {
  TokenPrices p;
  p.input = input;
  p.cached_input = cached_input;
  p.output = output;
  p.thinking = output;
  p.batch_multiplier = 0.5;
  p.batch_discounts_cached_input = true;
  return p;
}

const std::map<std::string, TokenPrices>& price_table() {
  static const std::map<std::string, TokenPrices> table = {
      {"gpt-4.1", prices(2.00, 0.50, 8.00)},       {"gpt-4.1-mini", prices(0.40, 0.10, 1.60)},
      {"gpt-4.1-nano", prices(0.10, 0.025, 0.40)}, {"gpt-4o", prices(2.50, 1.25, 10.00)},
      {"gpt-4o-mini", prices(0.15, 0.075, 0.60)},
  };
  return table;
}

/// "gpt-4.1-mini-2025-04-14" → "gpt-4.1-mini".
std::string without_date(const std::string& model) {
  if (model.size() > 11 && model[model.size() - 11] == '-') {
    std::string date = model.substr(model.size() - 10);
    bool dated = date[4] == '-' && date[7] == '-';
    for (std::size_t i = 0; i < date.size() && dated; ++i)
      if (i != 4 && i != 7) dated = date[i] >= '0' && date[i] <= '9';
    if (dated) return model.substr(0, model.size() - 11);
  }
  return model;
}

}  // namespace

ModelInfo model_info(const std::string& model) {
  ModelInfo info;
  info.model = model;
  if (auto it = price_table().find(without_date(model)); it != price_table().end()) info.prices = it->second;
  return info;
}

}  // namespace pipehost::openai
