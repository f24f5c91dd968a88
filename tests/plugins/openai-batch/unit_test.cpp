// The openai-batch provider's pieces without a network: strict-schema conversion, request lines,
// result lines and batch objects, prices.
#include <stdexcept>

#include <gtest/gtest.h>

#include "pricing.hpp"
#include "request_encoder.hpp"
#include "response_decoder.hpp"
#include "strict_schema.hpp"

namespace pipehost::openai {
namespace {

Value parse(std::string_view text) {
  Value value;
  std::string error;
  EXPECT_TRUE(parse_json(text, value, error)) << error << ": " << text;
  return value;
}

std::string strict(std::string_view schema) {
  return to_strict_schema_json(schema);
}

std::string error_of_conversion(std::string_view schema) {
  try {
    strict(schema);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(StrictSchema, ClosesEveryObjectAndRequiresEveryProperty) {
  EXPECT_EQ(
      strict(R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"object",)"
             R"("properties":{"c":{"type":"integer","minimum":1}},"required":["c"]}},"required":["a"]})"),
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":["object","null"],)"
      R"("properties":{"c":{"type":"integer","minimum":1}},"required":["c"],"additionalProperties":false}},)"
      R"("required":["a","b"],"additionalProperties":false})");
}

TEST(StrictSchema, OptionalPropertiesBecomeNullable) {
  auto out = parse(strict(R"({"type":"object","properties":{"e":{"type":"string","enum":["x","y"]},)"
                          R"("t":{"type":["integer","null"]},"r":{"$ref":"#/$defs/d"},)"
                          R"("u":{"anyOf":[{"type":"string"},{"type":"number"}]}},)"
                          R"("$defs":{"d":{"type":"object","properties":{}}}})"));
  const Value& p = *out.find("properties");
  EXPECT_EQ(to_json(*p.find("e")), R"({"type":["string","null"],"enum":["x","y",null]})");
  EXPECT_EQ(to_json(*p.find("t")), R"({"type":["integer","null"]})");
  EXPECT_EQ(to_json(*p.find("r")), R"({"anyOf":[{"$ref":"#/$defs/d"},{"type":"null"}]})");
  EXPECT_EQ(to_json(*p.find("u")), R"({"anyOf":[{"type":"string"},{"type":"number"},{"type":"null"}]})");
  EXPECT_EQ(to_json(*out.find("required")), R"(["e","t","r","u"])");
  EXPECT_EQ(to_json(*out.find("$defs")),
            R"({"d":{"type":"object","properties":{},"required":[],"additionalProperties":false}})");
}

TEST(StrictSchema, KeepsTheSongsSchemaAndDropsAnnotations) {
  auto out =
      parse(strict(R"({"$schema":"x","type":"object","description":"d","properties":{"g":{"type":"array",)"
                   R"("items":{"type":"string"},"maxItems":3,"default":[],"description":"up to 3"}},)"
                   R"("required":["g"]})"));
  EXPECT_EQ(to_json(out), R"({"type":"object","description":"d","properties":{"g":{"type":"array","items":)"
                          R"({"type":"string"},"maxItems":3,"description":"up to 3"}},"required":["g"],)"
                          R"("additionalProperties":false})");
}

TEST(StrictSchema, RefusesWhatStrictModeCannotExpressNamingTheKeyword) {
  EXPECT_NE(error_of_conversion(R"({"type":"object","properties":{"a":{"type":"string","minLength":2}}})")
                .find("response schema at /properties/a: minLength is not supported"),
            std::string::npos);
  EXPECT_NE(error_of_conversion(R"({"type":"object","properties":{"a":{"oneOf":[{"type":"string"}]}}})")
                .find("oneOf is not supported by OpenAI's strict structured outputs (use anyOf)"),
            std::string::npos);
  EXPECT_NE(error_of_conversion(R"({"type":"object","additionalProperties":true})").find("must be false"),
            std::string::npos);
  EXPECT_NE(error_of_conversion(R"({"type":"array","items":{"type":"string"}})").find("object at the root"),
            std::string::npos);
  EXPECT_NE(error_of_conversion(
                R"({"type":"object","properties":{"a~/b":{"type":"object","patternProperties":{}}}})")
                .find("/properties/a~0~1b: patternProperties"),
            std::string::npos);
}

std::shared_ptr<const std::string> shared(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

Request songs_request(std::string key = "row \"1\"") {
  Request request;
  request.key = std::move(key);
  request.system_instruction = shared("You classify songs.\nAnswer with JSON.");
  request.user_parts = {"Artist: Toni Basil\nSong: Mickey"};
  request.generation.temperature = 0.2;
  request.generation.max_output_tokens = 500;
  request.generation.seed = 7;
  request.generation.response_schema_json =
      shared(R"({"type":"object","properties":{"genre":{"type":"string"}},"required":["genre"]})");
  return request;
}

TEST(RequestEncoder, ChatLineHasTheSystemMessageFirstAndAStrictSchema) {
  RequestEncoder encoder("gpt-4.1-mini", "/v1/chat/completions");
  std::string line;
  auto request = songs_request();
  encoder.append_line(line, request);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(encoder.line_size(request), line.size());
  EXPECT_EQ(
      line,
      R"({"custom_id":"row \"1\"","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4.1-mini",)"
      R"("messages":[{"role":"system","content":"You classify songs.\nAnswer with JSON."},{"role":"user",)"
      R"("content":"Artist: Toni Basil\nSong: Mickey"}],"response_format":{"type":"json_schema","json_schema":)"
      R"({"name":"response","strict":true,"schema":{"type":"object","properties":{"genre":{"type":"string"}},)"
      R"("required":["genre"],"additionalProperties":false}}},"temperature":0.2,"max_completion_tokens":500,)"
      R"("seed":7}})"
      "\n");
}

TEST(RequestEncoder, ResponsesBodyUsesTextFormatAndMaxOutputTokens) {
  RequestEncoder encoder("gpt-4o", "/v1/responses");
  auto request = songs_request();
  request.user_parts = {"a", "b"};
  request.extra_json = R"({"temperature":0.9,"store":false})";
  std::string body;
  encoder.append_body(body, request);
  auto value = parse(body);
  EXPECT_EQ(
      to_json(*value.find("input")),
      R"([{"role":"system","content":"You classify songs.\nAnswer with JSON."},{"role":"user","content":)"
      R"([{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}])");
  EXPECT_EQ(value.find("text")->find("format")->find("strict")->as_bool(), true);
  EXPECT_EQ(value.find("max_output_tokens")->as_int(), 500);
  EXPECT_EQ(value.find("seed"), nullptr) << "Responses take no seed";
  EXPECT_EQ(value.find("temperature")->as_double(), 0.9) << "extra_json wins, once";
  EXPECT_EQ(body.find("\"temperature\""), body.rfind("\"temperature\""));
  EXPECT_EQ(value.find("store")->as_bool(), false);
}

TEST(RequestEncoder, RefusesWebSearchAndBadSchemasClearly) {
  RequestEncoder encoder("gpt-4.1-mini", "/v1/chat/completions");
  auto request = songs_request();
  request.tools = {"web_search"};
  std::string out;
  try {
    encoder.append_line(out, request);
    FAIL() << "web_search accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("web_search tool is not available"), std::string::npos) << e.what();
  }
  request.tools.clear();
  request.generation.response_schema_json = shared(R"({"type":"object","properties":{"a":{"not":{}}}})");
  EXPECT_THROW(encoder.line_size(request), std::invalid_argument);
  request.generation.response_schema_json = nullptr;
  request.generation.top_k = 3;
  EXPECT_EQ(RequestEncoder::ignored_settings(request), "top_k");
}

TEST(ResponseDecoder, ChatAnswerWithCachedAndReasoningTokens) {
  Response response;
  auto line =
      R"({"id":"batch_req_1","custom_id":"k1","response":{"status_code":200,"request_id":"req_1","body":)"
      R"({"object":"chat.completion","model":"gpt-4.1-mini-2025-04-14","choices":[{"index":0,"message":)"
      R"({"role":"assistant","content":"{\"genre\":\"pop\"}","refusal":null},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":2000,"completion_tokens":30,"total_tokens":2030,"prompt_tokens_details":)"
      R"({"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":10}}}},"error":null})";
  ASSERT_TRUE(decode_result_line(line, response).is_ok());
  EXPECT_EQ(response.key, "k1");
  EXPECT_EQ(response.text, R"({"genre":"pop"})");
  EXPECT_EQ(response.finish, FinishStatus::complete);
  EXPECT_EQ(response.finish_reason, "stop");
  EXPECT_EQ(response.model_version, "gpt-4.1-mini-2025-04-14");
  EXPECT_EQ(response.usage.input_tokens, 2000);
  EXPECT_EQ(response.usage.cached_input_tokens, 1024);
  EXPECT_EQ(response.usage.output_tokens, 20);
  EXPECT_EQ(response.usage.thinking_tokens, 10);
  EXPECT_FALSE(response.error);
  EXPECT_EQ(response.raw_json, line);
}

TEST(ResponseDecoder, FinishReasonsInTheHostsWords) {
  auto finish = [](const std::string& reason, const std::string& refusal = "null") {
    Response response;
    auto body = parse(R"({"choices":[{"message":{"content":"x","refusal":)" + refusal +
                      R"(},"finish_reason":")" + reason + R"("}]})");
    EXPECT_TRUE(decode_body(body, response).is_ok());
    EXPECT_EQ(response.finish_reason, reason);
    return response.finish;
  };
  EXPECT_EQ(finish("stop"), FinishStatus::complete);
  EXPECT_EQ(finish("length"), FinishStatus::truncated);
  EXPECT_EQ(finish("content_filter"), FinishStatus::refused);
  EXPECT_EQ(finish("tool_calls"), FinishStatus::error);
  EXPECT_EQ(finish("stop", "\"I can't\""), FinishStatus::refused);
}

TEST(ResponseDecoder, ResponsesAnswer) {
  Response response;
  auto body = parse(
      R"({"object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},)"
      R"("model":"gpt-4o","output":[{"type":"reasoning"},{"type":"message","content":[{"type":"output_text",)"
      R"("text":"{\"a\":"}]}],"usage":{"input_tokens":1500,"input_tokens_details":{"cached_tokens":1152},)"
      R"("output_tokens":9,"output_tokens_details":{"reasoning_tokens":0}}})");
  ASSERT_TRUE(decode_body(body, response).is_ok());
  EXPECT_EQ(response.text, R"({"a":)");
  EXPECT_EQ(response.finish, FinishStatus::truncated);
  EXPECT_EQ(response.finish_reason, "max_output_tokens");
  EXPECT_EQ(response.usage.cached_input_tokens, 1152);
  EXPECT_EQ(response.usage.output_tokens, 9);
}

TEST(ResponseDecoder, ErrorLinesBecomeRowErrors) {
  Response response;
  ASSERT_TRUE(
      decode_result_line(R"({"id":"b","custom_id":"k2","response":{"status_code":500,"request_id":"r",)"
                         R"("body":{"error":{"message":"boom","type":"server_error","param":null,)"
                         R"("code":null}}},"error":null})",
                         response)
          .is_ok());
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, "server_error");
  EXPECT_EQ(response.error->message, "boom");
  EXPECT_TRUE(response.error->retryable);

  ASSERT_TRUE(
      decode_result_line(R"({"id":"b","custom_id":"k3","response":{"status_code":400,"body":{"error":)"
                         R"({"message":"bad","type":"invalid_request_error","param":null,"code":null}}}})",
                         response)
          .is_ok());
  EXPECT_FALSE(response.error->retryable);

  ASSERT_TRUE(
      decode_result_line(R"({"id":"b","custom_id":"k4","response":null,"error":{"code":"batch_expired",)"
                         R"("message":"This request could not be executed before the completion window )"
                         R"(expired."}})",
                         response)
          .is_ok());
  EXPECT_EQ(response.key, "k4");
  EXPECT_EQ(response.error->code, "batch_expired");
  EXPECT_TRUE(response.error->retryable);

  EXPECT_FALSE(decode_result_line("not json", response).is_ok());
  EXPECT_FALSE(decode_result_line(R"({"response":null})", response).is_ok());
}

TEST(ResponseDecoder, EveryBatchStatusHasAState) {
  EXPECT_EQ(job_state("validating"), JobState::pending);
  EXPECT_EQ(job_state("in_progress"), JobState::running);
  EXPECT_EQ(job_state("finalizing"), JobState::running);
  EXPECT_EQ(job_state("cancelling"), JobState::running);
  EXPECT_EQ(job_state("completed"), JobState::succeeded);
  EXPECT_EQ(job_state("failed"), JobState::failed);
  EXPECT_EQ(job_state("expired"), JobState::expired);
  EXPECT_EQ(job_state("cancelled"), JobState::cancelled);

  BatchInfo info;
  ASSERT_TRUE(
      decode_batch(R"({"id":"batch_1","status":"failed","input_file_id":"file-1","output_file_id":null,)"
                   R"("errors":{"object":"list","data":[{"code":"invalid_json_line","line":3,"message":)"
                   R"("bad line","param":null}]},"request_counts":{"total":10,"completed":4,"failed":1},)"
                   R"("metadata":{"name":"pipehost-x-00001"},"created_at":1700000000})",
                   info)
          .is_ok());
  EXPECT_EQ(info.name, "pipehost-x-00001");
  EXPECT_EQ(info.job.state, JobState::failed);
  EXPECT_EQ(info.job.pending, 5u);
  EXPECT_EQ(info.job.message, "failed: invalid_json_line: bad line (line 3)");
  EXPECT_TRUE(info.output_file_id.empty());
}

TEST(Pricing, CommonModelsAtHalfPriceInABatchAndUnknownOnesUnset) {
  auto info = model_info("gpt-4.1-mini");
  ASSERT_TRUE(info.prices);
  EXPECT_DOUBLE_EQ(info.prices->input, 0.40);
  EXPECT_DOUBLE_EQ(info.prices->cached_input, 0.10);
  EXPECT_DOUBLE_EQ(info.prices->output, 1.60);
  EXPECT_DOUBLE_EQ(info.prices->batch_multiplier, 0.5);
  EXPECT_TRUE(info.prices->batch_discounts_cached_input);
  ASSERT_TRUE(model_info("gpt-4o-2024-08-06").prices);
  EXPECT_DOUBLE_EQ(model_info("gpt-4o-2024-08-06").prices->input, 2.50);
  EXPECT_DOUBLE_EQ(model_info("gpt-4.1-nano").prices->cached_input, 0.025);
  EXPECT_FALSE(model_info("o9-preview").prices);
}

}  // namespace
}  // namespace pipehost::openai
