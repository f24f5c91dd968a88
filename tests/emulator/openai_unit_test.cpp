// Unit tests of the OpenAI pieces that need no socket: the streaming multipart parser, the prefix
// cache arithmetic, prompt extraction and route matching (with the Gemini disambiguation).
#include <gtest/gtest.h>

#include "emulator/openai/multipart.hpp"
#include "emulator/openai/prompt.hpp"
#include "emulator/openai/prompt_cache.hpp"
#include "emulator/openai/routes.hpp"

namespace pipehost::emulator::openai {
namespace {

namespace json = boost::json;

struct Collected {
  std::vector<MultipartPart> parts;
  std::vector<std::string> bodies;
};

MultipartParser collecting_parser(const std::string& boundary, Collected& into) {
  return MultipartParser(boundary,
                         {.begin_part =
                              [&into](const MultipartPart& part) {
                                into.parts.push_back(part);
                                into.bodies.emplace_back();
                              },
                          .part_data = [&into](std::string_view bytes) { into.bodies.back() += bytes; },
                          .end_part = [] {}});
}

// The file part holds near-misses of the delimiter ("\r\n--XyZ" itself may not occur in a part).
const std::string kBody =
    "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n"
    "Content-Type: application/octet-stream\r\n\r\nline 1\r\n--XyW\r\n--Xy\r\n-XyZ\r\n\r\n"
    "--XyZ\r\ncontent-disposition: form-data; name=purpose\r\n\r\nbatch\r\n--XyZ--\r\nepilogue";

TEST(OpenAiMultipart, PartsComeOutTheSameWhateverTheFeedSizes) {
  for (std::size_t piece : {1u, 2u, 3u, 5u, 7u, 64u, 4096u}) {
    Collected got;
    MultipartParser parser = collecting_parser("XyZ", got);
    for (std::size_t at = 0; at < kBody.size(); at += piece)
      parser.feed(std::string_view(kBody).substr(at, piece));
    ASSERT_TRUE(parser.finished()) << piece;
    ASSERT_EQ(got.parts.size(), 2u) << piece;
    EXPECT_EQ(got.parts[0].name, "file");
    EXPECT_EQ(got.parts[0].filename, "in.jsonl");
    EXPECT_EQ(got.parts[0].content_type, "application/octet-stream");
    EXPECT_EQ(got.bodies[0], "line 1\r\n--XyW\r\n--Xy\r\n-XyZ\r\n") << piece;
    EXPECT_EQ(got.parts[1].name, "purpose");
    EXPECT_TRUE(got.parts[1].filename.empty());
    EXPECT_EQ(got.bodies[1], "batch");
  }
}

TEST(OpenAiMultipart, UnfinishedAndMalformedBodies) {
  Collected got;
  MultipartParser unfinished = collecting_parser("XyZ", got);
  unfinished.feed(kBody.substr(0, kBody.size() - 20));
  EXPECT_FALSE(unfinished.finished());
  Collected nameless;
  MultipartParser parser = collecting_parser("B", nameless);
  EXPECT_THROW(parser.feed("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n"), std::invalid_argument);
  EXPECT_THROW(MultipartParser("", {}), std::invalid_argument);
}

TEST(OpenAiMultipart, BoundaryFromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=openai-abc123"), "openai-abc123");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"----formdata-undici-0\""),
            "----formdata-undici-0");
  EXPECT_EQ(multipart_boundary("application/json"), "");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), "");
}

TEST(OpenAiPromptCache, CachesWholeBlocksOfPrefixesFrom1024Tokens) {
  PromptCache cache;
  std::string prefix(8 * 512, 'p');  // exactly 1024 tokens
  EXPECT_EQ(token_count(0), 0);
  EXPECT_EQ(token_count(5), 2);
  EXPECT_EQ(cache.lookup_and_remember("m", prefix + "one"), 0);
  EXPECT_EQ(cache.lookup_and_remember("m", prefix + "two"), 1024);
  EXPECT_EQ(cache.lookup_and_remember("other", prefix + "two"), 0) << "per model";
  std::string longer = prefix + std::string(3 * 512 + 100, 'q');
  EXPECT_EQ(cache.lookup_and_remember("m", longer), 1024) << "only the first 8 blocks were seen";
  EXPECT_EQ(cache.lookup_and_remember("m", longer + "tail"), 1024 + 3 * 128);
  EXPECT_EQ(cache.lookup_and_remember("m", std::string(8 * 512 - 1, 'p')), 0) << "under 1024 tokens";
  std::string diverging = prefix;
  diverging[10] = 'x';
  EXPECT_EQ(cache.lookup_and_remember("m", diverging), 0) << "a difference early breaks the prefix";
}

TEST(OpenAiPrompt, ChatAndResponsesPromptTextSystemTextAndSchema) {
  json::object chat = json::parse(R"({"model":"m","messages":[
      {"role":"developer","content":"Be brief."},
      {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],
      "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"}}}})")
                          .as_object();
  Prompt prompt = prompt_of(ModelEndpoint::chat_completions, chat);
  EXPECT_EQ(prompt.model, "m");
  EXPECT_EQ(prompt.system_text, "Be brief.");
  EXPECT_EQ(prompt.user_text, "a\nb");
  ASSERT_NE(prompt.schema, nullptr);
  EXPECT_EQ(prompt.text, "{\"type\":\"object\"}\nBe brief.\na\nb\n");
  EXPECT_FALSE(check_request_body(ModelEndpoint::chat_completions, chat));

  json::object responses = json::parse(R"({"model":"m","instructions":"Sys","input":"hi",
      "text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"}}}})")
                               .as_object();
  prompt = prompt_of(ModelEndpoint::responses, responses);
  EXPECT_EQ(prompt.text, "{\"type\":\"object\"}\nSys\nhi\n");
  EXPECT_EQ(prompt.system_text, "Sys");
  EXPECT_NE(prompt.schema, nullptr);
  json::object json_object_mode = json::parse(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "response_format":{"type":"json_object"}})")
                                      .as_object();
  EXPECT_EQ(prompt_of(ModelEndpoint::chat_completions, json_object_mode).schema, nullptr);
  EXPECT_TRUE(check_request_body(ModelEndpoint::responses, json::parse(R"({"model":"m"})").as_object()));
  EXPECT_TRUE(check_request_body(ModelEndpoint::chat_completions,
                                 json::parse(R"({"model":"m","messages":[],"stream":false})").as_object()));
  EXPECT_TRUE(check_request_body(ModelEndpoint::chat_completions,
                                 json::parse(R"({"model":"m","messages":[{}],"stream":true})").as_object()));
}

Request request(const std::string& method, const std::string& path,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request out;
  out.method = method;
  out.path = path;
  out.headers = std::move(headers);
  return out;
}

TEST(OpenAiRoutes, MatchesEveryRouteWithItsId) {
  EXPECT_EQ(match_route("POST", "/v1/files")->endpoint, Endpoint::file_upload);
  EXPECT_EQ(match_route("GET", "/v1/files")->endpoint, Endpoint::file_list);
  EXPECT_EQ(match_route("GET", "/v1/files/file-1")->id, "file-1");
  EXPECT_EQ(match_route("DELETE", "/v1/files/file-1")->endpoint, Endpoint::file_delete);
  EXPECT_EQ(match_route("GET", "/v1/files/file-1/content")->endpoint, Endpoint::file_content);
  EXPECT_EQ(match_route("POST", "/v1/batches")->endpoint, Endpoint::batch_create);
  EXPECT_EQ(match_route("GET", "/v1/batches")->endpoint, Endpoint::batch_list);
  EXPECT_EQ(match_route("GET", "/v1/batches/batch_1")->name, "openai GET /v1/batches/{id}");
  EXPECT_EQ(match_route("POST", "/v1/batches/batch_1/cancel")->id, "batch_1");
  EXPECT_EQ(match_route("POST", "/v1/chat/completions")->endpoint, Endpoint::chat_completions);
  EXPECT_EQ(match_route("POST", "/v1/responses")->endpoint, Endpoint::responses);
  EXPECT_FALSE(match_route("GET", "/v1beta/files"));
  EXPECT_FALSE(match_route("PATCH", "/v1/batches/batch_1"));
  EXPECT_FALSE(match_route("GET", "/v1/chat/completions"));
}

TEST(OpenAiRoutes, SharedPathsGoToOpenAiOnlyWithABearerKeyAndNoGeminiKey) {
  auto bearer = std::pair<std::string, std::string>("Authorization", "Bearer k");
  EXPECT_TRUE(match_route(request("GET", "/v1/files", {bearer}), true));
  EXPECT_FALSE(match_route(request("GET", "/v1/files"), true));
  EXPECT_FALSE(match_route(request("GET", "/v1/files", {{"Authorization", "Basic k"}}), true));
  EXPECT_FALSE(match_route(request("GET", "/v1/files", {bearer, {"x-goog-api-key", "g"}}), true));
  Request with_query = request("GET", "/v1/batches", {bearer});
  with_query.query["key"] = "g";
  EXPECT_FALSE(match_route(with_query, true));
  EXPECT_TRUE(match_route(request("POST", "/v1/batches"), false)) << "OpenAI-only paths need no key to match";
}

}  // namespace
}  // namespace pipehost::emulator::openai
