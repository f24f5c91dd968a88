// CSV sink: canonical quoting, line endings, the temp-file-and-rename promise, and round trips
// (what the reader reads, the writer writes back byte-identical for canonical files).
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "csv_test_util.hpp"

namespace pipehost::csv::test {
namespace {

namespace fs = std::filesystem;
using pipehost::test::read_file;
using pipehost::test::TempDir;

std::string corpus(const std::string& name) {
  return std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/csv-io/data/" + name;
}

Table table(std::vector<std::string> columns, std::vector<std::vector<std::string>> values) {
  Table t;
  t.columns = std::move(columns);
  for (auto& row : values) {
    t.rows.emplace_back();
    t.rows.back().key = std::to_string(t.rows.size());
    for (auto& text : row) t.rows.back().values.emplace_back(std::move(text));
  }
  return t;
}

std::string written(const Table& t, boost::json::object config = {}) {
  TempDir dir;
  write_file_with_sink(dir.file("out.csv"), t, std::move(config));
  return read_file(dir.file("out.csv"));
}

TEST(CsvSink, QuotesOnlyWhereNeeded) {
  Table t = table({"plain", "needs quotes", "x"}, {{"abc", "a,b", ""},
                                                   {"it's", "say \"hi\"", "two\nlines"},
                                                   {" lead", "trail\t", "cr\rhere"},
                                                   {"in side",
                                                    "\xEF\xBB\xBF"
                                                    "bom",
                                                    "caf\xC3\xA9"}});
  EXPECT_EQ(written(t),
            "plain,needs quotes,x\n"
            "abc,\"a,b\",\n"
            "it's,\"say \"\"hi\"\"\",\"two\nlines\"\n"
            "\" lead\",\"trail\t\",\"cr\rhere\"\n"
            "in side,\"\xEF\xBB\xBF"
            "bom\",caf\xC3\xA9\n");
}

TEST(CsvSink, OneColumnEmptyValueIsQuotedSoItIsNotABlankLine) {
  std::string text = written(table({"a"}, {{""}, {"x"}}));
  EXPECT_EQ(text, "a\n\"\"\nx\n");
  EXPECT_EQ(read_bytes(text).values(), (std::vector<std::vector<std::string>>{{""}, {"x"}}));
}

TEST(CsvSink, DialectAndLineEnding) {
  Table t = table({"a", "b"}, {{"x,y", "p;q"}, {"'", "z"}});
  EXPECT_EQ(written(t, {{"delimiter", ";"}, {"quote", "'"}, {"line_ending", "\r\n"}}),
            "a;b\r\nx,y;'p;q'\r\n'''';z\r\n");
  EXPECT_EQ(written(t, {{"header", false}}), "\"x,y\",p;q\n',z\n");
}

TEST(CsvSink, WritesTempFileAndRenamesOnCommit) {
  TempDir dir;
  std::string path = dir.file("deep/er/out.csv");  // folders are created
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  pipehost::test::TestHost host;
  {
    CsvSink sink = make_sink(host, {{"path", path}}, "/sinks/0");
    ASSERT_TRUE(sink.open({"a"}));
    ASSERT_TRUE(sink.write(table({"a"}, {{"1"}}).rows));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::exists(temp));
    ASSERT_TRUE(sink.commit());
    EXPECT_FALSE(fs::exists(temp));
  }
  EXPECT_EQ(read_file(path), "a\n1\n");
}

TEST(CsvSink, DroppedWithoutCommitLeavesNoFileAndKeepsTheOldOne) {
  TempDir dir;
  std::string path = dir.file("out.csv");
  pipehost::test::write_file(path, "previous run\n");
  pipehost::test::TestHost host;
  {
    CsvSink sink = make_sink(host, {{"path", path}}, "/sinks/0");
    ASSERT_TRUE(sink.open({"a"}));
    ASSERT_TRUE(sink.write(table({"a"}, {{"1"}}).rows));
  }
  EXPECT_EQ(read_file(path), "previous run\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "temp file left";
}

TEST(CsvSink, RejectsRowsOfTheWrongWidth) {
  TempDir dir;
  pipehost::test::TestHost host;
  CsvSink sink = make_sink(host, {{"path", dir.file("out.csv")}}, "/sinks/0");
  ASSERT_TRUE(sink.open({"a", "b"}));
  Status wrote = sink.write(table({"a", "b"}, {{"1"}}).rows);
  ASSERT_TRUE(wrote.is_fatal());
  EXPECT_EQ(wrote.message(), dir.file("out.csv") + ": row 1 has 1 values for 2 columns");
}

TEST(CsvSink, ReportsMisuseAsFatalStatus) {
  TempDir dir;
  pipehost::test::TestHost host;
  CsvSink sink = make_sink(host, {{"path", dir.file("out.csv")}}, "/sinks/0");
  EXPECT_EQ(sink.write({}).message(), dir.file("out.csv") + ": write before open");
  EXPECT_EQ(sink.commit().message(), dir.file("out.csv") + ": commit before open");
  Status no_columns = sink.open({});
  ASSERT_TRUE(no_columns.is_fatal());
  EXPECT_EQ(no_columns.message(), dir.file("out.csv") + ": cannot write a CSV file with no columns");
  pipehost::test::write_file(dir.path() / "blocker", "a file, not a folder");
  CsvSink blocked = make_sink(host, {{"path", dir.file("blocker/out.csv")}}, "/sinks/0");
  Status opened = blocked.open({"a"});
  ASSERT_TRUE(opened.is_fatal());
  EXPECT_NE(opened.message().find("blocker"), std::string::npos) << opened.message();
}

TEST(CsvSink, RejectsBadConfig) {
  pipehost::test::TestHost host;
  auto error = [&](boost::json::object config) {
    return pipehost::test::config_error<CsvSink>(sink_spec(), context(host, config, "/sinks/1"));
  };
  EXPECT_EQ(error({{"path", "x.csv"}, {"line_ending", "\r"}}),
            "/sinks/1/line_ending: expected one of \"\\n\", \"\\r\\n\", got \"\\r\"");
  EXPECT_EQ(error({{"path", "x.csv"}, {"delimiter", "\r"}}),
            "csv-io sink config /sinks/1/delimiter: cannot be CR or LF");
  EXPECT_EQ(error({{"path", "x.csv"}, {"quote", "''"}}),
            "csv-io sink config /sinks/1/quote: must be exactly one ASCII character, not \"''\"");
  EXPECT_EQ(error({{"path", "x.csv"}, {"line_ending", "\r\n"}, {"header", false}}), "");
}

TEST(CsvRoundTrip, CanonicalFilesAreWrittenBackByteIdentical) {
  for (auto [name, line_ending] : {std::pair{"canonical.csv", "\n"}, std::pair{"canonical_crlf.csv", "\r\n"},
                                   std::pair{"header_only.csv", "\n"}}) {
    Table t = read_file_with_source(corpus(name));
    EXPECT_EQ(written(t, {{"line_ending", line_ending}}), read_file(corpus(name))) << name;
  }
}

TEST(CsvRoundTrip, CsvSpectrumCasesInCanonicalFormAreByteIdentical) {
  // Most csv-spectrum files are canonical as they are; comma_in_quotes.csv and utf8.csv lack a final
  // newline, empty.csv also quotes empty fields. Their records must still survive the round trip.
  fs::path dir = fs::path(PIPEHOST_SHARED_DIR) / "data" / "csv-spectrum" / "csvs";
  for (const char* name : {"comma_in_quotes.csv", "escaped_quotes.csv", "json.csv", "newlines.csv",
                           "quotes_and_newlines.csv", "simple.csv", "utf8.csv", "empty.csv"}) {
    std::string original = read_file(dir / name);
    Table t = read_file_with_source((dir / name).string());
    std::string rewritten = written(t);
    EXPECT_EQ(read_bytes(rewritten).values(), t.values()) << name;
    bool canonical = std::string(name) != "comma_in_quotes.csv" && std::string(name) != "empty.csv" &&
                     std::string(name) != "utf8.csv";
    if (canonical) {
      EXPECT_EQ(rewritten, original) << name;
    }
  }
}

/// Random text drawn from pieces that stress quoting: delimiters, quotes, CR, LF, spaces, BOM, UTF-8.
std::string random_field(std::mt19937& random) {
  static const std::vector<std::string> pieces = {"a",
                                                  "word",
                                                  " ",
                                                  "\t",
                                                  ",",
                                                  ";",
                                                  "\"",
                                                  "\"\"",
                                                  "'",
                                                  "\n",
                                                  "\r",
                                                  "\r\n",
                                                  "\xEF\xBB\xBF",
                                                  "\xC3\xA9",
                                                  "\xF0\x9F\x8E\xB5",
                                                  "x y",
                                                  "0",
                                                  ""};
  std::string field;
  std::size_t count = random() % 6;
  for (std::size_t i = 0; i < count; ++i) field += pieces[random() % pieces.size()];
  return field;
}

/// `t` formatted by CsvWriter (what the sink writes, without the file).
std::string formatted(const Table& t, const CsvDialect& dialect, const std::string& line_ending) {
  CsvWriter writer(dialect, line_ending);
  std::string out;
  writer.append_record(t.columns, out);
  for (const Row& row : t.rows) {
    std::vector<std::string> texts;
    for (const auto& value : row.values) texts.push_back(value.as_string());
    writer.append_record(texts, out);
  }
  return out;
}

TEST(CsvRoundTrip, RandomTablesSurviveAndRewritesAreStable) {
  std::mt19937 random(20240601);
  for (int trial = 0; trial < 1000; ++trial) {
    std::size_t columns = 1 + random() % 4;
    Table t;
    for (std::size_t c = 0; c < columns; ++c)
      t.columns.push_back("c" + std::to_string(c) + random_field(random));
    std::size_t rows = random() % 8;
    for (std::size_t r = 0; r < rows; ++r) {
      Row row;
      row.key = std::to_string(r + 1);
      for (std::size_t c = 0; c < columns; ++c) row.values.push_back(random_field(random));
      t.rows.push_back(row);
    }
    CsvReadOptions options;
    if (trial % 3 == 2) options.dialect.delimiter = ';';
    std::string line_ending = trial % 3 == 1 ? "\r\n" : "\n";
    std::string first = formatted(t, options.dialect, line_ending);
    Table back = read_bytes(first, options);
    ASSERT_EQ(back.columns, t.columns) << "trial " << trial;
    ASSERT_EQ(back.values(), t.values()) << "trial " << trial;
    EXPECT_EQ(formatted(back, options.dialect, line_ending), first) << "trial " << trial;
  }
}

}  // namespace
}  // namespace pipehost::csv::test
