#include "jsonl_source.hpp"

#include <stdexcept>

namespace pipehost::json_io {

ConfigSpec<JsonlSourceConfig> source_spec() {
  using C = JsonlSourceConfig;
  ConfigSpec<C> spec;
  spec.add("path", &C::path, "JSON Lines file to read: one JSON object per line (UTF-8).").required().path();
  spec.add("key", &C::key,
           "Column whose values identify the rows (non-empty; a repeat is refused unless "
           "run.allow_duplicate_keys). "
           "Default: the 1-based data row number.");
  spec.add("columns", &C::columns,
           "The columns (every object must have exactly these keys). Default: the keys of the first object.")
      .min_items(1)
      .not_null();
  spec.add("max_line_bytes", &C::max_line_bytes, "Longest line accepted, in bytes.")
      .minimum(1024)
      .maximum(4294967296.0);
  return spec;
}

namespace {

JsonlReadOptions read_options(const StageContext& context, const JsonlSourceConfig& config) {
  if (config.path.empty())
    throw std::invalid_argument("json-io source config " + context.config_pointer +
                                "/path: must not be empty");
  JsonlReadOptions options;
  options.key_column = config.key;
  options.columns = config.columns.value_or(std::vector<std::string>{});
  options.max_line_bytes = static_cast<std::size_t>(config.max_line_bytes);
  return options;
}

}  // namespace

JsonlSource::JsonlSource(const StageContext& context, JsonlSourceConfig config)
    : path_(config.path), reader_(read_options(context, config)) {}

Status JsonlSource::open(std::vector<std::string>& columns) try {
  columns = reader_.open(std::make_unique<io::FileInput>(path_), path_);
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status JsonlSource::read(std::vector<Row>& batch, std::size_t max_rows) try {
  reader_.read(batch, max_rows);
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

}  // namespace pipehost::json_io
