// The characters that shape a CSV file, and the reading policies shared by reader and source.
#pragma once

#include <stdexcept>
#include <string>

namespace pipehost::csv {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

/// Throws std::invalid_argument when a reader or writer cannot work with `dialect`: the delimiter
/// equal to the quote, or either of them CR or LF.
inline void check_dialect(const CsvDialect& dialect) {
  if (dialect.delimiter == dialect.quote)
    throw std::invalid_argument("the delimiter and the quote must differ");
  for (char c : {dialect.delimiter, dialect.quote}) {
    if (c == '\r' || c == '\n') throw std::invalid_argument("the delimiter and the quote cannot be CR or LF");
  }
}

/// The dialect a source or sink config gives as text ("delimiter", "quote"): one ASCII character each,
/// different, neither CR nor LF. Throws std::invalid_argument("<where>/<key>: what"), `where` naming
/// the stage and its config section (e.g. "csv-io source config /source").
CsvDialect dialect_of(const std::string& delimiter, const std::string& quote, const std::string& where);

/// What the reader does with bytes that are not well-formed UTF-8.
enum class InvalidUtf8 { error, replace };

/// What the reader does with a row whose field count differs from the number of columns.
enum class Ragged {
  error,           ///< Stop with an error (the default).
  pad,             ///< Fill missing fields with empty values; too many fields are still an error.
  truncate,        ///< Drop extra fields; too few fields are still an error.
  pad_or_truncate  ///< Both.
};

}  // namespace pipehost::csv
