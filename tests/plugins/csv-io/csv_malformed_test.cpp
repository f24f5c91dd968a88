// The malformed corpus (tests/plugins/csv-io/data, see its README.md): each file gives its
// documented error, with the exact "file:line:column: what" text, or its documented result. The
// errors come from open() where the header is at fault, else from read().
#include <gtest/gtest.h>

#include "csv_test_util.hpp"

namespace pipehost::csv::test {
namespace {

std::string corpus(const std::string& name) {
  return std::string(PIPEHOST_SOURCE_DIR) + "/tests/plugins/csv-io/data/" + name;
}

/// The error message reading corpus file `name` gives (with `config` settings), or "" when none.
std::string error_of(const std::string& name, boost::json::object config = {}) {
  try {
    read_file_with_source(corpus(name), std::move(config));
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

/// The error open() gives, proving that header problems stop a run before any read().
std::string open_error_of(const std::string& name, boost::json::object config = {}) {
  pipehost::test::TestHost host;
  config["path"] = corpus(name);
  CsvSource source = make_source(host, config);
  std::vector<std::string> columns;
  Status opened = source.open(columns);
  EXPECT_TRUE(opened.is_ok() || opened.is_fatal()) << "a bad file is fatal, never retry";
  return opened.message();
}

TEST(CsvMalformed, EmptyFileHasNoHeader) {
  EXPECT_EQ(open_error_of("empty.csv"), corpus("empty.csv") + ":1:1: no header row: the file is empty");
  EXPECT_EQ(open_error_of("blank_lines_only.csv"),
            corpus("blank_lines_only.csv") + ":1:1: no header row: the file is empty");
}

TEST(CsvMalformed, HeaderOnlyGivesColumnsAndNoRows) {
  Table table = read_file_with_source(corpus("header_only.csv"));
  EXPECT_EQ(table.columns, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(table.rows.empty());
}

TEST(CsvMalformed, UnterminatedQuotePointsAtOpeningQuote) {
  const std::string what = ":2:3: unterminated quoted field: no closing quote before the end of the file";
  EXPECT_EQ(error_of("unterminated_quote.csv"), corpus("unterminated_quote.csv") + what);
  EXPECT_EQ(error_of("unterminated_quote_at_eof.csv"), corpus("unterminated_quote_at_eof.csv") + what);
}

TEST(CsvMalformed, StrayQuoteInUnquotedField) {
  EXPECT_EQ(
      error_of("stray_quote.csv"),
      corpus("stray_quote.csv") +
          ":2:4: stray quote in an unquoted field; a field that contains quotes must be quoted, with each "
          "quote inside doubled");
}

TEST(CsvMalformed, TextAfterClosingQuote) {
  EXPECT_EQ(
      error_of("text_after_closing_quote.csv"),
      corpus("text_after_closing_quote.csv") +
          ":2:6: unexpected 'y' after the closing quote of a quoted field; a quote inside a quoted field "
          "must be doubled");
}

TEST(CsvMalformed, RaggedRowsAreErrorsByDefault) {
  EXPECT_EQ(error_of("ragged_long.csv"), corpus("ragged_long.csv") +
                                             ":2:5: row has 3 fields but the header has 2; set \"ragged\": "
                                             "\"truncate\" to drop extra fields");
  EXPECT_EQ(error_of("ragged_short.csv"), corpus("ragged_short.csv") +
                                              ":2:4: row has 2 fields but the header has 3; set \"ragged\": "
                                              "\"pad\" to fill missing fields with empty values");
}

TEST(CsvMalformed, RaggedOptions) {
  // "pad" fills short rows but still rejects long ones, "truncate" the other way round.
  Table padded = read_file_with_source(corpus("ragged_short.csv"), {{"ragged", "pad"}});
  EXPECT_EQ(padded.values(), (std::vector<std::vector<std::string>>{{"1", "2", ""}, {"3", "4", "5"}}));
  EXPECT_NE(error_of("ragged_long.csv", {{"ragged", "pad"}}), "");

  Table truncated = read_file_with_source(corpus("ragged_long.csv"), {{"ragged", "truncate"}});
  EXPECT_EQ(truncated.values(), (std::vector<std::vector<std::string>>{{"1", "2"}, {"4", "5"}}));
  EXPECT_NE(error_of("ragged_short.csv", {{"ragged", "truncate"}}), "");

  EXPECT_EQ(read_file_with_source(corpus("ragged_short.csv"), {{"ragged", "pad_or_truncate"}}).values(),
            padded.values());
  EXPECT_EQ(read_file_with_source(corpus("ragged_long.csv"), {{"ragged", "pad_or_truncate"}}).values(),
            truncated.values());
}

TEST(CsvMalformed, RaggedAdjustmentsAreLogged) {
  pipehost::test::TestHost host;
  CsvSource source = make_source(host, {{"path", corpus("ragged_short.csv")}, {"ragged", "pad"}});
  read_all(source);
  EXPECT_EQ(host.logs(), (std::vector<std::string>{"warn: " + corpus("ragged_short.csv") +
                                                   ": 1 short rows padded with empty values (\"ragged\")"}));
}

TEST(CsvMalformed, InvalidUtf8IsAnErrorOrReplaced) {
  EXPECT_EQ(error_of("invalid_utf8.csv"),
            corpus("invalid_utf8.csv") +
                ":2:6: invalid UTF-8 (byte 0xE9); set \"invalid_utf8\": \"replace\" "
                "to replace invalid bytes with U+FFFD");
  Table replaced = read_file_with_source(corpus("invalid_utf8.csv"), {{"invalid_utf8", "replace"}});
  EXPECT_EQ(replaced.values(),
            (std::vector<std::vector<std::string>>{{"1", "caf\xEF\xBF\xBD"}, {"2", "ok"}}));
}

TEST(CsvMalformed, DuplicateKeysAreReadForTheHostToJudge) {
  // Whether a key may repeat is the host's call (run.allow_duplicate_keys): the source passes both on.
  EXPECT_EQ(read_file_with_source(corpus("duplicate_key.csv"), {{"key", "id"}}).keys(),
            (std::vector<std::string>{"1", "2", "1"}));
  // Without a key column, rows are numbered and nothing is duplicate.
  EXPECT_EQ(read_file_with_source(corpus("duplicate_key.csv")).keys(),
            (std::vector<std::string>{"1", "2", "3"}));
}

TEST(CsvMalformed, EmptyKey) {
  EXPECT_EQ(error_of("empty_key.csv", {{"key", "id"}}),
            corpus("empty_key.csv") + ":3:1: empty key in key column \"id\"");
}

TEST(CsvMalformed, KeyColumnMustExist) {
  EXPECT_EQ(open_error_of("duplicate_key.csv", {{"key", "ID"}}),
            corpus("duplicate_key.csv") + ":1:1: key column \"ID\" is not among the columns (\"id\", \"v\")");
}

TEST(CsvMalformed, DuplicateColumnName) {
  EXPECT_EQ(open_error_of("duplicate_column.csv"),
            corpus("duplicate_column.csv") + ":1:5: duplicate column name \"a\" (also column 1)");
}

TEST(CsvMalformed, MissingFileIsClear) {
  std::string missing = corpus("no_such_file.csv");
  EXPECT_EQ(open_error_of("no_such_file.csv"), "cannot open " + missing + ": No such file or directory");
}

TEST(CsvMalformed, ErrorsAreStickyAfterTheFirst) {
  pipehost::test::TestHost host;
  CsvSource source = make_source(host, {{"path", corpus("ragged_long.csv")}});
  std::vector<std::string> columns;
  ASSERT_TRUE(source.open(columns));
  std::vector<Row> batch;
  Status first = source.read(batch, 10);
  ASSERT_TRUE(first.is_fatal());
  Status again = source.read(batch, 10);
  ASSERT_TRUE(again.is_fatal()) << "a read after an error must fail again";
  EXPECT_EQ(again.message(), first.message());
  EXPECT_EQ(again.message().substr(0, corpus("ragged_long.csv").size() + 4),
            corpus("ragged_long.csv") + ":2:5");
}

TEST(CsvMalformed, ErrorsDoNotDependOnBufferBoundaries) {
  for (const char* name : {"unterminated_quote.csv", "unterminated_quote_at_eof.csv", "stray_quote.csv",
                           "text_after_closing_quote.csv", "ragged_long.csv", "ragged_short.csv",
                           "invalid_utf8.csv", "duplicate_column.csv"}) {
    std::string bytes = pipehost::test::read_file(corpus(name));
    std::string expected = read_error(bytes);
    ASSERT_NE(expected, "") << name;
    for (std::size_t buffer_bytes = 4; buffer_bytes <= 24; ++buffer_bytes) {
      CsvReadOptions options;
      options.buffer_bytes = buffer_bytes;
      EXPECT_EQ(read_error(bytes, options), expected) << name << " with a buffer of " << buffer_bytes;
    }
  }
}

}  // namespace
}  // namespace pipehost::csv::test
