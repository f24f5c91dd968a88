// Response schema loading (Gemini's upper-case OpenAPI subset and lower-case JSON Schema style) and
// validation of answers against it, keyword by keyword, with the exact error texts.
#include <stdexcept>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "response_schema.hpp"

namespace {

namespace json = boost::json;
using pipehost::markdown_json::ResponseSchema;
using pipehost::markdown_json::SchemaType;
using pipehost::markdown_json::ValidationOptions;

/// Validates answer JSON text against schema JSON text; returns the violation ("" when it matches).
std::string violation(const std::string& schema_text, const std::string& answer_text,
                      ValidationOptions options = {}) {
  const ResponseSchema schema = ResponseSchema::parse(schema_text, "schema.json");
  json::value answer = json::parse(answer_text);
  return schema.validate(answer.as_object(), options);
}

/// The message a schema fails to load with.
std::string load_error(const std::string& schema_text) {
  try {
    ResponseSchema::parse(schema_text, "schema.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(loaded)";
}

// --- loading ---

TEST(SchemaLoad, GeminiUpperCaseTypes) {
  const auto schema = ResponseSchema::parse(R"({"type": "OBJECT", "properties": {
      "s": {"type": "STRING"}, "n": {"type": "NUMBER"}, "i": {"type": "INTEGER"}, "b": {"type": "BOOLEAN"},
      "a": {"type": "ARRAY", "items": {"type": "STRING"}}, "o": {"type": "OBJECT"}}})",
                                            "schema.json");
  ASSERT_EQ(schema.properties().size(), 6u);
  EXPECT_EQ(schema.properties()[0].schema.type, SchemaType::string);
  EXPECT_EQ(schema.properties()[1].schema.type, SchemaType::number);
  EXPECT_EQ(schema.properties()[2].schema.type, SchemaType::integer);
  EXPECT_EQ(schema.properties()[3].schema.type, SchemaType::boolean);
  EXPECT_EQ(schema.properties()[4].schema.type, SchemaType::array);
  ASSERT_TRUE(schema.properties()[4].schema.items);
  EXPECT_EQ(schema.properties()[4].schema.items->type, SchemaType::string);
  EXPECT_EQ(schema.properties()[5].schema.type, SchemaType::object);
}

TEST(SchemaLoad, JsonSchemaLowerCaseAndNullableTypeArrays) {
  const auto schema = ResponseSchema::parse(
      R"({"type": "object", "properties": {"era": {"type": ["string", "null"]}, "n": {"type": "integer"}},
          "additionalProperties": false})",
      "schema.json");
  EXPECT_EQ(schema.properties()[0].schema.type, SchemaType::string);
  EXPECT_TRUE(schema.properties()[0].schema.nullable);
  EXPECT_FALSE(schema.properties()[1].schema.nullable);
}

TEST(SchemaLoad, PropertiesKeepTheFileOrder) {
  const auto schema =
      ResponseSchema::parse(R"({"type": "OBJECT", "properties": {"zeta": {}, "alpha": {}, "mid": {}}})", "s");
  ASSERT_EQ(schema.properties().size(), 3u);
  EXPECT_EQ(schema.properties()[0].name, "zeta");
  EXPECT_EQ(schema.properties()[1].name, "alpha");
  EXPECT_EQ(schema.properties()[2].name, "mid");
}

TEST(SchemaLoad, ItemCountsAsNumbersOrGeminiInt64Strings) {
  const auto schema = ResponseSchema::parse(
      R"({"type": "OBJECT", "properties": {"a": {"type": "ARRAY", "minItems": "1", "maxItems": 3}}})", "s");
  EXPECT_EQ(schema.properties()[0].schema.min_items, 1u);
  EXPECT_EQ(schema.properties()[0].schema.max_items, 3u);
}

TEST(SchemaLoad, DescriptiveKeywordsAreIgnoredAndUncheckedOnesListed) {
  const auto schema =
      ResponseSchema::parse(R"({"type": "OBJECT", "description": "a song", "propertyOrdering": ["a"],
      "properties": {"a": {"type": "STRING", "format": "enum", "title": "A", "pattern": "^x", "requried": true},
                     "n": {"type": "NUMBER", "minimum": 0}}})",
                            "s");
  EXPECT_EQ(
      schema.unchecked_keywords(),
      (std::vector<std::string>{"/properties/a/pattern", "/properties/a/requried", "/properties/n/minimum"}));
}

TEST(SchemaLoad, ErrorsSayWhereAndWhat) {
  EXPECT_EQ(
      load_error(R"({"type": "OBJECT", "properties": {"a": {"type": "STRNG"}}})"),
      "schema.json: /properties/a/type: unknown type \"STRNG\" (expected one of OBJECT, STRING, NUMBER, "
      "INTEGER, BOOLEAN, ARRAY)");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {}}, "required": ["b"]})"),
            "schema.json: /required/0: \"b\" is not one of the properties");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {"enum": []}}})"),
            "schema.json: /properties/a/enum: expected a non-empty array of values");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {"minItems": 3, "maxItems": 2}}})"),
            "schema.json: /properties/a: minItems 3 is greater than maxItems 2");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {"maxItems": -1}}})"),
            "schema.json: /properties/a/maxItems: expected a non-negative integer");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": "STRING"}})"),
            "schema.json: /properties/a: expected a schema object, got string");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {"type": ["string", "integer"]}}})"),
            "schema.json: /properties/a/type: several non-null types are not supported");
  EXPECT_EQ(load_error(R"({"type": "OBJECT", "properties": {"a": {"nullable": "yes"}}})"),
            "schema.json: /properties/a/nullable: expected true or false");
  EXPECT_EQ(
      load_error(R"({"type": "ARRAY", "items": {"type": "STRING"}})"),
      "schema.json: top level: the response schema must be an object with properties (one output column "
      "each)");
  EXPECT_EQ(
      load_error(R"({"type": "OBJECT"})"),
      "schema.json: top level: the response schema must be an object with properties (one output column "
      "each)");
  EXPECT_EQ(load_error("{\n  \"type\": \"OBJECT\",\n  \"properties\": {,}\n}"),
            "schema.json: invalid JSON at line 3, column 18: syntax error");
}

TEST(SchemaLoad, Utf8BomBeforeTheSchemaIsFine) {
  EXPECT_EQ(ResponseSchema::parse("\xEF\xBB\xBF{\"properties\": {\"a\": {}}}", "s").properties().size(), 1u);
}

// --- validation, keyword by keyword ---

const std::string kSongs = R"({
  "type": "OBJECT",
  "properties": {
    "genre": {"type": "STRING"},
    "subgenres": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": 1, "maxItems": 3},
    "energy": {"type": "STRING", "enum": ["High", "Medium", "Low"]},
    "year": {"type": "INTEGER"},
    "score": {"type": "NUMBER"},
    "explicit": {"type": "BOOLEAN"},
    "era": {"type": "STRING", "nullable": true},
    "label": {"type": "OBJECT", "properties": {"name": {"type": "STRING"}, "country": {"type": "STRING"}},
              "required": ["name"]},
    "a/b": {"type": "STRING"}
  },
  "required": ["genre", "energy"]
})";

TEST(SchemaValidate, MatchingAnswerPasses) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "Rock", "subgenres": ["Hard Rock"], "energy": "High", "year": 1971,
      "score": 0.87, "explicit": false, "era": null, "label": {"name": "Atlantic"}, "unknown": [1]})"),
            "");
}

TEST(SchemaValidate, Type) {
  EXPECT_EQ(violation(kSongs, R"({"genre": 7, "energy": "High"})"), "/genre: expected string, got number");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "score": "high"})"),
            "/score: expected number, got string");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "year": 1971.5})"),
            "/year: expected integer, got number");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "explicit": "no"})"),
            "/explicit: expected boolean, got string");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "subgenres": "Hard Rock"})"),
            "/subgenres: expected array, got string");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "label": ["Atlantic"]})"),
            "/label: expected object, got array");
  EXPECT_EQ(violation(kSongs, R"({"genre": {"main": "R"}, "energy": "High"})"),
            "/genre: expected string, got object");
  EXPECT_EQ(violation(kSongs, R"({"genre": true, "energy": "High"})"),
            "/genre: expected string, got boolean");
}

TEST(SchemaValidate, NumbersAndIntegers) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "year": 1971.0, "score": 3})"), "");
  EXPECT_EQ(
      violation(kSongs, R"({"genre": "R", "energy": "High", "year": 18446744073709551615, "score": -1e-3})"),
      "");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "score": 1e999})"),
            "/score: number out of range");
}

TEST(SchemaValidate, Required) {
  EXPECT_EQ(violation(kSongs, R"({"energy": "High"})"), "/genre: missing required property");
  EXPECT_EQ(violation(kSongs, R"({"genre": "Rock"})"), "/energy: missing required property");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "label": {"country": "US"}})"),
            "/label/name: missing required property");
}

TEST(SchemaValidate, Properties) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "label": {"name": "A", "country": 1}})"),
            "/label/country: expected string, got number");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "High", "a/b": 1})"),
            "/a~1b: expected string, got number");
}

TEST(SchemaValidate, Enum) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "Rock", "energy": "Very High"})"),
            R"(/energy: "Very High" is not one of [High, Medium, Low])");
  EXPECT_EQ(violation(kSongs, R"({"genre": "Rock", "energy": "high"})"),
            R"(/energy: "high" is not one of [High, Medium, Low])");
  EXPECT_EQ(violation(R"({"properties": {"n": {"enum": [1, 2, 3.5, "x"]}}})", R"({"n": 4})"),
            "/n: 4 is not one of [1, 2, 3.5, x]");
  EXPECT_EQ(violation(R"({"properties": {"n": {"enum": [1, 2]}}})", R"({"n": 2.0})"), "");
  const std::string long_value(200, 'x');
  EXPECT_EQ(violation(kSongs, R"({"genre": "Rock", "energy": ")" + long_value + "\"}"),
            "/energy: \"" + std::string(79, 'x') + "... is not one of [High, Medium, Low]");
}

TEST(SchemaValidate, CaseInsensitiveEnumsNormaliseToTheSchemaSpelling) {
  const ResponseSchema schema = ResponseSchema::parse(kSongs, "schema.json");
  json::value answer = json::parse(R"({"genre": "Rock", "energy": "hIGH"})");
  EXPECT_EQ(schema.validate(answer.as_object(), {.case_insensitive_enums = true}), "");
  EXPECT_EQ(answer.at("energy"), "High");
  json::value wrong = json::parse(R"({"genre": "Rock", "energy": "Highest"})");
  EXPECT_EQ(schema.validate(wrong.as_object(), {.case_insensitive_enums = true}),
            R"(/energy: "Highest" is not one of [High, Medium, Low])");
}

TEST(SchemaValidate, ItemsMinItemsMaxItems) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "Low", "subgenres": ["a", "b", "c", "d"]})"),
            "/subgenres: 4 items, at most 3");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "Low", "subgenres": []})"),
            "/subgenres: 0 items, at least 1");
  EXPECT_EQ(violation(R"({"properties": {"a": {"type": "ARRAY", "minItems": 2}}})", R"({"a": [1]})"),
            "/a: 1 item, at least 2");
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "Low", "subgenres": ["a", 2]})"),
            "/subgenres/1: expected string, got number");
  EXPECT_EQ(violation(R"({"properties": {"a": {"type": "ARRAY", "items": {"type": "OBJECT",
                         "properties": {"x": {"type": "STRING", "enum": ["p"]}}, "required": ["x"]}}}})",
                      R"({"a": [{"x": "p"}, {"x": "q"}]})"),
            R"(/a/1/x: "q" is not one of [p])");
}

TEST(SchemaValidate, Nullable) {
  EXPECT_EQ(violation(kSongs, R"({"genre": "R", "energy": "Low", "era": null})"), "");
  EXPECT_EQ(violation(kSongs, R"({"genre": null, "energy": "Low"})"), "/genre: expected string, got null");
  EXPECT_EQ(violation(R"({"properties": {"e": {"type": "STRING", "enum": ["a"], "nullable": true}}})",
                      R"({"e": null})"),
            "");
  EXPECT_EQ(violation(R"({"properties": {"e": {"type": ["string", "null"]}}})", R"({"e": null})"), "");
}

}  // namespace
