// The csv-io sink stage: canonical CSV (CsvWriter) into an AtomicOutputFile, which takes the final
// name only on commit(). See README.md for the options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "csv_writer.hpp"
#include "io_support/atomic_output_file.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::csv {

class CsvSink final : public Sink {
 public:
  static const char* const kConfigSchema;

  /// Reads the config; throws std::invalid_argument on a bad one. Creates no file yet.
  explicit CsvSink(const StageContext& context);

  /// Creates `<path>.tmp-<pid>` (and the parent folder) and writes the header row.
  Status open(const std::vector<Column>& columns) override;
  Status write(const std::vector<Row>& rows) override;
  /// Flushes, fsyncs and renames the file to `path`.
  Status commit() override;

 private:
  struct Config {
    std::string path;
    bool header = true;
    CsvDialect dialect;
    std::string line_ending;
  };
  static Config read_config(const StageContext& context);
  explicit CsvSink(Config config);

  std::string path_;
  bool header_;
  CsvWriter writer_;
  std::size_t column_count_ = 0;
  /// How each column joins an array value (the parser's list separator).
  std::vector<std::string> list_separators_;
  std::vector<std::string> fields_;  // one row as text
  std::optional<io::AtomicOutputFile> file_;
};

}  // namespace pipehost::csv
