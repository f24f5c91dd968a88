// The BrainTrust event shape built from CallEvents, and each include option's effect on it.
#include "braintrust_events/event_builder.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "call_events.hpp"

namespace {

namespace json = boost::json;
using pipehost::braintrust::EventBuilder;
using pipehost::braintrust::EventOptions;
using pipehost::braintrust::SystemInstructionMode;
using pipehost::test::make_call_event;

json::object build(const pipehost::CallEvent& event, EventOptions options = {}) {
  EventBuilder builder(std::move(options));
  return builder.build(event);
}

const json::array& messages(const json::object& event) {
  return event.at("input").at("messages").as_array();
}

TEST(EventBuilder, ParsedCallHasEveryFieldOfTheDocumentedShape) {
  auto event = make_call_event(0);
  json::object out = build(event);
  EXPECT_EQ(out.at("id").as_string(), event.event_id);
  EXPECT_EQ(out.at("span_id").as_string(), event.event_id);
  EXPECT_EQ(out.at("root_span_id").as_string(), event.event_id);
  EXPECT_EQ(out.at("created").as_string(), "2026-01-01T00:00:00.000Z");
  // Default: no system message (17 KB per row), the user message.
  ASSERT_EQ(messages(out).size(), 1u);
  EXPECT_EQ(messages(out)[0].at("role").as_string(), "user");
  EXPECT_EQ(messages(out)[0].at("content").as_string(), event.request.user_parts[0]);
  EXPECT_EQ(out.at("output"), (json::object{{"genre", "jazz"}, {"mood", "happy"}}));
  EXPECT_FALSE(out.contains("error"));
  const json::object& metadata = out.at("metadata").as_object();
  EXPECT_EQ(metadata.at("run_id").as_string(), "run-1");
  EXPECT_EQ(metadata.at("row_key").as_string(), "song-0");
  EXPECT_EQ(metadata.at("model").as_string(), "gemini-flash-latest");
  EXPECT_EQ(metadata.at("model_version").as_string(), "gemini-2.5-flash-001");
  EXPECT_EQ(metadata.at("job_name").as_string(), "pipehost-run-1-job-1");
  EXPECT_EQ(metadata.at("attempt").as_int64(), 1);
  EXPECT_EQ(metadata.at("parse_status").as_string(), "ok");
  EXPECT_EQ(metadata.at("finish_reason").as_string(), "STOP");
  EXPECT_EQ(metadata.at("input_row"), (json::object{{"id", "0"}, {"title", "Song 0"}, {"artist", "Band 0"}}));
  EXPECT_FALSE(metadata.contains("error_code"));
  const json::object& metrics = out.at("metrics").as_object();
  EXPECT_DOUBLE_EQ(metrics.at("start").as_double(), 1767225600.0);
  EXPECT_DOUBLE_EQ(metrics.at("end").as_double(), 1767225600.25);
  EXPECT_EQ(metrics.at("prompt_tokens").as_int64(), 120);
  EXPECT_EQ(metrics.at("completion_tokens").as_int64(), 12);
  EXPECT_EQ(metrics.at("tokens").as_int64(), 135);
  EXPECT_EQ(metrics.at("prompt_cached_tokens").as_int64(), 100);
  EXPECT_EQ(metrics.at("completion_reasoning_tokens").as_int64(), 3);
  EXPECT_FALSE(out.contains("tags"));
  EXPECT_EQ(out.at("span_attributes"), (json::object{{"name", "pipehost"}, {"type", "llm"}}));
}

TEST(EventBuilder, UnparsableAnswerLogsTheRawTextAndTheError) {
  auto event = make_call_event(7);
  json::object out = build(event);
  EXPECT_EQ(out.at("output").as_string(), event.response.text);
  EXPECT_EQ(out.at("error").as_string(), "no JSON found in the answer");
  EXPECT_EQ(out.at("metadata").at("parse_status").as_string(), "failed");

  EventOptions no_raw;
  no_raw.raw_answer = false;
  EXPECT_FALSE(build(event, no_raw).contains("output"));
}

TEST(EventBuilder, FailedCallLogsTheProviderErrorWithoutOutput) {
  auto event = make_call_event(3);
  json::object out = build(event);
  EXPECT_FALSE(out.contains("output"));
  EXPECT_EQ(out.at("error").as_string(), "INTERNAL: the model failed to answer");
  const json::object& metadata = out.at("metadata").as_object();
  EXPECT_EQ(metadata.at("parse_status").as_string(), "no_answer");
  EXPECT_EQ(metadata.at("error_code").as_string(), "INTERNAL");
  EXPECT_TRUE(metadata.at("retryable").as_bool());
  EXPECT_FALSE(metadata.contains("finish_reason"));
  EXPECT_EQ(out.at("metrics").at("tokens").as_int64(), 0);

  event.error.clear();  // the provider's message stands in when the engine gave none
  EXPECT_EQ(build(event).at("error").as_string(), "the model failed to answer");
}

TEST(EventBuilder, SystemInstructionCanBeOmittedHashedOrLoggedInFull) {
  auto event = make_call_event(0);
  EventOptions options;
  options.system_instruction = SystemInstructionMode::hash;
  json::object hashed = build(event, options);
  ASSERT_EQ(messages(hashed).size(), 2u);
  EXPECT_EQ(messages(hashed)[0].at("role").as_string(), "system");
  EXPECT_EQ(messages(hashed)[0].at("content").as_string(),
            "sha256:" + pipehost::braintrust::sha256_hex(*event.request.system_instruction));

  options.system_instruction = SystemInstructionMode::full;
  json::object full = build(event, options);
  EXPECT_EQ(messages(full)[0].at("content").as_string(), *event.request.system_instruction);

  event.request.system_instruction = nullptr;  // no instruction: no system message in any mode
  EXPECT_EQ(messages(build(event, options)).size(), 1u);
}

TEST(EventBuilder, HashIsRecomputedWhenTheInstructionObjectChanges) {
  EventOptions options;
  options.system_instruction = SystemInstructionMode::hash;
  EventBuilder builder(options);
  auto event = make_call_event(0);
  auto first = builder.build(event);
  event.request.system_instruction = std::make_shared<const std::string>("another instruction");
  auto second = builder.build(event);
  EXPECT_EQ(messages(second)[0].at("content").as_string(),
            "sha256:" + pipehost::braintrust::sha256_hex("another instruction"));
  EXPECT_NE(messages(first)[0].at("content"), messages(second)[0].at("content"));
}

TEST(EventBuilder, UserMessageOffAndNoSystemLeavesNoInput) {
  EventOptions options;
  options.user_message = false;
  EXPECT_FALSE(build(make_call_event(0), options).contains("input"));
}

TEST(EventBuilder, SeveralUserPartsBecomeTextContentParts) {
  auto event = make_call_event(0);
  event.request.user_parts = {"first", "second"};
  json::object out = build(event);
  EXPECT_EQ(messages(out)[0].at("content"),
            (json::array{json::object{{"type", "text"}, {"text", "first"}},
                         json::object{{"type", "text"}, {"text", "second"}}}));
}

TEST(EventBuilder, ParsedFieldsOffLogsTheRawAnswerInstead) {
  EventOptions options;
  options.parsed_fields = false;
  auto event = make_call_event(0);
  EXPECT_EQ(build(event, options).at("output").as_string(), event.response.text);
  options.raw_answer = false;
  EXPECT_FALSE(build(event, options).contains("output"));
}

TEST(EventBuilder, InputColumnsSelectsNoneSomeOrAll) {
  auto event = make_call_event(5);
  EventOptions options;
  options.input_columns = std::vector<std::string>{};
  EXPECT_FALSE(build(event, options).at("metadata").as_object().contains("input_row"));
  options.input_columns = std::vector<std::string>{"artist", "missing"};
  EXPECT_EQ(build(event, options).at("metadata").at("input_row"), (json::object{{"artist", "Band 5"}}));
  EventBuilder builder(options);
  EXPECT_EQ(builder.unknown_input_columns(event), std::vector<std::string>{"missing"});
  EXPECT_TRUE(EventBuilder(EventOptions{}).unknown_input_columns(event).empty());
}

TEST(EventBuilder, TagsAreAddedToEveryEvent) {
  EventOptions options;
  options.tags = {"songs", "nightly"};
  EXPECT_EQ(build(make_call_event(1), options).at("tags"), (json::array{"songs", "nightly"}));
}

TEST(EventBuilder, LineIsCompactJsonStartingWithTheId) {
  auto event = make_call_event(2);
  EventBuilder builder({});
  std::string line = builder.build_line(event);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind(R"({"id":")" + event.event_id + "\"", 0), 0u);
  EXPECT_EQ(json::parse(line).as_object(), builder.build(event));
}

TEST(EventBuilder, SameCallGivesTheSameEvent) {
  // Re-sending after a crash must replace the row with identical content.
  EXPECT_EQ(build(make_call_event(9)), build(make_call_event(9)));
  EXPECT_NE(build(make_call_event(9)).at("id"), build(make_call_event(9, "run-1", 2)).at("id"));
}

TEST(EventBuilder, CreatedFallsBackToEndTimeThenNow) {
  auto event = make_call_event(0);
  event.start_time = 0;
  EXPECT_EQ(build(event).at("created").as_string(), "2026-01-01T00:00:00.250Z");
  EXPECT_FALSE(build(event).at("metrics").as_object().contains("start"));
  event.end_time = 0;
  EXPECT_EQ(build(event).at("created").as_string().size(), 24u);
}

TEST(Iso8601, FormatsMillisecondsInUtc) {
  EXPECT_EQ(pipehost::braintrust::iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(pipehost::braintrust::iso8601_utc(1767225600.1239), "2026-01-01T00:00:00.124Z");
  EXPECT_EQ(pipehost::braintrust::iso8601_utc(-0.5), "1969-12-31T23:59:59.500Z");
}

TEST(Sha256, MatchesTheStandardTestVector) {
  EXPECT_EQ(pipehost::braintrust::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
