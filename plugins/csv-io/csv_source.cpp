#include "csv_source.hpp"

#include "csv_config.hpp"

namespace pipehost::csv {
namespace {

CsvReadOptions read_config(const StageContext& context, std::string& path) {
  io::StageConfig config(context, "csv-io source");
  CsvReadOptions options;
  path = config.path("path");
  options.key_column = config.string("key", "");
  options.dialect = read_dialect(config);
  options.header = config.boolean("header", true);
  options.columns = config.string_list("columns");
  if (options.header && !options.columns.empty()) {
    config.fail("columns", "names the columns of a file without header row; set \"header\": false to use it");
  }
  std::string ragged = config.choice("ragged", {"error", "pad", "truncate", "pad_or_truncate"}, "error");
  options.ragged = ragged == "pad"               ? Ragged::pad
                   : ragged == "truncate"        ? Ragged::truncate
                   : ragged == "pad_or_truncate" ? Ragged::pad_or_truncate
                                                 : Ragged::error;
  options.invalid_utf8 = config.choice("invalid_utf8", {"error", "replace"}, "error") == "replace"
                             ? InvalidUtf8::replace
                             : InvalidUtf8::error;
  options.max_row_bytes =
      config.integer("max_row_bytes", options.max_row_bytes, 1024, std::uint64_t{1} << 32);
  config.reject_unknown_keys();
  return options;
}

}  // namespace

const char* const CsvSource::kConfigSchema = R"({
  "type": "object",
  "properties": {
    "path": {"type": "string", "format": "path", "description": "CSV file to read (UTF-8; a byte order mark is dropped)."},
    "key": {"type": "string", "description": "Column whose values identify the rows (unique, non-empty). Default: the 1-based data row number."},
    "delimiter": {"type": "string", "default": ",", "description": "Field delimiter: one ASCII character, e.g. \";\" or \"\\t\"."},
    "quote": {"type": "string", "default": "\"", "description": "Quote character: one ASCII character."},
    "header": {"type": "boolean", "default": true, "description": "The first row holds the column names."},
    "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Column names of a file without header row (\"header\": false). Default: column_1, column_2, ..."},
    "ragged": {"type": "string", "enum": ["error", "pad", "truncate", "pad_or_truncate"], "default": "error", "description": "Rows with fewer or more fields than columns: an error, padded with empty values, truncated, or both."},
    "invalid_utf8": {"type": "string", "enum": ["error", "replace"], "default": "error", "description": "Bytes that are not UTF-8: an error, or replaced with U+FFFD."},
    "max_row_bytes": {"type": "integer", "minimum": 1024, "maximum": 4294967296, "default": 67108864, "description": "Longest row accepted, in bytes (a longer one usually means an unclosed quote)."}
  },
  "required": ["path"],
  "additionalProperties": false
})";

CsvSource::CsvSource(const StageContext& context)
    : host_(&context.host), reader_(read_config(context, path_)) {}

Status CsvSource::open(std::vector<std::string>& columns) {
  reported_ = false;
  columns = reader_.open(std::make_unique<io::FileInput>(path_), path_);
  return Status::ok();
}

Status CsvSource::read(std::vector<Row>& batch, std::size_t max_rows) {
  reader_.read(batch, max_rows);
  if (batch.empty() && max_rows > 0) report_adjustments();
  return Status::ok();
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
