// The csv-io source stage: CsvRowReader over the configured file. See README.md for the options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "csv_row_reader.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::csv {

/// The source's config section.
struct CsvSourceConfig {
  std::string path;
  /// Empty: the 1-based data row number is the key.
  std::string key;
  std::string delimiter = ",";
  std::string quote = "\"";
  bool header = true;
  /// Names the columns of a file without header row (unset: column_1, column_2, ...).
  std::optional<std::vector<std::string>> columns;
  Ragged ragged = Ragged::error;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::error;
  std::int64_t max_row_bytes = std::int64_t{64} << 20;
};

/// The source's config declaration.
ConfigSpec<CsvSourceConfig> source_spec();

class CsvSource final : public Source {
 public:
  /// Checks what the schema cannot say (the dialect, columns only without header); throws
  /// std::invalid_argument on a bad config. Does not touch the file yet.
  CsvSource(const StageContext& context, CsvSourceConfig config);

  Status open(std::vector<std::string>& columns) override;
  Status read(std::vector<Row>& batch, std::size_t max_rows) override;

 private:
  /// Logs what the pass adjusted (padded, truncated, replaced), once at its end.
  void report_adjustments();

  HostServices* host_;
  std::string path_;
  CsvRowReader reader_;
  bool reported_ = false;
};

}  // namespace pipehost::csv
