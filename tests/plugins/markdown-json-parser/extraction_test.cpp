// Table-driven test of finding the JSON object in model answers: bare, fenced, in prose, and the exact
// reason when there is none. The check is a small schema (genre required; energy an enum; at most 3
// subgenres) so "first object invalid, second valid" cases can be expressed.
#include <optional>
#include <string>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

#include "json_extractor.hpp"
#include "response_schema.hpp"

namespace {

using pipehost::markdown_json::Extraction;
using pipehost::markdown_json::JsonOrigin;
using pipehost::markdown_json::ResponseSchema;
namespace json = boost::json;

constexpr const char* kSchema = R"({
  "type": "OBJECT",
  "properties": {
    "genre": {"type": "STRING"},
    "energy": {"type": "STRING", "enum": ["High", "Medium", "Low"]},
    "subgenres": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": 3}
  },
  "required": ["genre"]
})";

struct Case {
  const char* name;
  std::string answer;
  /// Set when an object must be accepted: where it was found and its "genre".
  std::optional<JsonOrigin> origin;
  std::string genre_or_error;
  /// For accepted answers: whether the answer is exactly one JSON document.
  bool whole_text = false;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

Case ok(const char* name, std::string answer, JsonOrigin origin, std::string genre, bool whole = false) {
  return {name, std::move(answer), origin, std::move(genre), whole};
}
Case fails(const char* name, std::string answer, std::string error) {
  return {name, std::move(answer), std::nullopt, std::move(error), false};
}

const std::string kRock = R"({"genre": "Rock", "energy": "High", "subgenres": ["Hard Rock", "Blues Rock"]})";
const std::string kPop = R"({"genre": "Pop", "energy": "Medium", "subgenres": []})";

const Case kCases[] = {
    // Bare JSON.
    ok("Bare", kRock, JsonOrigin::bare, "Rock", true),
    ok("BareWithSurroundingWhitespace", "\n\n  \t" + kRock + "  \n", JsonOrigin::bare, "Rock", true),
    ok("BareAfterUtf8Bom", "\xEF\xBB\xBF" + kRock, JsonOrigin::bare, "Rock", true),
    ok("BareCrlfPrettyPrinted", "{\r\n  \"genre\": \"Soul\",\r\n  \"energy\": \"Low\"\r\n}\r\n",
       JsonOrigin::bare, "Soul", true),
    ok("BareThenTrailingProse", kRock + "\n\nLet me know if you need anything else!", JsonOrigin::bare,
       "Rock"),
    ok("BareThenSecondObject", kRock + "\n" + kPop, JsonOrigin::bare, "Rock"),
    ok("BareNestedObjects",
       R"({"genre": "Pop", "extra": {"charts": {"peak": 1, "weeks": [1, {"w": 2}]}}, "energy": "High"})",
       JsonOrigin::bare, "Pop", true),
    ok("BareUnicodeAndEscapes",
       R"({"genre": "M\u00fasica Popular Brasileira \u2014 \"MPB\"", "energy": "Low"})", JsonOrigin::bare,
       "M\xC3\xBAsica Popular Brasileira \xE2\x80\x94 \"MPB\"", true),
    ok("BareRawUtf8", "{\"genre\": \"Canci\xC3\xB3n ranchera\"}", JsonOrigin::bare, "Canci\xC3\xB3n ranchera",
       true),
    ok("BareBracesInStrings", R"({"genre": "Rock {live}", "reasoning": "uses } and { and \"{\" freely"})",
       JsonOrigin::bare, "Rock {live}", true),

    // Markdown fences.
    ok("FenceJsonTag", "```json\n" + kRock + "\n```", JsonOrigin::fence, "Rock"),
    ok("FenceWithoutTag", "```\n" + kRock + "\n```", JsonOrigin::fence, "Rock"),
    ok("FenceUpperCaseTag", "```JSON\n" + kRock + "\n```", JsonOrigin::fence, "Rock"),
    ok("FenceMixedCaseTag", "```Json\n" + kRock + "\n```\n", JsonOrigin::fence, "Rock"),
    ok("FenceCrlf", "```json\r\n" + kRock + "\r\n```\r\n", JsonOrigin::fence, "Rock"),
    ok("FenceAfterProse", "Here is the classification you asked for:\n\n```json\n" + kRock + "\n```",
       JsonOrigin::fence, "Rock"),
    ok("FenceBetweenProse", "Sure!\n```json\n" + kPop + "\n```\nThe song is upbeat and catchy.",
       JsonOrigin::fence, "Pop"),
    ok("FenceOnOneLine", "```json " + kRock + " ```", JsonOrigin::fence, "Rock"),
    ok("FenceTagGluedToJson", "```json" + kRock + "```", JsonOrigin::fence, "Rock"),
    ok("FenceFourBackticks", "````json\n" + kRock + "\n````", JsonOrigin::fence, "Rock"),
    ok("FenceIndented", "Result:\n    ```json\n    " + kRock + "\n    ```", JsonOrigin::fence, "Rock"),
    ok("FenceBeatsEarlierProseObject", "The format is {\"genre\": \"...\"}:\n```json\n" + kPop + "\n```",
       JsonOrigin::fence, "Pop"),
    ok("SecondFenceWhenFirstIsProse", "```\nAnalysis: upbeat.\n```\n```json\n" + kPop + "\n```",
       JsonOrigin::fence, "Pop"),
    ok("SecondFenceWhenFirstIsBroken", "```json\n{\"genre\": Rock}\n```\n```json\n" + kPop + "\n```",
       JsonOrigin::fence, "Pop"),
    ok("SecondFenceWhenFirstFailsSchema",
       "```json\n{\"genre\": \"Rock\", \"energy\": \"Extreme\"}\n```\nCorrected:\n```json\n" + kPop + "\n```",
       JsonOrigin::fence, "Pop"),
    ok("FenceWithOtherTagFoundAsProse", "```javascript\nconst x = " + kRock + ";\n```", JsonOrigin::prose,
       "Rock"),

    // Objects in prose.
    ok("ProseBeforeAndAfter", "The answer is " + kRock + " as requested.", JsonOrigin::prose, "Rock"),
    ok("ProseAfterThinking", "<thinking>Classic riffs, 1970s.</thinking>\n" + kRock, JsonOrigin::prose,
       "Rock"),
    ok("ProseBracesInStrings", R"(Result: {"genre": "Rock", "reasoning": "a } inside a string"} done)",
       JsonOrigin::prose, "Rock"),
    ok("ProseEscapedQuotes", R"(Result: {"genre": "Rock", "reasoning": "He said \"hi}\" twice"} done)",
       JsonOrigin::prose, "Rock"),
    ok("ProseNestedObject", R"(Output -> {"genre": "Jazz", "meta": {"a": {"b": "}"}}} <- end)",
       JsonOrigin::prose, "Jazz"),
    ok("ProseStrayClosedBraceFirst", "I think {this} is rock: " + kRock, JsonOrigin::prose, "Rock"),
    ok("ProseStrayOpenBraceFirst", "Note: { is odd. Answer: " + kRock, JsonOrigin::prose, "Rock"),
    ok("ProseQuoteBeforeBrace", "He said \"hello {\" and then " + kRock, JsonOrigin::prose, "Rock"),
    ok("ProseAfterArrayFence", "```json\n[1, 2]\n```\n" + kPop, JsonOrigin::prose, "Pop"),
    ok("NumberedListThenObject", "1) Analysis done.\n" + kPop, JsonOrigin::prose, "Pop"),

    // Several objects: the first that validates wins.
    ok("TwoObjectsFirstFailsSchema", "{\"genre\": 5}\n" + kPop, JsonOrigin::prose, "Pop"),
    ok("TwoObjectsFirstMissingRequired", "{\"energy\": \"High\"} and then " + kRock, JsonOrigin::prose,
       "Rock"),
    ok("TwoValidObjectsFirstWins", "First: " + kRock + " Second: " + kPop, JsonOrigin::prose, "Rock"),

    // Nothing usable: the precise reason.
    fails("EmptyAnswer", "", "no JSON found"),
    fails("WhitespaceOnly", " \n\t\r\n ", "no JSON found"),
    fails("OnlyProse", "I'm sorry, but I can't classify this song without more context.", "no JSON found"),
    fails("NumberedListOnly", "1. Rock\n2. Pop", "no JSON found"),
    fails("BomOnly", "\xEF\xBB\xBF", "no JSON found"),
    fails("TruncatedBare", R"({"genre": "Rock", "energy": "Hi)",
          "invalid JSON at offset 31: incomplete JSON"),
    fails("TruncatedInFence", "```json\n{\"genre\": \"Rock\", \"sub",
          "invalid JSON at offset 30: incomplete JSON"),
    fails("TruncatedAfterProse", "Here you go: {\"genre\": \"Ro",
          "invalid JSON at offset 26: incomplete JSON"),
    fails("SingleQuotes", "{'genre': 'Rock'}", "invalid JSON at offset 1: syntax error"),
    fails("UnquotedValue", R"({"genre": Rock})", "invalid JSON at offset 10: syntax error"),
    fails("TrailingComma", R"({"genre": "Rock",})", "invalid JSON at offset 17: syntax error"),
    fails("Comment", "{\"genre\": \"Rock\" // the main genre\n}", "invalid JSON at offset 17: syntax error"),
    fails("StrayBraceOnly", "I think {this} is rock", "invalid JSON at offset 9: syntax error"),
    fails("JsonArrayInsteadOfObject", "[" + kRock + "]", "expected a JSON object, got array"),
    fails("FencedArray", "```json\n[\"Rock\", \"Pop\"]\n```", "expected a JSON object, got array"),
    fails("BareString", "\"Rock\"", "expected a JSON object, got string"),
    fails("BareNumber", "42\n", "expected a JSON object, got number"),
    fails("EnumViolation", R"({"genre": "Rock", "energy": "Very High"})",
          R"(/energy: "Very High" is not one of [High, Medium, Low])"),
    fails("TooManyItems", R"({"genre": "Rock", "subgenres": ["a", "b", "c", "d"]})",
          "/subgenres: 4 items, at most 3"),
    fails("MissingRequired", "```json\n{\"energy\": \"High\"}\n```", "/genre: missing required property"),
    fails("WrongType", R"(Answer: {"genre": ["Rock"]})", "/genre: expected string, got array"),
    fails("FirstSchemaFailureReported", R"({"genre": 1} {"energy": "Loud"})",
          "/genre: expected string, got number"),
    fails("SchemaFailureBeatsSyntaxError", R"({oops} {"genre": null})", "/genre: expected string, got null"),
    fails("InvalidUtf8InString", "{\"genre\": \"Rock\xFF\"}", "invalid JSON at offset 15: syntax error"),
    fails("TooDeep", std::string(70, '[') + std::string(70, ']'), "invalid JSON at offset 64: too deep"),
};

class Extraction_ : public testing::TestWithParam<Case> {};

TEST_P(Extraction_, FindsObjectOrSaysWhy) {
  static const ResponseSchema schema = ResponseSchema::parse(kSchema, "test schema");
  const Case& c = GetParam();
  const auto check = [](json::object& object) { return schema.validate(object, {}); };
  const Extraction found = pipehost::markdown_json::extract_json_object(c.answer, check);
  if (c.origin) {
    ASSERT_TRUE(found.ok) << found.error;
    EXPECT_EQ(found.origin, *c.origin) << to_string(found.origin);
    ASSERT_TRUE(found.value.is_object());
    EXPECT_EQ(json::value_to<std::string>(found.value.at("genre")), c.genre_or_error);
    EXPECT_EQ(found.whole_text, c.whole_text);
    EXPECT_EQ(found.value, json::parse(c.answer.substr(found.begin, found.end - found.begin)))
        << "the span must be exactly the accepted JSON";
    EXPECT_TRUE(found.error.empty());
  } else {
    EXPECT_FALSE(found.ok);
    EXPECT_EQ(found.error, c.genre_or_error);
    EXPECT_TRUE(found.value.is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(Answers, Extraction_, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Extraction, CaseTableIsLargeEnough) {
  EXPECT_GE(std::size(kCases), 30u);
}

TEST(Extraction, CheckMayRewriteTheAcceptedObject) {
  const auto check = [](json::object& object) {
    object["seen"] = true;
    return std::string();
  };
  const Extraction found = pipehost::markdown_json::extract_json_object("```json\n{\"a\": 1}\n```", check);
  ASSERT_TRUE(found.ok);
  EXPECT_EQ(found.value, json::parse(R"({"a": 1, "seen": true})"));
}

TEST(Extraction, AcceptedValueLivesInTheCallersStorage) {
  // Moving the tree into a value with other storage would deep-copy it on every answer (the hot path
  // relies on this to stay allocation-free).
  boost::json::monotonic_resource resource;
  const boost::json::storage_ptr storage(&resource);
  const auto accept = [](json::object&) { return std::string(); };
  for (const std::string& answer : {kRock, "```json\n" + kRock + "\n```", "prose " + kRock}) {
    const Extraction found = pipehost::markdown_json::extract_json_object(answer, accept, storage);
    ASSERT_TRUE(found.ok);
    EXPECT_EQ(found.value.storage().get(), storage.get()) << answer;
    EXPECT_EQ(found.value.at("subgenres").storage().get(), storage.get()) << answer;
  }
}

TEST(Extraction, ManyUnclosedBracesStayFast) {
  // Every '{' that never closes costs a scan to the end; the search bounds how many it tries.
  std::string answer(200000, '{');
  const auto accept = [](json::object&) { return std::string(); };
  const Extraction found = pipehost::markdown_json::extract_json_object(answer, accept);
  EXPECT_FALSE(found.ok);
  EXPECT_EQ(found.error.rfind("invalid JSON at offset ", 0), 0u) << found.error;
}

TEST(Extraction, ObjectAfterManyStrayBracesIsFound) {
  std::string answer = "{ { { {\n";
  answer += kPop;
  const auto accept = [](json::object&) { return std::string(); };
  const Extraction found = pipehost::markdown_json::extract_json_object(answer, accept);
  ASSERT_TRUE(found.ok) << found.error;
  EXPECT_EQ(found.value.at("genre"), "Pop");
}

}  // namespace
