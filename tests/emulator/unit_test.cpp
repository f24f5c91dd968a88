// Unit tests of emulator pieces that need no socket: fault SPEC parsing and draws, routes,
// schema-driven answers, the Gemini prompt prefix, implicit cache and grounding, BrainTrust merge
// semantics.
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator/answers/answer_generator.hpp"
#include "emulator/app/routes.hpp"
#include "emulator/braintrust/log_store.hpp"
#include "emulator/braintrust/merge.hpp"
#include "emulator/faults/fault_config.hpp"
#include "emulator/faults/fault_injector.hpp"
#include "emulator/gemini/grounding.hpp"
#include "emulator/gemini/implicit_cache.hpp"

namespace pipehost::emulator {
namespace {

namespace json = boost::json;

json::object parse_object(const std::string& text) {
  return json::parse(text).as_object();
}

TEST(EmulatorFaultConfig, ParsesEveryName) {
  FaultConfig config = FaultConfig::parse(
      "create_429=2,grounding_429=5, "
      "http_5xx=0.5,drop_upload=1,drop_download=3,truncate_download=4,fenced=0.3,prose=0.04,"
      "line_error=0.1,batch_fail=0.2,batch_expire=0.25,batch_ms=50,bt_5xx=1,retry_delay_s=0.5");
  EXPECT_EQ(config.create_429, 2u);
  EXPECT_EQ(config.grounding_429, 5u);
  EXPECT_DOUBLE_EQ(config.http_5xx, 0.5);
  EXPECT_EQ(config.drop_upload, 1u);
  EXPECT_EQ(config.drop_download, 3u);
  EXPECT_EQ(config.truncate_download, 4u);
  EXPECT_DOUBLE_EQ(config.fenced, 0.3);
  EXPECT_DOUBLE_EQ(config.prose, 0.04);
  EXPECT_DOUBLE_EQ(config.line_error, 0.1);
  EXPECT_DOUBLE_EQ(config.batch_fail, 0.2);
  EXPECT_DOUBLE_EQ(config.batch_expire, 0.25);
  EXPECT_EQ(config.batch_ms, 50u);
  EXPECT_DOUBLE_EQ(config.bt_5xx, 1);
  EXPECT_DOUBLE_EQ(config.retry_delay_s, 0.5);
  FaultConfig again = FaultConfig::parse(config.to_spec());
  EXPECT_EQ(again.to_spec(), config.to_spec());
}

TEST(EmulatorFaultConfig, RejectsUnknownNamesAndBadValuesClearly) {
  try {
    FaultConfig::parse("create_429=1,explode=1");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("unknown fault 'explode'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("create_429"), std::string::npos) << "lists the known names";
  }
  EXPECT_THROW(FaultConfig::parse("fenced=1.5"), std::invalid_argument);
  EXPECT_THROW(FaultConfig::parse("create_429=-1"), std::invalid_argument);
  EXPECT_THROW(FaultConfig::parse("create_429"), std::invalid_argument);
  EXPECT_THROW(FaultConfig::parse("batch_ms=abc"), std::invalid_argument);
  EXPECT_EQ(FaultConfig::parse("").to_spec(), FaultConfig{}.to_spec());
}

TEST(EmulatorFaultInjector, DrawsAreReproducibleForASeedAndDifferAcrossSeeds) {
  auto sequence = [](std::uint64_t seed) {
    FaultInjector faults(seed, FaultConfig::parse("http_5xx=0.5"));
    std::string draws;
    for (int i = 0; i < 64; ++i) draws.push_back(faults.draw_http_5xx() ? 'x' : '.');
    return draws;
  };
  EXPECT_EQ(sequence(7), sequence(7));
  EXPECT_NE(sequence(7), sequence(8));
  EXPECT_NE(sequence(7).find('x'), std::string::npos);
  EXPECT_NE(sequence(7).find('.'), std::string::npos);
}

TEST(EmulatorFaultInjector, CountFaultsApplyExactlyNTimes) {
  FaultInjector faults(1, FaultConfig::parse("create_429=2"));
  EXPECT_TRUE(faults.take_create_429());
  EXPECT_TRUE(faults.take_create_429());
  EXPECT_FALSE(faults.take_create_429());
  EXPECT_EQ(faults.injected().at("create_429"), 2);
  EXPECT_FALSE(faults.take_grounding_429()) << "each count is its own";
}

TEST(EmulatorRoutes, MatchesGeminiBraintrustAndControlRoutes) {
  auto route = match_route("POST", "/v1beta/models/gemini-2.5-flash:batchGenerateContent", false);
  EXPECT_EQ(route.endpoint, Endpoint::batch_create);
  EXPECT_EQ(route.model, "gemini-2.5-flash");
  EXPECT_EQ(route.name, "POST /v1beta/models/{model}:batchGenerateContent");
  EXPECT_EQ(match_route("GET", "/v1/batches/abc", false).endpoint, Endpoint::batch_get);
  EXPECT_EQ(match_route("GET", "/v1/batches/abc", false).id, "abc");
  EXPECT_EQ(match_route("POST", "/v1beta/batches/abc:cancel", false).endpoint, Endpoint::batch_cancel);
  EXPECT_EQ(match_route("POST", "/v1beta/batches/abc:delete", false).endpoint, Endpoint::batch_delete);
  EXPECT_EQ(match_route("GET", "/v1beta/files/x:download", false).endpoint, Endpoint::file_download);
  EXPECT_EQ(match_route("GET", "/download/v1beta/files/x:download", false).endpoint, Endpoint::file_download);
  EXPECT_EQ(match_route("POST", "/upload/v1beta/files", false).endpoint, Endpoint::upload_start);
  EXPECT_EQ(match_route("POST", "/upload/v1beta/files", true).endpoint, Endpoint::upload_chunk);
  EXPECT_EQ(match_route("POST", "/v1/project_logs/p1/insert", false).endpoint, Endpoint::bt_insert);
  EXPECT_EQ(match_route("GET", "/v1/project_logs/p1/fetch", false).id, "p1");
  EXPECT_EQ(match_route("POST", "/logs3", false).api, Api::braintrust);
  EXPECT_EQ(match_route("GET", "/_emulator/stats", false).endpoint, Endpoint::control_stats);
  EXPECT_EQ(match_route("GET", "/v2/nothing", false).api, Api::unknown);
  EXPECT_EQ(match_route("PATCH", "/v1beta/batches/abc", false).api, Api::unknown);
}

const char* kSongSchema = R"({"type":"OBJECT","properties":{
  "genre":{"type":"STRING","enum":["rock","pop","jazz"]},
  "moods":{"type":"ARRAY","items":{"type":"string"},"minItems":1,"maxItems":2},
  "year":{"type":"INTEGER","minimum":1950,"maximum":2020},
  "score":{"type":"number","minimum":0,"maximum":1},
  "explicit":{"type":"BOOLEAN"},
  "note":{"type":"STRING","nullable":true},
  "album":{"type":"OBJECT","properties":{"title":{"type":"STRING","maxLength":12}}}},
  "required":["genre","moods"]})";

json::object request_with(const std::string& schema_field, const std::string& schema, bool system = true) {
  std::string text = R"({"contents":[{"role":"user","parts":[{"text":"Title: Yesterday"}]}],)";
  if (system) text += R"("systemInstruction":{"parts":[{"text":"You classify songs."}]},)";
  text += R"("generationConfig":{"responseMimeType":"application/json",")" + schema_field + R"(":)" + schema +
          "}}";
  return parse_object(text);
}

void expect_satisfies_song_schema(const json::object& answer) {
  std::string genre(answer.at("genre").as_string());
  EXPECT_TRUE(genre == "rock" || genre == "pop" || genre == "jazz") << genre;
  const auto& moods = answer.at("moods").as_array();
  EXPECT_GE(moods.size(), 1u);
  EXPECT_LE(moods.size(), 2u);
  for (const auto& mood : moods) EXPECT_TRUE(mood.is_string());
  auto year = answer.at("year").as_int64();
  EXPECT_GE(year, 1950);
  EXPECT_LE(year, 2020);
  double score = answer.at("score").to_number<double>();
  EXPECT_GE(score, 0);
  EXPECT_LE(score, 1);
  EXPECT_TRUE(answer.at("explicit").is_bool());
  EXPECT_TRUE(answer.at("note").is_string() || answer.at("note").is_null());
  EXPECT_LE(answer.at("album").at("title").as_string().size(), 12u);
}

std::string answer_of(const json::object& response) {
  return std::string(response.at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string());
}

TEST(EmulatorAnswers, JsonAnswersSatisfyTheResponseSchemaForManyKeys) {
  json::object request = request_with("responseSchema", kSongSchema);
  std::set<std::string> genres;
  for (int i = 0; i < 200; ++i) {
    auto response = generate_content_response(request, "key-" + std::to_string(i), "gemini-2.5-flash", {});
    json::object answer = json::parse(answer_of(response)).as_object();
    expect_satisfies_song_schema(answer);
    genres.insert(std::string(answer.at("genre").as_string()));
  }
  EXPECT_EQ(genres.size(), 3u) << "enum values are picked by hash, so all show up";
}

TEST(EmulatorAnswers, JsonSchemaDialectWithTypeArraysAndRefs) {
  const char* schema = R"({"type":"object","$defs":{"Mood":{"type":"string","enum":["calm","happy"]}},
    "properties":{"moods":{"type":"array","items":{"$ref":"#/$defs/Mood"},"maxItems":3},
                  "maybe":{"type":["integer","null"]}}})";
  for (int i = 0; i < 50; ++i) {
    auto response =
        generate_content_response(request_with("responseJsonSchema", schema), std::to_string(i), "m", {});
    json::object answer = json::parse(answer_of(response)).as_object();
    for (const auto& mood : answer.at("moods").as_array()) {
      EXPECT_TRUE(mood == "calm" || mood == "happy") << json::serialize(mood);
    }
    EXPECT_LE(answer.at("moods").as_array().size(), 3u);
    EXPECT_TRUE(answer.at("maybe").is_int64() || answer.at("maybe").is_null());
  }
}

TEST(EmulatorAnswers, DeterministicPerKeyAndRequest) {
  json::object request = request_with("responseSchema", kSongSchema);
  auto a = generate_content_response(request, "k1", "m", {});
  auto b = generate_content_response(request, "k1", "m", {});
  EXPECT_EQ(json::serialize(a), json::serialize(b));
  bool some_differ = false;
  for (int i = 2; i < 20 && !some_differ; ++i) {
    some_differ =
        answer_of(generate_content_response(request, "k" + std::to_string(i), "m", {})) != answer_of(a);
  }
  EXPECT_TRUE(some_differ);
}

TEST(EmulatorAnswers, ProseWithoutSystemInstructionOrSchema) {
  auto no_system =
      generate_content_response(request_with("responseSchema", kSongSchema, false), "k", "m", {});
  auto no_schema = generate_content_response(
      parse_object(
          R"({"contents":[{"parts":[{"text":"hi {x}"}]}],"systemInstruction":{"parts":[{"text":"s"}]}})"),
      "k", "m", {});
  for (const auto& response : {no_system, no_schema}) {
    std::string text = answer_of(response);
    EXPECT_EQ(text.find('{'), std::string::npos) << text;
    EXPECT_GT(text.size(), 20u);
  }
}

TEST(EmulatorAnswers, FaultFormsWrapOrReplaceTheJson) {
  json::object request = request_with("responseSchema", kSongSchema);
  std::string plain = answer_of(generate_content_response(request, "k", "m", {}));
  std::string fenced = answer_of(generate_content_response(request, "k", "m", {.fenced = true}));
  EXPECT_EQ(fenced, "```json\n" + plain + "\n```");
  std::string prose = answer_of(generate_content_response(request, "k", "m", {.prose = true}));
  EXPECT_EQ(prose.find('{'), std::string::npos);
}

TEST(EmulatorAnswers, UsageMetadataFollowsTheDocumentedRule) {
  json::object request = request_with("responseSchema", kSongSchema);
  auto response = generate_content_response(request, "k", "gemini-x", {});
  // The prompt is the prefix (system text, compact schema JSON, compact tools JSON) + the contents.
  std::size_t prompt_bytes = std::string("You classify songs.").size() +
                             json::serialize(json::parse(kSongSchema)).size() +
                             std::string("Title: Yesterday").size();
  const auto& usage = response.at("usageMetadata").as_object();
  EXPECT_EQ(usage.at("promptTokenCount").as_int64(), static_cast<std::int64_t>((prompt_bytes + 3) / 4));
  EXPECT_EQ(usage.at("candidatesTokenCount").as_int64(),
            static_cast<std::int64_t>((answer_of(response).size() + 3) / 4));
  EXPECT_EQ(usage.at("totalTokenCount").as_int64(),
            usage.at("promptTokenCount").as_int64() + usage.at("candidatesTokenCount").as_int64());
  EXPECT_FALSE(usage.contains("cachedContentTokenCount")) << "the answers alone know no cache";
  EXPECT_EQ(response.at("modelVersion"), "gemini-x");
  EXPECT_EQ(response.at("candidates").at(0).at("finishReason"), "STOP");

  request["tools"] = json::parse(R"([{"googleSearch":{}}])");
  auto with_tools = generate_content_response(request, "k", "gemini-x", {});
  EXPECT_EQ(with_tools.at("usageMetadata").at("promptTokenCount").as_int64(),
            static_cast<std::int64_t>((prompt_bytes + 21 + 3) / 4))
      << "tools count as prompt";
  EXPECT_EQ(answer_of(with_tools), answer_of(response)) << "tools never change the answer";
}

TEST(EmulatorGeminiPrefix, DigestSeparatesThePrefixFromTheContents) {
  json::object request = request_with("responseSchema", kSongSchema);
  RequestDigest digest = digest_request(request, "k");
  std::size_t schema_bytes = json::serialize(json::parse(kSongSchema)).size();
  EXPECT_EQ(digest.prefix_bytes, std::string("You classify songs.").size() + schema_bytes);
  EXPECT_EQ(digest.prompt_bytes, digest.prefix_bytes + std::string("Title: Yesterday").size());
  json::object other_row = request;
  other_row["contents"] = json::parse(R"([{"parts":[{"text":"Title: Help!"}]}])");
  EXPECT_EQ(digest_request(other_row, "k2").prefix_hash, digest.prefix_hash) << "rows share the prefix";
  json::object other_system = request;
  other_system["systemInstruction"] = json::parse(R"({"parts":[{"text":"You classify songs!"}]})");
  EXPECT_NE(digest_request(other_system, "k").prefix_hash, digest.prefix_hash);
  json::object with_tools = request;
  with_tools["tools"] = json::parse(R"([{"googleSearch":{}}])");
  EXPECT_NE(digest_request(with_tools, "k").prefix_hash, digest.prefix_hash);
  EXPECT_EQ(digest_request(with_tools, "k").hash, digest.hash) << "tools are not part of the answer";
}

TEST(EmulatorGeminiPrefix, ImplicitCacheHitsRepeatedLongPrefixesPerModel) {
  ImplicitCache cache;
  std::size_t at_threshold = 4 * 2048;  // exactly 2,048 tokens
  EXPECT_EQ(cache.lookup_and_remember("m", 1, at_threshold), 0);
  EXPECT_EQ(cache.lookup_and_remember("m", 1, at_threshold), 2048);
  EXPECT_EQ(cache.lookup_and_remember("m", 1, at_threshold + 1), 2049) << "the hash names the prefix";
  EXPECT_EQ(cache.lookup_and_remember("other", 1, at_threshold), 0) << "per model";
  EXPECT_EQ(cache.lookup_and_remember("m", 2, at_threshold - 4), 0);
  EXPECT_EQ(cache.lookup_and_remember("m", 2, at_threshold - 4), 0) << "2,047 tokens are never cached";
}

TEST(EmulatorGeminiGrounding, SearchToolSpellingsAndQueries) {
  EXPECT_TRUE(wants_google_search(parse_object(R"({"tools":[{"googleSearch":{}}]})")));
  EXPECT_TRUE(wants_google_search(parse_object(R"({"tools":[{"google_search":{}}]})")));
  EXPECT_TRUE(
      wants_google_search(parse_object(R"({"tools":[{"codeExecution":{}},{"googleSearchRetrieval":{}}]})")));
  EXPECT_FALSE(wants_google_search(parse_object(R"({"tools":[{"codeExecution":{}}]})")));
  EXPECT_FALSE(wants_google_search(parse_object(R"({"contents":[]})")));

  std::string row =
      "Artist: Tyga Featuring Cedric Gervais, Wiz Khalifa & Mally Mall\nSong: Molly\nName: Molly";
  std::set<std::size_t> counts;
  for (std::uint64_t hash = 0; hash < 64; ++hash) {
    auto queries = web_search_queries(row, hash);
    ASSERT_FALSE(queries.empty());
    counts.insert(queries.size());
    EXPECT_EQ(queries[0], "Tyga Featuring Cedric Gervais Wiz Khalifa & Mally release year")
        << "the first two values, at most 8 words";
    if (queries.size() > 1) {
      EXPECT_EQ(queries[1], "Tyga Featuring Cedric Gervais Wiz Khalifa & Mally genre");
    }
    EXPECT_EQ(web_search_queries(row, hash), queries);
  }
  EXPECT_EQ(counts, (std::set<std::size_t>{1, 2, 3}));
  EXPECT_EQ(web_search_queries("Eminem\nStan\nmore", 0)[0], "Eminem Stan release year");
  EXPECT_EQ(web_search_queries("", 0)[0], "search release year");
}

TEST(EmulatorGeminiGrounding, SupportsCoverTheAnswerBytesAndTheEntryPointEscapes) {
  std::string answer = "Caf\xc3\xa9 au lait, naturally. It was released in 1999 by a band.";
  const std::vector<std::string> queries = {"Tom & Jerry <live> release year"};
  auto metadata = grounding_metadata(queries, 42, answer);
  const auto& supports = metadata.at("groundingSupports").as_array();
  ASSERT_EQ(supports.size(), 2u);
  EXPECT_FALSE(supports[0].at("segment").as_object().contains("startIndex")) << "zero is omitted";
  std::size_t middle = supports[0].at("segment").at("endIndex").to_number<std::size_t>();
  EXPECT_EQ(supports[1].at("segment").at("startIndex").to_number<std::size_t>(), middle);
  EXPECT_EQ(supports[1].at("segment").at("endIndex").to_number<std::size_t>(), answer.size());
  EXPECT_EQ(std::string(supports[0].at("segment").at("text").as_string()) +
                std::string(supports[1].at("segment").at("text").as_string()),
            answer);
  EXPECT_EQ(metadata.at("groundingChunks").as_array().size(), 2u);
  std::string rendered(metadata.at("searchEntryPoint").at("renderedContent").as_string());
  EXPECT_NE(rendered.find("Tom &amp; Jerry &lt;live&gt; release year</a>"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("q=Tom+%26+Jerry+%3Clive%3E+release+year"), std::string::npos) << rendered;
  EXPECT_EQ(grounding_metadata(queries, 42, answer), metadata);
  EXPECT_NE(grounding_metadata(queries, 43, answer).at("groundingChunks"), metadata.at("groundingChunks"));
}

TEST(EmulatorGeminiGrounding, QuotaStatusNamesTheSearchGroundingQuota) {
  json::object status = grounding_quota_status("gemini-x", 2.5);
  EXPECT_EQ(status.at("code").as_int64(), 429);
  EXPECT_EQ(status.at("status"), "RESOURCE_EXHAUSTED");
  const auto& violation = status.at("details").at(0).at("violations").at(0).as_object();
  EXPECT_EQ(violation.at("quotaId"), "SearchGroundingRequestsPerDayPerProjectPerModel");
  EXPECT_EQ(violation.at("quotaDimensions").at("model"), "gemini-x");
  EXPECT_EQ(status.at("details").at(2).at("retryDelay"), "2.5s");
}

TEST(EmulatorMerge, DeepMergesObjectsOverwritesScalarsAndUnionsTags) {
  json::object row =
      parse_object(R"({"input":{"a":1,"b":{"c":2}},"output":"x","tags":["t1"],"metrics":{"start":1}})");
  merge_row(row,
            parse_object(R"({"input":{"b":{"d":3}},"output":"y","tags":["t2","t1"],"metrics":{"end":2}})"));
  EXPECT_EQ(
      json::serialize(row),
      R"({"input":{"a":1,"b":{"c":2,"d":3}},"output":"y","tags":["t1","t2"],"metrics":{"start":1,"end":2}})");
}

TEST(EmulatorMerge, MergePathsStopTheRecursion) {
  json::object row = parse_object(R"({"metadata":{"a":{"x":1},"b":1}})");
  merge_row(row, parse_object(R"({"metadata":{"a":{"y":2}}})"), {{"metadata", "a"}});
  EXPECT_EQ(json::serialize(row), R"({"metadata":{"a":{"y":2},"b":1}})");
}

TEST(EmulatorMerge, ArrayDeleteRemovesValues) {
  json::object row = parse_object(R"({"tags":["a","b","c"]})");
  apply_array_delete(row, json::parse(R"([{"path":["tags"],"delete":["b"]}])").as_array());
  EXPECT_EQ(json::serialize(row), R"({"tags":["a","c"]})");
}

TEST(EmulatorLogStore, UpsertReplaceMergeDeleteAndFetchPaging) {
  LogStore store;
  Project project = store.register_project("p");
  EXPECT_EQ(store.register_project("p").id, project.id) << "get-or-create";
  store.write(project.id, parse_object(R"({"id":"r1","input":"i","output":"o","metadata":{"m":1}})"));
  store.write(project.id, parse_object(R"({"id":"r1","_is_merge":true,"metadata":{"n":2}})"));
  store.write(project.id, parse_object(R"({"id":"r2","output":"first"})"));
  store.write(project.id, parse_object(R"({"id":"r2","output":"replaced"})"));
  store.write(project.id, parse_object(R"({"id":"r3","output":"gone"})"));
  store.write(project.id, parse_object(R"({"id":"r3","_object_delete":true})"));
  EXPECT_EQ(store.distinct_rows(), 3);
  EXPECT_EQ(store.writes(), 6);

  FetchPage all = store.fetch(project.id, std::nullopt, std::nullopt);
  ASSERT_EQ(all.events.size(), 2u);
  EXPECT_EQ(all.events[0].at("id"), "r2") << "newest first";
  EXPECT_EQ(all.events[0].at("output"), "replaced");
  EXPECT_FALSE(all.events[0].as_object().contains("_is_merge"));
  EXPECT_EQ(all.events[1].at("metadata"), json::parse(R"({"m":1,"n":2})"));
  EXPECT_EQ(all.events[1].at("input"), "i");
  EXPECT_EQ(all.events[1].at("log_id"), "g");

  FetchPage first = store.fetch(project.id, 1, std::nullopt);
  ASSERT_EQ(first.events.size(), 1u);
  ASSERT_TRUE(first.cursor);
  FetchPage second = store.fetch(project.id, 1, first.cursor);
  ASSERT_EQ(second.events.size(), 1u);
  EXPECT_EQ(second.events[0].at("id"), "r1");
  FetchPage third = store.fetch(project.id, 1, second.cursor);
  EXPECT_TRUE(third.events.empty());
  EXPECT_FALSE(third.cursor);
}

}  // namespace
}  // namespace pipehost::emulator
