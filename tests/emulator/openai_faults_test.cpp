// Each fault switch on the OpenAI routes, through real HTTPS: 429 on batch create, 5xx, dropped
// uploads (Content-Length and chunked), dropped and truncated downloads, fenced and prose answers,
// line errors in the error file, failed and expired batches, batch_ms.
#include "openai_client.hpp"

namespace pipehost::test {
namespace {

std::vector<json::object> output_lines(const OpenAiCalls& openai, const json::object& batch) {
  return jsonl_objects(openai.content(batch.at("output_file_id")));
}

TEST(EmulatorOpenAiFaults, Create429AnswersRateLimitWithRetryHeadersThenSucceeds) {
  EmulatorProcess emulator({.faults = "create_429=2,retry_delay_s=0.5"});
  OpenAiCalls openai(emulator);
  std::string file = openai.upload(chat_input(2));
  for (int i = 0; i < 2; ++i) {
    HttpReply refused = openai.create_batch(file, "retry-me");
    ASSERT_EQ(refused.status, 429u);
    json::object error = parse_json(refused.body).at("error").as_object();
    EXPECT_EQ(str(error.at("code")), "rate_limit_exceeded");
    EXPECT_EQ(str(error.at("type")), "requests");
    EXPECT_TRUE(error.at("param").is_null());
    EXPECT_EQ(refused.header("retry-after"), "1");
    EXPECT_EQ(refused.header("retry-after-ms"), "500");
    EXPECT_FALSE(refused.header("x-request-id").empty());
  }
  EXPECT_EQ(openai.create_batch(file, "retry-me").status, 200u);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("openai").at("batch_creates_by_name").at("retry-me").as_int64(), 1)
      << "refused creates don't count";
  EXPECT_EQ(stats.at("openai").at("batch_create_attempts").as_int64(), 3);
  EXPECT_EQ(stats.at("faults_injected").at("create_429").as_int64(), 2);
}

TEST(EmulatorOpenAiFaults, Http5xxHitsOpenAiRoutesInOpenAiShape) {
  EmulatorProcess emulator({.faults = "http_5xx=1"});
  OpenAiCalls openai(emulator);
  for (std::string target : {"/v1/files", "/v1/batches", "/v1/batches/batch_x"}) {
    HttpReply reply = openai.call("GET", target);
    EXPECT_TRUE(reply.status == 500u || reply.status == 503u) << target << " " << reply.status;
    EXPECT_EQ(str(parse_json(reply.body).at("error").at("type")), "server_error");
  }
  HttpReply chat = openai.call("POST", "/v1/chat/completions", "{}");
  EXPECT_GE(chat.status, 500u);
  EXPECT_EQ(emulator.request("GET", "/_emulator/stats").status, 200u);
  emulator.set_faults("");
  EXPECT_EQ(openai.call("GET", "/v1/files").status, 200u);
}

TEST(EmulatorOpenAiFaults, DroppedUploadsResetTheConnectionAndStoreNoFile) {
  EmulatorProcess emulator({.faults = "drop_upload=2"});
  OpenAiCalls openai(emulator);
  std::string content = chat_input(400);  // ~180 KB
  EXPECT_ANY_THROW(openai.upload_reply(content)) << "Content-Length upload: reset after about half";
  EXPECT_ANY_THROW(openai.upload_chunked_reply(content, 8192)) << "chunked upload: reset after 64 KiB";
  HttpReply small = openai.upload_reply(chat_input(1));
  ASSERT_EQ(small.status, 200u) << "the fault is used up";
  json::object list = parse_json(openai.call("GET", "/v1/files").body).as_object();
  EXPECT_EQ(list.at("data").as_array().size(), 1u) << "dropped uploads leave no file";
  EXPECT_EQ(parse_json(emulator.stats_json()).at("faults_injected").at("drop_upload").as_int64(), 2);
}

TEST(EmulatorOpenAiFaults, DropAndTruncateDownloadThenRecover) {
  EmulatorProcess emulator;
  OpenAiCalls openai(emulator);
  std::string content = chat_input(300);
  std::string id = openai.upload(content);
  emulator.set_faults("drop_download=1,truncate_download=1");
  EXPECT_ANY_THROW(openai.call("GET", "/v1/files/" + id + "/content")) << "reset mid-body";
  EXPECT_ANY_THROW(openai.call("GET", "/v1/files/" + id + "/content")) << "fewer bytes than Content-Length";
  EXPECT_EQ(openai.content(id), content);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("faults_injected").at("drop_download").as_int64(), 1);
  EXPECT_EQ(stats.at("faults_injected").at("truncate_download").as_int64(), 1);
}

TEST(EmulatorOpenAiFaults, FencedAndProseAnswersInBatchesAndOnline) {
  EmulatorProcess emulator({.faults = "fenced=1,batch_ms=0"});
  OpenAiCalls openai(emulator);
  for (const auto& line : output_lines(openai, openai.wait_for_batch(openai.start_batch(chat_input(10))))) {
    std::string text = chat_answer(line);
    ASSERT_EQ(text.rfind("```json\n", 0), 0u) << text;
    EXPECT_NO_THROW(parse_json(text.substr(8, text.size() - 8 - 4)));
  }
  emulator.set_faults("prose=1,batch_ms=0");
  for (const auto& line : output_lines(openai, openai.wait_for_batch(openai.start_batch(chat_input(10)))))
    EXPECT_EQ(chat_answer(line).find('{'), std::string::npos);
  json::value request = parse_json(chat_input(1).substr(0, chat_input(1).size() - 1)).at("body");
  HttpReply online = openai.call("POST", "/v1/chat/completions", json::serialize(request));
  ASSERT_EQ(online.status, 200u) << online.body;
  EXPECT_EQ(str(parse_json(online.body).at("choices").at(0).at("message").at("content")).find('{'),
            std::string::npos);
}

TEST(EmulatorOpenAiFaults, LineErrorsLandInTheErrorFile) {
  EmulatorProcess emulator({.faults = "line_error=0.5,batch_ms=0"});
  OpenAiCalls openai(emulator);
  json::object done = openai.wait_for_batch(openai.start_batch(chat_input(40)));
  ASSERT_EQ(str(done.at("status")), "completed");
  auto outputs = output_lines(openai, done);
  auto errors = jsonl_objects(openai.content(done.at("error_file_id")));
  EXPECT_GT(outputs.size(), 0u);
  EXPECT_GT(errors.size(), 0u);
  EXPECT_EQ(outputs.size() + errors.size(), 40u);
  for (const auto& line : errors) {
    EXPECT_EQ(line.at("response").at("status_code").as_int64(), 500);
    EXPECT_EQ(str(line.at("response").at("body").at("error").at("type")), "server_error");
    EXPECT_TRUE(line.at("error").is_null());
  }
  auto ids = by_custom_id(outputs);
  for (const auto& [id, line] : by_custom_id(errors)) EXPECT_FALSE(ids.count(id)) << id << " in both files";
  EXPECT_EQ(done.at("request_counts").at("failed").as_int64(), static_cast<std::int64_t>(errors.size()));
  EXPECT_EQ(done.at("request_counts").at("completed").as_int64(), static_cast<std::int64_t>(outputs.size()));
  EXPECT_EQ(parse_json(emulator.stats_json()).at("faults_injected").at("line_error").as_int64(),
            static_cast<std::int64_t>(errors.size()));
}

TEST(EmulatorOpenAiFaults, BatchFailAndExpire) {
  EmulatorProcess emulator({.faults = "batch_fail=1,batch_ms=0"});
  OpenAiCalls openai(emulator);
  json::object failed = openai.wait_for_batch(openai.start_batch(chat_input(3)));
  EXPECT_EQ(str(failed.at("status")), "failed");
  EXPECT_EQ(str(failed.at("errors").at("data").at(0).at("code")), "token_limit_exceeded");
  EXPECT_TRUE(failed.at("output_file_id").is_null());

  emulator.set_faults("batch_expire=1,batch_ms=0");
  json::object expired = openai.wait_for_batch(openai.start_batch(chat_input(10)));
  ASSERT_EQ(str(expired.at("status")), "expired");
  EXPECT_TRUE(expired.at("expired_at").is_int64());
  EXPECT_EQ(expired.at("request_counts"), parse_json(R"({"total":10,"completed":5,"failed":5})"));
  auto answered = by_custom_id(output_lines(openai, expired));
  auto lapsed = by_custom_id(jsonl_objects(openai.content(expired.at("error_file_id"))));
  EXPECT_EQ(answered.size(), 5u) << "requests finished before the window closed are returned";
  ASSERT_EQ(lapsed.size(), 5u);
  for (const auto& [id, line] : lapsed) {
    EXPECT_FALSE(answered.count(id));
    EXPECT_TRUE(line.at("response").is_null());
    EXPECT_EQ(str(line.at("error").at("code")), "batch_expired");
    EXPECT_FALSE(str(line.at("error").at("message")).empty());
  }
}

TEST(EmulatorOpenAiFaults, BatchMsControlsHowLongABatchRuns) {
  EmulatorProcess emulator({.faults = "batch_ms=900"});
  OpenAiCalls openai(emulator);
  std::string id = openai.start_batch(chat_input(3));
  auto start = std::chrono::steady_clock::now();
  json::object done = openai.wait_for_batch(id);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
  EXPECT_EQ(str(done.at("status")), "completed");
}

TEST(EmulatorOpenAiFaults, BatchLineFaultsAreReproducibleForASeed) {
  auto outputs = [](std::uint64_t seed) {
    EmulatorProcess emulator({.faults = "fenced=0.3,prose=0.2,line_error=0.2,batch_ms=0", .seed = seed});
    OpenAiCalls openai(emulator);
    json::object done = openai.wait_for_batch(openai.start_batch(chat_input(30)));
    std::map<std::string, std::string> answers;
    for (const auto& [id, line] : by_custom_id(output_lines(openai, done))) answers[id] = chat_answer(line);
    return answers;
  };
  auto first = outputs(5);
  EXPECT_EQ(first, outputs(5));
  EXPECT_NE(first, outputs(6));
}

}  // namespace
}  // namespace pipehost::test
