// Rows out of JSON Lines: one JSON object per line. The columns are the keys of the first object, in
// order (or the configured "columns"); every later object must have exactly those keys, in any
// order. Values keep their JSON types (strings, numbers, integers exactly, booleans, null, arrays,
// objects). Blank lines are skipped; a UTF-8 byte order mark and CRLF line ends are
// accepted.
// Lines are read through an io::InputWindow, so memory follows the longest line, not the file.
// Errors: "name:line: what", with ":column" for JSON syntax errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io_support/byte_input.hpp"
#include "io_support/input_window.hpp"
#include "io_support/row_batches.hpp"
#include "io_support/row_keys.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::json_io {

struct JsonlReadOptions {
  /// Column whose values are the row keys; empty: the 1-based data row number.
  std::string key_column;
  /// The columns; empty: the keys of the first object.
  std::vector<std::string> columns;
  std::size_t buffer_bytes = std::size_t{1} << 20;
  std::size_t max_line_bytes = std::size_t{64} << 20;
};

class JsonlRowReader {
 public:
  explicit JsonlRowReader(JsonlReadOptions options);

  /// Starts a pass over `input` (named `name` in messages) and returns the column names. Reads the
  /// first object when the columns come from it.
  std::vector<std::string> open(std::unique_ptr<io::ByteInput> input, std::string name);
  /// Replaces `batch` with up to `max_rows` next rows; leaves it empty at the end. After an error
  /// every call throws it again.
  void read(std::vector<Row>& batch, std::size_t max_rows);

 private:
  /// The next non-blank line (without its line end), or false at the end of the input.
  bool next_line(std::string_view& line);
  /// Parses `line` as a JSON object (throws with the position otherwise).
  Value parse_object(std::string_view line);
  /// Reads the next object into `row`. False at the end of the input.
  bool next_row(Row& row);
  /// Fills `row` from `object` (checked against the columns) and gives it its key.
  void fill_row(Value& object, Row& row);
  void set_columns(std::vector<std::string> columns);
  /// What every object must have, for messages.
  std::string expected_columns() const;
  [[noreturn]] void fail(const std::string& what) const;

  JsonlReadOptions options_;
  std::optional<io::InputWindow> window_;
  std::string name_;
  std::uint64_t line_number_ = 0;

  std::vector<std::string> columns_;
  std::map<std::string, std::size_t, std::less<>> column_index_;
  std::vector<bool> seen_;
  io::RowKeys keys_;
  std::optional<Row> first_row_;  // read by open() to learn the columns
  io::StickyError error_;
};

}  // namespace pipehost::json_io
