// The SDK's typed values and JSON: exact integers, strict parsing (every file of JSONTestSuite), one
// escaping rule with one repair rule for invalid UTF-8, numbers as JavaScript writes them, and the text
// form text sinks use.
#include "pipehost/value.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "test_host.hpp"

namespace {

using pipehost::Value;
namespace fs = std::filesystem;

Value parsed(std::string_view text) {
  Value v;
  std::string error;
  EXPECT_TRUE(pipehost::parse_json(text, v, error)) << text << ": " << error;
  return v;
}

std::string parse_error(std::string_view text) {
  Value v;
  std::string error;
  EXPECT_FALSE(pipehost::parse_json(text, v, error)) << text;
  return error;
}

TEST(Value, RoundTripsEveryKindAndKeepsMemberOrder) {
  const std::string text =
      R"({"z":null,"t":true,"f":false,"i":-42,"n":0.1,"s":"a\"b\\c\n","a":[1,[2],{}],"o":{"b":1,"a":2}})";
  Value v = parsed(text);
  EXPECT_EQ(pipehost::to_json(v), text);
  EXPECT_EQ(v.key(0), "z");
  EXPECT_EQ(v.find("i")->as_int(), -42);
  EXPECT_EQ(v.find("o")->key(0), "b") << "members keep the document's order";
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(Value, IntegersKeepEveryDigit) {
  Value big = parsed("123456789012345678901234567890");
  EXPECT_EQ(big.kind(), Value::Kind::integer);
  EXPECT_FALSE(big.fits_int64());
  EXPECT_EQ(pipehost::to_json(big), "123456789012345678901234567890");
  EXPECT_EQ(big.to_text(), "123456789012345678901234567890");
  Value min = parsed("-9223372036854775808");
  EXPECT_TRUE(min.fits_int64());
  EXPECT_EQ(min.as_int(), INT64_MIN);
  EXPECT_EQ(parsed("1e2").kind(), Value::Kind::number) << "an exponent makes a number";
  EXPECT_EQ(Value(std::uint64_t{18446744073709551615u}).as_string(), "18446744073709551615");
}

TEST(Value, NumbersAreWrittenAsJavaScriptWritesThem) {
  std::string out;
  for (double d : {0.1, 1e-7, 1e21, 2.5, -0.0, 100.0}) {
    pipehost::append_json_number(out, d);
    out += ' ';
  }
  EXPECT_EQ(out, "0.1 1e-7 1e+21 2.5 -0 100 ");
  EXPECT_EQ(pipehost::to_json(Value(std::numeric_limits<double>::infinity())), "null");
}

TEST(Value, StringsAreEscapedAndInvalidUtf8RepairedByMaximalSubpart) {
  std::string out;
  pipehost::append_json_string(out, "tab\t q\" b\\ \x01 \xC3\xA9 \xFF \xE2\x82 \xED\xA0\x80 end");
  EXPECT_EQ(
      out,
      "\"tab\\t q\\\" b\\\\ \\u0001 \xC3\xA9 \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
      "end\"");
  EXPECT_EQ(pipehost::json_string_size("a\"\xFF"), std::string("\"a\\\"\xEF\xBF\xBD\"").size());
}

TEST(Value, TextJoinsListsUnambiguously) {
  Value list = Value::array({"Hard Rock", "Blues; Rock", "\"quoted\"", 3, true, Value()});
  EXPECT_EQ(list.to_text("; "), R"(Hard Rock; "Blues; Rock"; "\"quoted\""; 3; true; )");
  EXPECT_EQ(Value::array({"a", Value::array({"b"})}).to_text("; "), R"(["a",["b"]])")
      << "a list that nests reads right only as JSON";
  EXPECT_EQ(parsed(R"({"k":[1,2]})").to_text(), R"({"k":[1,2]})");
  EXPECT_EQ(Value().to_text(), "");
}

TEST(Value, ErrorsSayWhereAndWhy) {
  EXPECT_EQ(parse_error(R"({"a" 1})"), "offset 5: expected ':'");
  EXPECT_EQ(parse_error("[1,]"), "offset 3: expected a JSON value");
  EXPECT_EQ(parse_error("{} x"), "offset 3: unexpected text after the JSON value");
  EXPECT_EQ(parse_error("\"\xFF\""), "offset 1: invalid UTF-8 in a string");
  EXPECT_EQ(parse_error(std::string(600, '[') + std::string(600, ']')), "offset 512: nested too deeply");
  std::size_t offset = 0;
  Value v;
  std::string error;
  EXPECT_FALSE(pipehost::parse_json("  tru", v, error, &offset));
  EXPECT_EQ(offset, 2u);
}

std::vector<fs::path> suite_files(char prefix) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(PIPEHOST_SHARED_DIR) / "data" / "json-test-suite";
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 2 && name[0] == prefix && name[1] == '_') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Value, AcceptsEveryValidDocumentOfJsonTestSuiteAndRejectsEveryInvalidOne) {
  auto valid = suite_files('y'), invalid = suite_files('n');
  ASSERT_EQ(valid.size(), 95u);
  ASSERT_EQ(invalid.size(), 188u);
  for (const auto& file : valid) {
    Value v;
    std::string error;
    EXPECT_TRUE(pipehost::parse_json(contents(file), v, error)) << file.filename() << ": " << error;
    // What it writes reads back as the same value.
    Value again;
    EXPECT_TRUE(pipehost::parse_json(pipehost::to_json(v), again, error)) << file.filename();
    EXPECT_EQ(again, v) << file.filename();
  }
  for (const auto& file : invalid) {
    Value v;
    std::string error;
    EXPECT_FALSE(pipehost::parse_json(contents(file), v, error)) << file.filename() << " was accepted";
  }
}

}  // namespace
