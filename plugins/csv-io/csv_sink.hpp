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

/// The sink's config section.
struct CsvSinkConfig {
  std::string path;
  std::string delimiter = ",";
  std::string quote = "\"";
  std::string line_ending = "\n";
  bool header = true;
};

/// The sink's config declaration.
ConfigSpec<CsvSinkConfig> sink_spec();

class CsvSink final : public Sink {
 public:
  /// Checks the dialect (what the schema cannot say); throws std::invalid_argument on a bad config.
  /// Creates no file yet.
  CsvSink(const StageContext& context, CsvSinkConfig config);

  /// Creates `<path>.tmp-<pid>` (and the parent folder) and writes the header row.
  Status open(const std::vector<Column>& columns) override;
  Status write(const std::vector<Row>& rows) override;
  /// Flushes, fsyncs and renames the file to `path`.
  Status commit() override;

 private:
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
