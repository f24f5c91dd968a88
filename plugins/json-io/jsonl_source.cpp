#include "jsonl_source.hpp"

#include "io_support/stage_config.hpp"

namespace pipehost::json_io {
namespace {

JsonlReadOptions read_config(const StageContext& context, std::string& path) {
  io::StageConfig config(context, "json-io source");
  JsonlReadOptions options;
  path = config.path("path");
  options.key_column = config.string("key", "");
  options.columns = config.string_list("columns");
  options.max_line_bytes =
      config.integer("max_line_bytes", options.max_line_bytes, 1024, std::uint64_t{1} << 32);
  config.reject_unknown_keys();
  return options;
}

}  // namespace

const char* const JsonlSource::kConfigSchema = R"({
  "type": "object",
  "properties": {
    "path": {"type": "string", "format": "path", "description": "JSON Lines file to read: one JSON object per line (UTF-8)."},
    "key": {"type": "string", "description": "Column whose values identify the rows (unique, non-empty). Default: the 1-based data row number."},
    "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "The columns (every object must have exactly these keys). Default: the keys of the first object."},
    "max_line_bytes": {"type": "integer", "minimum": 1024, "maximum": 4294967296, "default": 67108864, "description": "Longest line accepted, in bytes."}
  },
  "required": ["path"],
  "additionalProperties": false
})";

JsonlSource::JsonlSource(const StageContext& context) : reader_(read_config(context, path_)) {}

Status JsonlSource::open(std::vector<std::string>& columns) {
  columns = reader_.open(std::make_unique<io::FileInput>(path_), path_);
  return Status::ok();
}

Status JsonlSource::read(std::vector<Row>& batch, std::size_t max_rows) {
  reader_.read(batch, max_rows);
  return Status::ok();
}

}  // namespace pipehost::json_io
