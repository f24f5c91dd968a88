#include "csv_sink.hpp"

#include <stdexcept>

namespace pipehost::csv {

ConfigSpec<CsvSinkConfig> sink_spec() {
  using C = CsvSinkConfig;
  ConfigSpec<C> spec;
  spec.add("path", &C::path,
           "CSV file to write. Written to <path>.tmp-<pid> and renamed when the run succeeds; the folder is "
           "created when missing.")
      .required()
      .path();
  spec.add("delimiter", &C::delimiter, "Field delimiter: one ASCII character.");
  spec.add("quote", &C::quote, "Quote character: one ASCII character.");
  spec.add("line_ending", &C::line_ending, "Line end after every row: LF or CRLF.").one_of({"\n", "\r\n"});
  spec.add("header", &C::header, "Write the column names as the first row.");
  return spec;
}

namespace {

CsvWriter make_writer(const StageContext& context, const CsvSinkConfig& config) {
  const std::string where = "csv-io sink config " + context.config_pointer;
  if (config.path.empty()) throw std::invalid_argument(where + "/path: must not be empty");
  return CsvWriter(dialect_of(config.delimiter, config.quote, where), config.line_ending);
}

}  // namespace

CsvSink::CsvSink(const StageContext& context, CsvSinkConfig config)
    : path_(config.path), header_(config.header), writer_(make_writer(context, config)) {}

Status CsvSink::open(const std::vector<Column>& columns) try {
  if (columns.empty()) return Status::fatal(path_ + ": cannot write a CSV file with no columns");
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
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status CsvSink::write(const std::vector<Row>& rows) try {
  if (!file_) return Status::fatal(path_ + ": write before open");
  for (const Row& row : rows) {
    if (row.values.size() != column_count_) {
      return Status::fatal(path_ + ": row " + row.key + " has " + std::to_string(row.values.size()) +
                           " values for " + std::to_string(column_count_) + " columns");
    }
    // Text cells: strings as they are, arrays joined by the column's separator (an item holding the
    // separator is quoted), objects as JSON.
    for (std::size_t i = 0; i < column_count_; ++i) fields_[i] = row.values[i].to_text(list_separators_[i]);
    writer_.append_record(fields_, file_->buffer());
    file_->flush_if_full();
  }
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status CsvSink::commit() try {
  if (!file_) return Status::fatal(path_ + ": commit before open");
  file_->commit();
  file_.reset();
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

}  // namespace pipehost::csv
