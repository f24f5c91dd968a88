#include "net/retry.hpp"

#include <gtest/gtest.h>

namespace pipehost::net {
namespace {

using std::chrono::milliseconds;

TEST(NetRetry, RetryableStatuses) {
  for (int code : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(is_retryable_status(code)) << code;
  for (int code : {200, 201, 301, 400, 401, 403, 404, 409, 501, 505})
    EXPECT_FALSE(is_retryable_status(code)) << code;
}

TEST(NetRetry, BackoffGrowsExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(100);
  policy.max_backoff = milliseconds(1000);
  // The draw at the top of the range shows the ceiling.
  EXPECT_EQ(backoff_delay(policy, 1, 1.0), milliseconds(100));
  EXPECT_EQ(backoff_delay(policy, 2, 1.0), milliseconds(200));
  EXPECT_EQ(backoff_delay(policy, 3, 1.0), milliseconds(400));
  EXPECT_EQ(backoff_delay(policy, 4, 1.0), milliseconds(800));
  EXPECT_EQ(backoff_delay(policy, 5, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(policy, 80, 1.0), milliseconds(1000));
}

TEST(NetRetry, BackoffIsFullJitter) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  EXPECT_EQ(backoff_delay(policy, 3, 0.0), milliseconds(0));
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), milliseconds(2000));
  EXPECT_EQ(backoff_delay(policy, 3, 0.25), milliseconds(1000));
}

TEST(NetRetry, RetryAfterSeconds) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
}

TEST(NetRetry, RetryAfterHttpDates) {
  auto when = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(when);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*when), 784111777);
  auto rfc850 = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT");
  ASSERT_TRUE(rfc850);
  EXPECT_EQ(*rfc850, *when);
  auto asctime = parse_http_date("Sun Nov  6 08:49:37 1994");
  ASSERT_TRUE(asctime);
  EXPECT_EQ(*asctime, *when);
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 28:49:37 GMT"));

  auto now = *when - std::chrono::seconds(30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(30000));
  // A date in the past means "now".
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", *when + std::chrono::hours(1)),
            milliseconds(0));
}

TEST(NetRetry, ServerHintWinsOverBackoff) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(10);
  EXPECT_EQ(next_retry_delay(policy, 1, milliseconds(3000), 0.5), milliseconds(3000));
  EXPECT_EQ(next_retry_delay(policy, 1, std::nullopt, 1.0), milliseconds(10));
}

}  // namespace
}  // namespace pipehost::net
