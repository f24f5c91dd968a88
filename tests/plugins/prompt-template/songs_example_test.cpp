// The songs example job (examples/songs/run.json) as the host would hand it to this plugin: its
// "request" section without the "plugin" key, paths relative to examples/songs.
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "pipehost/sdk.hpp"
#include "prompt_template.hpp"
#include "stage_from_config.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;

const std::string kSongsDir = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs";

TEST(SongsExample, RequestSectionBuildsTheExpectedRequest) {
  json::value run = json::parse(pipehost::test::read_file(kSongsDir + "/run.json"));
  json::object section = run.at("request").as_object();
  ASSERT_EQ(section.at("plugin"), "prompt-template");
  section.erase("plugin");

  pipehost::test::TestHost host;
  auto stage = pipehost::test::make_stage<pipehost::prompt_template::PromptTemplate>(
      pipehost::prompt_template::config_spec(), {host, json::serialize(section), kSongsDir, "/request"});
  ASSERT_TRUE(stage.bind({"artist", "song", "person", "name", "n"}));
  pipehost::Request request;
  const pipehost::Row row{"2", {"Toni Basil", "Mickey", "TRUE", "Mickey", "61"}, 3};
  ASSERT_TRUE(stage.build(row, request));

  EXPECT_EQ(
      request.user_parts.at(0),
      "Artist: Toni Basil\nSong: Mickey\nMost frequent name in the lyrics: Mickey (61 times; refers to a "
      "person: TRUE)");
  ASSERT_NE(request.system_instruction, nullptr);
  EXPECT_EQ(*request.system_instruction, pipehost::test::read_file(kSongsDir + "/prompt.md"));
  ASSERT_NE(request.generation.response_schema_json, nullptr);
  // The example's schema is in Gemini's dialect (upper-case types, propertyOrdering): the request carries
  // it as JSON Schema, properties in column order.
  auto schema = json::parse(*request.generation.response_schema_json).as_object();
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_FALSE(schema.contains("propertyOrdering"));
  std::vector<std::string> order;
  for (const auto& [name, property] : schema.at("properties").as_object()) {
    order.emplace_back(name);
    EXPECT_EQ(property.at("type").as_string(), name == "subgenres" ? "array" : "string") << name;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"primary_genre", "subgenres", "energy", "mood", "accessibility",
                                             "era", "reasoning", "context"}));
  EXPECT_EQ(request.generation.response_mime_type, "application/json");
  EXPECT_EQ(request.generation.temperature, 0.2);
  EXPECT_EQ(request.tools, std::vector<std::string>{"web_search"});
}

}  // namespace
