#include "csv_row_reader.hpp"

#include <stdexcept>
#include <unordered_map>

#include "io_support/message_text.hpp"

namespace pipehost::csv {

CsvRowReader::CsvRowReader(CsvReadOptions options)
    : options_(std::move(options)), keys_(options_.key_column) {}

std::vector<std::string> CsvRowReader::open(std::unique_ptr<io::ByteInput> input, std::string name) {
  CsvRecordReader::Options record_options;
  record_options.dialect = options_.dialect;
  record_options.invalid_utf8 = options_.invalid_utf8;
  record_options.buffer_bytes = options_.buffer_bytes;
  record_options.max_row_bytes = options_.max_row_bytes;
  records_.emplace(std::move(input), std::move(name), record_options);
  first_row_.reset();
  counts_ = {};
  error_.clear();
  error_.run([&] {
    take_header();
    std::string problem = keys_.start(columns_);
    if (!problem.empty()) throw std::runtime_error(records_->name() + ":1:1: " + problem);
    if (first_row_) check_row(*first_row_);
  });
  return columns_;
}

void CsvRowReader::take_header() {
  const std::string& name = records_->name();
  if (options_.header) {
    if (!records_->next(columns_)) {
      throw std::runtime_error(name + ":1:1: no header row: the file is empty");
    }
    if (records_->replaced_invalid_utf8()) ++counts_.utf8_replaced;
    std::unordered_map<std::string_view, std::size_t> seen;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      auto [it, inserted] = seen.emplace(columns_[i], i);
      if (!inserted) {
        throw std::runtime_error(records_->field_location(i) + ": duplicate column name " +
                                 io::quote_for_message(columns_[i]) + " (also column " +
                                 std::to_string(it->second + 1) + ")");
      }
    }
  } else if (!options_.columns.empty()) {
    columns_ = options_.columns;
  } else {
    // The first record tells how many columns there are; keep it for the first read().
    first_row_.emplace();
    if (!records_->next(fields_)) {
      throw std::runtime_error(name +
                               ":1:1: the file is empty, so it cannot tell its columns; set \"columns\"");
    }
    columns_.clear();
    for (std::size_t i = 1; i <= fields_.size(); ++i) columns_.push_back("column_" + std::to_string(i));
    take_fields(*first_row_);
  }
}

void CsvRowReader::read(std::vector<Row>& batch, std::size_t max_rows) {
  if (!records_) throw std::logic_error("CsvRowReader::read before open");
  error_.run(
      [&] { io::fill_batch(batch, max_rows, first_row_, [this](Row& row) { return next_row(row); }); });
}

bool CsvRowReader::next_row(Row& row) {
  if (!records_->next(fields_)) return false;
  take_fields(row);
  check_row(row);
  return true;
}

void CsvRowReader::take_fields(Row& row) {
  fit_to_columns(fields_);
  row.values.resize(fields_.size());
  for (std::size_t i = 0; i < fields_.size(); ++i) row.values[i] = Value(std::move(fields_[i]));
}

void CsvRowReader::check_row(Row& row) {
  row.line = records_->line();
  if (records_->replaced_invalid_utf8()) ++counts_.utf8_replaced;
  ++counts_.rows;
  std::string problem = keys_.assign(row);
  if (!problem.empty())
    throw std::runtime_error(records_->field_location(keys_.key_index()) + ": " + problem);
}

void CsvRowReader::fit_to_columns(std::vector<std::string>& values) {
  std::size_t have = values.size();
  std::size_t want = columns_.size();
  if (have == want) return;
  std::string counts = "row has " + std::to_string(have) + (have == 1 ? " field" : " fields") + " but " +
                       (options_.header ? "the header has " : "there are ") + std::to_string(want) +
                       (options_.header ? "" : " columns");
  if (have > want) {
    if (options_.ragged != Ragged::truncate && options_.ragged != Ragged::pad_or_truncate) {
      throw std::runtime_error(records_->field_location(want) + ": " + counts +
                               "; set \"ragged\": \"truncate\" to drop extra fields");
    }
    ++counts_.truncated;
  } else {
    if (options_.ragged != Ragged::pad && options_.ragged != Ragged::pad_or_truncate) {
      throw std::runtime_error(records_->end_location() + ": " + counts +
                               "; set \"ragged\": \"pad\" to fill missing fields with empty values");
    }
    ++counts_.padded;
  }
  values.resize(want);
}

}  // namespace pipehost::csv
