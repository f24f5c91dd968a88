// The OpenAI family's auth, its routing next to Gemini on /v1/..., the online endpoints, prompt
// caching and the "openai" stats, through real HTTPS against the emulator binary.
#include "openai_client.hpp"

namespace pipehost::test {
namespace {

json::object chat_body(const std::string& system, const std::string& user, bool schema = true) {
  json::array messages;
  if (!system.empty()) messages.push_back(json::object{{"role", "system"}, {"content", system}});
  messages.push_back(json::object{{"role", "user"}, {"content", user}});
  json::object body{{"model", "gpt-4o-mini"}, {"messages", std::move(messages)}};
  if (schema) {
    body["response_format"] = parse_json(R"({"type":"json_schema","json_schema":{"name":"reply","strict":true,
        "schema":{"type":"object","properties":{"reply":{"type":"string"}},"required":["reply"]}}})");
  }
  return body;
}

json::object post_chat(const OpenAiCalls& openai, const json::object& body) {
  HttpReply reply = openai.call("POST", "/v1/chat/completions", json::serialize(body));
  EXPECT_EQ(reply.status, 200u) << reply.body;
  return parse_json(reply.body).as_object();
}

std::int64_t cached_of(const json::object& completion) {
  return completion.at("usage").at("prompt_tokens_details").at("cached_tokens").as_int64();
}

TEST(EmulatorOpenAiAuth, WrongKeyIs401InvalidApiKeyAndMissingKeyIs401) {
  EmulatorProcess emulator;
  HttpReply wrong = OpenAiCalls(emulator, "not-the-key").call("GET", "/v1/batches");
  EXPECT_EQ(wrong.status, 401u);
  json::object error = parse_json(wrong.body).at("error").as_object();
  EXPECT_EQ(str(error.at("code")), "invalid_api_key");
  EXPECT_EQ(str(error.at("type")), "invalid_request_error");
  EXPECT_TRUE(error.at("param").is_null());
  EXPECT_EQ(wrong.body.find("not-the-key"), std::string::npos) << "never echo the key";
  EXPECT_FALSE(wrong.header("x-request-id").empty());
  HttpReply missing = emulator.request("POST", "/v1/batches", "{}");
  EXPECT_EQ(missing.status, 401u) << "POST /v1/batches is OpenAI's only";
  EXPECT_TRUE(parse_json(missing.body).at("error").at("code").is_null());
  EXPECT_EQ(parse_json(emulator.stats_json()).at("auth_failures").as_int64(), 2);
}

TEST(EmulatorOpenAiAuth, KeyInQueryIsCountedAndAnyKeyWorksWithoutAConfiguredOne) {
  EmulatorOptions any_key;
  any_key.openai_key.clear();
  EmulatorProcess emulator(any_key);
  EXPECT_EQ(OpenAiCalls(emulator, "whatever").call("GET", "/v1/batches/batch_x").status, 404u);
  EXPECT_EQ(emulator.request("POST", "/v1/chat/completions", "{}").status, 401u) << "still needs some key";
  HttpReply query = emulator.request("POST", "/v1/batches?key=some-key", "{}");
  EXPECT_EQ(query.status, 400u) << query.body;  // authorised, then the empty body is refused
  EXPECT_EQ(parse_json(emulator.stats_json()).at("key_in_query").as_int64(), 1);
}

TEST(EmulatorOpenAiRoutes, TheAuthHeaderTellsOpenAiFromGeminiOnSharedPaths) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  GeminiCalls gemini(emulator);
  std::string openai_file = openai.upload(chat_input(1));
  std::string gemini_file = gemini.upload(songs_input(1));

  json::object openai_list = parse_json(openai.call("GET", "/v1/files").body).as_object();
  ASSERT_EQ(openai_list.at("data").as_array().size(), 1u);
  EXPECT_EQ(str(openai_list.at("data").at(0).at("id")), openai_file);
  json::object gemini_list = parse_json(gemini.call("GET", "/v1/files").body).as_object();
  ASSERT_EQ(gemini_list.at("files").as_array().size(), 1u);
  EXPECT_EQ(str(gemini_list.at("files").at(0).at("name")), gemini_file);

  EXPECT_EQ(openai.call("GET", "/v1/files/" + openai_file).status, 200u);
  EXPECT_EQ(gemini.call("GET", "/v1/files/" + openai_file).status, 404u);
  EXPECT_EQ(gemini.call("GET", "/v1/" + gemini_file).status, 200u);
  HttpReply cross = openai.call("GET", "/v1/" + gemini_file);
  EXPECT_EQ(cross.status, 404u);
  EXPECT_TRUE(parse_json(cross.body).at("error").as_object().contains("type")) << "OpenAI's error shape";

  EXPECT_TRUE(parse_json(gemini.call("GET", "/v1/batches").body).as_object().contains("operations"));
  EXPECT_EQ(str(parse_json(openai.call("GET", "/v1/batches").body).at("object")), "list");
  // A Gemini key wins even next to a bearer header; a key in the query is Gemini's signal too.
  HttpReply both =
      emulator.request("GET", "/v1/files", "",
                       {{"Authorization", "Bearer test-openai-key"}, {"x-goog-api-key", "test-gemini-key"}});
  EXPECT_TRUE(parse_json(both.body).as_object().contains("files")) << both.body;
  HttpReply no_key = emulator.request("GET", "/v1/files");
  EXPECT_EQ(no_key.status, 403u) << "without any key a shared path stays Gemini's";

  json::object routes = parse_json(emulator.stats_json()).at("requests_by_route").as_object();
  EXPECT_EQ(routes.at("openai GET /v1/files").as_int64(), 1);
  EXPECT_EQ(routes.at("GET /v1/files").as_int64(), 3);
  EXPECT_EQ(routes.at("openai POST /v1/files").as_int64(), 1);
}

TEST(EmulatorOpenAiOnline, ChatCompletionsAnswerJsonWithASystemMessageAndProseWithout) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  json::object completion = post_chat(openai, chat_body("Reply in JSON.", "hello"));
  EXPECT_EQ(str(completion.at("object")), "chat.completion");
  EXPECT_EQ(str(completion.at("id")).rfind("chatcmpl-", 0), 0u);
  std::string text = str(completion.at("choices").at(0).at("message").at("content"));
  EXPECT_TRUE(parse_json(text).at("reply").is_string()) << text;
  EXPECT_EQ(post_chat(openai, chat_body("Reply in JSON.", "hello")).at("choices"), completion.at("choices"))
      << "deterministic per request";
  const json::object& usage = completion.at("usage").as_object();
  EXPECT_GT(usage.at("prompt_tokens").as_int64(), 0);
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), static_cast<std::int64_t>((text.size() + 3) / 4));

  std::string prose =
      str(post_chat(openai, chat_body("", "hello")).at("choices").at(0).at("message").at("content"));
  EXPECT_EQ(prose.find('{'), std::string::npos) << "no system message: prose";

  json::object no_messages{{"model", "gpt-4o-mini"}};
  HttpReply bad = openai.call("POST", "/v1/chat/completions", json::serialize(no_messages));
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(str(parse_json(bad.body).at("error").at("param")), "messages");
  EXPECT_EQ(parse_json(emulator.stats_json()).at("openai").at("online_answers").as_int64(), 3);
}

TEST(EmulatorOpenAiOnline, ResponsesAnswerResponseObjects) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  json::object body = parse_json(R"({"model":"gpt-5-mini","instructions":"Answer JSON.",
      "input":[{"role":"user","content":[{"type":"input_text","text":"hello"}]}],
      "text":{"format":{"type":"json_schema","name":"r","strict":true,
        "schema":{"type":"object","properties":{"n":{"type":"integer","minimum":3,"maximum":5}},"required":["n"]}}}})")
                          .as_object();
  HttpReply reply = openai.call("POST", "/v1/responses", json::serialize(body));
  ASSERT_EQ(reply.status, 200u) << reply.body;
  json::object response = parse_json(reply.body).as_object();
  EXPECT_EQ(str(response.at("object")), "response");
  EXPECT_EQ(str(response.at("id")).rfind("resp_", 0), 0u);
  EXPECT_EQ(str(response.at("instructions")), "Answer JSON.");
  std::int64_t n =
      parse_json(str(response.at("output").at(0).at("content").at(0).at("text"))).at("n").as_int64();
  EXPECT_GE(n, 3);
  EXPECT_LE(n, 5);
  body.erase("instructions");
  std::string prose = str(parse_json(openai.call("POST", "/v1/responses", json::serialize(body)).body)
                              .at("output")
                              .at(0)
                              .at("content")
                              .at(0)
                              .at("text"));
  EXPECT_EQ(prose.find('{'), std::string::npos);
}

TEST(EmulatorOpenAiCaching, RepeatedPrefixesOfAtLeast1024TokensReportCachedTokensIn128Steps) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  OpenAiCalls openai(emulator);
  // Prompt text = system + "\n" + user + "\n" (no schema here). 5000 bytes of system text and
  // "Title: Song " give a shared prefix of 5013 bytes = 9 whole blocks of 512 bytes = 1152 tokens.
  std::string system(5000, 's');
  json::object first = post_chat(openai, chat_body(system, "Title: Song 1", false));
  EXPECT_EQ(cached_of(first), 0) << "nothing seen before";
  EXPECT_EQ(first.at("usage").at("prompt_tokens").as_int64(), (5000 + 1 + 13 + 1 + 3) / 4);
  EXPECT_EQ(cached_of(post_chat(openai, chat_body(system, "Title: Song 2", false))), 1152);
  json::object other_model = chat_body(system, "Title: Song 3", false);
  other_model["model"] = "gpt-4o";
  EXPECT_EQ(cached_of(post_chat(openai, other_model)), 0) << "the cache is per model";
  std::string short_system(3000, 's');  // 3000 bytes < 1024 tokens
  EXPECT_EQ(cached_of(post_chat(openai, chat_body(short_system, "a", false))), 0);
  EXPECT_EQ(cached_of(post_chat(openai, chat_body(short_system, "b", false))), 0) << "below 1024 tokens";

  // In a batch, the first line of a new prefix pays, the rows after it hit the cache.
  std::string batch_system(6000, 'b');
  json::object done = openai.wait_for_batch(openai.start_batch(chat_input(5, batch_system)));
  ASSERT_EQ(str(done.at("status")), "completed");
  auto lines = by_custom_id(jsonl_objects(openai.content(done.at("output_file_id"))));
  std::int64_t sum = 0;
  for (const auto& [id, line] : lines) {
    std::int64_t cached = cached_of(line.at("response").at("body").as_object());
    if (id == "row-0") {
      EXPECT_EQ(cached, 0);
    } else {
      EXPECT_GE(cached, 1024) << id;
      EXPECT_EQ(cached % 128, 0) << id;
    }
    sum += cached;
  }
  EXPECT_EQ(done.at("usage").at("input_tokens_details").at("cached_tokens").as_int64(), sum);
}

TEST(EmulatorOpenAiStats, CreatesByNameAndRowsAnsweredInMoreThanOneBatch) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  OpenAiCalls openai(emulator);
  json::object stats = parse_json(emulator.stats_json()).at("openai").as_object();
  for (const char* field : {"batch_creates", "batch_creates_by_name", "answered_more_than_once"})
    EXPECT_TRUE(stats.contains(field)) << field;
  openai.wait_for_batch(openai.start_batch(chat_input(4), "job-a"));
  openai.wait_for_batch(openai.start_batch(chat_input(2, "other", "gpt-4o-mini", 10)));  // no name, new rows
  stats = parse_json(emulator.stats_json()).at("openai").as_object();
  EXPECT_EQ(stats.at("answered_more_than_once").as_int64(), 0);
  openai.wait_for_batch(openai.start_batch(chat_input(3), "job-a"));  // rows 0-2 paid again
  stats = parse_json(emulator.stats_json()).at("openai").as_object();
  EXPECT_EQ(stats.at("batch_creates").as_int64(), 3);
  EXPECT_EQ(stats.at("batch_creates_by_name"), parse_json(R"({"job-a":2,"":1})"));
  EXPECT_EQ(stats.at("answered_more_than_once").as_int64(), 3);
  EXPECT_EQ(stats.at("batches_by_status").at("completed").as_int64(), 3);
  EXPECT_TRUE(parse_json(emulator.stats_json()).at("batch_creates_by_display_name").as_object().empty())
      << "Gemini's counter is separate";

  ASSERT_EQ(emulator.request("POST", "/_emulator/reset-stats").status, 200u);
  stats = parse_json(emulator.stats_json()).at("openai").as_object();
  EXPECT_EQ(stats.at("batch_creates").as_int64(), 0);
  EXPECT_TRUE(stats.at("batch_creates_by_name").as_object().empty());
  EXPECT_EQ(stats.at("answered_more_than_once").as_int64(), 0);
  openai.wait_for_batch(openai.start_batch(chat_input(1), "job-a"));
  EXPECT_EQ(parse_json(emulator.stats_json()).at("openai").at("answered_more_than_once").as_int64(), 0)
      << "reset-stats forgets which rows were answered";
}

}  // namespace
}  // namespace pipehost::test
