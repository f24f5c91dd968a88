// anthropic-batch's pieces without a network: custom_id encoding (every key shape, round trips, the
// durable record of hashed ids), the request bodies (shape, exact sizes, caching marks, refusals),
// usage and price mapping, and decoding of results lines, messages, batches and times.
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "custom_id.hpp"
#include "custom_id_book.hpp"
#include "pipehost/value.hpp"
#include "pricing.hpp"
#include "request_encoder.hpp"
#include "response_decoder.hpp"
#include "test_host.hpp"

namespace pipehost::anthropic {
namespace {

Value parse(const std::string& text) {
  Value value;
  std::string error;
  EXPECT_TRUE(parse_json(text, value, error)) << error << "\n" << text;
  return value;
}

// ---- custom_id -------------------------------------------------------------------------------------

std::string round_trip(const std::string& key, const CustomIdBook* book = nullptr) {
  std::string id = encode_custom_id(key);
  EXPECT_TRUE(is_valid_custom_id(id)) << "'" << key << "' -> '" << id << "'";
  std::string back;
  bool decoded = book ? key_of_custom_id(id, *book, back) : decode_custom_id(id, back);
  EXPECT_TRUE(decoded) << "'" << key << "' -> '" << id << "' does not decode";
  EXPECT_EQ(back, key) << "'" << key << "' -> '" << id << "'";
  return id;
}

TEST(AnthropicCustomId, SimpleKeysStayAsTheyAre) {
  EXPECT_EQ(round_trip("1"), "1");
  EXPECT_EQ(round_trip("5946"), "5946");
  EXPECT_EQ(round_trip("row-7"), "row-7");
  EXPECT_EQ(round_trip("ABCxyz-09"), "ABCxyz-09");
  EXPECT_EQ(round_trip(std::string(64, 'k')), std::string(64, 'k'));
}

TEST(AnthropicCustomId, OtherBytesAreEscapedReadably) {
  EXPECT_EQ(round_trip("a_b"), "a__b");
  EXPECT_EQ(round_trip("_"), "__");
  EXPECT_EQ(round_trip("a b"), "a_20b");
  EXPECT_EQ(round_trip("Café"), "Caf_C3_A9");
  EXPECT_EQ(round_trip("x/y.z"), "x_2Fy_2Ez");
  EXPECT_EQ(round_trip("__init__"), "____init____");
}

TEST(AnthropicCustomId, KeysTooLongToEscapeGoCompactUpTo46Bytes) {
  EXPECT_FALSE(round_trip("Tyga Featuring Cedric Gervais, Wiz Khalifa").starts_with("_z"))
      << "54 chars escaped";
  std::string id = round_trip("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u");  // 41 bytes, 81 chars escaped
  EXPECT_TRUE(id.starts_with("_z")) << id;
  EXPECT_EQ(id.size(), 2u + 55u);
  std::string unicode = "名前の歌名前の歌名前の歌名前の歌";  // 48 bytes of UTF-8: too long for compact
  EXPECT_TRUE(round_trip(std::string(unicode, 0, 45)).starts_with("_z"));
  EXPECT_EQ(round_trip(std::string(46, '/')).size(), 2u + 62u);
  EXPECT_TRUE(is_hashed_custom_id(encode_custom_id(std::string(47, '/'))));
  EXPECT_TRUE(is_hashed_custom_id(encode_custom_id(std::string(65, 'k'))))
      << "65 bytes fit no reversible form";
  EXPECT_TRUE(is_hashed_custom_id(encode_custom_id(unicode)));
}

TEST(AnthropicCustomId, EmptyKeyAndEveryByteRoundTrip) {
  EXPECT_EQ(round_trip(""), "_z");
  for (int c = 0; c < 256; ++c) round_trip(std::string(1, static_cast<char>(c)));
  std::string all;
  for (int c = 0; c < 46; ++c) all += static_cast<char>(c * 5 + 3);
  round_trip(all);
  round_trip(std::string("nul\0inside", 10));
}

TEST(AnthropicCustomId, RandomKeysOfEveryShapeRoundTripAndNeverCollide) {
  std::mt19937 random(17);
  std::set<std::string> ids;
  std::set<std::string> keys;
  test::TempDir dir;
  CustomIdBook book;
  ASSERT_TRUE(book.open(dir.file("ids.jsonl")));
  const std::string alphabet = "abcXYZ019-_ ./:é名\xff\x01";
  std::vector<std::pair<std::string, std::string>> hashed;  // recorded at once, as submit does
  for (int i = 0; i < 4000; ++i) {
    std::string key;
    int length = std::uniform_int_distribution<int>(0, i % 10 == 0 ? 300 : 70)(random);
    for (int j = 0; j < length; ++j)
      key += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(random)];
    if (!keys.insert(key).second) continue;
    std::string id = encode_custom_id(key);
    if (is_hashed_custom_id(id)) hashed.emplace_back(id, key);
    EXPECT_TRUE(ids.insert(id).second) << "two keys share " << id;
  }
  EXPECT_GT(hashed.size(), 300u) << "every form is exercised";
  ASSERT_TRUE(book.record(hashed));
  for (const auto& key : keys) round_trip(key, &book);
}

TEST(AnthropicCustomId, IdsThisCodecNeverMakesDoNotDecode) {
  std::string key;
  const std::vector<std::string> foreign_ids = {"_x",
                                                "_4",
                                                "_41",
                                                "_2f",
                                                "a_",
                                                "_h",
                                                "_zA",
                                                "_z__",
                                                "",
                                                "_5F",
                                                "has space",
                                                "request_1",
                                                std::string(65, 'a')};
  for (const auto& foreign : foreign_ids) {
    EXPECT_FALSE(decode_custom_id(foreign, key)) << foreign << " decoded to '" << key << "'";
  }
  // A key with a readable form is never written compact, so "_z" of it is not ours either.
  EXPECT_FALSE(decode_custom_id("_zYWJj", key)) << "abc in base64url";
  EXPECT_FALSE(decode_custom_id("_zAA", key)) << "a NUL byte is written readable, as _00";
  EXPECT_FALSE(decode_custom_id("_h0123456789ABCDEF0123456789ABCDEF", key)) << "hashed ids need the book";
}

TEST(AnthropicCustomIdBook, RecordsDurablyAndSurvivesATornLastLine) {
  test::TempDir dir;
  std::string path = dir.file("custom-ids.jsonl");
  std::string long_key = "https://example.com/" + std::string(200, 'p') + "?q=名前";
  std::string id = encode_custom_id(long_key);
  ASSERT_TRUE(is_hashed_custom_id(id));
  {
    CustomIdBook book;
    ASSERT_TRUE(book.open(path));
    ASSERT_TRUE(book.record({{id, long_key}}));
    ASSERT_TRUE(book.record({{id, long_key}})) << "recording again is a no-op";
  }
  // A kill in the middle of the next append leaves half a line behind.
  std::ofstream(path, std::ios::app) << R"({"id":"_h0000","key":"half a li)";
  CustomIdBook book;
  ASSERT_TRUE(book.open(path));
  EXPECT_EQ(book.size(), 1u);
  std::string key;
  ASSERT_TRUE(key_of_custom_id(id, book, key));
  EXPECT_EQ(key, long_key);
  std::string other = std::string(100, 'q');
  std::string other_id = encode_custom_id(other);
  ASSERT_TRUE(book.record({{other_id, other}}));
  CustomIdBook reopened;
  ASSERT_TRUE(reopened.open(path));
  EXPECT_EQ(reopened.size(), 2u) << "the append after a torn line starts on its own line";
  ASSERT_TRUE(reopened.find(other_id, key));
  EXPECT_EQ(key, other);
  Status clash = reopened.record({{id, "another key"}});
  EXPECT_TRUE(clash.is_fatal());
  EXPECT_NE(clash.message().find("same custom_id"), std::string::npos) << clash.message();
}

// ---- request bodies --------------------------------------------------------------------------------

const char* const kSchema =
    R"({"type":"object","properties":{"genre":{"type":"string","enum":["rock","pop"]},)"
    R"("tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["genre","tags"]})";

Request make_request(const std::string& key = "7", const std::string& user = "Artist: A\nSong: \"B\"") {
  Request request;
  request.key = key;
  request.system_instruction =
      std::make_shared<const std::string>("You classify songs.\n" + std::string(50, 'x'));
  request.user_parts = {user};
  request.generation.temperature = 0.2;
  request.generation.response_schema_json = std::make_shared<const std::string>(kSchema);
  return request;
}

TEST(AnthropicRequestEncoder, BuildsAForcedToolRequestWithACachedSystemBlock) {
  AnthropicConfig config;
  RequestEncoder encoder(config);
  std::string body;
  ASSERT_TRUE(encoder.append_params(body, make_request()));
  Value params = parse(body);
  EXPECT_EQ(params.find("model")->as_string(), "claude-sonnet-4-5");
  EXPECT_EQ(params.find("max_tokens")->as_int(), 1024);
  EXPECT_DOUBLE_EQ(params.find("temperature")->as_double(), 0.2);
  const Value& system = *params.find("system");
  ASSERT_EQ(system.size(), 1u);
  EXPECT_EQ(system[0].find("type")->as_string(), "text");
  EXPECT_EQ(to_json(*system[0].find("cache_control")), R"({"type":"ephemeral","ttl":"1h"})");
  const Value& tools = *params.find("tools");
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_EQ(tools[0].find("name")->as_string(), "answer");
  EXPECT_EQ(to_json(*tools[0].find("input_schema")), kSchema) << "the schema goes as it is (maxItems too)";
  EXPECT_EQ(tools[0].find("cache_control"), nullptr);
  EXPECT_EQ(to_json(*params.find("tool_choice")), R"({"type":"tool","name":"answer"})");
  EXPECT_EQ(to_json(*params.find("messages")), R"([{"role":"user","content":"Artist: A\nSong: \"B\""}])");
  // Cache order is tools, system, messages; the members before messages are the shared prefix.
  EXPECT_LT(body.find("\"system\""), body.find("\"messages\""));
}

TEST(AnthropicRequestEncoder, CacheSettingsAndTheRequestsOwnSettings) {
  AnthropicConfig config;
  config.cache_ttl = "5m";
  config.max_tokens = 300;
  RequestEncoder five(config);
  std::string body;
  Request request = make_request();
  request.generation.max_output_tokens = 77;
  request.generation.top_k = 5;
  request.generation.seed = 3;
  request.user_parts = {"one", "two"};
  ASSERT_TRUE(five.append_params(body, request));
  Value params = parse(body);
  EXPECT_EQ(to_json(*(*params.find("system"))[0].find("cache_control")),
            R"({"type":"ephemeral","ttl":"5m"})");
  EXPECT_EQ(params.find("max_tokens")->as_int(), 77);
  EXPECT_EQ(params.find("top_k")->as_int(), 5);
  EXPECT_EQ(params.find("seed"), nullptr) << "the API has no seed";
  EXPECT_EQ(to_json(*params.find("messages")),
            R"([{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}])");

  config.cache_system = false;
  RequestEncoder off(config);
  body.clear();
  ASSERT_TRUE(off.append_params(body, make_request()));
  EXPECT_EQ(body.find("cache_control"), std::string::npos) << body;

  // No system text: the mark goes on the tool, which is then the whole shared prefix.
  config.cache_system = true;
  RequestEncoder no_system(config);
  request = make_request();
  request.system_instruction.reset();
  body.clear();
  ASSERT_TRUE(no_system.append_params(body, request));
  params = parse(body);
  EXPECT_EQ(params.find("system"), nullptr);
  EXPECT_NE((*params.find("tools"))[0].find("cache_control"), nullptr) << body;

  // No schema: a plain text request, no tools.
  request = make_request();
  request.generation.response_schema_json.reset();
  body.clear();
  ASSERT_TRUE(no_system.append_params(body, request));
  params = parse(body);
  EXPECT_EQ(params.find("tools"), nullptr);
  EXPECT_EQ(params.find("tool_choice"), nullptr);
}

TEST(AnthropicRequestEncoder, ExtraJsonReplacesAndAddsMembers) {
  AnthropicConfig config;
  RequestEncoder encoder(config);
  Request request = make_request();
  request.extra_json = R"({"max_tokens": 9, "metadata": {"user_id": "u1"}})";
  std::string body;
  ASSERT_TRUE(encoder.append_params(body, request));
  Value params = parse(body);
  EXPECT_EQ(params.find("max_tokens")->as_int(), 9);
  EXPECT_EQ(params.find("metadata")->find("user_id")->as_string(), "u1");
  request.extra_json = "[1]";
  EXPECT_TRUE(encoder.append_params(body, request).is_fatal());
}

TEST(AnthropicRequestEncoder, RefusesWhatItCannotExpress) {
  AnthropicConfig config;
  RequestEncoder encoder(config);
  std::string body;
  Request request = make_request();
  request.tools = {"web_search"};
  Status refused = encoder.append_params(body, request);
  EXPECT_TRUE(refused.is_fatal());
  EXPECT_NE(refused.message().find("web_search"), std::string::npos);

  request = make_request();
  request.generation.response_schema_json = std::make_shared<const std::string>(R"({"type":"array"})");
  refused = encoder.append_params(body, request);
  EXPECT_TRUE(refused.is_fatal());
  EXPECT_NE(refused.message().find("root must be"), std::string::npos) << refused.message();

  request = make_request();
  request.generation.thinking_budget = 2048;
  EXPECT_TRUE(encoder.append_params(body, request).is_fatal());
  request.generation.response_schema_json.reset();
  body.clear();
  ASSERT_TRUE(encoder.append_params(body, request));
  EXPECT_EQ(to_json(*parse(body).find("thinking")), R"({"type":"enabled","budget_tokens":2048})");
}

TEST(AnthropicRequestEncoder, ItemSizeIsExactForEveryShape) {
  AnthropicConfig config;
  RequestEncoder encoder(config);
  std::vector<Request> requests;
  requests.push_back(make_request("1"));
  requests.push_back(make_request("名前", "tab\there \"quoted\" \\ and \x01 control and bad \xff byte"));
  requests.push_back(make_request(std::string(300, 'k'), std::string(5000, 'u')));
  Request extra = make_request("x");
  extra.extra_json = R"({"metadata":{"user_id":"é"}})";
  requests.push_back(extra);
  Request bare = make_request("y");
  bare.system_instruction.reset();
  bare.generation = {};
  requests.push_back(bare);
  for (const auto& request : requests) {
    std::string id = encode_custom_id(request.key);
    std::string item;
    ASSERT_TRUE(encoder.append_batch_item(item, id, request));
    std::uint64_t size = 0;
    ASSERT_TRUE(encoder.batch_item_size(id, request, size));
    EXPECT_EQ(size, item.size()) << item.substr(0, 200);
    Value parsed = parse(item);
    EXPECT_EQ(parsed.find("custom_id")->as_string(), id);
  }
}

// ---- prices and usage ------------------------------------------------------------------------------

TEST(AnthropicPricing, ListPricesCacheFactorsAndTheBatchDiscount) {
  ModelInfo sonnet = model_info("claude-sonnet-4-5", "1h");
  ASSERT_TRUE(sonnet.prices);
  EXPECT_DOUBLE_EQ(sonnet.prices->input, 3.0);
  EXPECT_DOUBLE_EQ(sonnet.prices->output, 15.0);
  EXPECT_DOUBLE_EQ(sonnet.prices->cache_write, 6.0) << "1-hour writes: 2x input";
  EXPECT_DOUBLE_EQ(sonnet.prices->cached_input, 0.3) << "reads: 0.1x input";
  EXPECT_DOUBLE_EQ(sonnet.prices->batch_multiplier, 0.5);
  EXPECT_TRUE(sonnet.prices->batch_discounts_cached_input) << "the batch discount stacks on cache prices";
  EXPECT_DOUBLE_EQ(model_info("claude-sonnet-4-5", "5m").prices->cache_write, 3.75)
      << "5-minute writes: 1.25x";
  EXPECT_DOUBLE_EQ(model_info("claude-opus-4-5-20251101", "1h").prices->input, 5.0) << "dated id, not Opus 4";
  EXPECT_DOUBLE_EQ(model_info("claude-opus-4-20250514", "1h").prices->input, 15.0);
  EXPECT_DOUBLE_EQ(model_info("claude-haiku-4-5", "1h").prices->output, 5.0);
  EXPECT_DOUBLE_EQ(model_info("claude-haiku-4-5-latest", "1h").prices->input, 1.0);
  EXPECT_FALSE(model_info("claude-sonnet-4-7", "1h").prices) << "an unknown model is not priced as Sonnet 4";
  EXPECT_FALSE(model_info("claude-sonnet-4-50", "1h").prices);
  EXPECT_FALSE(model_info("gpt-5", "1h").prices);
}

TEST(AnthropicUsage, InputCountsEveryInputTokenAndTheCostIsTheListPrice) {
  Response response;
  read_message(parse(R"({"type":"message","model":"claude-sonnet-4-5","stop_reason":"tool_use",
    "content":[{"type":"tool_use","id":"t","name":"answer","input":{"genre":"rock","tags":["a"]}}],
    "usage":{"input_tokens":30,"output_tokens":12,"cache_creation_input_tokens":4000,
             "cache_read_input_tokens":0,"service_tier":"batch"}})"),
               response);
  EXPECT_EQ(response.usage.input_tokens, 4030) << "input_tokens is only the uncached rest";
  EXPECT_EQ(response.usage.cache_write_tokens, 4000);
  EXPECT_EQ(response.usage.cached_input_tokens, 0);
  EXPECT_EQ(response.usage.output_tokens, 12);
  EXPECT_EQ(response.text, R"({"genre":"rock","tags":["a"]})");
  EXPECT_EQ(response.finish, FinishStatus::complete);

  // What the host bills for a batch row that read the cache: (uncached x input + read x 0.1 input +
  // output x output) x 0.5, with Sonnet 4.5's $3 / $15.
  Response hit;
  read_message(parse(R"({"type":"message","stop_reason":"end_turn","content":[{"type":"text","text":"x"}],
    "usage":{"input_tokens":30,"output_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":4000}})"),
               hit);
  TokenPrices p = *model_info("claude-sonnet-4-5", "1h").prices;
  double uncached = static_cast<double>(hit.usage.input_tokens - hit.usage.cached_input_tokens -
                                        hit.usage.cache_write_tokens);
  double dollars = (uncached * p.input + hit.usage.cached_input_tokens * p.cached_input +
                    hit.usage.output_tokens * p.output) /
                   1e6 * p.batch_multiplier;
  EXPECT_NEAR(dollars, (30 * 3.0 + 4000 * 0.3 + 12 * 15.0) / 1e6 * 0.5, 1e-12);
}

TEST(AnthropicDecoding, FinishStatusesAndTextAnswers) {
  EXPECT_EQ(finish_of("end_turn"), FinishStatus::complete);
  EXPECT_EQ(finish_of("tool_use"), FinishStatus::complete);
  EXPECT_EQ(finish_of("stop_sequence"), FinishStatus::complete);
  EXPECT_EQ(finish_of("max_tokens"), FinishStatus::truncated);
  EXPECT_EQ(finish_of("model_context_window_exceeded"), FinishStatus::truncated);
  EXPECT_EQ(finish_of("refusal"), FinishStatus::refused);
  EXPECT_EQ(finish_of("pause_turn"), FinishStatus::error);
  Response response;
  read_message(parse(R"({"type":"message","model":"m-1","stop_reason":"max_tokens",
    "content":[{"type":"text","text":"{\"genre\":"},{"type":"text","text":"\"ro"}]})"),
               response);
  EXPECT_EQ(response.text, R"({"genre":"ro)");
  EXPECT_EQ(response.finish, FinishStatus::truncated);
  EXPECT_EQ(response.finish_reason, "max_tokens");
  EXPECT_EQ(response.model_version, "m-1");
  // A tool_use of another name is not the answer.
  read_message(parse(R"({"type":"message","stop_reason":"refusal","content":[{"type":"text","text":"no"},
    {"type":"tool_use","name":"other","input":{}}]})"),
               response);
  EXPECT_EQ(response.text, "no");
  EXPECT_EQ(response.finish, FinishStatus::refused);
}

TEST(AnthropicDecoding, ResultLinesOfEveryType) {
  std::string id;
  ResultType type;
  Response response;
  std::string line =
      R"({"custom_id":"row-1","result":{"type":"succeeded","message":{"type":"message","stop_reason":"tool_use",)"
      R"("content":[{"type":"tool_use","name":"answer","input":{"a":1}}],"usage":{"input_tokens":5,"output_tokens":2}}}})";
  ASSERT_TRUE(decode_result_line(line, id, type, response));
  EXPECT_EQ(id, "row-1");
  EXPECT_EQ(type, ResultType::succeeded);
  EXPECT_EQ(response.text, R"({"a":1})");
  EXPECT_EQ(response.raw_json, line);
  EXPECT_FALSE(response.error);

  ASSERT_TRUE(decode_result_line(
      R"({"custom_id":"r2","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too big"},"request_id":"req_1"}}})",
      id, type, response));
  EXPECT_EQ(type, ResultType::errored);
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, "invalid_request_error");
  EXPECT_EQ(response.error->message, "max_tokens: too big");
  EXPECT_FALSE(response.error->retryable);

  for (const char* retryable : {"api_error", "overloaded_error", "rate_limit_error", "timeout_error"}) {
    ASSERT_TRUE(decode_result_line(
        std::string(
            R"({"custom_id":"r","result":{"type":"errored","error":{"type":"error","error":{"type":")") +
            retryable + R"(","message":"m"}}}})",
        id, type, response));
    EXPECT_TRUE(response.error && response.error->retryable) << retryable;
  }
  ASSERT_TRUE(decode_result_line(R"({"custom_id":"r3","result":{"type":"expired"}})", id, type, response));
  EXPECT_EQ(type, ResultType::expired);
  ASSERT_TRUE(response.error);
  EXPECT_EQ(response.error->code, "expired");
  EXPECT_TRUE(response.error->retryable);
  ASSERT_TRUE(decode_result_line(R"({"custom_id":"r4","result":{"type":"canceled"}})", id, type, response));
  EXPECT_EQ(type, ResultType::canceled);

  EXPECT_FALSE(decode_result_line("not json", id, type, response));
  EXPECT_FALSE(decode_result_line(R"({"custom_id":"r5"})", id, type, response));
  EXPECT_FALSE(decode_result_line(R"({"custom_id":"r5","result":{"type":"new"}})", id, type, response));
}

TEST(AnthropicDecoding, BatchesTheirStatesAndPages) {
  BatchInfo info;
  ASSERT_TRUE(decode_batch(R"({"id":"msgbatch_01","type":"message_batch","processing_status":"in_progress",
    "request_counts":{"processing":3,"succeeded":0,"errored":0,"canceled":0,"expired":0},
    "created_at":"2026-11-27T15:03:47.5Z","cancel_initiated_at":null,"results_url":null,"ended_at":null})",
                           info));
  EXPECT_EQ(info.id, "msgbatch_01");
  EXPECT_DOUBLE_EQ(info.created_at, 1795791827.5);
  JobStatus status = info.status();
  EXPECT_EQ(status.state, JobState::running);
  EXPECT_EQ(status.total, 3u);
  EXPECT_EQ(status.pending, 3u);
  EXPECT_EQ(info.summary().request_count, 3u);

  ASSERT_TRUE(decode_batch(R"({"id":"b","processing_status":"ended","created_at":"2026-11-27T15:03:47Z",
    "request_counts":{"processing":0,"succeeded":2,"errored":1,"canceled":0,"expired":1},"cancel_initiated_at":null,
    "results_url":"https://x/v1/messages/batches/b/results"})",
                           info));
  status = info.status();
  EXPECT_EQ(status.state, JobState::succeeded) << "failed requests are reported per row";
  EXPECT_EQ(status.succeeded, 2u);
  EXPECT_EQ(status.failed, 2u);
  EXPECT_EQ(info.summary().request_count, 4u);
  ASSERT_TRUE(decode_batch(R"({"id":"c","processing_status":"ended","created_at":"2026-11-27T15:03:47Z",
    "request_counts":{"processing":0,"succeeded":0,"errored":0,"canceled":0,"expired":4}})",
                           info));
  EXPECT_EQ(info.status().state, JobState::expired);
  ASSERT_TRUE(decode_batch(R"({"id":"d","processing_status":"canceling","created_at":"2026-11-27T15:03:47Z",
    "cancel_initiated_at":"2026-11-27T15:04:00Z","request_counts":{"processing":4}})",
                           info));
  EXPECT_EQ(info.status().state, JobState::running);
  ASSERT_TRUE(decode_batch(R"({"id":"d","processing_status":"ended","created_at":"2026-11-27T15:03:47Z",
    "cancel_initiated_at":"2026-11-27T15:04:00Z","request_counts":{"succeeded":1,"canceled":3}})",
                           info));
  EXPECT_EQ(info.status().state, JobState::cancelled);

  std::vector<BatchInfo> page;
  bool has_more = false;
  std::string last;
  ASSERT_TRUE(decode_batch_page(
      R"({"data":[{"id":"b2","created_at":"2026-11-27T15:00:00Z","processing_status":"ended",
    "request_counts":{"succeeded":2}},{"id":"b1","created_at":"2026-11-27T14:00:00Z","processing_status":"ended",
    "request_counts":{"succeeded":5}}],"has_more":true,"first_id":"b2","last_id":"b1"})",
      page, has_more, last));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_TRUE(has_more);
  EXPECT_EQ(last, "b1");
  EXPECT_EQ(page[1].summary().request_count, 5u);
  ASSERT_TRUE(decode_batch_page(R"({"data":[],"has_more":false,"first_id":null,"last_id":null})", page,
                                has_more, last));
  EXPECT_TRUE(page.empty());
  EXPECT_FALSE(has_more);
  EXPECT_FALSE(decode_batch(R"({"type":"error"})", info));
}

TEST(AnthropicDecoding, TimesAndErrors) {
  double t = 0;
  ASSERT_TRUE(parse_rfc3339("1970-01-01T00:00:00Z", t));
  EXPECT_DOUBLE_EQ(t, 0);
  ASSERT_TRUE(parse_rfc3339("2024-02-29T23:59:59.25+01:00", t));
  EXPECT_DOUBLE_EQ(t, 1709251199.25 - 3600);
  ASSERT_TRUE(parse_rfc3339("2026-11-27T15:03:47.123456-05:30", t));
  EXPECT_NEAR(t, 1795791827.123456 + 5.5 * 3600, 1e-6);
  EXPECT_FALSE(parse_rfc3339("2026-11-27 15:03", t));
  EXPECT_FALSE(parse_rfc3339("2026-11-27T15:03:47", t)) << "no zone";
  EXPECT_FALSE(parse_rfc3339("2026-13-27T15:03:47Z", t));
  EXPECT_EQ(error_text(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})"),
            "rate_limit_error: slow down");
  EXPECT_EQ(error_text("<html>gateway</html>"), "<html>gateway</html>");
}

}  // namespace
}  // namespace pipehost::anthropic
