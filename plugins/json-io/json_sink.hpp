// The json-io sink stage: rows as JSON objects (column -> string value, keys in column order), either
// one JSON array ("format": "array", the default) or JSON Lines ("jsonl"). Each row is formatted and
// written as it comes (nothing is kept), into an AtomicOutputFile that takes the final name only on
// commit(). See README.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io_support/atomic_output_file.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::json_io {

/// The sink's config section.
struct JsonSinkConfig {
  enum class Format { array, jsonl };
  std::string path;
  Format format = Format::array;
  bool pretty = false;
};

/// The sink's config declaration.
ConfigSpec<JsonSinkConfig> sink_spec();

class JsonSink final : public Sink {
 public:
  /// Checks what the schema cannot say (pretty only for arrays); throws std::invalid_argument on a bad
  /// config. Creates no file yet.
  JsonSink(const StageContext& context, JsonSinkConfig config);

  /// Creates `<path>.tmp-<pid>` (and the parent folder); rejects duplicate column names (JSON object
  /// keys must be unique to be useful).
  Status open(const std::vector<Column>& columns) override;
  Status write(const std::vector<Row>& rows) override;
  /// Closes the array, flushes, fsyncs and renames the file to `path`.
  Status commit() override;

 private:
  using Format = JsonSinkConfig::Format;

  void append_object(const Row& row, std::string& out) const;

  std::string path_;
  Format format_ = Format::array;
  bool pretty_ = false;
  /// Per column, what precedes its value: `"name":` (pretty: newline, indent, `"name": `).
  std::vector<std::string> key_prefixes_;
  std::uint64_t rows_written_ = 0;
  std::optional<io::AtomicOutputFile> file_;
};

}  // namespace pipehost::json_io
