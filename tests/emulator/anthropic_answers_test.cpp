// Anthropic answers through real HTTPS: structured output (forced tool, JSON output format),
// prose without a schema, the prompt-caching accounting (creation once, then reads; input_tokens
// only the uncached rest), and POST /v1/messages.
#include <map>

#include "anthropic_client.hpp"

namespace pipehost::test {
namespace {

const json::object& only_block(const json::object& message) {
  EXPECT_EQ(message.at("content").as_array().size(), 1u) << json::serialize(message);
  return message.at("content").at(0).as_object();
}

/// The message of each succeeded result, by custom_id.
std::map<std::string, json::object> messages_by_id(const AnthropicCalls& anthropic,
                                                   const json::array& requests) {
  json::object created = anthropic.create_batch(requests);
  std::map<std::string, json::object> messages;
  for (const auto& line : anthropic.results(anthropic.wait_until_ended(str(created.at("id"))))) {
    EXPECT_EQ(line.at("result").at("type"), "succeeded") << json::serialize(line);
    messages[str(line.at("custom_id"))] = line.at("result").at("message").as_object();
  }
  return messages;
}

json::array one_request(const std::string& custom_id, json::object params) {
  return {json::object{{"custom_id", custom_id}, {"params", std::move(params)}}};
}

json::object plain_params(const std::string& user_text) {
  return {{"model", "claude-haiku-4-5"},
          {"max_tokens", 512},
          {"messages", json::array{json::object{{"role", "user"}, {"content", user_text}}}}};
}

void expect_song_answer(const json::value& answer) {
  const json::object& object = answer.as_object();
  std::string genre = str(object.at("genre"));
  EXPECT_TRUE(genre == "rock" || genre == "pop" || genre == "jazz") << genre;
  EXPECT_GE(object.at("year").as_int64(), 1950);
  EXPECT_LE(object.at("year").as_int64(), 2020);
  EXPECT_LE(object.at("moods").as_array().size(), 2u);
}

TEST(AnthropicAnswers, AForcedToolAnswersWithAToolUseBlockWhoseInputFitsTheSchema) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  json::object any_choice = song_params(2, "Classify.");
  any_choice["tool_choice"] = json::object{{"type", "any"}};
  json::object no_system = song_params(3, "");
  no_system.erase("system");
  json::array requests = song_requests(2, "Classify.");
  requests.push_back(json::object{{"custom_id", "any-choice"}, {"params", any_choice}});
  requests.push_back(json::object{{"custom_id", "no-system"}, {"params", no_system}});
  auto messages = messages_by_id(anthropic, requests);
  ASSERT_EQ(messages.size(), 4u);
  for (const auto& [id, message] : messages) {
    const json::object& block = only_block(message);
    ASSERT_EQ(block.at("type"), "tool_use") << id << ": " << json::serialize(message);
    EXPECT_EQ(block.at("name"), "classify");
    EXPECT_EQ(str(block.at("id")).rfind("toolu_", 0), 0u);
    expect_song_answer(block.at("input"));
    EXPECT_EQ(message.at("stop_reason"), "tool_use");
    EXPECT_GT(message.at("usage").at("output_tokens").as_int64(), 0);
  }
  // Deterministic per (custom_id, request): the same request in a new batch gets the same answer.
  auto again = messages_by_id(anthropic, song_requests(1, "Classify."));
  EXPECT_EQ(only_block(again.at("song-0")).at("input"), only_block(messages.at("song-0")).at("input"));
}

TEST(AnthropicAnswers, JsonOutputFormatAnswersWithJsonTextAndNoSchemaWithProse) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  json::object schema = song_params(0, "").at("tools").at(0).at("input_schema").as_object();
  json::object output_config = plain_params("Title: Song 1");
  output_config["system"] = "Classify the song.";
  output_config["output_config"] =
      json::object{{"format", json::object{{"type", "json_schema"}, {"schema", schema}}}};
  json::object output_format = plain_params("Title: Song 2");  // the older beta parameter
  output_format["output_format"] = json::object{{"type", "json_schema"}, {"schema", schema}};
  json::object system_blocks = plain_params("Title: Song 3");
  system_blocks["system"] = json::array{json::object{{"type", "text"}, {"text", "Classify the song."}}};
  json::object no_system = plain_params("Title: Song 4");
  json::object truncated = plain_params("Title: Song 5");
  truncated["max_tokens"] = 5;

  json::array requests;
  for (auto& [id, params] :
       std::vector<std::pair<std::string, json::object>>{{"output-config", output_config},
                                                         {"output-format", output_format},
                                                         {"system-blocks", system_blocks},
                                                         {"no-system", no_system},
                                                         {"truncated", truncated}})
    requests.push_back(json::object{{"custom_id", id}, {"params", params}});
  auto messages = messages_by_id(anthropic, requests);
  for (const char* id : {"output-config", "output-format"}) {
    const json::object& block = only_block(messages.at(id));
    ASSERT_EQ(block.at("type"), "text") << id;
    expect_song_answer(parse_json(str(block.at("text"))));
    EXPECT_EQ(messages.at(id).at("stop_reason"), "end_turn");
  }
  for (const char* id : {"system-blocks", "no-system"}) {
    std::string text = str(only_block(messages.at(id)).at("text"));
    EXPECT_EQ(text.find('{'), std::string::npos) << id << ": prose has no JSON: " << text;
    EXPECT_NE(text.find("Song"), std::string::npos) << text;
  }
  const json::object& cut = messages.at("truncated");
  EXPECT_EQ(cut.at("stop_reason"), "max_tokens");
  EXPECT_EQ(cut.at("usage").at("output_tokens").as_int64(), 5);
  EXPECT_EQ(str(only_block(cut).at("text")).size(), 20u);
}

TEST(AnthropicAnswers, APrefixIsWrittenOnceThenReadAndInputTokensCountOnlyTheUncachedRest) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  auto messages = messages_by_id(anthropic, song_requests(4, long_system_text(1500), "1h"));
  const json::object& first = messages.at("song-0").at("usage").as_object();
  std::int64_t prefix = first.at("cache_creation_input_tokens").as_int64();
  EXPECT_GE(prefix, 1500) << "the tool definition and the system block";
  EXPECT_EQ(first.at("cache_read_input_tokens").as_int64(), 0);
  EXPECT_EQ(json::serialize(first.at("cache_creation")),
            R"({"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":)" + std::to_string(prefix) + "}");
  for (const char* id : {"song-1", "song-2", "song-3"}) {
    const json::object& usage = messages.at(id).at("usage").as_object();
    EXPECT_EQ(usage.at("cache_read_input_tokens").as_int64(), prefix) << id;
    EXPECT_EQ(usage.at("cache_creation_input_tokens").as_int64(), 0) << id;
    std::int64_t uncached = usage.at("input_tokens").as_int64();
    EXPECT_GT(uncached, 0) << id;
    EXPECT_LT(uncached, 10) << id << ": only the user message is uncached";
  }
  EXPECT_LT(first.at("input_tokens").as_int64(), 10);
  json::object stats = parse_json(emulator.stats_json()).at("anthropic").as_object();
  EXPECT_EQ(stats.at("cache_write_tokens").as_int64(), prefix);
  EXPECT_EQ(stats.at("cache_read_tokens").as_int64(), 3 * prefix);

  // A later batch and an online call with the same prefix read it too.
  auto later = messages_by_id(anthropic, song_requests(1, long_system_text(1500), "1h", "later-"));
  EXPECT_EQ(later.at("later-0").at("usage").at("cache_read_input_tokens").as_int64(), prefix);
  HttpReply online =
      anthropic.call("POST", "/v1/messages", json::serialize(song_params(9, long_system_text(1500), "1h")));
  ASSERT_EQ(online.status, 200u) << online.body;
  EXPECT_EQ(parse_json(online.body).at("usage").at("cache_read_input_tokens").as_int64(), prefix);
  // A different system text is a different prefix.
  auto other = messages_by_id(anthropic, song_requests(1, long_system_text(1600), "1h", "other-"));
  EXPECT_GT(other.at("other-0").at("usage").at("cache_creation_input_tokens").as_int64(), prefix);
}

TEST(AnthropicAnswers, APrefixBelowTheMinimumIsNotCachedAndAutomaticCachingMarksTheLastBlock) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  auto small = messages_by_id(anthropic, song_requests(2, long_system_text(800)));
  for (const auto& [id, message] : small) {
    const json::object& usage = message.at("usage").as_object();
    EXPECT_EQ(usage.at("cache_creation_input_tokens").as_int64(), 0) << id;
    EXPECT_EQ(usage.at("cache_read_input_tokens").as_int64(), 0) << id;
    EXPECT_GT(usage.at("input_tokens").as_int64(), 800) << id;
  }
  json::object automatic = plain_params(long_system_text(1200));
  automatic["cache_control"] = json::object{{"type", "ephemeral"}};
  auto first = messages_by_id(anthropic, one_request("auto-1", automatic));
  auto second = messages_by_id(anthropic, one_request("auto-2", automatic));
  std::int64_t written = first.at("auto-1").at("usage").at("cache_creation_input_tokens").as_int64();
  EXPECT_EQ(written, 1200);
  EXPECT_EQ(first.at("auto-1").at("usage").at("input_tokens").as_int64(), 0);
  EXPECT_EQ(second.at("auto-2").at("usage").at("cache_read_input_tokens").as_int64(), written);
}

TEST(AnthropicAnswers, MessagesCreateAnswersOnlineAndValidatesItsBody) {
  EmulatorProcess emulator;
  AnthropicCalls anthropic(emulator);
  HttpReply reply = anthropic.call("POST", "/v1/messages", json::serialize(song_params(1, "Classify.")));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_FALSE(reply.header("request-id").empty());
  json::object message = parse_json(reply.body).as_object();
  for (const char* field : {"id", "type", "role", "content", "model", "stop_reason", "stop_sequence",
                            "stop_details", "container", "usage"})
    EXPECT_TRUE(message.contains(field)) << field;
  EXPECT_EQ(str(message.at("id")).rfind("msg_", 0), 0u);
  EXPECT_EQ(message.at("usage").at("service_tier"), "standard");
  expect_song_answer(only_block(message).at("input"));

  json::object streaming = song_params(1, "Classify.");
  streaming["stream"] = true;
  json::object five_breakpoints = plain_params("hi");
  json::array blocks;
  for (int i = 0; i < 5; ++i)
    blocks.push_back(
        json::object{{"type", "text"}, {"text", "part"}, {"cache_control", {{"type", "ephemeral"}}}});
  five_breakpoints["system"] = blocks;
  json::object bad_ttl = plain_params("hi");
  bad_ttl["system"] = json::array{json::object{
      {"type", "text"}, {"text", "x"}, {"cache_control", {{"type", "ephemeral"}, {"ttl", "10m"}}}}};
  for (const auto& body :
       {json::serialize(streaming), json::serialize(five_breakpoints), json::serialize(bad_ttl),
        std::string(R"({"model":"m","max_tokens":5})"), std::string("[]")}) {
    HttpReply invalid = anthropic.call("POST", "/v1/messages", body);
    EXPECT_EQ(invalid.status, 400u) << body;
    EXPECT_EQ(parse_json(invalid.body).at("error").at("type"), "invalid_request_error") << body;
  }
  EXPECT_EQ(anthropic.call("POST", "/v1/messages/count_tokens", "{}").status, 404u);
}

}  // namespace
}  // namespace pipehost::test
