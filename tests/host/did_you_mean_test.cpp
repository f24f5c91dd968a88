#include <gtest/gtest.h>

#include "config/did_you_mean.hpp"

using pipehost::config::closest_match;
using pipehost::config::edit_distance;

TEST(DidYouMean, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("batch_size", "batch_size"), 0u);
  EXPECT_EQ(edit_distance("batch_szie", "batch_size"), 1u);
  EXPECT_EQ(edit_distance("sink", "sinks"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(DidYouMean, SuggestsOnlyCloseCandidates) {
  std::vector<std::string> keys = {"source", "sinks", "loggers", "provider"};
  EXPECT_EQ(closest_match("sink", keys), "sinks");
  EXPECT_EQ(closest_match("provder", keys), "provider");
  EXPECT_EQ(closest_match("xyz", keys), "");
  EXPECT_EQ(closest_match("logger", keys), "loggers");
}
