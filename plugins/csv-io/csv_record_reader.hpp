// RFC 4180 records out of a byte stream, one at a time, with exact positions for errors.
//
// Records are parsed from an io::InputWindow (a fixed-size buffer that only grows while one record is
// longer than it), so memory follows the longest record, never the file size. A record that does not
// end inside the window is parsed again from its start once more input is in; with the window's
// doubling that costs at most one extra scan of the bytes involved.
//
// Accepted: quoted fields with doubled quotes and embedded delimiters, CR and LF (kept as they are,
// so a CRLF inside quotes stays CRLF); records ending in LF, CRLF, a lone CR, or the end of the file;
// a UTF-8 byte order mark at the very start (dropped). Blank lines between records are skipped.
// Rejected with "name:line:column: what": an unterminated quoted field (pointing at its opening
// quote), a quote inside an unquoted field, anything but a delimiter or line end after a closing
// quote, invalid UTF-8 (unless replaced with U+FFFD), a record longer than `max_row_bytes`.
// Lines count line ends (LF, CRLF, lone CR); columns count characters, both 1-based.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "byte_set.hpp"
#include "csv_dialect.hpp"
#include "io_support/byte_input.hpp"
#include "io_support/input_window.hpp"

namespace pipehost::csv {

class CsvRecordReader {
 public:
  struct Options {
    CsvDialect dialect;
    InvalidUtf8 invalid_utf8 = InvalidUtf8::error;
    /// Size of the read buffer.
    std::size_t buffer_bytes = std::size_t{1} << 20;
    /// Longest record accepted; a longer one usually means a quote was never closed.
    std::size_t max_row_bytes = std::size_t{64} << 20;
  };

  /// `name` (the file path) starts every error message. Throws std::invalid_argument on a dialect
  /// that cannot work (check_dialect).
  CsvRecordReader(std::unique_ptr<io::ByteInput> input, std::string name, const Options& options);

  /// Reads the next record into `fields` (resized to its field count; existing strings are reused).
  /// Returns false at the end of the input. Throws std::runtime_error("name:line:column: what").
  bool next(std::vector<std::string>& fields);

  /// Line where the last record starts.
  std::uint64_t line() const { return record_line_; }
  /// True when the last record had invalid UTF-8 that was replaced.
  bool replaced_invalid_utf8() const { return replaced_invalid_utf8_; }
  const std::string& name() const { return name_; }

  /// "name:line:column" of field `index` of the last record; of the record's end when the record has
  /// no such field.
  std::string field_location(std::size_t index) const;
  /// "name:line:column" of the last record's end (its line end, or the end of the file).
  std::string end_location() const;

 private:
  /// Skips a byte order mark (first call only) and blank lines. Returns false at the end of input.
  bool skip_to_record();
  /// Parses one record at the window's start. Returns false when the record runs past the window's
  /// end and more input may come (nothing is consumed then).
  bool parse_record(std::vector<std::string>& fields);
  /// Checks (or repairs) the UTF-8 of the record just parsed.
  void check_utf8(std::vector<std::string>& fields);
  [[noreturn]] void fail_row_too_long() const;
  /// "name:line:column" of `p`, a pointer into the current record.
  std::string location_of(const char* p) const;
  [[noreturn]] void fail_at(const char* p, const std::string& what) const;

  io::InputWindow window_;
  std::string name_;
  CsvDialect dialect_;
  InvalidUtf8 invalid_utf8_;
  std::size_t max_row_bytes_;
  ByteSet4 field_end_;    // what ends an unquoted field: delimiter, CR, LF, and a stray quote
  ByteSet4 quoted_stop_;  // what a quoted field's scan stops at: the quote, and CR, LF to count lines

  bool at_start_ = true;
  std::uint64_t next_line_ = 1;

  // The current (last parsed or being parsed) record. Pointers stay valid until the next call to
  // next(), which is the only one that refills the window.
  const char* record_begin_ = nullptr;
  const char* record_end_ = nullptr;  // its line end, or the end of the input
  std::uint64_t record_line_ = 0;
  std::vector<std::size_t> field_offsets_;  // from record_begin_
  std::size_t field_count_ = 0;
  const char* open_quote_ = nullptr;  // set when a parse ran out of input inside a quoted field
  bool replaced_invalid_utf8_ = false;
};

}  // namespace pipehost::csv
