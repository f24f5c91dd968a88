// The bill: tokens of each kind at the provider's prices (or run.prices), the batch discount where
// it applies, and tool fees on top.
#include "engine/cost.hpp"

#include <gtest/gtest.h>

namespace pipehost::engine {
namespace {

// Gemini-like list prices ($ per million tokens): batch at half price, but not the cached tokens.
ModelInfo gemini_like() {
  ModelInfo info;
  info.model = "m";
  TokenPrices p;
  p.input = 0.30;
  p.cached_input = 0.03;
  p.output = 2.50;
  p.thinking = 2.50;
  p.batch_multiplier = 0.5;
  p.batch_discounts_cached_input = false;
  info.prices = p;
  info.tool_prices = {{"web_search", "grounded prompt", 0.035}};
  return info;
}

config::RunSettings settings(config::Mode mode) {
  config::RunSettings s;
  s.mode = mode;
  return s;
}

ledger::TokenTotals songs_like() {
  ledger::TokenTotals t;
  t.input = 5'000'000;  // of which 4,000,000 read from the cache
  t.cached_input = 4'000'000;
  t.output = 100'000;
  t.thinking = 20'000;
  t.tool_units = 1000;
  t.tool_cost_usd = 35;
  return t;
}

TEST(Cost, BatchHalvesTokensButNotCachedOnesWhenTheProviderSaysSo) {
  auto cost = cost_of(Pricing::from(gemini_like(), settings(config::Mode::batch)), songs_like());
  ASSERT_TRUE(cost);
  EXPECT_DOUBLE_EQ(cost->input, 1.0 * 0.30 * 0.5);  // the uncached million
  EXPECT_DOUBLE_EQ(cost->cached_input, 4.0 * 0.03) << "no batch discount on cached tokens";
  EXPECT_DOUBLE_EQ(cost->output, 0.1 * 2.50 * 0.5);
  EXPECT_DOUBLE_EQ(cost->thinking, 0.02 * 2.50 * 0.5);
  EXPECT_DOUBLE_EQ(cost->tokens, cost->input + cost->cached_input + cost->output + cost->thinking);
  EXPECT_DOUBLE_EQ(cost->tools, 35);
  EXPECT_DOUBLE_EQ(cost->total, cost->tokens + 35);
}

TEST(Cost, TheDiscountStacksOnCachedTokensWhereItDoesAndNotOnline) {
  auto info = gemini_like();
  info.prices->batch_discounts_cached_input = true;
  info.prices->cache_write = 0.60;
  auto totals = songs_like();
  totals.cache_write = 500'000;
  auto batch = cost_of(Pricing::from(info, settings(config::Mode::batch)), totals);
  EXPECT_DOUBLE_EQ(batch->cached_input, 4.0 * 0.03 * 0.5);
  EXPECT_DOUBLE_EQ(batch->cache_write, 0.5 * 0.60 * 0.5);
  EXPECT_DOUBLE_EQ(batch->input, 0.5 * 0.30 * 0.5) << "input minus cached minus cache writes";
  auto online = cost_of(Pricing::from(info, settings(config::Mode::online)), totals);
  EXPECT_DOUBLE_EQ(online->cached_input, 4.0 * 0.03);
  EXPECT_DOUBLE_EQ(online->output, 0.1 * 2.50);
}

TEST(Cost, RunPricesOverrideOnlyTheKeysTheyName) {
  auto s = settings(config::Mode::batch);
  s.prices["m"].input = 1.00;
  s.prices["m"].output = 4.00;
  auto pricing = Pricing::from(gemini_like(), s);
  ASSERT_TRUE(pricing.prices);
  EXPECT_DOUBLE_EQ(pricing.prices->input, 1.00);
  EXPECT_DOUBLE_EQ(pricing.prices->cached_input, 0.03) << "not overridden: the provider's";
  EXPECT_DOUBLE_EQ(pricing.prices->output, 4.00);
  EXPECT_DOUBLE_EQ(pricing.prices->thinking, 4.00) << "thinking is billed as output";
  EXPECT_DOUBLE_EQ(pricing.prices->batch_multiplier, 0.5);
  EXPECT_FALSE(pricing.prices->batch_discounts_cached_input);
  EXPECT_EQ(pricing.tool_prices.size(), 1u);

  s.prices.clear();
  s.prices["other"].input = 9;
  EXPECT_DOUBLE_EQ(Pricing::from(gemini_like(), s).prices->input, 0.30) << "another model's override";
}

TEST(Cost, AModelWithoutPricesIsUnknownUntilRunPricesNameIt) {
  ModelInfo unknown;
  unknown.model = "private-model";
  auto s = settings(config::Mode::batch);
  auto pricing = Pricing::from(unknown, s);
  EXPECT_FALSE(cost_of(pricing, songs_like()));
  EXPECT_EQ(format_cost(pricing, songs_like()),
            "unknown (no price for model \"private-model\"; add it under run.prices)");
  s.prices["private-model"].input = 2;
  s.prices["private-model"].output = 8;
  auto priced = Pricing::from(unknown, s);
  ASSERT_TRUE(priced.prices);
  EXPECT_DOUBLE_EQ(priced.prices->batch_multiplier, 0.5) << "batch at half price, as every provider does";
  ledger::TokenTotals t;
  t.input = 1'000'000;
  t.output = 1'000'000;
  EXPECT_DOUBLE_EQ(cost_of(priced, t)->total, (2 + 8) * 0.5);
}

TEST(Cost, TheTextSplitsTokensAndToolFees) {
  auto pricing = Pricing::from(gemini_like(), settings(config::Mode::batch));
  auto totals = songs_like();
  auto cost = cost_of(pricing, totals);
  EXPECT_EQ(format_cost(pricing, totals), format_dollars(cost->total) + " (" + format_dollars(cost->tokens) +
                                              " tokens + $35.00 tool fees)");
  totals.tool_units = 0;
  totals.tool_cost_usd = 0;
  EXPECT_EQ(format_cost(pricing, totals), format_dollars(cost_of(pricing, totals)->total));
  EXPECT_EQ(format_dollars(0.004), "$0.0040");
  EXPECT_EQ(format_dollars(12.345), "$12.35");
}

TEST(Cost, PricingSurvivesTheLedgerForStatus) {
  auto pricing = Pricing::from(gemini_like(), settings(config::Mode::online));
  auto back = Pricing::from_json(pricing.to_json());
  EXPECT_EQ(back.model, "m");
  EXPECT_FALSE(back.batch);
  ASSERT_TRUE(back.prices);
  EXPECT_DOUBLE_EQ(back.prices->cached_input, 0.03);
  EXPECT_FALSE(back.prices->batch_discounts_cached_input);
  auto totals = songs_like();
  EXPECT_DOUBLE_EQ(cost_of(back, totals)->total, cost_of(pricing, totals)->total);
}

}  // namespace
}  // namespace pipehost::engine
