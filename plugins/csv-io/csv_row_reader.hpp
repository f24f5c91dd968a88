// Rows of a CSV table: the header (or configured column names), field counts checked against it
// (the `ragged` policy), and each row's key (a key column, unique and non-empty, or the 1-based data
// row number). CsvSource is this plus config and a file; fuzzers and tests use it on memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csv_dialect.hpp"
#include "csv_record_reader.hpp"
#include "io_support/byte_input.hpp"
#include "io_support/row_batches.hpp"
#include "io_support/row_keys.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::csv {

struct CsvReadOptions {
  CsvDialect dialect;
  /// The first record names the columns. When false, `columns` names them, or they are called
  /// column_1 ... column_N after the first record's field count.
  bool header = true;
  std::vector<std::string> columns;
  /// Column whose values are the row keys; empty: the 1-based data row number.
  std::string key_column;
  Ragged ragged = Ragged::error;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::error;
  std::size_t buffer_bytes = std::size_t{1} << 20;
  std::size_t max_row_bytes = std::size_t{64} << 20;
};

/// What a pass has adjusted so far (for a warning at its end).
struct CsvReadCounts {
  std::uint64_t rows = 0;
  std::uint64_t padded = 0;
  std::uint64_t truncated = 0;
  std::uint64_t utf8_replaced = 0;  ///< Rows (header included) where invalid UTF-8 was replaced.
};

class CsvRowReader {
 public:
  explicit CsvRowReader(CsvReadOptions options);

  /// Starts a pass over `input` (named `name` in messages) and returns the column names. Throws on
  /// a missing or bad header ("name:line:column: what").
  std::vector<std::string> open(std::unique_ptr<io::ByteInput> input, std::string name);
  /// Replaces `batch` with up to `max_rows` next rows; leaves it empty at the end. Throws
  /// "name:line:column: what"; after an error every call throws it again.
  void read(std::vector<Row>& batch, std::size_t max_rows);

  const CsvReadCounts& counts() const { return counts_; }

 private:
  /// Reads the next record into `row` and checks it. False at the end of the input.
  bool next_row(Row& row);
  /// Checks the record just read into `row` (field count, key) and fills its line and key.
  void check_row(Row& row);
  /// Moves the record just read (`fields_`, fitted to the columns) into `row` as string values.
  void take_fields(Row& row);
  /// Applies the ragged policy to `values`.
  void fit_to_columns(std::vector<std::string>& values);
  void take_header();

  CsvReadOptions options_;
  std::optional<CsvRecordReader> records_;
  std::vector<std::string> columns_;
  io::RowKeys keys_;
  std::optional<Row> first_row_;     // read by open() to count the columns of a file without header
  std::vector<std::string> fields_;  // the record being read (reused: its strings move into the row)
  CsvReadCounts counts_;
  io::StickyError error_;
};

}  // namespace pipehost::csv
