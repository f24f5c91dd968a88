// Unit tests of the Anthropic pieces that need a clock or exact numbers: the prompt layout
// (token rule, breakpoints and their validation) and the prompt cache's TTLs.
#include <chrono>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator/anthropic/prompt_cache.hpp"
#include "emulator/anthropic/prompt_layout.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::anthropic {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;

json::object params_with_system(const json::array& system) {
  return {{"model", "claude-x"},
          {"max_tokens", 10},
          {"system", system},
          {"messages", json::array{json::object{{"role", "user"}, {"content", "abcd"}}}}};
}

json::object text_block(std::size_t bytes, const char* ttl = nullptr) {
  json::object block{{"type", "text"}, {"text", std::string(bytes, 'x')}};
  if (ttl) {
    block["cache_control"] = json::object{{"type", "ephemeral"}};
    if (*ttl) block["cache_control"].as_object()["ttl"] = ttl;
  }
  return block;
}

TEST(AnthropicPromptLayout, CountsBytesOverFourUpToEachBreakpoint) {
  PromptLayout layout = layout_prompt(params_with_system({text_block(4001, ""), text_block(10)}));
  EXPECT_EQ(layout.total_tokens, (4001 + 10 + 4 + 3) / 4);
  ASSERT_EQ(layout.breakpoints.size(), 1u);
  EXPECT_EQ(layout.breakpoints[0].prefix_tokens, 1001);
  EXPECT_EQ(layout.breakpoints[0].ttl, CacheTtl::five_minutes);

  json::object automatic = params_with_system({text_block(100)});
  automatic["cache_control"] = json::object{{"type", "ephemeral"}, {"ttl", "1h"}};
  layout = layout_prompt(automatic);
  ASSERT_EQ(layout.breakpoints.size(), 1u);
  EXPECT_EQ(layout.breakpoints[0].prefix_tokens, layout.total_tokens) << "automatic: on the last block";
  EXPECT_EQ(layout.breakpoints[0].ttl, CacheTtl::one_hour);
}

TEST(AnthropicPromptLayout, ThePrefixHashDependsOnModelAndContentNotOnCacheControl) {
  auto hash = [](json::object params) { return layout_prompt(params).breakpoints.at(0).prefix_hash; };
  json::object base = params_with_system({text_block(50, "")});
  json::object other_model = base;
  other_model["model"] = "claude-y";
  json::object other_text = params_with_system({text_block(51, "")});
  json::object one_hour = params_with_system({text_block(50, "1h")});
  json::object other_user = base;
  other_user["messages"] = json::array{json::object{{"role", "user"}, {"content", "efgh"}}};
  EXPECT_NE(hash(base), hash(other_model));
  EXPECT_NE(hash(base), hash(other_text));
  EXPECT_EQ(hash(base), hash(one_hour));
  EXPECT_EQ(hash(base), hash(other_user)) << "the user message comes after the breakpoint";
}

TEST(AnthropicPromptLayout, RejectsBadCacheControl) {
  EXPECT_THROW(layout_prompt(params_with_system({text_block(1, "2h")})), HttpError);
  json::object wrong_type = text_block(1);
  wrong_type["cache_control"] = json::object{{"type", "persistent"}};
  EXPECT_THROW(layout_prompt(params_with_system({wrong_type})), HttpError);
  EXPECT_THROW(layout_prompt(params_with_system({text_block(1, "5m"), text_block(1, "1h")})), HttpError)
      << "a 1h breakpoint after a 5m one";
  EXPECT_NO_THROW(layout_prompt(params_with_system({text_block(1, "1h"), text_block(1, "5m")})));
  json::array five;
  for (int i = 0; i < 5; ++i) five.push_back(text_block(1, ""));
  EXPECT_THROW(layout_prompt(params_with_system(five)), HttpError);
  five.pop_back();
  EXPECT_NO_THROW(layout_prompt(params_with_system(five)));
}

TEST(AnthropicPromptCache, FiveMinuteEntriesLiveFiveMinutesFromTheirLastUse) {
  PromptCache cache;
  PromptLayout layout = layout_prompt(params_with_system({text_block(8000, "")}));
  auto t0 = WallClock::now();
  CacheUsage first = cache.account(layout, t0);
  EXPECT_EQ(first.cache_write_5m_tokens, 2000);
  EXPECT_EQ(first.cache_read_tokens, 0);
  EXPECT_EQ(first.input_tokens, 1);
  EXPECT_EQ(cache.account(layout, t0 + minutes(4)).cache_read_tokens, 2000);
  EXPECT_EQ(cache.account(layout, t0 + minutes(8)).cache_read_tokens, 2000)
      << "the read at 4 min refreshed it";
  CacheUsage expired = cache.account(layout, t0 + minutes(14));
  EXPECT_EQ(expired.cache_read_tokens, 0);
  EXPECT_EQ(expired.cache_write_5m_tokens, 2000);
}

TEST(AnthropicPromptCache, OneHourEntriesOutliveFiveMinuteOnesAndSegmentsSplitByTtl) {
  PromptCache cache;
  PromptLayout layout = layout_prompt(params_with_system({text_block(4800, "1h"), text_block(8000, "5m")}));
  auto t0 = WallClock::now();
  CacheUsage first = cache.account(layout, t0);
  EXPECT_EQ(first.cache_write_1h_tokens, 1200);
  EXPECT_EQ(first.cache_write_5m_tokens, 2000);
  EXPECT_EQ(cache.account(layout, t0 + minutes(2)).cache_read_tokens, 3200);
  CacheUsage later = cache.account(layout, t0 + minutes(30));
  EXPECT_EQ(later.cache_read_tokens, 1200) << "the 5m entry expired, the 1h one did not";
  EXPECT_EQ(later.cache_write_5m_tokens, 2000);
  EXPECT_EQ(later.cache_write_1h_tokens, 0);
  EXPECT_EQ(later.input_tokens, layout.total_tokens - 3200);
  EXPECT_EQ(cache.account(layout, t0 + hours(2)).cache_write_tokens(), 3200);
}

TEST(AnthropicPromptCache, PrefixesBelowTheMinimumAreNeverCached) {
  PromptCache cache;
  PromptLayout layout = layout_prompt(params_with_system({text_block(4 * 1023, "")}));
  auto now = WallClock::now();
  for (int i = 0; i < 2; ++i) {
    CacheUsage usage = cache.account(layout, now);
    EXPECT_EQ(usage.cache_read_tokens + usage.cache_write_tokens(), 0);
    EXPECT_EQ(usage.input_tokens, layout.total_tokens);
  }
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace pipehost::emulator::anthropic
