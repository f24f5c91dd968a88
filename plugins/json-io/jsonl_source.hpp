// The json-io source stage: JsonlRowReader over the configured JSON Lines file. See README.md.
#pragma once

#include <string>
#include <vector>

#include "jsonl_row_reader.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::json_io {

class JsonlSource final : public Source {
 public:
  static const char* const kConfigSchema;

  /// Reads the config; throws std::invalid_argument on a bad one. Does not touch the file yet.
  explicit JsonlSource(const StageContext& context);

  Status open(std::vector<std::string>& columns) override;
  Status read(std::vector<Row>& batch, std::size_t max_rows) override;

 private:
  std::string path_;
  JsonlRowReader reader_;
};

}  // namespace pipehost::json_io
