#include "jsonl_row_reader.hpp"

#include <cstring>
#include <stdexcept>

#include "io_support/message_text.hpp"
#include "io_support/utf8.hpp"

namespace pipehost::json_io {
namespace {

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

const char* kind_of(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::array:
      return "an array";
    case Value::Kind::string:
      return "a string";
    case Value::Kind::boolean:
      return "a boolean";
    case Value::Kind::null:
      return "null";
    case Value::Kind::object:
      return "an object";
    default:
      return "a number";
  }
}

std::string listed(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + io::quote_for_message(name);
  return list;
}

}  // namespace

JsonlRowReader::JsonlRowReader(JsonlReadOptions options)
    : options_(std::move(options)), keys_(options_.key_column) {}

std::vector<std::string> JsonlRowReader::open(std::unique_ptr<io::ByteInput> input, std::string name) {
  window_.emplace(std::move(input), std::max<std::size_t>(options_.buffer_bytes, 4), options_.max_line_bytes);
  name_ = std::move(name);
  line_number_ = 0;
  first_row_.reset();
  error_.clear();
  error_.run([&] {
    io::skip_byte_order_mark(*window_);
    if (!options_.columns.empty()) {
      set_columns(options_.columns);
      return;
    }
    std::string_view line;
    if (!next_line(line)) {
      throw std::runtime_error(
          name_ + ":1: no JSON object to take the columns from: the file is empty; set \"columns\"");
    }
    Value object = parse_object(line);
    std::vector<std::string> columns;
    for (std::size_t i = 0; i < object.size(); ++i) columns.push_back(object.key(i));
    set_columns(std::move(columns));
    first_row_.emplace();
    fill_row(object, *first_row_);
  });
  return columns_;
}

void JsonlRowReader::set_columns(std::vector<std::string> columns) {
  columns_ = std::move(columns);
  column_index_.clear();
  for (std::size_t i = 0; i < columns_.size(); ++i) column_index_.emplace(columns_[i], i);
  seen_.assign(columns_.size(), false);
  std::string problem = keys_.start(columns_);
  if (!problem.empty())
    throw std::runtime_error(name_ + ":" + std::to_string(std::max<std::uint64_t>(line_number_, 1)) + ": " +
                             problem);
}

void JsonlRowReader::read(std::vector<Row>& batch, std::size_t max_rows) {
  if (!window_) throw std::logic_error("JsonlRowReader::read before open");
  error_.run(
      [&] { io::fill_batch(batch, max_rows, first_row_, [this](Row& row) { return next_row(row); }); });
}

bool JsonlRowReader::next_line(std::string_view& line) {
  for (;;) {
    const char* begin = window_->begin();
    const char* end = window_->end();
    auto* newline = static_cast<const char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
    if (newline == nullptr && !window_->eof()) {
      if (!window_->fill_more()) {
        throw std::runtime_error(name_ + ":" + std::to_string(line_number_ + 1) +
                                 ": line longer than max_line_bytes (" +
                                 std::to_string(options_.max_line_bytes) + " bytes)");
      }
      continue;
    }
    if (newline == nullptr && begin == end) return false;
    const char* line_end = newline != nullptr ? newline : end;
    window_->consume_to(newline != nullptr ? newline + 1 : end);
    ++line_number_;
    line = std::string_view(begin, static_cast<std::size_t>(line_end - begin));
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!is_blank(line)) return true;
  }
}

Value JsonlRowReader::parse_object(std::string_view line) {
  Value value;
  std::string error;
  std::size_t offset = 0;
  if (!parse_json(line, value, error, &offset)) {
    std::size_t column = io::count_characters(line.substr(0, std::min(offset, line.size()))) + 1;
    throw std::runtime_error(io::location(name_, line_number_, column) + ": invalid JSON (" +
                             error.substr(error.find(": ") + 2) + ")");
  }
  if (!value.is_object()) fail(std::string("expected a JSON object, found ") + kind_of(value));
  return value;
}

bool JsonlRowReader::next_row(Row& row) {
  std::string_view line;
  if (!next_line(line)) return false;
  Value object = parse_object(line);
  fill_row(object, row);
  return true;
}

void JsonlRowReader::fill_row(Value& object, Row& row) {
  row.line = line_number_;
  row.values.resize(columns_.size());
  seen_.assign(columns_.size(), false);
  for (std::size_t i = 0; i < object.size(); ++i) {
    auto it = column_index_.find(std::string_view(object.key(i)));
    if (it == column_index_.end()) {
      fail("unexpected key " + io::quote_for_message(object.key(i)) + "; " + expected_columns());
    }
    seen_[it->second] = true;
    row.values[it->second] = std::move(object[i]);  // typed, as in the file
  }
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (!seen_[i]) {
      fail("missing key " + io::quote_for_message(columns_[i]) + "; " + expected_columns());
    }
  }
  std::string problem = keys_.assign(row);
  if (!problem.empty()) fail(problem);
}

std::string JsonlRowReader::expected_columns() const {
  return "every object must have the columns " + listed(columns_) +
         (options_.columns.empty() ? " (the keys of the first object)" : "");
}

void JsonlRowReader::fail(const std::string& what) const {
  throw std::runtime_error(name_ + ":" + std::to_string(line_number_) + ": " + what);
}

}  // namespace pipehost::json_io
