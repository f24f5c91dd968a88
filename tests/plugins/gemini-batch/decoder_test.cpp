// Reading Gemini's answers: output lines, errors, batch resources, and the provider's config.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "config.hpp"
#include "response_decoder.hpp"

namespace pipehost::gemini {
namespace {

TEST(GeminiDecoder, OutputLineWithResponse) {
  std::string line =
      R"({"key":"song-7","response":{"candidates":[{"content":{"parts":[)"
      R"({"text":"thinking...","thought":true},{"text":"{\"genre\":"},{"text":"\"rock\"}"}],"role":"model"},)"
      R"("finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":4200,"candidatesTokenCount":12,)"
      R"("cachedContentTokenCount":4000,"thoughtsTokenCount":30,"totalTokenCount":4242},)"
      R"("modelVersion":"gemini-2.5-flash-001","responseId":"abc"}})";
  Response response;
  ASSERT_TRUE(decode_output_line(line, response).is_ok());
  EXPECT_EQ(response.key, "song-7");
  EXPECT_EQ(response.text, R"({"genre":"rock"})");
  EXPECT_EQ(response.finish_reason, "STOP");
  EXPECT_EQ(response.finish, FinishStatus::complete);
  EXPECT_EQ(response.usage.input_tokens, 4200) << "Gemini's prompt count includes the cached tokens";
  EXPECT_EQ(response.usage.output_tokens, 12);
  EXPECT_EQ(response.usage.cached_input_tokens, 4000);
  EXPECT_EQ(response.usage.thinking_tokens, 30);
  EXPECT_TRUE(response.tool_uses.empty());
  EXPECT_EQ(response.model_version, "gemini-2.5-flash-001");
  EXPECT_FALSE(response.error);
  EXPECT_EQ(response.raw_json, line);
}

TEST(GeminiDecoder, FinishReasonsInTheHostsWords) {
  auto finish_of = [](const std::string& reason) {
    Response response;
    EXPECT_TRUE(
        decode_output_line(R"({"key":"k","response":{"candidates":[{"content":{"parts":[{"text":"x"}]},)"
                           R"("finishReason":")" +
                               reason + R"("}]}})",
                           response)
            .is_ok());
    EXPECT_EQ(response.finish_reason, reason) << "the provider's own word is kept for the logs";
    return response.finish;
  };
  EXPECT_EQ(finish_of("STOP"), FinishStatus::complete);
  EXPECT_EQ(finish_of("MAX_TOKENS"), FinishStatus::truncated);
  for (const char* refused : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE",
                              "IMAGE_SAFETY", "BLOCKED_REASON_UNSPECIFIED"})
    EXPECT_EQ(finish_of(refused), FinishStatus::refused) << refused;
  EXPECT_EQ(finish_of("MALFORMED_FUNCTION_CALL"), FinishStatus::error);
  EXPECT_EQ(finish_of("OTHER"), FinishStatus::error);
}

TEST(GeminiDecoder, OutputLineWithErrorIsAFailedResponse) {
  Response response;
  ASSERT_TRUE(decode_output_line(
                  R"({"key":"a","error":{"code":400,"message":"Request contains an invalid argument.",)"
                  R"("status":"INVALID_ARGUMENT"}})",
                  response)
                  .is_ok());
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, "INVALID_ARGUMENT");
  EXPECT_EQ(response.error->message, "Request contains an invalid argument.");
  EXPECT_FALSE(response.error->retryable);

  ASSERT_TRUE(
      decode_output_line(R"({"key":"b","error":{"code":500,"message":"Internal error","status":"INTERNAL"}})",
                         response)
          .is_ok());
  ASSERT_TRUE(response.error);
  EXPECT_TRUE(response.error->retryable);
  ASSERT_TRUE(decode_output_line(R"({"key":"c","error":{"code":429}})", response).is_ok());
  EXPECT_EQ(response.error->code, "429");
  EXPECT_TRUE(response.error->retryable);
}

TEST(GeminiDecoder, BlockedPromptAndOddLines) {
  Response response;
  ASSERT_TRUE(
      decode_output_line(R"({"key":1,"response":{"promptFeedback":{"blockReason":"SAFETY"}}})", response)
          .is_ok());
  EXPECT_EQ(response.key, "1");
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, "BLOCKED_SAFETY");
  EXPECT_FALSE(response.error->retryable);

  EXPECT_TRUE(decode_output_line("not json", response).is_fatal());
  EXPECT_TRUE(decode_output_line(R"({"response":{}})", response).is_fatal());
  ASSERT_TRUE(decode_output_line(R"({"key":"x"})", response).is_ok());
  ASSERT_TRUE(response.error);
  EXPECT_TRUE(response.error->retryable);
}

TEST(GeminiDecoder, ApiErrorsMapToRetryOrFatal) {
  std::string quota =
      R"({"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED",)"
      R"("details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},)"
      R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}})";
  Status status = api_error("creating batch b1", 429, quota, "");
  ASSERT_TRUE(status.is_retry());
  EXPECT_EQ(status.retry_after_ms(), 37000);
  EXPECT_NE(
      status.message().find("creating batch b1: HTTP 429 RESOURCE_EXHAUSTED: Resource has been exhausted"),
      std::string::npos)
      << status.message();

  status = api_error("x", 429, "{}", "12");
  ASSERT_TRUE(status.is_retry());
  EXPECT_EQ(status.retry_after_ms(), 12000);

  status = api_error("x", 503, R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})", "");
  EXPECT_TRUE(status.is_retry());
  EXPECT_EQ(status.retry_after_ms(), -1);
  status =
      api_error("x", 400, R"({"error":{"code":400,"message":"bad model","status":"INVALID_ARGUMENT"}})", "");
  EXPECT_TRUE(status.is_fatal());
  EXPECT_NE(status.message().find("bad model"), std::string::npos);
  status = api_error("x", 502, "<html>Bad Gateway</html>", "");
  EXPECT_TRUE(status.is_retry());
  EXPECT_NE(status.message().find("Bad Gateway"), std::string::npos);

  EXPECT_EQ(parse_duration_ms("1.5s"), 1500);
  EXPECT_EQ(parse_duration_ms("0s"), 0);
  EXPECT_FALSE(parse_duration_ms("5"));
  EXPECT_FALSE(parse_duration_ms("-1s"));
}

TEST(GeminiDecoder, BatchResources) {
  BatchInfo info;
  ASSERT_TRUE(
      decode_batch(
          R"({"name":"batches/123","metadata":{"@type":"x","model":"models/gemini-2.5-flash",)"
          R"("displayName":"run-1-job-2","inputConfig":{"fileName":"files/in1"},)"
          R"("createTime":"2025-07-09T10:00:00.000000Z",)"
          R"("output":{"responsesFile":"files/batch-123"},"batchStats":{"requestCount":"3",)"
          R"("successfulRequestCount":"2","failedRequestCount":"1"},"state":"BATCH_STATE_SUCCEEDED"},)"
          R"("done":true,"response":{"responsesFile":"files/batch-123"}})",
          info)
          .is_ok());
  EXPECT_EQ(info.name, "batches/123");
  EXPECT_EQ(info.display_name, "run-1-job-2");
  EXPECT_EQ(info.status.state, JobState::succeeded);
  EXPECT_EQ(info.status.total, 3u);
  EXPECT_EQ(info.status.succeeded, 2u);
  EXPECT_EQ(info.status.failed, 1u);
  EXPECT_EQ(info.responses_file, "files/batch-123");
  EXPECT_EQ(info.input_file, "files/in1");
  EXPECT_EQ(info.create_time, "2025-07-09T10:00:00.000000Z");

  ASSERT_TRUE(decode_batch(R"({"name":"batches/9","metadata":{"state":"JOB_STATE_RUNNING"}})", info).is_ok());
  EXPECT_EQ(info.status.state, JobState::running);
  ASSERT_TRUE(
      decode_batch(R"({"name":"batches/9","metadata":{"state":"BATCH_STATE_EXPIRED"},"done":true})", info)
          .is_ok());
  EXPECT_EQ(info.status.state, JobState::expired);
  EXPECT_NE(info.status.message.find("48 hours"), std::string::npos);
  ASSERT_TRUE(decode_batch(R"({"name":"batches/9","metadata":{"state":"BATCH_STATE_RUNNING"},"done":true,)"
                           R"("error":{"code":13,"message":"backend exploded"}})",
                           info)
                  .is_ok());
  EXPECT_EQ(info.status.state, JobState::failed);
  EXPECT_EQ(info.status.message, "backend exploded");
  EXPECT_TRUE(decode_batch(R"({"metadata":{}})", info).is_fatal());
}

TEST(GeminiDecoder, BatchListPages) {
  std::vector<BatchInfo> batches;
  std::string token;
  ASSERT_TRUE(
      decode_batch_list(R"({"operations":[{"name":"batches/a","metadata":{"displayName":"x"}},)"
                        R"({"name":"batches/b","metadata":{"displayName":"y"}}],"nextPageToken":"10"})",
                        batches, token)
          .is_ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].display_name, "y");
  EXPECT_EQ(token, "10");
  ASSERT_TRUE(decode_batch_list("{}", batches, token).is_ok());
  EXPECT_TRUE(batches.empty());
  EXPECT_TRUE(token.empty());
}

/// The config as the provider's constructor gets it: read by its declaration, then checked.
GeminiConfig read_config(const std::string& text) {
  GeminiConfig config;
  Status read = config_spec().read_json(text, config);
  if (!read) throw std::invalid_argument(read.message());
  check_config(config);
  return config;
}

TEST(GeminiConfig, DefaultsAndSchema) {
  GeminiConfig config = read_config(R"({"model":"models/gemini-2.5-flash"})");
  EXPECT_EQ(config.model, "gemini-2.5-flash");
  EXPECT_EQ(config.api_key_env, "GEMINI_API_KEY");
  EXPECT_EQ(config.base_url, "https://generativelanguage.googleapis.com");
  EXPECT_EQ(config.api_version, "v1beta");
  EXPECT_FALSE(config.insecure_skip_verify);
  EXPECT_FALSE(config.ca_file);
  EXPECT_LT(config.max_batch_bytes, 2'000'000'000);
  EXPECT_EQ(config.connect_timeout().count(), 15000);
  EXPECT_EQ(config.io_timeout().count(), 120000);
  EXPECT_EQ(config.upload_chunk_bytes(), 8u * 1024 * 1024);

  boost::json::value schema = boost::json::parse(config_spec().schema());
  EXPECT_EQ(schema.at("additionalProperties"), boost::json::value(false));
  EXPECT_EQ(schema.at("properties").at("ca_file").at("format"), boost::json::value("path"));
  EXPECT_EQ(schema.at("properties").at("api_key_env").at("format"), boost::json::value("secret-env"));
  for (const char* key :
       {"model", "api_key_env", "base_url", "ca_file", "insecure_skip_verify", "max_batch_bytes"})
    EXPECT_TRUE(schema.at("properties").as_object().contains(key)) << key;
  // The engine's keys are the host's: it strips them from the section, so the plugin does not claim them.
  for (const char* key :
       {"mode", "batch_size", "max_jobs_in_flight", "poll_interval_s", "online_concurrency"})
    EXPECT_FALSE(schema.at("properties").as_object().contains(key)) << key;
}

TEST(GeminiConfig, EveryKeyParses) {
  GeminiConfig config = read_config(
      R"({"model":"gemini-flash-latest","api_key_env":"MY_KEY","base_url":"https://127.0.0.1:8443/",)"
      R"("api_version":"v1","ca_file":null,"insecure_skip_verify":false,"max_batch_bytes":100000,)"
      R"("connect_timeout_s":5,"io_timeout_s":60,"http_attempts":3,"retry_backoff_s":0.01,"upload_chunk_mb":1,)"
      R"("delete_input_file":false})");
  EXPECT_EQ(config.base_url, "https://127.0.0.1:8443");
  EXPECT_EQ(config.api_key_env, "MY_KEY");
  EXPECT_EQ(config.api_version, "v1");
  EXPECT_EQ(config.max_batch_bytes, 100000);
  EXPECT_EQ(config.connect_timeout().count(), 5000);
  EXPECT_EQ(config.io_timeout().count(), 60000);
  EXPECT_EQ(config.http_attempts, 3);
  EXPECT_EQ(config.retry_backoff().count(), 10);
  EXPECT_EQ(config.upload_chunk_bytes(), 1024u * 1024u);
  EXPECT_FALSE(config.delete_input_file);
}

TEST(GeminiConfig, BadConfigsSayWhatAndWhere) {
  auto message = [](const std::string& text) -> std::string {
    try {
      read_config(text);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  // What the schema says, the declaration refuses.
  EXPECT_EQ(message("{}"), "/model: missing");
  EXPECT_EQ(message(R"({"model":"m","api_version":"v9"})"),
            "/api_version: expected one of \"v1beta\", \"v1\", \"v1alpha\", got \"v9\"");
  EXPECT_EQ(message(R"({"model":"m","http_attempts":0})"), "/http_attempts: must be at least 1, got 0");
  EXPECT_EQ(message(R"({"model":"m","http_attempts":1.5})"),
            "/http_attempts: expected a whole number, got 1.5");
  EXPECT_EQ(message(R"({"model":"m","retry_backoff_s":0})"),
            "/retry_backoff_s: must be at least 0.001, got 0");
  EXPECT_EQ(message(R"({"model":"m","api_key":"sk-123"})"), "/api_key: unknown key");
  EXPECT_EQ(message("[1]"), "/: expected an object");
  // What it cannot say, the provider checks itself.
  EXPECT_EQ(message(R"({"model":""})"), "provider.model: required, e.g. \"gemini-2.5-flash\"");
  EXPECT_EQ(message(R"({"model":"m","base_url":"ftp://x"})"),
            "provider.base_url: must start with https:// (or http:// for a local emulator)");
  EXPECT_EQ(message(R"({"model":"m","base_url":"https://u:p@x"})"),
            "provider.base_url: must not contain a query or credentials");
  EXPECT_EQ(message(R"({"model":"m","api_key_env":""})"),
            "provider.api_key_env: must name an environment variable");
  EXPECT_NE(message(R"({"model":"bad/model"})").find("not a model id"), std::string::npos);
}

}  // namespace
}  // namespace pipehost::gemini
