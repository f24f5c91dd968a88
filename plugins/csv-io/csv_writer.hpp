// Formats CSV records in canonical form: a field is quoted only when it needs to be, quotes inside
// are doubled, every record ends with the configured line end. A field needs quotes when it holds the
// delimiter, the quote, CR or LF, starts or ends with a space or tab (some readers trim those),
// starts with a UTF-8 byte order mark (a reader would drop it at the start of a file), or is the
// empty value of a one-column table (an empty line would read as no record at all).
// CsvRecordReader reads back exactly what this writes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "byte_set.hpp"
#include "csv_dialect.hpp"

namespace pipehost::csv {

class CsvWriter {
 public:
  /// Throws std::invalid_argument when the dialect cannot work (see CsvRecordReader).
  CsvWriter(CsvDialect dialect, std::string line_ending);

  /// Appends one record (fields and line end) to `out`.
  void append_record(const std::vector<std::string>& fields, std::string& out) const;
  bool needs_quotes(std::string_view field, bool only_field) const;

 private:
  void append_field(std::string_view field, bool only_field, std::string& out) const;

  CsvDialect dialect_;
  std::string line_ending_;
  ByteSet4 specials_;
};

}  // namespace pipehost::csv
