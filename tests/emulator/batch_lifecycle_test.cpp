// Files upload → batch create → poll → download, through real HTTPS against the emulator binary.
#include <set>

#include "gemini_client.hpp"

namespace pipehost::test {
namespace {

TEST(EmulatorBatchLifecycle, UploadCreatePollDownloadReturnsEveryKeyOnce) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(50));
  HttpReply created = gemini.create_batch(file, "songs-1");
  ASSERT_EQ(created.status, 200u) << created.body;
  json::object operation = parse_json(created.body).as_object();
  EXPECT_EQ(str(operation.at("metadata").at("state")), "BATCH_STATE_PENDING");

  json::object done = gemini.wait_for_batch(std::string(operation.at("name").as_string()));
  ASSERT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED") << json::serialize(done);
  std::string output = std::string(done.at("metadata").at("output").at("responsesFile").as_string());
  EXPECT_EQ(str(done.at("response").at("responsesFile")), output);
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("requestCount")), "50");

  HttpReply download = gemini.call("GET", "/download/v1beta/" + output + ":download?alt=media");
  ASSERT_EQ(download.status, 200u);
  std::set<std::string> keys;
  std::vector<std::string> order;
  std::size_t start = 0;
  while (start < download.body.size()) {
    std::size_t end = download.body.find('\n', start);
    json::object line = parse_json(download.body.substr(start, end - start)).as_object();
    std::string key(line.at("key").as_string());
    EXPECT_TRUE(keys.insert(key).second) << "duplicate key " << key;
    order.push_back(key);
    std::string text(
        line.at("response").at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
    json::object answer = parse_json(text).as_object();
    EXPECT_TRUE(answer.contains("genre"));
    start = end + 1;
  }
  EXPECT_EQ(keys.size(), 50u);
  std::vector<std::string> input_order;
  for (int i = 0; i < 50; ++i) input_order.push_back("k" + std::to_string(i));
  EXPECT_NE(order, input_order) << "output must not keep input order";
}

}  // namespace
}  // namespace pipehost::test

namespace pipehost::test {
namespace {

TEST(EmulatorBatchLifecycle, StatesAdvancePendingRunningSucceeded) {
  EmulatorProcess emulator({.faults = "batch_ms=900"});
  GeminiCalls gemini(emulator);
  std::string name =
      str(parse_json(gemini.create_batch(gemini.upload(songs_input(3)), "states").body).at("name"));
  std::vector<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    json::object operation = parse_json(gemini.call("GET", "/v1beta/" + name).body).as_object();
    std::string state = str(operation.at("metadata").at("state"));
    if (seen.empty() || seen.back() != state) seen.push_back(state);
    if (state == "BATCH_STATE_SUCCEEDED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"BATCH_STATE_PENDING", "BATCH_STATE_RUNNING",
                                            "BATCH_STATE_SUCCEEDED"}));
}

TEST(EmulatorBatchLifecycle, ListPagesNewestFirstAndOmitsTheLastToken) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(1));
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i)
    created.push_back(str(parse_json(gemini.create_batch(file, "b" + std::to_string(i)).body).at("name")));
  std::vector<std::string> listed;
  std::string token;
  int pages = 0;
  for (; pages < 10; ++pages) {
    HttpReply reply =
        gemini.call("GET", "/v1beta/batches?pageSize=2" + (token.empty() ? "" : "&pageToken=" + token));
    ASSERT_EQ(reply.status, 200u);
    json::object body = parse_json(reply.body).as_object();
    for (const auto& operation : body.at("operations").as_array())
      listed.push_back(str(operation.at("name")));
    if (!body.contains("nextPageToken")) break;
    token = str(body.at("nextPageToken"));
    ASSERT_FALSE(token.empty()) << "an empty token makes the official pager loop forever";
  }
  EXPECT_EQ(pages, 2);
  std::reverse(created.begin(), created.end());
  EXPECT_EQ(listed, created);
}

TEST(EmulatorBatchLifecycle, CancelAndDelete) {
  EmulatorProcess emulator({.faults = "batch_ms=60000"});
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(2));
  std::string name = str(parse_json(gemini.create_batch(file, "to-cancel").body).at("name"));
  EXPECT_EQ(gemini.call("POST", "/v1beta/" + name + ":cancel", "{}").status, 200u);
  json::object cancelled = gemini.wait_for_batch(name);
  EXPECT_EQ(str(cancelled.at("metadata").at("state")), "BATCH_STATE_CANCELLED");
  EXPECT_EQ(gemini.call("DELETE", "/v1beta/" + name).status, 200u);
  EXPECT_EQ(gemini.call("GET", "/v1beta/" + name).status, 404u);
  std::string other = str(parse_json(gemini.create_batch(file, "to-delete").body).at("name"));
  EXPECT_EQ(gemini.call("POST", "/v1beta/" + other + ":delete", "{}").status, 200u);
  HttpReply missing = gemini.call("GET", "/v1beta/" + other);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(str(parse_json(missing.body).at("error").at("status")), "NOT_FOUND");
}

TEST(EmulatorBatchLifecycle, InlinedRequestsEchoMetadataInBothOutputPlaces) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  std::string body = R"({"batch":{"displayName":"inline","inputConfig":{"requests":{"requests":[)";
  for (int i = 0; i < 4; ++i) {
    if (i) body += ",";
    body +=
        R"({"request":{"contents":[{"parts":[{"text":"q)" + std::to_string(i) +
        R"("}],"role":"user"}],"systemInstruction":{"parts":[{"text":"json"}]},"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"a":{"type":"STRING"}}}}},"metadata":{"key":"req-)" +
        std::to_string(i) + R"("}})";
  }
  body += "]}}}}";
  HttpReply created = gemini.call("POST", "/v1/models/gemini-2.5-flash:batchGenerateContent", body);
  ASSERT_EQ(created.status, 200u) << created.body;
  json::object done = gemini.wait_for_batch(str(parse_json(created.body).at("name")));
  ASSERT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED");
  const auto& inlined =
      done.at("metadata").at("output").at("inlinedResponses").at("inlinedResponses").as_array();
  EXPECT_EQ(done.at("response").at("inlinedResponses"),
            done.at("metadata").at("output").at("inlinedResponses"));
  std::set<std::string> keys;
  for (const auto& item : inlined) {
    keys.insert(str(item.at("metadata").at("key")));
    std::string text =
        str(item.at("response").at("candidates").at(0).at("content").at("parts").at(0).at("text"));
    EXPECT_TRUE(parse_json(text).as_object().contains("a"));
  }
  EXPECT_EQ(keys, (std::set<std::string>{"req-0", "req-1", "req-2", "req-3"}));
}

TEST(EmulatorBatchLifecycle, SameRequestGetsTheSameAnswerInBatchAndOnline) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  std::string line = songs_input(1);
  json::object request = parse_json(line).at("request").as_object();
  HttpReply online =
      gemini.call("POST", "/v1beta/models/gemini-2.5-flash:generateContent", json::serialize(request));
  ASSERT_EQ(online.status, 200u) << online.body;
  json::object response = parse_json(online.body).as_object();
  EXPECT_TRUE(response.contains("usageMetadata"));
  EXPECT_EQ(str(response.at("modelVersion")), "gemini-2.5-flash");
  std::string online_text = str(response.at("candidates").at(0).at("content").at("parts").at(0).at("text"));
  EXPECT_TRUE(parse_json(online_text).as_object().contains("genre"));
  // Batch lines are keyed; a keyless bare request line gets exactly the online answer.
  std::string file = gemini.upload(json::serialize(request) + "\n");
  json::object done =
      gemini.wait_for_batch(str(parse_json(gemini.create_batch(file, "bare").body).at("name")));
  std::string output = str(done.at("metadata").at("output").at("responsesFile"));
  std::string downloaded = gemini.call("GET", "/v1beta/" + output + ":download?alt=media").body;
  json::object out_line = parse_json(downloaded.substr(0, downloaded.find('\n'))).as_object();
  EXPECT_FALSE(out_line.contains("key"));
  EXPECT_EQ(str(out_line.at("response").at("candidates").at(0).at("content").at("parts").at(0).at("text")),
            online_text);
}

TEST(EmulatorBatchLifecycle, BadInputsGiveGoogleErrors) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  HttpReply missing_file = gemini.create_batch("files/doesnotexist", "x");
  EXPECT_EQ(missing_file.status, 404u);
  HttpReply bad_json = gemini.call("POST", "/v1beta/models/m:batchGenerateContent", "{not json");
  EXPECT_EQ(bad_json.status, 400u);
  EXPECT_EQ(str(parse_json(bad_json.body).at("error").at("status")), "INVALID_ARGUMENT");
  HttpReply unknown = gemini.call("GET", "/v1beta/nothing/here");
  EXPECT_EQ(unknown.status, 404u);
  // A malformed line becomes an error line; the other lines still get answers.
  std::string file = gemini.upload("{broken\n" + songs_input(1));
  json::object done =
      gemini.wait_for_batch(str(parse_json(gemini.create_batch(file, "bad-line").body).at("name")));
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("failedRequestCount")), "1");
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("successfulRequestCount")), "1");
}

TEST(EmulatorBatchLifecycle, ProcessesALargeFileStreaming) {
  // 2,000 lines with a 17 KB system instruction each (~35 MB): every key comes back once.
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  std::string instruction(17 * 1024, 'x');
  std::string content = songs_input(2000, instruction);
  std::string file = gemini.upload(content);
  json::object done = gemini.wait_for_batch(str(parse_json(gemini.create_batch(file, "big").body).at("name")),
                                            std::chrono::seconds(60));
  ASSERT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED");
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("successfulRequestCount")), "2000");
  std::string output = str(done.at("metadata").at("output").at("responsesFile"));
  std::string downloaded = gemini.call("GET", "/v1beta/" + output + ":download?alt=media").body;
  std::set<std::string> keys;
  for (std::size_t start = 0; start < downloaded.size();) {
    std::size_t end = downloaded.find('\n', start);
    keys.insert(str(parse_json(downloaded.substr(start, end - start)).at("key")));
    start = end + 1;
  }
  EXPECT_EQ(keys.size(), 2000u);
}

}  // namespace
}  // namespace pipehost::test
