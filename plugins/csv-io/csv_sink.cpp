#include "csv_sink.hpp"

#include <stdexcept>

#include "csv_config.hpp"

namespace pipehost::csv {

CsvSink::Config CsvSink::read_config(const StageContext& context) {
  io::StageConfig config(context, "csv-io sink");
  Config sink;
  sink.path = config.path("path");
  sink.dialect = read_dialect(config);
  sink.line_ending = config.choice("line_ending", {"\n", "\r\n"}, "\n");
  sink.header = config.boolean("header", true);
  config.reject_unknown_keys();
  return sink;
}

const char* const CsvSink::kConfigSchema = R"({
  "type": "object",
  "properties": {
    "path": {"type": "string", "format": "path", "description": "CSV file to write. Written to <path>.tmp-<pid> and renamed when the run succeeds; the folder is created when missing."},
    "delimiter": {"type": "string", "default": ",", "description": "Field delimiter: one ASCII character."},
    "quote": {"type": "string", "default": "\"", "description": "Quote character: one ASCII character."},
    "line_ending": {"type": "string", "enum": ["\n", "\r\n"], "default": "\n", "description": "Line end after every row: LF or CRLF."},
    "header": {"type": "boolean", "default": true, "description": "Write the column names as the first row."}
  },
  "required": ["path"],
  "additionalProperties": false
})";

CsvSink::CsvSink(const StageContext& context) : CsvSink(read_config(context)) {}

CsvSink::CsvSink(Config config)
    : path_(std::move(config.path)),
      header_(config.header),
      writer_(config.dialect, std::move(config.line_ending)) {}

Status CsvSink::open(const std::vector<Column>& columns) {
  if (columns.empty()) throw std::invalid_argument(path_ + ": cannot write a CSV file with no columns");
  file_.reset();  // a second open starts over
  file_.emplace(path_);
  column_count_ = columns.size();
  list_separators_.clear();
  fields_.clear();
  for (const auto& column : columns) {
    list_separators_.push_back(column.list_separator);
    fields_.push_back(column.name);
  }
  if (header_) writer_.append_record(fields_, file_->buffer());
  return Status::ok();
}

Status CsvSink::write(const std::vector<Row>& rows) {
  if (!file_) throw std::logic_error(path_ + ": write before open");
  for (const Row& row : rows) {
    if (row.values.size() != column_count_) {
      throw std::invalid_argument(path_ + ": row " + row.key + " has " + std::to_string(row.values.size()) +
                                  " values for " + std::to_string(column_count_) + " columns");
    }
    // Text cells: strings as they are, arrays joined by the column's separator (an item holding the
    // separator is quoted), objects as JSON.
    for (std::size_t i = 0; i < column_count_; ++i) fields_[i] = row.values[i].to_text(list_separators_[i]);
    writer_.append_record(fields_, file_->buffer());
    file_->flush_if_full();
  }
  return Status::ok();
}

Status CsvSink::commit() {
  if (!file_) throw std::logic_error(path_ + ": commit before open");
  file_->commit();
  file_.reset();
  return Status::ok();
}

}  // namespace pipehost::csv
