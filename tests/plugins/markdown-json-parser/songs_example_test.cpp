// The songs example job (examples/songs/run.json): its "parser" section and response schema, with
// answers shaped like Gemini's for that schema.
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "markdown_json_parser.hpp"
#include "pipehost/sdk.hpp"
#include "stage_from_config.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;
using Fields = std::vector<std::string>;

const std::string kSongsDir = std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs";

pipehost::markdown_json::MarkdownJsonParser make_songs_parser(pipehost::test::TestHost& host) {
  json::value run = json::parse(pipehost::test::read_file(kSongsDir + "/run.json"));
  json::object section = run.at("parser").as_object();
  section.erase("plugin");
  return pipehost::test::make_stage<pipehost::markdown_json::MarkdownJsonParser>(
      pipehost::markdown_json::config_spec(), {host, json::serialize(section), kSongsDir, "/parser"});
}

TEST(SongsExample, ParserSectionMapsAnswersToTheSchemaColumns) {
  pipehost::test::TestHost host;
  auto parser = make_songs_parser(host);
  EXPECT_TRUE(host.logs().empty()) << "the example schema uses only checked or descriptive keywords";
  std::vector<pipehost::Column> columns;
  ASSERT_TRUE(parser.columns(columns));
  EXPECT_EQ(pipehost::test::names_of(columns), (Fields{"primary_genre", "subgenres", "energy", "mood",
                                                       "accessibility", "era", "reasoning", "context"}));

  std::vector<pipehost::Value> fields;
  const auto status = parser.parse(R"(```json
{
  "primary_genre": "Pop",
  "subgenres": ["New Wave", "Dance-Pop", "Cheerleader Pop"],
  "energy": "High",
  "mood": "playful, brash",
  "accessibility": "Cheesy",
  "era": "early 1980s",
  "reasoning": "A chant-driven cheerleader anthem with a drum-machine stomp.",
  "context": "Released 1981; No. 1 on the Billboard Hot 100 in December 1982."
}
```)",
                                   fields);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(pipehost::test::texts_of(fields),
            (Fields{"Pop", "New Wave; Dance-Pop; Cheerleader Pop", "High", "playful, brash", "Cheesy",
                    "early 1980s", "A chant-driven cheerleader anthem with a drum-machine stomp.",
                    "Released 1981; No. 1 on the Billboard Hot 100 in December 1982."}));

  const auto missing = parser.parse(R"({"primary_genre": "Pop", "subgenres": [], "energy": "High"})", fields);
  EXPECT_TRUE(missing.is_retry());
  EXPECT_EQ(missing.message(), "/mood: missing required property");
}

}  // namespace
