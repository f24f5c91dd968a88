// The built jsonl-log plugin: one BrainTrust-shaped line per call, include options applied, the file
// and its folders created, appends across runs, clear config errors.
#include <fstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "braintrust_events/event_builder.hpp"
#include "call_events.hpp"
#include "logger_harness.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using pipehost::test::create_logger;
using pipehost::test::make_call_event;

std::vector<json::object> events_in(const fs::path& file) {
  std::vector<json::object> events;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) events.push_back(json::parse(line).as_object());
  return events;
}

class JsonlLogTest : public ::testing::Test {
 protected:
  fs::path log_path() const { return dir_.path() / "logs" / "2026" / "calls.jsonl"; }
  pipehost::test::TempDir dir_;
  pipehost::test::TestHost host_;
};

TEST_F(JsonlLogTest, WritesOneBraintrustEventPerCallAndReportsThem) {
  // A relative path resolves against the config folder, and missing folders are created.
  auto logger = create_logger("jsonl-log", host_, {{"path", "logs/2026/calls.jsonl"}}, dir_.path().string());
  ASSERT_TRUE(logger->start().is_ok());
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(logger->log(make_call_event(i)).is_ok());
  std::uint64_t delivered = 0, set_aside = 7;
  ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
  EXPECT_EQ(delivered, 60u);
  EXPECT_EQ(set_aside, 0u);

  auto events = events_in(log_path());
  ASSERT_EQ(events.size(), 60u);
  pipehost::braintrust::EventBuilder reference({});
  for (int i = 0; i < 60; ++i) EXPECT_EQ(events[i], reference.build(make_call_event(i))) << "line " << i + 1;
  // The three kinds of call keep their shape.
  EXPECT_TRUE(events[0].at("output").is_object());
  EXPECT_TRUE(events[7].at("output").is_string());
  EXPECT_EQ(events[7].at("metadata").at("parse_status").as_string(), "failed");
  EXPECT_FALSE(events[3].contains("output"));
  EXPECT_EQ(events[3].at("metadata").at("parse_status").as_string(), "no_answer");
  EXPECT_EQ(events[0].at("span_attributes").at("type").as_string(), "llm");
}

TEST_F(JsonlLogTest, IncludeOptionsShapeTheEventsAsForBraintrust) {
  json::object config{{"path", log_path().string()},    {"system_instruction", "full"},
                      {"user_message", false},          {"parsed_fields", false},
                      {"input_columns", json::array{}}, {"tags", json::array{"offline"}}};
  auto logger = create_logger("jsonl-log", host_, config);
  ASSERT_TRUE(logger->log(make_call_event(1)).is_ok());  // start() is optional: log opens the file
  std::uint64_t delivered = 0, set_aside = 0;
  ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
  auto events = events_in(log_path());
  ASSERT_EQ(events.size(), 1u);
  const auto& messages = events[0].at("input").at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("role").as_string(), "system");
  EXPECT_EQ(messages[0].at("content").as_string(), *pipehost::test::test_system_instruction());
  EXPECT_EQ(events[0].at("output").as_string(), make_call_event(1).response.text);
  EXPECT_FALSE(events[0].at("metadata").as_object().contains("input_row"));
  EXPECT_EQ(events[0].at("tags"), (json::array{"offline"}));
}

TEST_F(JsonlLogTest, AppendsAcrossRunsAndCountsPerFlush) {
  for (int run = 0; run < 2; ++run) {
    auto logger = create_logger("jsonl-log", host_, {{"path", log_path().string()}});
    ASSERT_TRUE(logger->start().is_ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(logger->log(make_call_event(run * 5 + i)).is_ok());
    std::uint64_t delivered = 0, set_aside = 0;
    ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
    EXPECT_EQ(delivered, 5u);
    ASSERT_TRUE(logger->flush(delivered, set_aside).is_ok());
    EXPECT_EQ(delivered, 0u);  // nothing new since the last flush
  }
  EXPECT_EQ(events_in(log_path()).size(), 10u);
}

TEST_F(JsonlLogTest, WarnsOnceAboutInputColumnsTheInputLacks) {
  auto logger = create_logger(
      "jsonl-log", host_, {{"path", log_path().string()}, {"input_columns", json::array{"title", "year"}}});
  ASSERT_TRUE(logger->log(make_call_event(0)).is_ok());
  ASSERT_TRUE(logger->log(make_call_event(1)).is_ok());
  int warnings = 0;
  for (const auto& line : host_.logs()) warnings += line.find("\"year\"") != std::string::npos;
  EXPECT_EQ(warnings, 1);
}

TEST_F(JsonlLogTest, AnUnwritablePathIsAClearError) {
  pipehost::test::write_file(dir_.path() / "blocker", "a file, not a folder");
  auto logger =
      create_logger("jsonl-log", host_, {{"path", (dir_.path() / "blocker" / "calls.jsonl").string()}});
  auto status = logger->start();
  ASSERT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("blocker"), std::string::npos) << status.message();
}

TEST_F(JsonlLogTest, ConfigNeedsAPathAndRejectsUnknownKeys) {
  EXPECT_THROW(create_logger("jsonl-log", host_, {}), std::exception);
  EXPECT_THROW(create_logger("jsonl-log", host_, {{"path", "x.jsonl"}, {"pth", 1}}), std::exception);
  const auto& plugin = pipehost::test::built_plugin("jsonl-log");
  auto schema = json::parse(plugin.stage(pipehost::StageKind::logger)->config_schema);
  EXPECT_FALSE(schema.at("additionalProperties").as_bool());
  EXPECT_EQ(schema.at("properties").at("path").at("format").as_string(), "path");
}

}  // namespace
