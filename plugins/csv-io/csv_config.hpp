// Config settings the csv-io source and sink share.
#pragma once

#include "csv_dialect.hpp"
#include "io_support/stage_config.hpp"

namespace pipehost::csv {

/// Reads "delimiter" and "quote" (one ASCII character each, different, neither CR nor LF).
CsvDialect read_dialect(io::StageConfig& config);

}  // namespace pipehost::csv
