// Reader behaviour on valid input and its limits: BOM, CRLF, lone CR, blank lines, custom dialects,
// keys, files without header, positions of rows and errors, long fields, re-reading.
#include <gtest/gtest.h>

#include "csv_test_util.hpp"

namespace pipehost::csv::test {
namespace {

using Values = std::vector<std::vector<std::string>>;
using Names = std::vector<std::string>;

std::string corpus(const std::string& name) {
  return std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/csv-io/data/" + name;
}

TEST(CsvReader, BomIsDroppedAndCrlfInsideQuotesIsKept) {
  Table table = read_file_with_source(corpus("bom_crlf.csv"));
  EXPECT_EQ(table.columns, (Names{"id", "text"}));
  EXPECT_EQ(table.values(), (Values{{"1", "two\r\nlines"}, {"2", "plain"}}));
  EXPECT_EQ(table.rows[0].line, 2u);
  EXPECT_EQ(table.rows[1].line, 4u);
}

TEST(CsvReader, BomOnlyCountsAtTheStart) {
  EXPECT_EQ(read_bytes("a\n\xEF\xBB\xBFx\n").values(), (Values{{"\xEF\xBB\xBFx"}}));
  EXPECT_EQ(read_error("\xEF\xBB\xBF"), "in.csv:1:1: no header row: the file is empty");
}

TEST(CsvReader, SemicolonDelimiter) {
  Table table = read_file_with_source(corpus("semicolon.csv"), {{"delimiter", ";"}});
  EXPECT_EQ(table.columns, (Names{"name", "note"}));
  EXPECT_EQ(table.values(), (Values{{"Smith; John", "said \"hi\""}, {"Doe", "x"}}));
}

TEST(CsvReader, TabDelimiterAndSingleQuote) {
  CsvReadOptions options;
  options.dialect = {'\t', '\''};
  EXPECT_EQ(read_bytes("a\tb\n'x\ty'\t'it''s'\n\"q\"\tz\n", options).values(),
            (Values{{"x\ty", "it's"}, {"\"q\"", "z"}}));
}

TEST(CsvReader, LineEndings) {
  Values expected{{"1", "2"}, {"3", "4"}};
  EXPECT_EQ(read_bytes("a,b\n1,2\n3,4\n").values(), expected);
  EXPECT_EQ(read_bytes("a,b\r\n1,2\r\n3,4\r\n").values(), expected);
  EXPECT_EQ(read_bytes("a,b\r1,2\r3,4\r").values(), expected) << "lone CR (classic Mac)";
  EXPECT_EQ(read_bytes("a,b\n1,2\n3,4").values(), expected) << "no final line end";
  EXPECT_EQ(read_bytes("a,b\r\n1,2\r\n3,4").values(), expected);
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  Table table = read_bytes("a,b\n\n1,2\r\n\r\n\n3,4\n\n");
  EXPECT_EQ(table.values(), (Values{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(table.rows[0].line, 3u);
  EXPECT_EQ(table.rows[1].line, 6u);
  EXPECT_EQ(table.keys(), (Names{"1", "2"})) << "keys number data rows, not lines";
}

TEST(CsvReader, EmptyFieldsQuotedOrNot) {
  EXPECT_EQ(read_bytes("a,b,c\n,\"\",\n\"\",,\"\"\n").values(), (Values{{"", "", ""}, {"", "", ""}}));
  EXPECT_EQ(read_bytes("a\n\"\"\n").values(), (Values{{""}})) << "one empty quoted field is a row";
}

TEST(CsvReader, SpacesAreData) {
  EXPECT_EQ(read_bytes("a,b\n  x , y \n").values(), (Values{{"  x ", " y "}}));
}

TEST(CsvReader, MultiLineRecordsReportTheirFirstLine) {
  Table table = read_bytes("a,b\n1,\"x\ny\nz\"\n2,\"\r\n\"\n3,w\n");
  EXPECT_EQ(table.values(), (Values{{"1", "x\ny\nz"}, {"2", "\r\n"}, {"3", "w"}}));
  std::vector<std::uint64_t> lines;
  for (const Row& row : table.rows) lines.push_back(row.line);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 5, 7}));
}

TEST(CsvReader, ErrorPositionsCountLinesInsideQuotesAndCharactersNotBytes) {
  EXPECT_EQ(
      read_error("a,b\n1,\"x\ny\"\n\"caf\xC3\xA9\",z\"\n"),
      "in.csv:4:9: stray quote in an unquoted field; a field that contains quotes must be quoted, with each "
      "quote inside doubled");
  EXPECT_EQ(
      read_error("a,b\n1,\"x\r\ny\"\r\n2,\"q\"w\r\n"),
      "in.csv:4:6: unexpected 'w' after the closing quote of a quoted field; a quote inside a quoted field "
      "must be doubled");
  EXPECT_EQ(
      read_error("\xEF\xBB\xBF"
                 "a,b\n1,\"2\" \n"),
      "in.csv:2:6: unexpected ' ' after the closing quote of a quoted field; a quote inside a quoted field "
      "must be doubled");
  EXPECT_EQ(read_error("\xEF\xBB\xBF"
                       "a,\"b\n"),
            "in.csv:1:3: unterminated quoted field: no closing quote before the end of the file")
      << "BOM not counted";
}

TEST(CsvReader, KeyColumn) {
  CsvReadOptions options;
  options.key_column = "id";
  Table table = read_bytes("name,id\nx,k1\ny,k2\n", options);
  EXPECT_EQ(table.keys(), (Names{"k1", "k2"}));
  EXPECT_EQ(table.values(), (Values{{"x", "k1"}, {"y", "k2"}}));
}

TEST(CsvReader, KeyCheckPointsAtThePaddedEndOfShortRows) {
  CsvReadOptions options;
  options.key_column = "id";
  options.ragged = Ragged::pad;
  EXPECT_EQ(read_error("name,id\nx\n", options), "in.csv:2:2: empty key in key column \"id\"");
}

TEST(CsvReader, WithoutHeader) {
  CsvReadOptions options;
  options.header = false;
  Table generated = read_bytes("1,2\n3,4\n", options);
  EXPECT_EQ(generated.columns, (Names{"column_1", "column_2"}));
  EXPECT_EQ(generated.values(), (Values{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(generated.keys(), (Names{"1", "2"}));
  EXPECT_EQ(
      read_error("1,2\n3\n", options),
      "in.csv:2:2: row has 1 field but there are 2 columns; set \"ragged\": \"pad\" to fill missing fields "
      "with empty values");
  EXPECT_EQ(read_error("", options),
            "in.csv:1:1: the file is empty, so it cannot tell its columns; set \"columns\"");

  options.columns = {"x", "y"};
  options.key_column = "y";
  Table named = read_bytes("1,2\n3,4\n", options);
  EXPECT_EQ(named.columns, (Names{"x", "y"}));
  EXPECT_EQ(named.keys(), (Names{"2", "4"}));
  EXPECT_TRUE(read_bytes("", options).rows.empty());
}

TEST(CsvReader, WithoutHeaderTheFirstRowIsChecked) {
  CsvReadOptions options;
  options.header = false;
  options.key_column = "column_1";
  EXPECT_EQ(read_error(",2\n", options), "in.csv:1:1: empty key in key column \"column_1\"");
}

TEST(CsvReader, NonAsciiUtf8PassesThrough) {
  EXPECT_EQ(read_bytes("a,b\n\xE2\x82\xAC,\"\xF0\x9F\x8E\xB5, \xC3\xA9\"\n").values(),
            (Values{{"\xE2\x82\xAC", "\xF0\x9F\x8E\xB5, \xC3\xA9"}}));
}

TEST(CsvReader, InvalidUtf8KindsAreRejected) {
  for (std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80", "\xFF"}) {
    EXPECT_NE(read_error("a\nx" + bad + "\n"), "") << "bytes " << bad.size();
  }
  CsvReadOptions options;
  options.invalid_utf8 = InvalidUtf8::replace;
  // One U+FFFD per maximal ill-formed subpart: E2 82 is one, the lone 80 another.
  EXPECT_EQ(read_bytes("a,b\nx\xE2\x82,\x80y\n", options).values(),
            (Values{{"x\xEF\xBF\xBD", "\xEF\xBF\xBDy"}}));
  EXPECT_EQ(read_bytes("\xFF"
                       "a\n1\n",
                       options)
                .columns,
            (Names{"\xEF\xBF\xBD"
                   "a"}))
      << "header too";
}

TEST(CsvReader, TenMegabyteFields) {
  std::string big;
  big.reserve(10 << 20);
  while (big.size() < (10u << 20)) big += "line with \"quotes\", commas\nand newlines ";
  std::string quoted;
  for (char c : big) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  Table table = read_bytes("a,b\n1,\"" + quoted + "\"\n2,x\n");
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].values[1], big);
  EXPECT_EQ(table.rows[1].values, (Names{"2", "x"}));
  EXPECT_EQ(table.rows[1].line, 3u + static_cast<std::uint64_t>(std::count(big.begin(), big.end(), '\n')));

  std::string unquoted(10 << 20, 'x');
  EXPECT_EQ(read_bytes("a\n" + unquoted + "\n").rows.at(0).values[0], unquoted);
}

TEST(CsvReader, RowLongerThanTheLimitIsAnError) {
  CsvReadOptions options;
  options.buffer_bytes = 1024;
  options.max_row_bytes = 4096;
  EXPECT_EQ(
      read_error("a,b\n1,\"" + std::string(5000, 'x') + "\"\n", options),
      "in.csv:2:3: quoted field still open after max_row_bytes (4096 bytes); is its closing quote missing?");
  EXPECT_EQ(read_error("a,b\n1," + std::string(5000, 'x') + "\n", options),
            "in.csv:2:1: row longer than max_row_bytes (4096 bytes)");
  EXPECT_EQ(read_bytes("a,b\n1," + std::string(3000, 'x') + "\n", options).rows.size(), 1u);
}

TEST(CsvReader, OpenReadsAgainFromTheStart) {
  pipehost::test::TestHost host;
  CsvSource source = make_source(host, {{"path", corpus("semicolon.csv")}, {"delimiter", ";"}});
  std::vector<std::string> columns;
  std::vector<Row> batch;
  ASSERT_TRUE(source.open(columns));
  ASSERT_TRUE(source.read(batch, 1));
  ASSERT_EQ(batch.size(), 1u);
  Table again = read_all(source);
  EXPECT_EQ(again.keys(), (Names{"1", "2"}));
  EXPECT_EQ(again.values(), (Values{{"Smith; John", "said \"hi\""}, {"Doe", "x"}}));
}

TEST(CsvReader, ReopenForgetsKeysOfThePreviousPass) {
  pipehost::test::TestHost host;
  CsvSource source =
      make_source(host, {{"path", corpus("semicolon.csv")}, {"delimiter", ";"}, {"key", "name"}});
  EXPECT_EQ(read_all(source).keys(), (Names{"Smith; John", "Doe"}));
  EXPECT_EQ(read_all(source).keys(), (Names{"Smith; John", "Doe"}));
}

TEST(CsvSourceConfig, RejectsBadSettings) {
  pipehost::test::TestHost host;
  auto error = [&](boost::json::object config) {
    return pipehost::test::config_error<CsvSource>(source_spec(), context(host, config));
  };
  // What the schema says, the declaration refuses (naming the pointer).
  EXPECT_EQ(error({}), "/source/path: missing");
  EXPECT_EQ(error({{"path", "x"}, {"ragged", "ignore"}}),
            "/source/ragged: expected one of \"error\", \"pad\", \"truncate\", \"pad_or_truncate\", got "
            "\"ignore\"");
  EXPECT_EQ(error({{"path", "x"}, {"columns", boost::json::array{}}, {"header", false}}),
            "/source/columns: expected at least 1 items, got 0");
  EXPECT_EQ(error({{"path", "x"}, {"max_row_bytes", 100}}),
            "/source/max_row_bytes: must be at least 1024, got 100");
  EXPECT_EQ(error({{"path", "x"}, {"delimeter", ";"}}), "/source/delimeter: unknown key");
  // What it cannot say, the source checks itself.
  EXPECT_EQ(error({{"path", ""}}), "csv-io source config /source/path: must not be empty");
  EXPECT_EQ(error({{"path", "x"}, {"delimiter", "\""}}),
            "csv-io source config /source/quote: must differ from the delimiter");
  EXPECT_EQ(error({{"path", "x"}, {"quote", "\n"}}),
            "csv-io source config /source/quote: cannot be CR or LF");
  EXPECT_EQ(error({{"path", "x"}, {"delimiter", "\xC3\xA9"}}),
            "csv-io source config /source/delimiter: must be exactly one ASCII character, not \"\xC3\xA9\"");
  EXPECT_EQ(
      error({{"path", "x"}, {"columns", boost::json::array{"a"}}}),
      "csv-io source config /source/columns: names the columns of a file without header row; set \"header\": "
      "false to use it");
  EXPECT_EQ(error({{"path", "x"}}), "");
  EXPECT_EQ(error({{"path", "x"}, {"columns", boost::json::array{"a"}}, {"header", false}}), "");
}

TEST(CsvSourceConfig, RelativePathResolvesAgainstConfigFolder) {
  pipehost::test::TestHost host;
  StageContext context{host, R"({"path": "semicolon.csv", "delimiter": ";"})",
                       std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/csv-io/data", "/source"};
  CsvSource source = pipehost::test::make_stage<CsvSource>(source_spec(), context);
  EXPECT_EQ(read_all(source).rows.size(), 2u);
}

}  // namespace
}  // namespace pipehost::csv::test
