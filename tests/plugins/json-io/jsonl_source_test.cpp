// JSONL source: reads what the JSONL sink writes; columns from the first object; non-string values
// as JSON text; blank lines, CRLF and BOM; keys; errors "file:line: what" (":column" for syntax).
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "io_support/utf8.hpp"
#include "json_test_util.hpp"
#include "plugin_library.hpp"

namespace pipehost::json_io::test {
namespace {

namespace fs = std::filesystem;
using pipehost::test::read_file;
using pipehost::test::TempDir;
using Values = std::vector<std::vector<std::string>>;
using Names = std::vector<std::string>;

TEST(JsonlSource, ReadsWhatTheJsonlSinkWrites) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  Table t = make_table({"id", "text", "empty"}, {{"a", "plain", ""},
                                                 {"b", "quote \" backslash \\ " + controls, ""},
                                                 {"c", "caf\xC3\xA9 \xF0\x9F\x8E\xB5 and bad \xFF", ""},
                                                 {"d", "line\r\nbreaks\n", ""}});
  TempDir dir;
  write_with_sink(dir.file("rows.jsonl"), t, {{"format", "jsonl"}});
  Table back = read_with_source(dir.file("rows.jsonl"), {{"key", "id"}});
  EXPECT_EQ(back.columns, t.columns);
  Values expected = t.values();
  io::replace_invalid_utf8(expected[2][1]);  // the sink wrote U+FFFD for the bad byte
  EXPECT_EQ(back.values(), expected);
  EXPECT_EQ(back.keys(), (Names{"a", "b", "c", "d"}));
  EXPECT_EQ(back.rows[3].line, 4u);
}

TEST(JsonlSource, ThroughThePluginLibrary) {
  TempDir dir;
  pipehost::test::write_file(dir.file("in.jsonl"), "{\"a\":\"1\"}\n{\"a\":\"2\"}\n");
  pipehost::test::PluginLibrary plugin("json-io");
  pipehost::test::TestHost host;
  auto source = plugin.create<Source>(context(host, {{"path", dir.file("in.jsonl")}}, "/source"));
  Table t = read_all(*source);
  EXPECT_EQ(t.columns, (Names{"a"}));
  EXPECT_EQ(t.values(), (Values{{"1"}, {"2"}}));
}

TEST(JsonlSource, ColumnsComeFromTheFirstObjectAndOrderMayVary) {
  Table t = read_bytes("{\"b\":\"1\",\"a\":\"2\"}\n{\"a\":\"4\",\"b\":\"3\"}\n");
  EXPECT_EQ(t.columns, (Names{"b", "a"}));
  EXPECT_EQ(t.values(), (Values{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.keys(), (Names{"1", "2"}));
}

TEST(JsonlSource, ValuesKeepTheirJsonTypes) {
  Table t = read_bytes(
      R"({"n":1,"x":-2.5,"t":true,"f":false,"z":null,"a":[1,"two",0.1],"o":{"k":"v","e":1E300},"s":"1","u":18446744073709551615,"big":123456789012345678901234567890})");
  ASSERT_EQ(t.rows.size(), 1u);
  const auto& v = t.rows[0].values;
  EXPECT_EQ(v[0].kind(), pipehost::Value::Kind::integer);
  EXPECT_EQ(v[1].kind(), pipehost::Value::Kind::number);
  EXPECT_EQ(v[2].kind(), pipehost::Value::Kind::boolean);
  EXPECT_TRUE(v[4].is_null());
  EXPECT_TRUE(v[5].is_array());
  EXPECT_TRUE(v[6].is_object());
  EXPECT_TRUE(v[7].is_string()) << "\"1\" stays a string";
  std::string json;
  for (const auto& value : v) json += to_json(value) + " ";
  EXPECT_EQ(json,
            "1 -2.5 true false null [1,\"two\",0.1] {\"k\":\"v\",\"e\":1e+300} \"1\" 18446744073709551615 "
            "123456789012345678901234567890 ")
      << "every value written back as it was, integers beyond 64 bits exactly";
}

TEST(JsonlSource, BlankLinesCrlfAndBom) {
  Table t = read_bytes("\xEF\xBB\xBF{\"a\":\"1\"}\r\n\r\n   \n\t\n{\"a\":\"2\"}\r\n\n{\"a\":\"3\"}");
  EXPECT_EQ(t.columns, (Names{"a"}));
  EXPECT_EQ(t.values(), (Values{{"1"}, {"2"}, {"3"}}));
  std::vector<std::uint64_t> lines;
  for (const Row& row : t.rows) lines.push_back(row.line);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 5, 7}));
  EXPECT_EQ(t.keys(), (Names{"1", "2", "3"}));
}

TEST(JsonlSource, Errors) {
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n{\"a\":\"2\",\"b\":\"3\"}\n"),
            "in.jsonl:2: unexpected key \"b\"; every object must have the columns \"a\" (the keys of the "
            "first object)");
  EXPECT_EQ(
      read_error("{\"a\":\"1\",\"b\":\"2\"}\n\n{\"b\":\"3\"}\n"),
      "in.jsonl:3: missing key \"a\"; every object must have the columns \"a\", \"b\" (the keys of the first "
      "object)");
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n[1]\n"), "in.jsonl:2: expected a JSON object, found an array");
  EXPECT_EQ(read_error("\"text\"\n"), "in.jsonl:1: expected a JSON object, found a string");
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n{\"a\": \"\xC3\xA9\", x}\n"),
            "in.jsonl:2:12: invalid JSON (expected a member name in double quotes)");
  EXPECT_EQ(read_error("{\"a\":\"1\"} {\"a\":\"2\"}\n"),
            "in.jsonl:1:11: invalid JSON (unexpected text after the JSON value)");
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n{\"a\":\n\"2\"}\n"),
            "in.jsonl:2:6: invalid JSON (unexpected end of text)")
      << "one object per line: no object spans lines";
  EXPECT_EQ(read_error("{\"a\":\"\xFF\"}\n"), "in.jsonl:1:7: invalid JSON (invalid UTF-8 in a string)")
      << "invalid UTF-8";
  EXPECT_EQ(read_error(""),
            "in.jsonl:1: no JSON object to take the columns from: the file is empty; set \"columns\"");
  EXPECT_EQ(read_error("\n \n"),
            "in.jsonl:1: no JSON object to take the columns from: the file is empty; set \"columns\"");
}

TEST(JsonlSource, KeyColumn) {
  JsonlReadOptions options;
  options.key_column = "id";
  EXPECT_EQ(read_bytes("{\"id\":\"x\",\"v\":\"1\"}\n{\"v\":\"2\",\"id\":\"y\"}\n", options).keys(),
            (Names{"x", "y"}));
  // Whether a key may repeat is the host's call (run.allow_duplicate_keys): repeats are passed on.
  EXPECT_EQ(read_bytes("{\"id\":\"x\"}\n\n{\"id\":\"y\"}\n{\"id\":\"x\"}\n", options).keys(),
            (Names{"x", "y", "x"}));
  EXPECT_EQ(read_error("{\"id\":\"\"}\n", options), "in.jsonl:1: empty key in key column \"id\"");
  EXPECT_EQ(read_bytes("{\"id\":7.0}\n{\"id\":\"7\"}\n", options).keys(), (Names{"7", "7"}))
      << "a number key is its JSON text, in shortest form";
  EXPECT_EQ(read_error("{\"ID\":\"x\"}\n", options),
            "in.jsonl:1: key column \"id\" is not among the columns (\"ID\")");
}

TEST(JsonlSource, ConfiguredColumns) {
  JsonlReadOptions options;
  options.columns = {"a", "b"};
  EXPECT_EQ(read_bytes("", options).columns, (Names{"a", "b"}));
  EXPECT_EQ(read_bytes("{\"b\":\"2\",\"a\":\"1\"}\n", options).values(), (Values{{"1", "2"}}));
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n", options),
            "in.jsonl:1: missing key \"b\"; every object must have the columns \"a\", \"b\"");
}

TEST(JsonlSource, SmallBuffersAndTheLineLimit) {
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += "{\"i\":\"" + std::to_string(i) + "\",\"pad\":\"" + std::string(i, 'x') + "\"}\r\n";
  JsonlReadOptions options;
  options.buffer_bytes = 5;
  Table t = read_bytes(text, options);
  ASSERT_EQ(t.rows.size(), 50u);
  EXPECT_EQ(t.rows[49].values, (Names{"49", std::string(49, 'x')}));

  options.buffer_bytes = 1024;
  options.max_line_bytes = 2048;
  EXPECT_EQ(read_error("{\"a\":\"1\"}\n{\"a\":\"" + std::string(3000, 'x') + "\"}\n", options),
            "in.jsonl:2: line longer than max_line_bytes (2048 bytes)");
}

TEST(JsonlSource, OpenReadsAgainFromTheStart) {
  TempDir dir;
  pipehost::test::write_file(dir.file("in.jsonl"), "{\"id\":\"1\"}\n{\"id\":\"2\"}\n");
  pipehost::test::TestHost host;
  JsonlSource source = make_source(host, {{"path", dir.file("in.jsonl")}, {"key", "id"}}, "/source");
  EXPECT_EQ(read_all(source).keys(), (Names{"1", "2"}));
  EXPECT_EQ(read_all(source).keys(), (Names{"1", "2"}));
}

TEST(JsonlSource, ReportsBadLinesAndMissingFilesAsFatalStatus) {
  TempDir dir;
  pipehost::test::write_file(dir.file("in.jsonl"), "{\"id\":\"1\"}\n[2]\n");
  pipehost::test::TestHost host;
  JsonlSource source = make_source(host, {{"path", dir.file("in.jsonl")}});
  std::vector<std::string> columns;
  ASSERT_TRUE(source.open(columns));
  std::vector<Row> batch;
  Status read = source.read(batch, 10);
  ASSERT_TRUE(read.is_fatal());
  EXPECT_EQ(read.message(), dir.file("in.jsonl") + ":2: expected a JSON object, found an array");
  JsonlSource missing = make_source(host, {{"path", dir.file("none.jsonl")}});
  Status opened = missing.open(columns);
  ASSERT_TRUE(opened.is_fatal());
  EXPECT_NE(opened.message().find(dir.file("none.jsonl")), std::string::npos) << opened.message();
}

TEST(JsonlSource, RejectsBadConfig) {
  pipehost::test::TestHost host;
  auto error = [&](boost::json::object config) {
    return pipehost::test::config_error<JsonlSource>(source_spec(), context(host, config, "/source"));
  };
  EXPECT_EQ(error({}), "/source/path: missing");
  EXPECT_EQ(error({{"path", "x"}, {"columns", boost::json::array{}}}),
            "/source/columns: expected at least 1 items, got 0");
  EXPECT_EQ(error({{"path", "x"}, {"columns", nullptr}}),
            "/source/columns: expected an array of strings, got null");
  EXPECT_EQ(error({{"path", "x"}, {"max_line_bytes", 10}}),
            "/source/max_line_bytes: must be at least 1024, got 10");
  EXPECT_EQ(error({{"path", "x"}, {"colums", boost::json::array{"a"}}}), "/source/colums: unknown key");
  EXPECT_EQ(error({{"path", ""}}), "json-io source config /source/path: must not be empty");
  EXPECT_EQ(error({{"path", "x"}, {"columns", boost::json::array{"a"}}, {"key", "a"}}), "");
}

/// JSONTestSuite (shared/data/json-test-suite): every file, read as a one-object-per-line file, gives
/// rows or a clean error - never a crash - and the must-reject files (n_*) never read as valid rows.
TEST(JsonlSource, JsonTestSuiteNeverCrashesAndRejectsInvalidJson) {
  fs::path dir = fs::path(PIPEHOST_SHARED_DIR) / "data" / "json-test-suite";
  std::size_t files = 0, accepted_objects = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    std::string bytes = read_file(entry.path());
    std::string error = read_error(bytes);
    ++files;
    if (name.starts_with("n_")) {
      EXPECT_NE(error, "") << name;
    }
    if (error.empty()) ++accepted_objects;
  }
  EXPECT_EQ(files, 318u);
  EXPECT_GT(accepted_objects, 5u) << "the y_object_* files read";
}

}  // namespace
}  // namespace pipehost::json_io::test
