// The json-io source stage: JsonlRowReader over the configured JSON Lines file. See README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jsonl_row_reader.hpp"
#include "pipehost/sdk.hpp"

namespace pipehost::json_io {

/// The source's config section.
struct JsonlSourceConfig {
  std::string path;
  /// Empty: the 1-based data row number is the key.
  std::string key;
  /// Unset: the keys of the first object.
  std::optional<std::vector<std::string>> columns;
  std::int64_t max_line_bytes = std::int64_t{64} << 20;
};

/// The source's config declaration.
ConfigSpec<JsonlSourceConfig> source_spec();

class JsonlSource final : public Source {
 public:
  /// Throws std::invalid_argument on an empty path. Does not touch the file yet.
  JsonlSource(const StageContext& context, JsonlSourceConfig config);

  Status open(std::vector<std::string>& columns) override;
  Status read(std::vector<Row>& batch, std::size_t max_rows) override;

 private:
  std::string path_;
  JsonlRowReader reader_;
};

}  // namespace pipehost::json_io
