// JSON sink: exact array / JSON Lines / pretty output, parsing back to the same records with
// Boost.JSON, escaping of every control character, U+FFFD for invalid UTF-8, and the
// temp-file-and-rename promise. One test goes through the real plugin library.
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

std::string written(const Table& t, boost::json::object config = {}) {
  TempDir dir;
  write_with_sink(dir.file("out.json"), t, std::move(config));
  return read_file(dir.file("out.json"));
}

/// The records as the sink should represent them: objects of strings in column order.
boost::json::array as_json(const Table& t) {
  boost::json::array rows;
  for (const Row& row : t.rows) {
    boost::json::object object;
    for (std::size_t i = 0; i < t.columns.size(); ++i) object[t.columns[i]] = row.values[i].as_string();
    rows.push_back(std::move(object));
  }
  return rows;
}

const Table kSongs = make_table(
    {"artist", "song", "n"}, {{"Toni Basil", "Mickey", "61"}, {"Lustra", "Scotty \"Doesn't\" Know", "55"}});

TEST(JsonSink, ArrayIsOneObjectPerLine) {
  std::string text = written(kSongs);
  EXPECT_EQ(text,
            "[\n"
            "{\"artist\":\"Toni Basil\",\"song\":\"Mickey\",\"n\":\"61\"},\n"
            "{\"artist\":\"Lustra\",\"song\":\"Scotty \\\"Doesn't\\\" Know\",\"n\":\"55\"}\n"
            "]\n");
  EXPECT_EQ(boost::json::parse(text), as_json(kSongs));
}

TEST(JsonSink, JsonLines) {
  std::string text = written(kSongs, {{"format", "jsonl"}});
  EXPECT_EQ(text,
            "{\"artist\":\"Toni Basil\",\"song\":\"Mickey\",\"n\":\"61\"}\n"
            "{\"artist\":\"Lustra\",\"song\":\"Scotty \\\"Doesn't\\\" Know\",\"n\":\"55\"}\n");
  boost::json::array parsed;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    parsed.push_back(boost::json::parse(text.substr(start, end - start)));
  }
  EXPECT_EQ(parsed, as_json(kSongs));
}

TEST(JsonSink, TypedValuesAreWrittenAsNativeJson) {
  Table typed;
  typed.columns = {"n", "ratio", "big", "person", "missing", "subgenres", "extra", "text"};
  Row row;
  row.key = "1";
  Value extra = Value::object();
  extra.set("k", Value(std::int64_t{1}));
  row.values = {Value(std::int64_t{113}),
                Value(0.5),
                Value::integer("123456789012345678901234567890"),
                Value(true),
                Value(nullptr),
                Value::array({Value(std::string("Dance pop")), Value(std::string("Electro house"))}),
                extra,
                Value(std::string("113"))};
  typed.rows.push_back(std::move(row));
  EXPECT_EQ(
      written(typed, {{"format", "jsonl"}}),
      "{\"n\":113,\"ratio\":0.5,\"big\":123456789012345678901234567890,\"person\":true,\"missing\":null,"
      "\"subgenres\":[\"Dance pop\",\"Electro house\"],\"extra\":{\"k\":1},\"text\":\"113\"}\n")
      << "an integer beyond 64 bits keeps its exact digits; a string stays a string";
}

TEST(JsonSink, Pretty) {
  Table t = make_table({"a", "b"}, {{"1", "2"}, {"3", "4"}});
  std::string text = written(t, {{"pretty", true}});
  EXPECT_EQ(text,
            "[\n"
            "  {\n    \"a\": \"1\",\n    \"b\": \"2\"\n  },\n"
            "  {\n    \"a\": \"3\",\n    \"b\": \"4\"\n  }\n"
            "]\n");
  EXPECT_EQ(boost::json::parse(text), as_json(t));
}

TEST(JsonSink, NoRows) {
  Table empty = make_table({"a"}, {});
  EXPECT_EQ(written(empty), "[]\n");
  EXPECT_EQ(written(empty, {{"pretty", true}}), "[]\n");
  EXPECT_EQ(written(empty, {{"format", "jsonl"}}), "");
}

TEST(JsonSink, EscapesEveryControlCharacter) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  all_controls += "\"\\/\x7F";
  Table t = make_table({"k\n\"ey"}, {{all_controls}});
  std::string text = written(t, {{"format", "jsonl"}});
  EXPECT_EQ(
      text,
      "{\"k\\n\\\"ey\":\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
      "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
      "\\u001c\\u001d\\u001e\\u001f\\\"\\\\/\x7F\"}\n");
  EXPECT_EQ(boost::json::parse(text).at("k\n\"ey"),
            boost::json::value(boost::json::string(all_controls.data(), all_controls.size())));
}

TEST(JsonSink, InvalidUtf8BecomesReplacementCharacter) {
  Table t = make_table({"a\xFF"},
                       {{"ok \xC3\xA9 \xF0\x9F\x8E\xB5"}, {"bad \xC3 \xE2\x82 \xED\xA0\x80 \xFF\xFE end"}});
  std::string text = written(t);
  EXPECT_EQ(io::find_invalid_utf8(text), std::string_view::npos) << "output is valid UTF-8";
  boost::json::array parsed = boost::json::parse(text).as_array();
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(parsed.at(0).at("a" + r).as_string(), "ok \xC3\xA9 \xF0\x9F\x8E\xB5");
  // C3 and E2 82 are one maximal subpart each; ED A0 80 (a surrogate) is three; FF and FE one each.
  EXPECT_EQ(std::string(parsed.at(1).at("a" + r).as_string()),
            "bad " + r + " " + r + " " + r + r + r + " " + r + r + " end");
}

TEST(JsonSink, WritesTempFileAndRenamesOnCommit) {
  TempDir dir;
  std::string path = dir.file("sub/out.json");
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  pipehost::test::TestHost host;
  {
    JsonSink sink = make_sink(host, {{"path", path}}, "/sinks/0");
    ASSERT_TRUE(sink.open(kSongs.column_list()));
    ASSERT_TRUE(sink.write(kSongs.rows));
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(path));
    ASSERT_TRUE(sink.commit());
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(boost::json::parse(read_file(path)), as_json(kSongs));
  {
    JsonSink sink = make_sink(host, {{"path", path}}, "/sinks/0");
    ASSERT_TRUE(sink.open(kSongs.column_list()));  // dropped without commit
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(boost::json::parse(read_file(path)), as_json(kSongs)) << "the committed file is untouched";
}

TEST(JsonSink, RejectsDuplicateColumnsAndWrongWidths) {
  TempDir dir;
  pipehost::test::TestHost host;
  JsonSink sink = make_sink(host, {{"path", dir.file("x.json")}}, "/sinks/0");
  Status duplicate = sink.open({"a", "b", "a"});
  ASSERT_TRUE(duplicate.is_fatal());
  EXPECT_EQ(duplicate.message(),
            dir.file("x.json") +
                ": duplicate column name \"a\" (columns 1 and 3); JSON object keys must be unique");
  ASSERT_TRUE(sink.open({"a", "b"}));
  Status narrow = sink.write(make_table({"a"}, {{"1"}}).rows);
  ASSERT_TRUE(narrow.is_fatal());
  EXPECT_EQ(narrow.message(), dir.file("x.json") + ": row 1 has 1 values for 2 columns");
}

TEST(JsonSink, RejectsBadConfig) {
  pipehost::test::TestHost host;
  auto error = [&](boost::json::object config) {
    return pipehost::test::config_error<JsonSink>(sink_spec(), context(host, config, "/sinks/1"));
  };
  EXPECT_EQ(error({{"path", "x"}, {"format", "csv"}}),
            "/sinks/1/format: expected one of \"array\", \"jsonl\", got \"csv\"");
  EXPECT_EQ(error({{"path", "x"}, {"pretty", "yes"}}),
            "/sinks/1/pretty: expected true or false, got \"yes\"");
  EXPECT_EQ(error({{"path", "x"}, {"format", "jsonl"}, {"pretty", true}}),
            "json-io sink config /sinks/1/pretty: needs \"format\": \"array\" (JSON Lines keep each object "
            "on one line)");
  EXPECT_EQ(error({{"path", ""}}), "json-io sink config /sinks/1/path: must not be empty");
  EXPECT_EQ(error({{"path", "x"}}), "");
  EXPECT_EQ(error({{"path", "x"}, {"format", "jsonl"}}), "");
}

TEST(JsonPluginLibrary, SinkThroughTheRegisteredFactory) {
  pipehost::test::PluginLibrary plugin("json-io");
  EXPECT_EQ(plugin.descriptor().name, "json-io");
  for (StageKind kind : {StageKind::source, StageKind::sink}) {
    boost::json::object schema = boost::json::parse(plugin.stage(kind).config_schema).as_object();
    EXPECT_EQ(schema.at("additionalProperties"), false);
    EXPECT_EQ(schema.at("properties").at("path").at("format"), "path");
  }
  TempDir dir;
  pipehost::test::TestHost host;
  auto sink = plugin.create<Sink>(context(host, {{"path", dir.file("out.json")}}, "/sinks/0"));
  ASSERT_TRUE(sink->open(kSongs.column_list()));
  ASSERT_TRUE(sink->write(kSongs.rows));
  ASSERT_TRUE(sink->commit());
  EXPECT_EQ(boost::json::parse(read_file(dir.file("out.json"))), as_json(kSongs));
  Status wrong = sink->write(kSongs.rows);  // after commit: an error status, not an exception
  EXPECT_TRUE(wrong.is_fatal());
}

}  // namespace
}  // namespace pipehost::json_io::test
