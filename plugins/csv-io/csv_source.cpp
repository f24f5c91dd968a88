#include "csv_source.hpp"

#include <stdexcept>

namespace pipehost::csv {

ConfigSpec<CsvSourceConfig> source_spec() {
  using C = CsvSourceConfig;
  ConfigSpec<C> spec;
  spec.add("path", &C::path, "CSV file to read (UTF-8; a byte order mark is dropped).").required().path();
  spec.add("key", &C::key,
           "Column whose values identify the rows (non-empty; a repeat is refused unless "
           "run.allow_duplicate_keys). "
           "Default: the 1-based data row number.");
  spec.add("delimiter", &C::delimiter, "Field delimiter: one ASCII character, e.g. \";\" or \"\\t\".");
  spec.add("quote", &C::quote, "Quote character: one ASCII character.");
  spec.add("header", &C::header, "The first row holds the column names.");
  spec.add("columns", &C::columns,
           "Column names of a file without header row (\"header\": false). Default: column_1, column_2, ...")
      .min_items(1)
      .not_null();
  spec.add("ragged", &C::ragged,
           {{"error", Ragged::error},
            {"pad", Ragged::pad},
            {"truncate", Ragged::truncate},
            {"pad_or_truncate", Ragged::pad_or_truncate}},
           "Rows with fewer or more fields than columns: an error, padded with empty values, truncated, or "
           "both.");
  spec.add("invalid_utf8", &C::invalid_utf8,
           {{"error", InvalidUtf8::error}, {"replace", InvalidUtf8::replace}},
           "Bytes that are not UTF-8: an error, or replaced with U+FFFD.");
  spec.add("max_row_bytes", &C::max_row_bytes,
           "Longest row accepted, in bytes (a longer one usually means an unclosed quote).")
      .minimum(1024)
      .maximum(4294967296.0);
  return spec;
}

namespace {

CsvReadOptions read_options(const StageContext& context, const CsvSourceConfig& config) {
  const std::string where = "csv-io source config " + context.config_pointer;
  if (config.path.empty()) throw std::invalid_argument(where + "/path: must not be empty");
  CsvReadOptions options;
  options.key_column = config.key;
  options.dialect = dialect_of(config.delimiter, config.quote, where);
  options.header = config.header;
  options.columns = config.columns.value_or(std::vector<std::string>{});
  if (options.header && !options.columns.empty()) {
    throw std::invalid_argument(
        where + "/columns: names the columns of a file without header row; set \"header\": false to use it");
  }
  options.ragged = config.ragged;
  options.invalid_utf8 = config.invalid_utf8;
  options.max_row_bytes = static_cast<std::size_t>(config.max_row_bytes);
  return options;
}

}  // namespace

CsvSource::CsvSource(const StageContext& context, CsvSourceConfig config)
    : host_(&context.host), path_(config.path), reader_(read_options(context, config)) {}

Status CsvSource::open(std::vector<std::string>& columns) try {
  reported_ = false;
  columns = reader_.open(std::make_unique<io::FileInput>(path_), path_);
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status CsvSource::read(std::vector<Row>& batch, std::size_t max_rows) try {
  reader_.read(batch, max_rows);
  if (batch.empty() && max_rows > 0) report_adjustments();
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

void CsvSource::report_adjustments() {
  if (reported_ || host_ == nullptr) return;
  reported_ = true;
  const CsvReadCounts& counts = reader_.counts();
  auto note = [&](std::uint64_t count, const char* what) {
    if (count > 0) host_->log(LogLevel::warn, path_ + ": " + std::to_string(count) + " " + what);
  };
  note(counts.padded, "short rows padded with empty values (\"ragged\")");
  note(counts.truncated, "long rows truncated (\"ragged\")");
  note(counts.utf8_replaced, "rows with invalid UTF-8 replaced by U+FFFD (\"invalid_utf8\")");
}

}  // namespace pipehost::csv
