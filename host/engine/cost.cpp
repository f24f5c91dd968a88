#include "engine/cost.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

namespace pipehost::engine {

Pricing Pricing::from(const ModelInfo& info, const config::RunSettings& settings) {
  Pricing pricing;
  pricing.model = info.model;
  pricing.prices = info.prices;
  pricing.tool_prices = info.tool_prices;
  pricing.batch = settings.mode == config::Mode::batch;
  if (auto it = settings.prices.find(info.model); it != settings.prices.end()) {
    const auto& o = it->second;
    TokenPrices p = pricing.prices.value_or(TokenPrices{});
    if (!pricing.prices) p.batch_multiplier = 0.5;  // a model the provider does not know: batch at half
    if (o.input) p.input = *o.input;
    if (o.cached_input) p.cached_input = *o.cached_input;
    if (o.cache_write) p.cache_write = *o.cache_write;
    if (o.output) p.output = *o.output;
    // Thinking is billed as output everywhere we know of: it follows an overridden output price.
    p.thinking = o.thinking ? *o.thinking : (o.output ? *o.output : p.thinking);
    if (o.batch_multiplier) p.batch_multiplier = *o.batch_multiplier;
    pricing.prices = p;
  }
  return pricing;
}

std::string Pricing::to_json() const {
  Value v = Value::object();
  v.set("model", model);
  v.set("batch", batch);
  if (prices) {
    Value p = Value::object();
    p.set("input", prices->input);
    p.set("cached_input", prices->cached_input);
    p.set("cache_write", prices->cache_write);
    p.set("output", prices->output);
    p.set("thinking", prices->thinking);
    p.set("batch_multiplier", prices->batch_multiplier);
    p.set("batch_discounts_cached_input", prices->batch_discounts_cached_input);
    v.set("prices", std::move(p));
  }
  return pipehost::to_json(v);
}

Pricing Pricing::from_json(const std::string& text) {
  Pricing pricing;
  Value v;
  std::string error;
  if (!parse_json(text, v, error) || !v.is_object()) return pricing;
  if (auto* m = v.find("model")) pricing.model = m->as_string();
  if (auto* b = v.find("batch")) pricing.batch = b->as_bool();
  if (auto* p = v.find("prices"); p && p->is_object()) {
    auto number = [&](const char* key) { return p->find(key) ? p->find(key)->as_double() : 0.0; };
    TokenPrices prices;
    prices.input = number("input");
    prices.cached_input = number("cached_input");
    prices.cache_write = number("cache_write");
    prices.output = number("output");
    prices.thinking = number("thinking");
    prices.batch_multiplier = number("batch_multiplier");
    auto* cached = p->find("batch_discounts_cached_input");
    prices.batch_discounts_cached_input = !cached || cached->as_bool();
    pricing.prices = prices;
  }
  return pricing;
}

std::optional<CostBreakdown> cost_of(const Pricing& pricing, const ledger::TokenTotals& totals) {
  if (!pricing.prices) return std::nullopt;
  const auto& p = *pricing.prices;
  double batch = pricing.batch ? p.batch_multiplier : 1.0;
  auto dollars = [](std::int64_t tokens, double per_million) {
    return static_cast<double>(tokens) * per_million / 1e6;
  };
  CostBreakdown c;
  std::int64_t uncached = std::max<std::int64_t>(0, totals.input - totals.cached_input - totals.cache_write);
  c.input = dollars(uncached, p.input) * batch;
  c.cached_input =
      dollars(totals.cached_input, p.cached_input) * (p.batch_discounts_cached_input ? batch : 1.0);
  c.cache_write = dollars(totals.cache_write, p.cache_write) * batch;
  c.output = dollars(totals.output, p.output) * batch;
  c.thinking = dollars(totals.thinking, p.thinking) * batch;
  c.tokens = c.input + c.cached_input + c.cache_write + c.output + c.thinking;
  c.tools = totals.tool_cost_usd;
  c.total = c.tokens + c.tools;
  return c;
}

std::string format_dollars(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, usd < 0.01 && usd > 0 ? "$%.4f" : "$%.2f", usd);
  return text;
}

std::string format_cost(const Pricing& pricing, const ledger::TokenTotals& totals) {
  auto cost = cost_of(pricing, totals);
  if (!cost) return "unknown (no price for model \"" + pricing.model + "\"; add it under run.prices)";
  if (totals.tool_units == 0) return format_dollars(cost->total);
  return format_dollars(cost->total) + " (" + format_dollars(cost->tokens) + " tokens + " +
         format_dollars(cost->tools) + " tool fees)";
}

std::string tokens_text(const ledger::TokenTotals& tokens) {
  std::string text = "tokens: " + std::to_string(tokens.input) + " input (" +
                     std::to_string(tokens.cached_input) + " cached, " + std::to_string(tokens.cache_write) +
                     " cache write), " + std::to_string(tokens.output) + " output, " +
                     std::to_string(tokens.thinking) + " thinking";
  if (tokens.tool_units) text += ", " + std::to_string(tokens.tool_units) + " tool uses";
  return text;
}

boost::json::object tokens_json(const ledger::TokenTotals& tokens) {
  // The cached share is what prompt caching is judged by: the part of the input billed at the cache price.
  double cached_share =
      tokens.input ? static_cast<double>(tokens.cached_input) / static_cast<double>(tokens.input) : 0.0;
  return {{"input", tokens.input},          {"cached_input", tokens.cached_input},
          {"cached_share", cached_share},   {"cache_write", tokens.cache_write},
          {"output", tokens.output},        {"thinking", tokens.thinking},
          {"tool_units", tokens.tool_units}};
}

boost::json::value cost_json(const std::optional<CostBreakdown>& cost) {
  if (!cost) return nullptr;
  return boost::json::object{{"input", cost->input},
                             {"cached_input", cost->cached_input},
                             {"cache_write", cost->cache_write},
                             {"output", cost->output},
                             {"thinking", cost->thinking},
                             {"tokens", cost->tokens},
                             {"tools", cost->tools},
                             {"total", cost->total}};
}

}  // namespace pipehost::engine
