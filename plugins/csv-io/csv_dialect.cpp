#include "csv_dialect.hpp"

namespace pipehost::csv {

namespace {

char ascii_character(const std::string& text, const std::string& where, const char* key) {
  if (text.size() != 1 || static_cast<unsigned char>(text[0]) >= 0x80)
    throw std::invalid_argument(where + "/" + key + ": must be exactly one ASCII character, not \"" + text +
                                "\"");
  return text[0];
}

}  // namespace

CsvDialect dialect_of(const std::string& delimiter, const std::string& quote, const std::string& where) {
  CsvDialect dialect;
  dialect.delimiter = ascii_character(delimiter, where, "delimiter");
  dialect.quote = ascii_character(quote, where, "quote");
  auto fail = [&](const char* key, const char* what) {
    throw std::invalid_argument(where + "/" + key + ": " + what);
  };
  if (dialect.delimiter == '\r' || dialect.delimiter == '\n') fail("delimiter", "cannot be CR or LF");
  if (dialect.quote == '\r' || dialect.quote == '\n') fail("quote", "cannot be CR or LF");
  if (dialect.delimiter == dialect.quote) fail("quote", "must differ from the delimiter");
  return dialect;
}

}  // namespace pipehost::csv
