// Anthropic routes under fault injection, auth (x-api-key and Bearer), anthropic-version, and the
// "anthropic" stats object — through real HTTPS against the emulator binary.
#include <set>

#include "anthropic_client.hpp"

namespace pipehost::test {
namespace {

std::vector<json::object> run_batch(const AnthropicCalls& anthropic, const json::array& requests) {
  json::object created = anthropic.create_batch(requests);
  return anthropic.results(anthropic.wait_until_ended(str(created.at("id"))));
}

TEST(AnthropicFaults, Create429AnswersRateLimitErrorWithRetryAfterThenSucceeds) {
  EmulatorProcess emulator({.faults = "create_429=1,retry_delay_s=2,batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  std::string body = json::serialize(json::object{{"requests", song_requests(1, "Classify.")}});
  HttpReply limited = anthropic.call("POST", "/v1/messages/batches", body);
  ASSERT_EQ(limited.status, 429u) << limited.body;
  EXPECT_EQ(limited.header("retry-after"), "2");
  json::object error = parse_json(limited.body).as_object();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("error").at("type"), "rate_limit_error");
  EXPECT_EQ(limited.header("request-id"), str(error.at("request_id")));
  EXPECT_EQ(anthropic.call("POST", "/v1/messages/batches", body).status, 200u);
  json::object stats = parse_json(emulator.stats_json()).as_object();
  EXPECT_EQ(stats.at("anthropic").at("batch_creates").as_int64(), 1);
  EXPECT_EQ(stats.at("faults_injected").at("create_429").as_int64(), 1);
}

TEST(AnthropicFaults, Http5xxAnswersOverloadedOrApiError) {
  EmulatorProcess emulator({.faults = "http_5xx=1"});
  AnthropicCalls anthropic(emulator);
  std::set<unsigned> statuses;
  for (int i = 0; i < 12; ++i) {
    HttpReply reply = anthropic.call("GET", "/v1/messages/batches");
    statuses.insert(reply.status);
    std::string type = str(parse_json(reply.body).at("error").at("type"));
    EXPECT_EQ(type, reply.status == 529 ? "overloaded_error" : "api_error") << reply.status;
  }
  EXPECT_EQ(statuses, (std::set<unsigned>{500, 529}));
}

TEST(AnthropicFaults, BatchFailErrorsAndBatchExpireExpiresEveryRequest) {
  EmulatorProcess emulator({.faults = "batch_fail=1,batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  for (const auto& line : run_batch(anthropic, song_requests(3, "Classify."))) {
    ASSERT_EQ(line.at("result").at("type"), "errored") << json::serialize(line);
    EXPECT_EQ(line.at("result").at("error").at("error").at("type"), "api_error");
  }
  emulator.set_faults("batch_expire=1,batch_ms=20");
  json::object created = anthropic.create_batch(song_requests(3, "Classify."));
  json::object ended = anthropic.wait_until_ended(str(created.at("id")));
  EXPECT_EQ(json::serialize(ended.at("request_counts")),
            R"({"processing":0,"succeeded":0,"errored":0,"canceled":0,"expired":3})");
  for (const auto& line : anthropic.results(ended))
    EXPECT_EQ(json::serialize(line.at("result")), R"({"type":"expired"})");
  EXPECT_EQ(parse_json(emulator.stats_json()).at("anthropic").at("answered_more_than_once").as_int64(), 0);
}

TEST(AnthropicFaults, LineErrorProseAndFencedChangeSingleResults) {
  EmulatorProcess emulator({.faults = "line_error=1,batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  for (const auto& line : run_batch(anthropic, song_requests(2, "Classify."))) {
    ASSERT_EQ(line.at("result").at("type"), "errored");
    EXPECT_EQ(line.at("result").at("error").at("error").at("type"), "api_error");
  }
  emulator.set_faults("prose=1,batch_ms=20");
  for (const auto& line : run_batch(anthropic, song_requests(2, "Classify."))) {
    const json::object& block = line.at("result").at("message").at("content").at(0).as_object();
    ASSERT_EQ(block.at("type"), "text") << "prose replaces even a forced tool_use";
    EXPECT_EQ(str(block.at("text")).find('{'), std::string::npos);
  }
  emulator.set_faults("fenced=1,batch_ms=20");
  json::object params = song_params(1, "Classify.");
  params["output_config"] =
      json::object{{"format", json::object{{"type", "json_schema"},
                                           {"schema", params.at("tools").at(0).at("input_schema")}}}};
  params.erase("tools");
  params.erase("tool_choice");
  for (const auto& line : run_batch(anthropic, {json::object{{"custom_id", "fenced"}, {"params", params}}})) {
    std::string text = str(line.at("result").at("message").at("content").at(0).at("text"));
    EXPECT_EQ(text.rfind("```json\n", 0), 0u) << text;
  }
  json::object injected = parse_json(emulator.stats_json()).at("faults_injected").as_object();
  EXPECT_EQ(injected.at("line_error").as_int64(), 2);
  EXPECT_EQ(injected.at("prose").as_int64(), 2);
  EXPECT_EQ(injected.at("fenced").as_int64(), 1);
}

TEST(AnthropicFaults, TruncateAndDropDownloadCutTheResultsStreamOnce) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  json::object ended =
      anthropic.wait_until_ended(str(anthropic.create_batch(song_requests(30, "Classify.")).at("id")));
  std::string target = str(ended.at("results_url")).substr(emulator.base_url().size());
  for (const char* fault : {"truncate_download=1", "drop_download=1"}) {
    emulator.set_faults(fault);
    EXPECT_ANY_THROW(anthropic.call("GET", target)) << fault << ": the body must be cut short";
    EXPECT_EQ(anthropic.results(ended).size(), 30u) << fault << " applies once";
  }
}

TEST(AnthropicAuth, WrongOrMissingKeyIs401WithBothAuthStylesAndTheVersionHeaderIsRequired) {
  EmulatorProcess emulator;
  for (AnthropicAuth style : {AnthropicAuth::api_key_header, AnthropicAuth::bearer}) {
    HttpReply wrong = AnthropicCalls(emulator, "sk-wrong-key", style).call("GET", "/v1/messages/batches");
    EXPECT_EQ(wrong.status, 401u);
    json::object error = parse_json(wrong.body).as_object();
    EXPECT_EQ(error.at("type"), "error");
    EXPECT_EQ(error.at("error").at("type"), "authentication_error");
    EXPECT_EQ(wrong.body.find("sk-wrong-key"), std::string::npos) << "never echo the key";
    EXPECT_EQ(
        AnthropicCalls(emulator, "test-anthropic-key", style).call("GET", "/v1/messages/batches").status,
        200u);
  }
  HttpReply missing =
      emulator.request("GET", "/v1/messages/batches", "", {{"anthropic-version", "2023-06-01"}});
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(parse_json(missing.body).at("error").at("type"), "authentication_error");
  HttpReply no_version =
      emulator.request("GET", "/v1/messages/batches", "", {{"x-api-key", "test-anthropic-key"}});
  EXPECT_EQ(no_version.status, 400u);
  EXPECT_EQ(parse_json(no_version.body).at("error").at("type"), "invalid_request_error");
  EXPECT_EQ(parse_json(emulator.stats_json()).at("auth_failures").as_int64(), 3);
}

TEST(AnthropicAuth, WithoutAConfiguredKeyAnyNonEmptyKeyIsAccepted) {
  EmulatorOptions any_key;
  any_key.anthropic_key.clear();
  EmulatorProcess emulator(any_key);
  EXPECT_EQ(AnthropicCalls(emulator, "whatever").call("GET", "/v1/messages/batches").status, 200u);
  EXPECT_EQ(emulator.request("GET", "/v1/messages/batches", "", {{"anthropic-version", "2023-06-01"}}).status,
            401u);
}

TEST(AnthropicStats, CountsCreatesRowsAnsweredTwiceAndCacheTokensAndResetClearsThem) {
  EmulatorProcess emulator({.faults = "batch_ms=20"});
  AnthropicCalls anthropic(emulator);
  json::object stats = parse_json(emulator.stats_json()).as_object();
  EXPECT_EQ(
      json::serialize(stats.at("anthropic")),
      R"({"batch_creates":0,"answered_more_than_once":0,"cache_read_tokens":0,"cache_write_tokens":0})");
  run_batch(anthropic, song_requests(3, long_system_text(1200), nullptr, "row-"));  // row-0..2
  run_batch(anthropic, song_requests(5, long_system_text(1200), nullptr, "row-"));  // row-0..4 again
  stats = parse_json(emulator.stats_json()).as_object();
  const json::object& anthropic_stats = stats.at("anthropic").as_object();
  EXPECT_EQ(anthropic_stats.at("batch_creates").as_int64(), 2);
  EXPECT_EQ(anthropic_stats.at("answered_more_than_once").as_int64(), 3) << "row-0..2 were paid twice";
  std::int64_t written = anthropic_stats.at("cache_write_tokens").as_int64();
  EXPECT_GT(written, 1200);
  EXPECT_EQ(anthropic_stats.at("cache_read_tokens").as_int64(), 7 * written);
  EXPECT_EQ(stats.at("requests_by_route").at("POST /v1/messages/batches").as_int64(), 2);
  EXPECT_GE(stats.at("requests_by_route").at("GET /v1/messages/batches/{id}/results").as_int64(), 2);
  // The Gemini accounting is untouched by Anthropic traffic.
  EXPECT_EQ(stats.at("batches_created").as_int64(), 0);

  EXPECT_EQ(emulator.request("POST", "/_emulator/reset-stats").status, 200u);
  EXPECT_EQ(
      json::serialize(parse_json(emulator.stats_json()).at("anthropic")),
      R"({"batch_creates":0,"answered_more_than_once":0,"cache_read_tokens":0,"cache_write_tokens":0})");
  run_batch(anthropic, song_requests(1, "Classify.", nullptr, "row-"));
  EXPECT_EQ(parse_json(emulator.stats_json()).at("anthropic").at("answered_more_than_once").as_int64(), 0)
      << "reset-stats forgets which rows were answered";
}

}  // namespace
}  // namespace pipehost::test
