#include "csv_writer.hpp"

#include <cstring>
#include <stdexcept>

namespace pipehost::csv {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

CsvWriter::CsvWriter(CsvDialect dialect, std::string line_ending)
    : dialect_(dialect),
      line_ending_(std::move(line_ending)),
      specials_(dialect.delimiter, dialect.quote, '\r', '\n') {
  check_dialect(dialect_);
  if (line_ending_ != "\n" && line_ending_ != "\r\n")
    throw std::invalid_argument("the line ending must be LF or CRLF");
}

bool CsvWriter::needs_quotes(std::string_view field, bool only_field) const {
  if (field.empty()) return only_field;
  if (is_blank(field.front()) || is_blank(field.back())) return true;
  if (field.starts_with("\xEF\xBB\xBF")) return true;
  return specials_.find(field.data(), field.data() + field.size()) != field.data() + field.size();
}

void CsvWriter::append_field(std::string_view field, bool only_field, std::string& out) const {
  if (!needs_quotes(field, only_field)) {
    out.append(field);
    return;
  }
  out.push_back(dialect_.quote);
  for (;;) {
    auto* q = static_cast<const char*>(std::memchr(field.data(), dialect_.quote, field.size()));
    if (q == nullptr) break;
    std::size_t upto = static_cast<std::size_t>(q - field.data()) + 1;
    out.append(field.substr(0, upto));
    out.push_back(dialect_.quote);  // doubled
    field.remove_prefix(upto);
  }
  out.append(field);
  out.push_back(dialect_.quote);
}

void CsvWriter::append_record(const std::vector<std::string>& fields, std::string& out) const {
  bool only_field = fields.size() == 1;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(dialect_.delimiter);
    append_field(fields[i], only_field, out);
  }
  out.append(line_ending_);
}

}  // namespace pipehost::csv
