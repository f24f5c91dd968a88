#include "json_sink.hpp"

#include <stdexcept>
#include <unordered_map>

#include "io_support/message_text.hpp"

namespace pipehost::json_io {

ConfigSpec<JsonSinkConfig> sink_spec() {
  using C = JsonSinkConfig;
  ConfigSpec<C> spec;
  spec.add("path", &C::path,
           "JSON file to write. Written to <path>.tmp-<pid> and renamed when the run succeeds; the folder is "
           "created when missing.")
      .required()
      .path();
  spec.add(
      "format", &C::format, {{"array", C::Format::array}, {"jsonl", C::Format::jsonl}},
      "\"array\": one JSON array of objects (one object per line); \"jsonl\": JSON Lines, one object per "
      "line. Values keep their types (numbers, arrays, null).");
  spec.add("pretty", &C::pretty, "Indent the array's objects, one key per line (\"array\" only).");
  return spec;
}

JsonSink::JsonSink(const StageContext& context, JsonSinkConfig config)
    : path_(std::move(config.path)), format_(config.format), pretty_(config.pretty) {
  const std::string where = "json-io sink config " + context.config_pointer;
  if (path_.empty()) throw std::invalid_argument(where + "/path: must not be empty");
  if (pretty_ && format_ == Format::jsonl)
    throw std::invalid_argument(
        where + "/pretty: needs \"format\": \"array\" (JSON Lines keep each object on one line)");
}

Status JsonSink::open(const std::vector<Column>& columns) try {
  std::unordered_map<std::string_view, std::size_t> seen;
  key_prefixes_.clear();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (auto [it, inserted] = seen.emplace(columns[i].name, i); !inserted) {
      return Status::fatal(path_ + ": duplicate column name " + io::quote_for_message(columns[i].name) +
                           " (columns " + std::to_string(it->second + 1) + " and " + std::to_string(i + 1) +
                           "); JSON object keys must be unique");
    }
    std::string prefix = pretty_ ? (i == 0 ? "\n    " : ",\n    ") : (i == 0 ? "" : ",");
    append_json_string(prefix, columns[i].name);
    prefix += pretty_ ? ": " : ":";
    key_prefixes_.push_back(std::move(prefix));
  }
  file_.reset();  // a second open starts over
  file_.emplace(path_);
  rows_written_ = 0;
  if (format_ == Format::array) file_->append("[");
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

void JsonSink::append_object(const Row& row, std::string& out) const {
  if (format_ == Format::array) out += rows_written_ == 0 ? "\n" : ",\n";
  out += pretty_ ? "  {" : "{";
  for (std::size_t i = 0; i < key_prefixes_.size(); ++i) {
    out += key_prefixes_[i];
    write_json(row.values[i], out);  // native JSON: numbers, arrays, null as they are
  }
  out += pretty_ && !key_prefixes_.empty() ? "\n  }" : "}";
  if (format_ == Format::jsonl) out += '\n';
}

Status JsonSink::write(const std::vector<Row>& rows) try {
  if (!file_) return Status::fatal(path_ + ": write before open");
  for (const Row& row : rows) {
    if (row.values.size() != key_prefixes_.size()) {
      return Status::fatal(path_ + ": row " + row.key + " has " + std::to_string(row.values.size()) +
                           " values for " + std::to_string(key_prefixes_.size()) + " columns");
    }
    append_object(row, file_->buffer());
    ++rows_written_;
    file_->flush_if_full();
  }
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

Status JsonSink::commit() try {
  if (!file_) return Status::fatal(path_ + ": commit before open");
  if (format_ == Format::array) file_->append(rows_written_ == 0 ? "]\n" : "\n]\n");
  file_->commit();
  file_.reset();
  return Status::ok();
} catch (const std::exception& e) {
  return Status::fatal(e.what());
}

}  // namespace pipehost::json_io
