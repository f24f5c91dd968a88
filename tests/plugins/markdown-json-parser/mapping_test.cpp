// From an accepted answer object to output columns: one typed value per top-level schema property in
// schema order (strings, numbers, integers, booleans, arrays, objects as they are; absent values null),
// and the text a CSV writes for them: numbers and booleans as JSON text, arrays of scalars joined, nested
// values as compact JSON, null empty.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "markdown_json_parser.hpp"
#include "response_schema.hpp"
#include "value_compare.hpp"

namespace {

using pipehost::Value;
using pipehost::markdown_json::AnswerParser;
using pipehost::markdown_json::ResponseSchema;
using Fields = std::vector<Value>;
using Texts = std::vector<std::string>;

/// The fields as a CSV sink writes them.
Texts texts(const Fields& fields, std::string_view separator = "; ") {
  Texts out;
  for (const auto& field : fields) out.push_back(field.to_text(separator));
  return out;
}

const char* const kSchema = R"({
  "type": "OBJECT",
  "properties": {
    "title": {"type": "STRING"},
    "subgenres": {"type": "ARRAY", "items": {"type": "STRING"}},
    "score": {"type": "NUMBER"},
    "year": {"type": "INTEGER"},
    "explicit": {"type": "BOOLEAN"},
    "label": {"type": "OBJECT"},
    "credits": {"type": "ARRAY"},
    "energy": {"type": "STRING", "enum": ["High", "Medium", "Low"]},
    "context": {"type": "STRING", "nullable": true}
  },
  "required": ["title"]
})";

AnswerParser make_parser(std::string separator = "; ", bool case_insensitive = false) {
  return AnswerParser(ResponseSchema::parse(kSchema, "schema.json"), std::move(separator),
                      {.case_insensitive_enums = case_insensitive});
}

TEST(Mapping, ColumnsAreTheTopLevelPropertiesInSchemaOrder) {
  const auto parser = make_parser(" | ");
  const auto& columns = parser.columns();
  Texts names;
  for (const auto& column : columns) names.push_back(column.name);
  EXPECT_EQ(names, (Texts{"title", "subgenres", "score", "year", "explicit", "label", "credits", "energy",
                          "context"}));
  EXPECT_EQ(columns[3].type, "integer");
  EXPECT_EQ(columns[7].enum_values, (Texts{"High", "Medium", "Low"}));
  EXPECT_EQ(columns[1].list_separator, " | ");
}

TEST(Mapping, EveryKindOfValue) {
  const auto parser = make_parser();
  Fields fields;
  const auto status = parser.parse(R"(```json
{
  "credits": [{"role": "producer", "name": "Mutt Lange"}, "uncredited"],
  "title": "Back in Black\nLive, \"remastered\"",
  "subgenres": ["Hard Rock", "Heavy Metal", "Blues Rock"],
  "score": 0.1,
  "year": 1980,
  "explicit": false,
  "label": {"name": "Atlantic", "ratio": 2.50, "ids": [1, 1e28], "none": null},
  "energy": "High",
  "extra": "ignored"
}
```)",
                                   fields);
  ASSERT_TRUE(status) << status.message();
  EXPECT_TRUE(fields[1].is_array());
  EXPECT_EQ(fields[3].kind(), Value::Kind::integer);
  EXPECT_EQ(fields[4].kind(), Value::Kind::boolean);
  EXPECT_TRUE(fields[8].is_null());
  EXPECT_EQ(texts(fields), (Texts{
                               "Back in Black\nLive, \"remastered\"",
                               "Hard Rock; Heavy Metal; Blues Rock",
                               "0.1",
                               "1980",
                               "false",
                               R"({"name":"Atlantic","ratio":2.5,"ids":[1,1e+28],"none":null})",
                               R"([{"role":"producer","name":"Mutt Lange"},"uncredited"])",
                               "High",
                               "",
                           }));
}

TEST(Mapping, ScalarArraysJoinWithTheConfiguredSeparator) {
  const auto parser = make_parser(" | ");
  Fields fields;
  ASSERT_TRUE(parser.parse(R"({"title": "t", "subgenres": ["a", "b"], "credits": [1, true, null, "x", 2.5]})",
                           fields));
  EXPECT_EQ(texts(fields, " | ")[1], "a | b");
  EXPECT_EQ(texts(fields, " | ")[6], "1 | true |  | x | 2.5");
}

TEST(Mapping, AbsentAndNullValuesAreEmpty) {
  const auto parser = make_parser();
  Fields fields{"stale", "values", "from", "before"};
  ASSERT_TRUE(parser.parse(R"({"title": "t", "context": null, "subgenres": []})", fields));
  EXPECT_EQ(texts(fields), (Texts{"t", "", "", "", "", "", "", "", ""}));
  EXPECT_TRUE(fields[8].is_null());
  EXPECT_EQ(to_json(fields[1]), "[]");
}

TEST(Mapping, NumbersKeepTheirValueInShortestForm) {
  const auto parser = make_parser();
  Fields fields;
  ASSERT_TRUE(parser.parse(R"({"title": "t", "score": -0.000125, "year": -42})", fields));
  EXPECT_EQ(texts(fields)[2], "-0.000125");
  EXPECT_EQ(texts(fields)[3], "-42");
  ASSERT_TRUE(parser.parse(R"({"title": "t", "score": 1E2, "year": 18446744073709551615})", fields));
  EXPECT_EQ(texts(fields)[2], "100");
  EXPECT_EQ(texts(fields)[3], "18446744073709551615");
}

TEST(Mapping, IntegersBeyond64BitsFailTheRowInsteadOfChanging) {
  // The JSON parser keeps integers exactly only within 64 bits; a longer one would be written as a
  // rounded double (123456789012345678901234567890 became 1.2345678901234568e+29).
  const auto parser = make_parser();
  Fields fields;
  for (const char* year :
       {"123456789012345678901234567890", "-9223372036854775809", "18446744073709551616"}) {
    SCOPED_TRACE(year);
    const auto status = parser.parse(std::string(R"({"title": "t", "year": )") + year + "}", fields);
    EXPECT_TRUE(status.is_retry());
    EXPECT_NE(status.message().find("/year: integer "), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(" does not fit in 64 bits"), std::string::npos) << status.message();
  }
  // Every 64-bit integer is kept exactly, and 3.0 is still the integer 3.
  ASSERT_TRUE(parser.parse(R"({"title": "t", "year": -9223372036854775808})", fields));
  EXPECT_EQ(texts(fields)[3], "-9223372036854775808");
  ASSERT_TRUE(parser.parse(R"({"title": "t", "year": 3.0})", fields));
  EXPECT_EQ(texts(fields)[3], "3");
  // A NUMBER may be any size: it is a double by definition.
  ASSERT_TRUE(parser.parse(R"({"title": "t", "score": 123456789012345678901234567890})", fields));
  EXPECT_EQ(texts(fields)[2], "1.2345678901234568e+29");
}

TEST(Mapping, CaseInsensitiveEnumWritesTheSchemaSpelling) {
  Fields fields;
  EXPECT_TRUE(make_parser("; ", true).parse(R"({"title": "t", "energy": "mEdIuM"})", fields));
  EXPECT_EQ(fields[7], Value("Medium"));
  const auto strict = make_parser().parse(R"({"title": "t", "energy": "mEdIuM"})", fields);
  EXPECT_TRUE(strict.is_retry());
  EXPECT_EQ(strict.message(), R"(/energy: "mEdIuM" is not one of [High, Medium, Low])");
}

TEST(Mapping, FailuresAreRetryWithTheReason) {
  const auto parser = make_parser();
  Fields fields;
  const auto none = parser.parse("I cannot help with that.", fields);
  EXPECT_TRUE(none.is_retry());
  EXPECT_EQ(none.message(), "no JSON found");
  const auto truncated = parser.parse(R"({"title": "Back in)", fields);
  EXPECT_TRUE(truncated.is_retry());
  EXPECT_EQ(truncated.message(), "invalid JSON at offset 18: incomplete JSON");
}

TEST(Mapping, LargeAnswersSpillPastTheStackBuffer) {
  // The parsed tree of this answer does not fit the parser's 16 KB stack buffer.
  std::string answer = R"({"title": "big", "subgenres": [)";
  for (int i = 0; i < 5000; ++i) answer += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  answer += "]}";
  Fields fields;
  ASSERT_TRUE(make_parser().parse(answer, fields));
  EXPECT_EQ(fields[0], Value("big"));
  ASSERT_EQ(fields[1].size(), 5000u);
  EXPECT_EQ(fields[1][4999], Value("s4999"));
  EXPECT_EQ(texts(fields)[1].substr(0, 12), "s0; s1; s2; ");
}

}  // namespace
