// The characters that shape a CSV file, and the reading policies shared by reader and source.
#pragma once

namespace pipehost::csv {

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
};

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
