// gemini-batch's list prices and Google Search grounding fees, as Google bills them.
#include "pricing.hpp"

#include <gtest/gtest.h>

namespace pipehost::gemini {
namespace {

Response grounded_answer(std::int64_t queries) {
  Response response;
  response.tool_uses.push_back(ToolUse{"web_search", queries, "", 0});
  return response;
}

TEST(GeminiPricing, FlashListPricesBatchAtHalfExceptCachedTokens) {
  auto info = model_info("gemini-2.5-flash");
  ASSERT_TRUE(info.prices);
  EXPECT_DOUBLE_EQ(info.prices->input, 0.30);
  EXPECT_DOUBLE_EQ(info.prices->cached_input, 0.03);
  EXPECT_DOUBLE_EQ(info.prices->output, 2.50);
  EXPECT_DOUBLE_EQ(info.prices->thinking, 2.50) << "thinking is billed as output";
  EXPECT_DOUBLE_EQ(info.prices->batch_multiplier, 0.5);
  EXPECT_FALSE(info.prices->batch_discounts_cached_input);
  EXPECT_FALSE(model_info("gemini-unreleased").prices) << "an unknown model is not guessed";
}

TEST(GeminiPricing, Gemini25GroundingIs35DollarsPerThousandGroundedPrompts) {
  auto info = model_info("gemini-2.5-flash");
  ASSERT_EQ(info.tool_prices.size(), 1u);
  EXPECT_EQ(info.tool_prices[0].tool, "web_search");
  EXPECT_EQ(info.tool_prices[0].unit, "grounded prompt");
  EXPECT_DOUBLE_EQ(info.tool_prices[0].usd_per_unit, 0.035);
  auto response = grounded_answer(3);
  price_tool_uses("gemini-2.5-flash", response);
  EXPECT_EQ(response.tool_uses[0].units, 1) << "one prompt, however many queries it ran";
  EXPECT_DOUBLE_EQ(response.tool_uses[0].cost_usd, 0.035);
}

TEST(GeminiPricing, Gemini3GroundingIs14DollarsPerThousandSearchQueries) {
  auto info = model_info("gemini-3-pro-preview");
  ASSERT_EQ(info.tool_prices.size(), 1u);
  EXPECT_EQ(info.tool_prices[0].unit, "search query");
  EXPECT_DOUBLE_EQ(info.tool_prices[0].usd_per_unit, 0.014);
  auto response = grounded_answer(3);
  price_tool_uses("gemini-3-pro-preview", response);
  EXPECT_EQ(response.tool_uses[0].units, 3);
  EXPECT_DOUBLE_EQ(response.tool_uses[0].cost_usd, 3 * 0.014);
}

}  // namespace
}  // namespace pipehost::gemini
