#include "csv_record_reader.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "io_support/message_text.hpp"
#include "io_support/utf8.hpp"

namespace pipehost::csv {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_line_end(char c) {
  return c == '\n' || c == '\r';
}

/// Line ends in [p, end): each LF, and each CR not followed by LF (`limit` bounds the look-ahead).
std::uint64_t count_line_ends(const char* p, const char* end, const char* limit) {
  std::uint64_t count = 0;
  for (const char* s = p;
       (s = static_cast<const char*>(std::memchr(s, '\n', static_cast<std::size_t>(end - s)))); ++s) {
    ++count;
  }
  for (const char* s = p;
       (s = static_cast<const char*>(std::memchr(s, '\r', static_cast<std::size_t>(end - s)))); ++s) {
    if (s + 1 >= limit || s[1] != '\n') ++count;
  }
  return count;
}

/// The field at `index`, reusing the caller's strings.
std::string& field_slot(std::vector<std::string>& fields, std::size_t index) {
  if (index == fields.size()) fields.emplace_back();
  return fields[index];
}

}  // namespace

CsvRecordReader::CsvRecordReader(std::unique_ptr<io::ByteInput> input, std::string name,
                                 const Options& options)
    // At least a few bytes, so a CRLF or a byte order mark always fits while it is being looked at.
    : window_(std::move(input), std::max<std::size_t>(options.buffer_bytes, 4), options.max_row_bytes),
      name_(std::move(name)),
      dialect_(options.dialect),
      invalid_utf8_(options.invalid_utf8),
      max_row_bytes_(options.max_row_bytes),
      field_end_(options.dialect.delimiter, options.dialect.quote, '\r', '\n'),
      quoted_stop_(options.dialect.quote, '\r', '\n', options.dialect.quote) {
  check_dialect(dialect_);
}

bool CsvRecordReader::next(std::vector<std::string>& fields) {
  if (!skip_to_record()) return false;
  record_line_ = next_line_;
  while (!parse_record(fields)) {
    if (!window_.fill_more()) fail_row_too_long();
  }
  check_utf8(fields);
  return true;
}

bool CsvRecordReader::skip_to_record() {
  for (;;) {
    const char* p = window_.begin();
    const char* end = window_.end();
    // A CR needs the next byte to tell CRLF from a lone CR; the BOM needs three bytes.
    std::size_t need = at_start_ ? kByteOrderMark.size() : (p < end && *p == '\r' ? 2 : 1);
    if (static_cast<std::size_t>(end - p) < need && !window_.eof()) {
      window_.fill_more();  // cannot fail: the window holds fewer bytes than its capacity
      continue;
    }
    if (at_start_) {
      at_start_ = false;
      if (std::string_view(p, static_cast<std::size_t>(end - p)).starts_with(kByteOrderMark)) {
        window_.consume_to(p + kByteOrderMark.size());
      }
      continue;
    }
    if (p == end) return false;
    if (*p == '\n') {
      window_.consume_to(p + 1);
    } else if (*p == '\r') {
      window_.consume_to(p + (p + 1 < end && p[1] == '\n' ? 2 : 1));
    } else {
      return true;
    }
    ++next_line_;
  }
}

bool CsvRecordReader::parse_record(std::vector<std::string>& fields) {
  const char* const begin = window_.begin();
  const char* const end = window_.end();
  const bool eof = window_.eof();
  const char delimiter = dialect_.delimiter;
  const char quote = dialect_.quote;
  record_begin_ = begin;
  open_quote_ = nullptr;
  std::uint64_t line_ends = 0;
  std::size_t count = 0;
  const char* p = begin;

  for (;;) {  // one field per turn
    if (count == field_offsets_.size()) field_offsets_.push_back(0);
    field_offsets_[count] = static_cast<std::size_t>(p - begin);
    std::string& field = field_slot(fields, count);
    ++count;
    const char* stop;  // what follows the field: delimiter, CR, LF, or the end of the input
    if (p < end && *p == quote) {
      const char* opening = p++;
      field.clear();
      for (const char* q = p;;) {
        q = quoted_stop_.find(q, end);
        if (q < end && *q != quote) {  // a line end inside the field: count it, keep it
          if (*q == '\n' || q + 1 == end || q[1] != '\n') ++line_ends;  // the LF of a CRLF counts it
          ++q;
          continue;
        }
        if (q == end || (q + 1 == end && !eof)) {  // at the window's end "\"" could still be "\"\""
          if (!eof) {
            open_quote_ = opening;
            return false;
          }
          fail_at(opening, "unterminated quoted field: no closing quote before the end of the file");
        }
        field.append(p, q);
        if (q + 1 < end && q[1] == quote) {
          field.push_back(quote);
          p = q = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      if (p < end && *p != delimiter && !is_line_end(*p)) {
        fail_at(p, "unexpected " + io::describe_byte(static_cast<unsigned char>(*p)) +
                       " after the closing quote of a quoted field; a quote inside a quoted field must be "
                       "doubled");
      }
      stop = p;
    } else {
      stop = field_end_.find(p, end);
      if (stop == end && !eof) return false;
      if (stop < end && *stop == quote) {
        fail_at(stop,
                "stray quote in an unquoted field; a field that contains quotes must be quoted, with "
                "each quote inside doubled");
      }
      field.assign(p, stop);
    }

    if (stop < end && *stop == delimiter) {
      p = stop + 1;
      continue;
    }
    // The record ends at `stop`.
    const char* after = stop;
    if (stop < end) {
      if (*stop == '\r') {
        if (stop + 1 == end && !eof) return false;  // CRLF or a lone CR? Need one more byte.
        after = stop + (stop + 1 < end && stop[1] == '\n' ? 2 : 1);
      } else {
        after = stop + 1;
      }
      ++line_ends;
    }
    record_end_ = stop;
    field_count_ = count;
    fields.resize(count);
    next_line_ = record_line_ + line_ends;
    window_.consume_to(after);  // the bytes stay in the buffer until the next call to next()
    return true;
  }
}

void CsvRecordReader::check_utf8(std::vector<std::string>& fields) {
  replaced_invalid_utf8_ = false;
  std::string_view raw(record_begin_, static_cast<std::size_t>(record_end_ - record_begin_));
  std::size_t invalid = io::find_invalid_utf8(raw);
  if (invalid == std::string_view::npos) return;
  if (invalid_utf8_ == InvalidUtf8::error) {
    fail_at(record_begin_ + invalid,
            "invalid UTF-8 (byte " + io::describe_byte(static_cast<unsigned char>(raw[invalid])) +
                "); set \"invalid_utf8\": \"replace\" to replace invalid bytes with U+FFFD");
  }
  for (std::string& field : fields) replaced_invalid_utf8_ |= io::replace_invalid_utf8(field);
}

void CsvRecordReader::fail_row_too_long() const {
  std::string limit = "max_row_bytes (" + std::to_string(max_row_bytes_) + " bytes)";
  if (open_quote_ != nullptr) {
    fail_at(open_quote_, "quoted field still open after " + limit + "; is its closing quote missing?");
  }
  fail_at(record_begin_, "row longer than " + limit);
}

std::string CsvRecordReader::location_of(const char* p) const {
  // The record starts at the start of a line; find the start of p's line inside it.
  const char* line_start = p;
  while (line_start > record_begin_) {
    char c = line_start[-1];
    bool lf_follows = line_start < window_.end() && *line_start == '\n';
    if (c == '\n' || (c == '\r' && !lf_follows)) break;
    --line_start;
  }
  std::uint64_t line = record_line_ + count_line_ends(record_begin_, line_start, window_.end());
  std::uint64_t column =
      io::count_characters(std::string_view(line_start, static_cast<std::size_t>(p - line_start))) + 1;
  return io::location(name_, line, column);
}

void CsvRecordReader::fail_at(const char* p, const std::string& what) const {
  throw std::runtime_error(location_of(p) + ": " + what);
}

std::string CsvRecordReader::field_location(std::size_t index) const {
  if (index >= field_count_) return end_location();
  return location_of(record_begin_ + field_offsets_[index]);
}

std::string CsvRecordReader::end_location() const {
  return location_of(record_end_);
}

}  // namespace pipehost::csv
