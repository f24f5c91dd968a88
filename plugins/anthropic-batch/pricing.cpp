#include "pricing.hpp"

#include <map>
#include <string_view>

namespace pipehost::anthropic {

namespace {

struct ListPrice {
  double input;
  double output;
};

// US$ per million tokens (platform.claude.com pricing; prompts within the standard context window).
const std::map<std::string, ListPrice>& list_prices() {
  static const std::map<std::string, ListPrice> table = {
      {"claude-opus-4-6", {5.00, 25.00}},   {"claude-opus-4-5", {5.00, 25.00}},
      {"claude-opus-4-1", {15.00, 75.00}},  {"claude-opus-4", {15.00, 75.00}},
      {"claude-sonnet-4-5", {3.00, 15.00}}, {"claude-sonnet-4", {3.00, 15.00}},
      {"claude-3-7-sonnet", {3.00, 15.00}}, {"claude-haiku-4-5", {1.00, 5.00}},
      {"claude-3-5-haiku", {0.80, 4.00}},   {"claude-3-haiku", {0.25, 1.25}},
  };
  return table;
}

/// A model id's snapshot suffix: a date ("20250929") or "latest".
bool is_snapshot_suffix(std::string_view suffix) {
  if (suffix == "latest") return true;
  return suffix.size() == 8 && suffix.find_first_not_of("0123456789") == std::string_view::npos;
}

/// The table entry for `model`: the alias itself, or the alias followed by "-<date>" or "-latest"
/// ("claude-opus-4-5-20251101" is Opus 4.5, "claude-opus-4-20250514" Opus 4). Anything else is
/// unknown rather than guessed ("claude-sonnet-4-7" is not priced as Sonnet 4).
const ListPrice* find_price(const std::string& model) {
  for (const auto& [name, price] : list_prices()) {
    if (model == name) return &price;
    if (model.size() > name.size() + 1 && model.compare(0, name.size(), name) == 0 &&
        model[name.size()] == '-' && is_snapshot_suffix(std::string_view(model).substr(name.size() + 1)))
      return &price;
  }
  return nullptr;
}

}  // namespace

ModelInfo model_info(const std::string& model, const std::string& cache_ttl) {
  ModelInfo info;
  info.model = model;
  if (const ListPrice* price = find_price(model)) {
    TokenPrices p;
    p.input = price->input;
    p.output = price->output;
    p.thinking = price->output;  // extended thinking is billed as output
    p.cached_input = price->input * kCacheReadFactor;
    p.cache_write = price->input * (cache_ttl == "5m" ? kCacheWrite5mFactor : kCacheWrite1hFactor);
    p.batch_multiplier = kBatchFactor;
    p.batch_discounts_cached_input = true;  // the batch discount stacks with the cache prices
    info.prices = p;
  }
  return info;
}

}  // namespace pipehost::anthropic
