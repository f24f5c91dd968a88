// Each fault switch through real HTTPS, runtime changes via /_emulator/faults, reproducibility.
#include <algorithm>

#include "gemini_client.hpp"

namespace pipehost::test {
namespace {

std::vector<std::string> output_lines(const GeminiCalls& gemini, const json::object& operation) {
  std::string file = str(operation.at("metadata").at("output").at("responsesFile"));
  HttpReply download = gemini.call("GET", "/download/v1beta/" + file + ":download?alt=media");
  EXPECT_EQ(download.status, 200u);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < download.body.size()) {
    std::size_t end = download.body.find('\n', start);
    lines.push_back(download.body.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

json::object run_batch(const GeminiCalls& gemini, int lines, const std::string& display_name = "faulty") {
  std::string file = gemini.upload(songs_input(lines));
  HttpReply created = gemini.create_batch(file, display_name);
  EXPECT_EQ(created.status, 200u) << created.body;
  return gemini.wait_for_batch(str(parse_json(created.body).at("name")));
}

std::string text_of(const json::value& line) {
  return str(line.at("response").at("candidates").at(0).at("content").at("parts").at(0).at("text"));
}

TEST(EmulatorFaults, Create429AnswersResourceExhaustedWithRetryInfoThenSucceeds) {
  EmulatorProcess emulator({.faults = "create_429=2,retry_delay_s=0.5"});
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(2));
  for (int i = 0; i < 2; ++i) {
    HttpReply refused = gemini.create_batch(file, "retry-me");
    ASSERT_EQ(refused.status, 429u);
    json::object error = parse_json(refused.body).at("error").as_object();
    EXPECT_EQ(str(error.at("status")), "RESOURCE_EXHAUSTED");
    EXPECT_EQ(error.at("code").as_int64(), 429);
    bool has_retry_info = false;
    for (const auto& detail : error.at("details").as_array()) {
      if (str(detail.at("@type")) == "type.googleapis.com/google.rpc.RetryInfo") {
        EXPECT_EQ(str(detail.at("retryDelay")), "0.5s");
        has_retry_info = true;
      }
    }
    EXPECT_TRUE(has_retry_info);
  }
  EXPECT_EQ(gemini.create_batch(file, "retry-me").status, 200u);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("batch_creates_by_display_name").at("retry-me").as_int64(), 1)
      << "refused creates don't count";
  EXPECT_EQ(stats.at("batch_create_attempts").as_int64(), 3);
  EXPECT_EQ(stats.at("faults_injected").at("create_429").as_int64(), 2);
}

TEST(EmulatorFaults, Http5xxHitsApiRoutesButNeverControlRoutes) {
  EmulatorProcess emulator({.faults = "http_5xx=1"});
  GeminiCalls gemini(emulator);
  for (std::string target : {"/v1beta/files", "/v1beta/batches", "/v1beta/batches/x"}) {
    HttpReply reply = gemini.call("GET", target);
    EXPECT_TRUE(reply.status == 500u || reply.status == 503u) << target << " " << reply.status;
    EXPECT_TRUE(parse_json(reply.body).at("error").as_object().contains("status"));
  }
  HttpReply bt = emulator.request("GET", "/version", "", {{"Authorization", "Bearer test-braintrust-key"}});
  EXPECT_GE(bt.status, 500u);
  EXPECT_EQ(emulator.request("GET", "/_emulator/stats").status, 200u);
  emulator.set_faults("");
  EXPECT_EQ(gemini.call("GET", "/v1beta/files").status, 200u) << "faults changed at runtime";
}

TEST(EmulatorFaults, DropAndTruncateDownloadThenRecover) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  std::string content(500000, 'z');
  std::string name = gemini.upload(content);
  emulator.set_faults("drop_download=1,truncate_download=1");
  EXPECT_ANY_THROW(gemini.call("GET", "/v1beta/" + name + ":download?alt=media")) << "reset mid-body";
  EXPECT_ANY_THROW(gemini.call("GET", "/v1beta/" + name + ":download?alt=media"))
      << "fewer bytes than Content-Length";
  HttpReply whole = gemini.call("GET", "/v1beta/" + name + ":download?alt=media");
  ASSERT_EQ(whole.status, 200u);
  EXPECT_EQ(whole.body, content);
  json::value stats = parse_json(emulator.stats_json());
  EXPECT_EQ(stats.at("faults_injected").at("drop_download").as_int64(), 1);
  EXPECT_EQ(stats.at("faults_injected").at("truncate_download").as_int64(), 1);
}

TEST(EmulatorFaults, FencedAnswersAreWrappedInAJsonFence) {
  EmulatorProcess emulator({.faults = "fenced=1,batch_ms=0"});
  GeminiCalls gemini(emulator);
  for (const auto& line : output_lines(gemini, run_batch(gemini, 10))) {
    std::string text = text_of(parse_json(line));
    ASSERT_EQ(text.rfind("```json\n", 0), 0u) << text;
    EXPECT_NO_THROW(parse_json(text.substr(8, text.size() - 8 - 4)));
  }
}

TEST(EmulatorFaults, ProseAnswersCarryNoJson) {
  EmulatorProcess emulator({.faults = "prose=1,batch_ms=0"});
  GeminiCalls gemini(emulator);
  for (const auto& line : output_lines(gemini, run_batch(gemini, 10))) {
    EXPECT_EQ(text_of(parse_json(line)).find('{'), std::string::npos);
  }
}

TEST(EmulatorFaults, LineErrorsReplaceResponsesAndShowInBatchStats) {
  EmulatorProcess emulator({.faults = "line_error=0.5,batch_ms=0"});
  GeminiCalls gemini(emulator);
  json::object done = run_batch(gemini, 40);
  int errors = 0, responses = 0;
  for (const auto& line : output_lines(gemini, done)) {
    json::object object = parse_json(line).as_object();
    EXPECT_TRUE(object.contains("key"));
    if (object.contains("error")) {
      ++errors;
      EXPECT_EQ(str(object.at("error").at("status")), "INTERNAL");
    } else {
      ++responses;
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(responses, 0);
  const auto& stats = done.at("metadata").at("batchStats");
  EXPECT_EQ(str(stats.at("failedRequestCount")), std::to_string(errors));
  EXPECT_EQ(str(stats.at("successfulRequestCount")), std::to_string(responses));
}

TEST(EmulatorFaults, BatchFailAndExpireEndTheBatchWithoutOutput) {
  EmulatorProcess emulator({.faults = "batch_fail=1,batch_ms=0"});
  GeminiCalls gemini(emulator);
  json::object failed = run_batch(gemini, 3);
  EXPECT_EQ(str(failed.at("metadata").at("state")), "BATCH_STATE_FAILED");
  EXPECT_TRUE(failed.contains("error"));
  EXPECT_FALSE(failed.at("metadata").as_object().contains("output"));
  emulator.set_faults("batch_expire=1,batch_ms=0");
  json::object expired = run_batch(gemini, 3);
  EXPECT_EQ(str(expired.at("metadata").at("state")), "BATCH_STATE_EXPIRED");
  EXPECT_FALSE(expired.contains("response"));
}

TEST(EmulatorFaults, BatchMsControlsHowLongABatchRuns) {
  EmulatorProcess emulator({.faults = "batch_ms=900"});
  GeminiCalls gemini(emulator);
  std::string file = gemini.upload(songs_input(3));
  std::string name = str(parse_json(gemini.create_batch(file, "slow").body).at("name"));
  auto start = std::chrono::steady_clock::now();
  json::object done = gemini.wait_for_batch(name);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(800));
  EXPECT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED");
}

TEST(EmulatorFaults, BraintrustRoutesGet5xxWithBt5xx) {
  EmulatorProcess emulator({.faults = "bt_5xx=1"});
  HttpReply reply =
      emulator.request("POST", "/api/apikey/login", "", {{"Authorization", "Bearer test-braintrust-key"}});
  EXPECT_EQ(reply.status, 503u);
  GeminiCalls gemini(emulator);
  EXPECT_EQ(gemini.call("GET", "/v1beta/files").status, 200u) << "Gemini routes are not affected";
}

TEST(EmulatorFaults, EchoKeyQuotesTheCallersKeyInA400) {
  EmulatorProcess emulator({.faults = "echo_key=1", .gemini_key = "echo-me-key-7c1d"});
  GeminiCalls gemini(emulator, "echo-me-key-7c1d");
  HttpReply reply = gemini.call("GET", "/v1beta/files");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.body.find("INVALID_ARGUMENT"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("API key echo-me-key-7c1d is not allowed"), std::string::npos) << reply.body;
  emulator.set_faults("");
  EXPECT_EQ(gemini.call("GET", "/v1beta/files").status, 200u);
}

TEST(EmulatorFaults, RuntimeSpecErrorsAreRejectedClearly) {
  EmulatorProcess emulator;
  HttpReply bad = emulator.request("POST", "/_emulator/faults", "nonsense=1");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("unknown fault 'nonsense'"), std::string::npos) << bad.body;
  HttpReply json_spec = emulator.request("POST", "/_emulator/faults", R"({"spec":"fenced=0.5"})");
  EXPECT_EQ(json_spec.status, 200u);
  EXPECT_NE(emulator.request("GET", "/_emulator/faults").body.find("fenced=0.5"), std::string::npos);
}

TEST(EmulatorFaults, DrawsAreReproducibleForASeedAndSequenceOfRequests) {
  auto statuses = [](std::uint64_t seed) {
    EmulatorProcess emulator({.faults = "http_5xx=0.5", .seed = seed});
    GeminiCalls gemini(emulator);
    std::string pattern;
    for (int i = 0; i < 30; ++i)
      pattern.push_back(gemini.call("GET", "/v1beta/files").status == 200 ? '.' : 'x');
    return pattern;
  };
  std::string first = statuses(42);
  EXPECT_EQ(first, statuses(42));
  EXPECT_NE(first, statuses(43));
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos) << "a retried request draws again, so retries can succeed";
}

TEST(EmulatorFaults, BatchLineFaultsAreReproducibleForASeed) {
  auto outputs = [](std::uint64_t seed) {
    EmulatorProcess emulator({.faults = "fenced=0.3,prose=0.2,line_error=0.2,batch_ms=0", .seed = seed});
    GeminiCalls gemini(emulator);
    auto lines = output_lines(gemini, run_batch(gemini, 30));
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(outputs(5), outputs(5));
}

}  // namespace
}  // namespace pipehost::test
