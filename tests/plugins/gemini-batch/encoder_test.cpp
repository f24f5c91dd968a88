// The request encoder: shape (against the official client's golden), escaping, exact sizes, extra_json.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "request_encoder.hpp"
#include "test_host.hpp"

namespace pipehost::gemini {
namespace {

namespace json = boost::json;

const std::string kConformanceDir =
    std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/gemini-batch/conformance";

json::value parse(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in: " << text.substr(0, 300);
  return value;
}

/// The provider-neutral request matching conformance/request_input.json.
Request conformance_request() {
  json::object input = parse(test::read_file(kConformanceDir + "/request_input.json")).as_object();
  Request request;
  request.key = "row-1";
  request.system_instruction =
      std::make_shared<const std::string>(input.at("system_instruction").as_string());
  for (const auto& part : input.at("user_parts").as_array())
    request.user_parts.emplace_back(part.as_string());
  request.generation.temperature = input.at("temperature").to_number<double>();
  request.generation.top_p = input.at("top_p").to_number<double>();
  request.generation.top_k = input.at("top_k").to_number<std::int64_t>();
  request.generation.max_output_tokens = input.at("max_output_tokens").to_number<std::int64_t>();
  request.generation.seed = input.at("seed").to_number<std::int64_t>();
  request.generation.thinking_budget = input.at("thinking_budget").to_number<std::int64_t>();
  request.generation.response_mime_type = "application/json";
  request.generation.response_schema_json =
      std::make_shared<const std::string>(json::serialize(input.at("response_schema")));
  request.tools = {"web_search"};
  return request;
}

TEST(GeminiRequestShape, MatchesTheOfficialClientGolden) {
  json::object golden = parse(test::read_file(kConformanceDir + "/sdk_requests.golden.json")).as_object();
  RequestEncoder encoder;
  Request request = conformance_request();

  std::string line;
  encoder.append_line(line, request);
  ASSERT_TRUE(line.ends_with("}\n"));
  ASSERT_EQ(line.find('\n'), line.size() - 1) << "one JSON object per line";
  json::object parsed = parse(line).as_object();
  EXPECT_EQ(parsed.at("key"), json::value("row-1"));
  EXPECT_EQ(parsed.at("request"), golden.at("batch_inline_request"))
      << "ours:   " << json::serialize(parsed.at("request"))
      << "\nclient: " << json::serialize(golden.at("batch_inline_request"));
  // Member order too: today the encoding is the client's byte for byte.
  EXPECT_EQ(line, "{\"key\":\"row-1\",\"request\":" +
                      std::string(golden.at("batch_inline_request_text").as_string()) + "}\n");

  std::string online;
  encoder.append_request(online, request);
  EXPECT_EQ(parse(online), golden.at("generate_content"));
}

TEST(GeminiRequestShape, MatchesTheOfficialClientLive) {
  // Re-captures what @google/genai sends, when Node and the package are at hand.
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("PIPEHOST_GENAI_NODE_MODULES")) candidates.emplace_back(dir);
  // The emulator helper's conformance tests install the official clients into build/node-conformance.
  for (const char* sub : {"/node-conformance", "/node"}) {
    candidates.push_back(std::string(PIPEHOST_BINARY_DIR) + sub);
  }
  std::string modules;
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir + "/node_modules/@google/genai/package.json")) {
      modules = dir;
      break;
    }
  }
  if (modules.empty() || std::system("node --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "Node or @google/genai not installed (set PIPEHOST_GENAI_NODE_MODULES); the golden test "
                    "covers the shape";
  }
  test::TempDir dir;
  // ES modules resolve packages from the script's folder: run a copy placed next to node_modules.
  std::string script = modules + "/pipehost_capture_sdk_requests.mjs";
  std::filesystem::copy_file(kConformanceDir + "/capture_sdk_requests.mjs", script,
                             std::filesystem::copy_options::overwrite_existing);
  std::string out = dir.file("captured.json");
  std::string command = "node '" + script + "' '" + kConformanceDir + "/request_input.json' > '" + out + "'";
  int exit_code = std::system(command.c_str());
  std::filesystem::remove(script);
  ASSERT_EQ(exit_code, 0) << command;
  json::object captured = parse(test::read_file(out)).as_object();

  RequestEncoder encoder;
  std::string line;
  encoder.append_line(line, conformance_request());
  EXPECT_EQ(parse(line).as_object().at("request"), captured.at("batch_inline_request"));
  std::string online;
  encoder.append_request(online, conformance_request());
  EXPECT_EQ(parse(online), captured.at("generate_content"));
}

TEST(GeminiRequestEncoder, MinimalRequestHasNoEmptySections) {
  RequestEncoder encoder;
  Request request;
  request.key = "7";
  request.user_parts = {"hello"};
  std::string out;
  encoder.append_line(out, request);
  EXPECT_EQ(out, R"({"key":"7","request":{"contents":[{"parts":[{"text":"hello"}],"role":"user"}]}})"
                 "\n");
}

TEST(GeminiRequestEncoder, SchemaImpliesJsonMimeType) {
  RequestEncoder encoder;
  Request request;
  request.key = "k";
  request.user_parts = {"x"};
  request.generation.response_schema_json = std::make_shared<const std::string>(R"( { "type" : "OBJECT" } )");
  std::string out;
  encoder.append_request(out, request);
  EXPECT_EQ(parse(out).at("generationConfig"),
            parse(R"({"responseMimeType":"application/json","responseSchema":{"type":"OBJECT"}})"));
}

TEST(GeminiRequestEncoder, EscapesEverythingJsonNeedsAndRepairsBadUtf8) {
  RequestEncoder encoder;
  Request request;
  request.key = "quote\"key\\";
  std::string nasty = "tab\t nl\n cr\r bell\x07 nul";
  nasty.push_back('\0');
  nasty +=
      " quote\" backslash\\ slash/ é 𝄞 bad\xff\xfe end \xed\xa0\x80 surrogate \xc0\xaf overlong \xe2\x82";
  request.user_parts = {nasty};
  request.system_instruction = std::make_shared<const std::string>("\x01 instruction \"");
  std::string line;
  encoder.append_line(line, request);
  json::object parsed = parse(line).as_object();
  EXPECT_EQ(parsed.at("key").as_string(), "quote\"key\\");
  std::string text(parsed.at("request").at("contents").at(0).at("parts").at(0).at("text").as_string());
  std::string expected = "tab\t nl\n cr\r bell\x07 nul";
  expected.push_back('\0');
  expected +=
      " quote\" backslash\\ slash/ é 𝄞 bad\xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
      "surrogate "
      "\xEF\xBF\xBD\xEF\xBF\xBD overlong \xEF\xBF\xBD";  // the cut-off E2 82 is one maximal subpart
  EXPECT_EQ(text, expected);
  EXPECT_NE(line.find("\\u0007"), std::string::npos);
  EXPECT_NE(line.find("\\u0000"), std::string::npos);
  EXPECT_EQ(
      std::string(parsed.at("request").at("systemInstruction").at("parts").at(0).at("text").as_string()),
      "\x01 instruction \"");
}

TEST(GeminiRequestEncoder, NumbersAreWrittenAsJavaScriptWouldWriteThem) {
  std::string out;
  for (double d : {0.2, 1.0, 0.95, 1e-7, 123456.5, 1e21}) {
    out.clear();
    append_json_number(out, d);
    EXPECT_EQ(std::stod(out), d) << out;
  }
  out.clear();
  append_json_number(out, 0.2);
  EXPECT_EQ(out, "0.2");
  out.clear();
  append_json_number(out, 1e-7);
  EXPECT_EQ(out, "1e-7");
  out.clear();
  append_json_number(out, 2.0);
  EXPECT_EQ(out, "2");
}

TEST(GeminiRequestEncoder, LineSizeIsExact) {
  RequestEncoder encoder;
  auto instruction = std::make_shared<const std::string>(std::string(17000, 'i') + "\"quoted\"\n\xff");
  auto schema =
      std::make_shared<const std::string>(R"({"type":"OBJECT","properties":{"a":{"type":"STRING"}}})");
  for (int i = 0; i < 50; ++i) {
    Request request;
    request.key = "key-" + std::to_string(i) + (i % 7 == 0 ? "\"" : "");
    request.system_instruction = instruction;
    request.user_parts = {"Title: song " + std::to_string(i) +
                          std::string(static_cast<std::size_t>(i), '\n')};
    if (i % 2) request.generation.temperature = 0.1 * i;
    if (i % 3) request.generation.response_schema_json = schema;
    if (i % 5 == 0) request.tools = {"web_search"};
    if (i % 4 == 0) request.generation.thinking_budget = i * 100;
    if (i % 6 == 0) request.extra_json = R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT"}]})";
    std::string line;
    encoder.append_line(line, request);
    EXPECT_EQ(encoder.line_size(request), line.size()) << "request " << i;
    parse(line);
  }
}

TEST(GeminiRequestEncoder, SharedTextsAreEscapedOnceAndKeptByIdentity) {
  RequestEncoder encoder;
  auto first = std::make_shared<const std::string>("first instruction");
  auto second = std::make_shared<const std::string>("second instruction");
  Request request;
  request.key = "k";
  request.user_parts = {"u"};
  std::string a, b, c;
  request.system_instruction = first;
  encoder.append_request(a, request);
  request.system_instruction = second;
  encoder.append_request(b, request);
  request.system_instruction = first;
  encoder.append_request(c, request);
  EXPECT_NE(a.find("first instruction"), std::string::npos);
  EXPECT_NE(b.find("second instruction"), std::string::npos);
  EXPECT_EQ(a, c);
}

TEST(GeminiRequestEncoder, ExtraJsonMergesIntoTheRequest) {
  RequestEncoder encoder;
  Request request;
  request.key = "k";
  request.user_parts = {"u"};
  request.generation.temperature = 0.5;
  request.generation.max_output_tokens = 100;
  request.extra_json =
      R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],)"
      R"("generationConfig":{"temperature":0.9,"candidateCount":1},"cachedContent":"cachedContents/x"})";
  std::string out;
  encoder.append_request(out, request);
  json::value expected =
      parse(R"({"contents":[{"parts":[{"text":"u"}],"role":"user"}],)"
            R"("generationConfig":{"maxOutputTokens":100,"temperature":0.9,"candidateCount":1},)"
            R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],)"
            R"("cachedContent":"cachedContents/x"})");
  EXPECT_EQ(parse(out), expected) << out;

  // Extra keys that we also write replace ours.
  request.extra_json = R"({"contents":[{"parts":[{"text":"replaced"}]}],"generationConfig":"odd"})";
  out.clear();
  encoder.append_request(out, request);
  EXPECT_EQ(parse(out), parse(R"({"contents":[{"parts":[{"text":"replaced"}]}],"generationConfig":"odd"})"));

  // Only extra generationConfig members.
  Request plain;
  plain.key = "k";
  plain.user_parts = {"u"};
  plain.extra_json = R"({"generationConfig":{"candidateCount":2}})";
  out.clear();
  encoder.append_request(out, plain);
  EXPECT_EQ(parse(out), parse(R"({"contents":[{"parts":[{"text":"u"}],"role":"user"}],)"
                              R"("generationConfig":{"candidateCount":2}})"));
}

TEST(GeminiRequestEncoder, RejectsWhatItCannotEncode) {
  RequestEncoder encoder;
  Request request;
  request.key = "k";
  request.user_parts = {"u"};
  std::string out;
  request.tools = {"teleport"};
  EXPECT_THROW(encoder.append_request(out, request), std::invalid_argument);
  request.tools.clear();
  request.extra_json = "[1,2]";
  EXPECT_THROW(encoder.append_request(out, request), std::invalid_argument);
  request.extra_json = "{broken";
  EXPECT_THROW(encoder.append_request(out, request), std::invalid_argument);
  request.extra_json.clear();
  request.generation.response_schema_json = std::make_shared<const std::string>("{not json");
  EXPECT_THROW(encoder.append_request(out, request), std::invalid_argument);
}

}  // namespace
}  // namespace pipehost::gemini
