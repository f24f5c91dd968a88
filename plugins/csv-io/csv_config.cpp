#include "csv_config.hpp"

namespace pipehost::csv {

CsvDialect read_dialect(io::StageConfig& config) {
  CsvDialect dialect;
  dialect.delimiter = config.ascii_character("delimiter", dialect.delimiter);
  dialect.quote = config.ascii_character("quote", dialect.quote);
  if (dialect.delimiter == '\r' || dialect.delimiter == '\n') config.fail("delimiter", "cannot be CR or LF");
  if (dialect.quote == '\r' || dialect.quote == '\n') config.fail("quote", "cannot be CR or LF");
  if (dialect.delimiter == dialect.quote) config.fail("quote", "must differ from the delimiter");
  return dialect;
}

}  // namespace pipehost::csv
