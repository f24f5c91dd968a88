// Gemini Google Search grounding, implicit caching, the grounding_429 fault and their stats,
// through real HTTPS against the emulator binary (batch files, inlined batches, generateContent).
#include <map>

#include "gemini_client.hpp"

namespace pipehost::test {
namespace {

const std::string kModel = "gemini-2.5-flash";
const std::string kSongText =
    "Artist: Eminem\nSong: Stan\nMost frequent name in the lyrics: Stan (12 times; refers to a person: TRUE)";
const std::string kSchema = R"({"type":"OBJECT","properties":{"genre":{"type":"STRING"}}})";
// 9,000 bytes of system text: with the schema, a prefix of more than 2,048 emulator tokens.
const std::string kLongSystem(9000, 's');

/// A GenerateContentRequest; `tools` is the JSON of the tools array, or empty for none.
json::object song_request(const std::string& user_text, const std::string& system_text,
                          const std::string& tools = "", const std::string& schema = kSchema) {
  json::object request;
  request["contents"] =
      json::array{json::object{{"role", "user"}, {"parts", json::array{json::object{{"text", user_text}}}}}};
  request["systemInstruction"] = json::object{{"parts", json::array{json::object{{"text", system_text}}}}};
  request["generationConfig"] =
      json::object{{"responseMimeType", "application/json"}, {"responseSchema", parse_json(schema)}};
  if (!tools.empty()) request["tools"] = parse_json(tools);
  return request;
}

/// The emulator's prefix size: system text + compact schema JSON + compact tools JSON, in bytes.
std::size_t prefix_bytes(const json::object& request) {
  std::size_t bytes = str(request.at("systemInstruction").at("parts").at(0).at("text")).size();
  bytes += json::serialize(request.at("generationConfig").at("responseSchema")).size();
  if (request.contains("tools")) bytes += json::serialize(request.at("tools")).size();
  return bytes;
}

std::int64_t tokens(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + 3) / 4);
}

json::object generate(const GeminiCalls& gemini, const json::object& request,
                      const std::string& model = kModel) {
  HttpReply reply =
      gemini.call("POST", "/v1beta/models/" + model + ":generateContent", json::serialize(request));
  EXPECT_EQ(reply.status, 200u) << reply.body;
  return parse_json(reply.body).as_object();
}

std::string text_of(const json::value& response) {
  return str(response.at("candidates").at(0).at("content").at("parts").at(0).at("text"));
}

bool grounded(const json::value& response) {
  return response.at("candidates").at(0).as_object().contains("groundingMetadata");
}

bool has_cached_tokens(const json::value& response) {
  return response.at("usageMetadata").as_object().contains("cachedContentTokenCount");
}

/// The output lines of a finished file-mode batch, by key.
std::map<std::string, json::object> output_lines(const GeminiCalls& gemini, const json::object& done) {
  std::string output = str(done.at("metadata").at("output").at("responsesFile"));
  std::string body = gemini.call("GET", "/v1beta/" + output + ":download?alt=media").body;
  std::map<std::string, json::object> lines;
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find('\n', start);
    json::object line = parse_json(body.substr(start, end - start)).as_object();
    lines[str(line.at("key"))] = line;
    start = end + 1;
  }
  return lines;
}

/// Batch output lines by key (file mode).
std::map<std::string, json::object> run_file_batch(const GeminiCalls& gemini, const std::string& jsonl,
                                                   const std::string& display_name) {
  HttpReply created = gemini.create_batch(gemini.upload(jsonl), display_name, kModel);
  EXPECT_EQ(created.status, 200u) << created.body;
  json::object done = gemini.wait_for_batch(str(parse_json(created.body).at("name")));
  EXPECT_EQ(str(done.at("metadata").at("state")), "BATCH_STATE_SUCCEEDED") << json::serialize(done);
  return output_lines(gemini, done);
}

std::string batch_line(const std::string& key, const json::object& request) {
  return json::serialize(json::object{{"key", key}, {"request", request}}) + "\n";
}

void expect_grounding_shape(const json::object& response) {
  const json::object& metadata = response.at("candidates").at(0).at("groundingMetadata").as_object();
  const json::array& queries = metadata.at("webSearchQueries").as_array();
  ASSERT_GE(queries.size(), 1u);
  ASSERT_LE(queries.size(), 3u);
  EXPECT_EQ(str(queries[0]), "Eminem Stan release year");
  const std::string rendered = str(metadata.at("searchEntryPoint").at("renderedContent"));
  for (const auto& query : queries) EXPECT_NE(rendered.find(str(query)), std::string::npos) << rendered;
  const json::array& chunks = metadata.at("groundingChunks").as_array();
  EXPECT_EQ(chunks.size(), queries.size() + 1);
  for (const auto& chunk : chunks) {
    EXPECT_EQ(str(chunk.at("web").at("uri")).rfind("https://vertexaisearch.cloud.google.com/", 0), 0u);
    EXPECT_FALSE(str(chunk.at("web").at("title")).empty());
  }
  std::string text = text_of(response);
  const json::array& supports = metadata.at("groundingSupports").as_array();
  ASSERT_FALSE(supports.empty());
  std::size_t covered = 0;
  for (const auto& support : supports) {
    const json::object& segment = support.at("segment").as_object();
    std::size_t start =
        segment.contains("startIndex") ? segment.at("startIndex").to_number<std::size_t>() : 0;
    std::size_t end = segment.at("endIndex").to_number<std::size_t>();
    EXPECT_EQ(start, covered);
    EXPECT_EQ(str(segment.at("text")), text.substr(start, end - start))
        << "segments index the answer's bytes";
    for (const auto& index : support.at("groundingChunkIndices").as_array())
      EXPECT_LT(index.to_number<std::size_t>(), chunks.size());
    covered = end;
  }
  EXPECT_EQ(covered, text.size());
}

TEST(EmulatorGeminiGrounding, GenerateContentGetsGroundingMetadataOnlyWithTheSearchTool) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  json::object plain = generate(gemini, song_request(kSongText, "Classify."));
  EXPECT_FALSE(grounded(plain)) << json::serialize(plain);
  for (std::string tools :
       {R"([{"googleSearch":{}}])", R"([{"google_search":{}}])", R"([{"googleSearchRetrieval":{}}])",
        R"([{"functionDeclarations":[]},{"googleSearch":{}}])"}) {
    SCOPED_TRACE(tools);
    json::object response = generate(gemini, song_request(kSongText, "Classify.", tools));
    ASSERT_TRUE(grounded(response)) << json::serialize(response);
    expect_grounding_shape(response);
    EXPECT_EQ(text_of(response), text_of(plain)) << "grounding changes metadata, never the answer";
    EXPECT_EQ(generate(gemini, song_request(kSongText, "Classify.", tools)), response) << "deterministic";
  }
  json::object other_tool =
      generate(gemini, song_request(kSongText, "Classify.", R"([{"codeExecution":{}}])"));
  EXPECT_FALSE(grounded(other_tool));
  json::object stats = parse_json(emulator.stats_json()).at("gemini").as_object();
  EXPECT_EQ(stats.at("grounded_requests").as_int64(), 8);
}

TEST(EmulatorGeminiGrounding, BatchLinesAndInlinedRequestsAreGroundedOnlyWithTheTool) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  std::string jsonl;
  for (int i = 0; i < 6; ++i) {
    std::string tools = i % 2 ? R"([{"googleSearch":{}}])" : "";
    jsonl += batch_line("k" + std::to_string(i), song_request(kSongText, "Classify.", tools));
  }
  json::object bare = song_request(kSongText, "Classify.", R"([{"googleSearch":{}}])");
  auto lines = run_file_batch(gemini, jsonl, "grounded-file");
  ASSERT_EQ(lines.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const json::object& line = lines.at("k" + std::to_string(i));
    ASSERT_TRUE(line.contains("response")) << json::serialize(line);
    EXPECT_EQ(grounded(line.at("response")), i % 2 == 1) << "k" << i;
    if (i % 2) expect_grounding_shape(line.at("response").as_object());
  }

  // A keyless line is answered as generateContent answers it: the same groundingMetadata.
  std::string file = gemini.upload(json::serialize(bare) + "\n");
  json::object done =
      gemini.wait_for_batch(str(parse_json(gemini.create_batch(file, "bare", kModel).body).at("name")));
  std::string output = str(done.at("metadata").at("output").at("responsesFile"));
  std::string downloaded = gemini.call("GET", "/v1beta/" + output + ":download?alt=media").body;
  json::object bare_line = parse_json(downloaded.substr(0, downloaded.find('\n'))).as_object();
  EXPECT_EQ(bare_line.at("response").at("candidates").at(0).at("groundingMetadata"),
            generate(gemini, bare).at("candidates").at(0).at("groundingMetadata"));

  json::array requests;
  for (int i = 0; i < 2; ++i) {
    requests.push_back(
        json::object{{"request", song_request(kSongText, "Classify.", i ? R"([{"google_search":{}}])" : "")},
                     {"metadata", json::object{{"key", "inline-" + std::to_string(i)}}}});
  }
  json::object create{
      {"batch",
       json::object{{"displayName", "grounded-inline"},
                    {"inputConfig", json::object{{"requests", json::object{{"requests", requests}}}}}}}};
  HttpReply created =
      gemini.call("POST", "/v1beta/models/" + kModel + ":batchGenerateContent", json::serialize(create));
  ASSERT_EQ(created.status, 200u) << created.body;
  json::object inline_done = gemini.wait_for_batch(str(parse_json(created.body).at("name")));
  for (const auto& item :
       inline_done.at("metadata").at("output").at("inlinedResponses").at("inlinedResponses").as_array()) {
    EXPECT_EQ(grounded(item.at("response")), str(item.at("metadata").at("key")) == "inline-1");
  }
}

TEST(EmulatorGeminiCaching, ALongPrefixIsCachedFromTheSecondRequestOn) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  json::object request = song_request(kSongText, kLongSystem);
  json::object first = generate(gemini, request);
  EXPECT_FALSE(has_cached_tokens(first)) << "the first request with a prefix reports no cached tokens";
  std::int64_t prompt_tokens = tokens(prefix_bytes(request) + kSongText.size());
  EXPECT_EQ(first.at("usageMetadata").at("promptTokenCount").as_int64(), prompt_tokens);

  // Another row with the same prefix: the whole prefix is cached, the prompt count stays inclusive.
  const std::string other_row = "Artist: Adele\nSong: Hello";
  json::object second = generate(gemini, song_request(other_row, kLongSystem));
  const json::object& usage = second.at("usageMetadata").as_object();
  ASSERT_TRUE(usage.contains("cachedContentTokenCount")) << json::serialize(usage);
  std::int64_t cached = usage.at("cachedContentTokenCount").as_int64();
  EXPECT_EQ(cached, tokens(prefix_bytes(request)));
  EXPECT_GE(cached, 2048);
  EXPECT_EQ(usage.at("promptTokenCount").as_int64(), tokens(prefix_bytes(request) + other_row.size()));
  EXPECT_LE(cached, usage.at("promptTokenCount").as_int64());
  EXPECT_EQ(usage.at("totalTokenCount").as_int64(),
            usage.at("promptTokenCount").as_int64() + usage.at("candidatesTokenCount").as_int64());
  EXPECT_EQ(usage.at("cacheTokensDetails"),
            parse_json(R"([{"modality":"TEXT","tokenCount":)" + std::to_string(cached) + "}]"));
  EXPECT_EQ(text_of(generate(gemini, request)), text_of(first)) << "caching never changes the answer";

  // Not cached: another schema, another model, tools added (all part of the prefix), a short prefix.
  EXPECT_FALSE(has_cached_tokens(
      generate(gemini, song_request(kSongText, kLongSystem, "", R"({"type":"OBJECT","properties":{}})"))));
  EXPECT_FALSE(has_cached_tokens(generate(gemini, request, "gemini-2.5-pro")));
  json::object with_search = song_request(kSongText, kLongSystem, R"([{"googleSearch":{}}])");
  EXPECT_FALSE(has_cached_tokens(generate(gemini, with_search)));
  EXPECT_EQ(generate(gemini, with_search).at("usageMetadata").at("cachedContentTokenCount").as_int64(),
            tokens(prefix_bytes(with_search)));
  json::object short_prefix = song_request(kSongText, std::string(7000, 's'));  // ~1,765 tokens
  generate(gemini, short_prefix);
  EXPECT_FALSE(has_cached_tokens(generate(gemini, short_prefix)));
}

TEST(EmulatorGeminiCaching, BatchLinesAfterTheFirstHitAndLaterRequestsToo) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  std::string jsonl;
  for (int i = 0; i < 8; ++i)
    jsonl += batch_line("k" + std::to_string(i), song_request("Song " + std::to_string(i), kLongSystem));
  auto lines = run_file_batch(gemini, jsonl, "cached");
  ASSERT_EQ(lines.size(), 8u);
  std::int64_t expected = tokens(prefix_bytes(song_request("", kLongSystem)));
  std::int64_t total = 0;
  for (int i = 0; i < 8; ++i) {
    const json::object& response = lines.at("k" + std::to_string(i)).at("response").as_object();
    if (i == 0) {
      EXPECT_FALSE(has_cached_tokens(response)) << "the first line in input order misses";
    } else {
      ASSERT_TRUE(has_cached_tokens(response)) << "k" << i;
      std::int64_t cached = response.at("usageMetadata").at("cachedContentTokenCount").as_int64();
      EXPECT_EQ(cached, expected);
      EXPECT_LE(cached, response.at("usageMetadata").at("promptTokenCount").as_int64());
      total += cached;
    }
  }
  // The cache outlives the batch: an online request and a later batch's first line hit it.
  EXPECT_TRUE(has_cached_tokens(generate(gemini, song_request("Song 99", kLongSystem))));
  total += expected;
  auto again =
      run_file_batch(gemini, batch_line("next", song_request("Song 0", kLongSystem)), "cached-again");
  EXPECT_TRUE(has_cached_tokens(again.at("next").at("response")));
  total += expected;
  EXPECT_EQ(parse_json(emulator.stats_json()).at("gemini").at("cached_content_tokens").as_int64(), total);
}

TEST(EmulatorGeminiFaults, Grounding429RefusesTheNextSearchRequestsOnly) {
  EmulatorProcess emulator({.faults = "grounding_429=2,retry_delay_s=3"});
  GeminiCalls gemini(emulator);
  json::object search = song_request(kSongText, "Classify.", R"([{"googleSearch":{}}])");
  generate(gemini, song_request(kSongText, "Classify."));  // no tool: not refused, not counted
  for (int i = 0; i < 2; ++i) {
    HttpReply refused =
        gemini.call("POST", "/v1beta/models/" + kModel + ":generateContent", json::serialize(search));
    ASSERT_EQ(refused.status, 429u) << refused.body;
    json::object error = parse_json(refused.body).at("error").as_object();
    EXPECT_EQ(str(error.at("status")), "RESOURCE_EXHAUSTED");
    std::map<std::string, json::object> details;
    for (const auto& detail : error.at("details").as_array())
      details[str(detail.at("@type"))] = detail.as_object();
    const json::object& violation =
        details.at("type.googleapis.com/google.rpc.QuotaFailure").at("violations").at(0).as_object();
    EXPECT_EQ(str(violation.at("quotaId")), "SearchGroundingRequestsPerDayPerProjectPerModel");
    EXPECT_EQ(str(violation.at("quotaMetric")),
              "generativelanguage.googleapis.com/search_grounding_requests");
    EXPECT_EQ(str(details.at("type.googleapis.com/google.rpc.RetryInfo").at("retryDelay")), "3s");
  }
  EXPECT_TRUE(grounded(generate(gemini, search)));
  json::object stats = parse_json(emulator.stats_json()).as_object();
  EXPECT_EQ(stats.at("faults_injected").at("grounding_429").as_int64(), 2);
  EXPECT_EQ(stats.at("gemini").at("grounded_requests").as_int64(), 1) << "refused requests are not grounded";
}

TEST(EmulatorGeminiFaults, Grounding429GivesBatchLinesTheirOwn429Errors) {
  EmulatorProcess emulator({.faults = "batch_ms=0"});
  GeminiCalls gemini(emulator);
  emulator.set_faults("batch_ms=0,grounding_429=2");
  EXPECT_NE(
      str(parse_json(gemini.call("GET", "/_emulator/faults").body).at("faults")).find("grounding_429=2"),
      std::string::npos);
  std::string jsonl = batch_line("plain", song_request(kSongText, "Classify."));
  for (int i = 0; i < 4; ++i)
    jsonl +=
        batch_line("s" + std::to_string(i), song_request(kSongText, "Classify.", R"([{"googleSearch":{}}])"));
  HttpReply created = gemini.create_batch(gemini.upload(jsonl), "quota", kModel);
  ASSERT_EQ(created.status, 200u) << "the batch create itself is not refused: " << created.body;
  json::object done = gemini.wait_for_batch(str(parse_json(created.body).at("name")));
  EXPECT_EQ(str(done.at("metadata").at("batchStats").at("failedRequestCount")), "2");
  auto lines = output_lines(gemini, done);
  EXPECT_TRUE(lines.at("plain").contains("response"));
  for (std::string key : {"s0", "s1"}) {  // the first two search lines in input order
    const json::object& error = lines.at(key).at("error").as_object();
    EXPECT_EQ(error.at("code").as_int64(), 429);
    EXPECT_EQ(str(error.at("status")), "RESOURCE_EXHAUSTED");
    EXPECT_EQ(str(error.at("details").at(0).at("violations").at(0).at("quotaId")),
              "SearchGroundingRequestsPerDayPerProjectPerModel");
  }
  for (std::string key : {"s2", "s3"}) EXPECT_TRUE(grounded(lines.at(key).at("response")));
}

TEST(EmulatorGeminiStats, GroundingAndCachingAreCountedAndReset) {
  EmulatorProcess emulator;
  GeminiCalls gemini(emulator);
  json::object zero = parse_json(emulator.stats_json()).at("gemini").as_object();
  EXPECT_EQ(zero, parse_json(R"({"cached_content_tokens":0,"grounded_requests":0,"search_queries":0})"));
  json::object search = song_request(kSongText, kLongSystem, R"([{"googleSearch":{}}])");
  std::int64_t queries = 0;
  for (int i = 0; i < 3; ++i) {
    json::object response = generate(gemini, search);
    queries += static_cast<std::int64_t>(
        response.at("candidates").at(0).at("groundingMetadata").at("webSearchQueries").as_array().size());
  }
  json::object stats = parse_json(emulator.stats_json()).at("gemini").as_object();
  EXPECT_EQ(stats.at("grounded_requests").as_int64(), 3);
  EXPECT_EQ(stats.at("search_queries").as_int64(), queries);
  EXPECT_EQ(stats.at("cached_content_tokens").as_int64(), 2 * tokens(prefix_bytes(search)));

  ASSERT_EQ(emulator.request("POST", "/_emulator/reset-stats").status, 200u);
  EXPECT_EQ(parse_json(emulator.stats_json()).at("gemini"), zero);
  EXPECT_TRUE(has_cached_tokens(generate(gemini, search))) << "reset-stats keeps the cache";
  EXPECT_EQ(parse_json(emulator.stats_json()).at("gemini").at("cached_content_tokens").as_int64(),
            tokens(prefix_bytes(search)));
}

}  // namespace
}  // namespace pipehost::test
