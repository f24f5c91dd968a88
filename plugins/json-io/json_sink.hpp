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

class JsonSink final : public Sink {
 public:
  static const char* const kConfigSchema;

  /// Reads the config; throws std::invalid_argument on a bad one. Creates no file yet.
  explicit JsonSink(const StageContext& context);

  /// Creates `<path>.tmp-<pid>` (and the parent folder); rejects duplicate column names (JSON object
  /// keys must be unique to be useful).
  Status open(const std::vector<Column>& columns) override;
  Status write(const std::vector<Row>& rows) override;
  /// Closes the array, flushes, fsyncs and renames the file to `path`.
  Status commit() override;

 private:
  enum class Format { array, jsonl };

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
