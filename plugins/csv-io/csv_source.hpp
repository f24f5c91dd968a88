// The csv-io source stage: CsvRowReader over the configured file. See README.md for the options.
#pragma once

#include <string>
#include <vector>

#include "csv_row_reader.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::csv {

class CsvSource final : public Source {
 public:
  static const char* const kConfigSchema;

  /// Reads the config; throws std::invalid_argument on a bad one. Does not touch the file yet.
  explicit CsvSource(const StageContext& context);

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
