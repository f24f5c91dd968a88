// Helpers for csv-io tests: run a CsvSource / CsvSink on a config, read everything.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "csv_row_reader.hpp"
#include "csv_sink.hpp"
#include "csv_source.hpp"
#include "io_support/byte_input.hpp"
#include "pipehost/sdk.hpp"
#include "stage_from_config.hpp"
#include "stage_io.hpp"
#include "test_host.hpp"

namespace pipehost::csv::test {

using pipehost::test::read_all;
using pipehost::test::Table;

/// Reads `bytes` through CsvRowReader (named "in.csv" in messages).
inline Table read_bytes(std::string_view bytes, const CsvReadOptions& options = {},
                        std::size_t batch_rows = 7) {
  CsvRowReader reader(options);
  Table table;
  table.columns = reader.open(std::make_unique<io::MemoryInput>(bytes), "in.csv");
  std::vector<Row> batch;
  for (;;) {
    reader.read(batch, batch_rows);
    if (batch.empty()) return table;
    for (Row& row : batch) table.rows.push_back(row);
  }
}

/// The message of the error reading `bytes` gives, or "" when it reads fine.
inline std::string read_error(std::string_view bytes, const CsvReadOptions& options = {}) {
  try {
    read_bytes(bytes, options);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

/// A StageContext whose config is `config` (a JSON object).
inline StageContext context(pipehost::test::TestHost& host, const boost::json::object& config,
                            std::string pointer = "/source") {
  return StageContext{host, boost::json::serialize(config), "", std::move(pointer)};
}

/// A CsvSource on `config`, made as the plugin's factory makes it (config read by source_spec()).
inline CsvSource make_source(pipehost::test::TestHost& host, const boost::json::object& config,
                             std::string pointer = "/source") {
  return pipehost::test::make_stage<CsvSource>(source_spec(), context(host, config, std::move(pointer)));
}

/// A CsvSink on `config`, made as the plugin's factory makes it (config read by sink_spec()).
inline CsvSink make_sink(pipehost::test::TestHost& host, const boost::json::object& config,
                         std::string pointer = "/sinks/0") {
  return pipehost::test::make_stage<CsvSink>(sink_spec(), context(host, config, std::move(pointer)));
}

/// Reads the CSV file at `path` through a CsvSource with extra `config` settings.
inline Table read_file_with_source(const std::string& path, boost::json::object config = {}) {
  pipehost::test::TestHost host;
  config["path"] = path;
  CsvSource source = make_source(host, config);
  return read_all(source);
}

/// Writes `table` through a CsvSink to `path` with extra `config` settings, and commits.
inline void write_file_with_sink(const std::string& path, const Table& table,
                                 boost::json::object config = {}) {
  pipehost::test::TestHost host;
  config["path"] = path;
  CsvSink sink = make_sink(host, config);
  pipehost::test::write_all(sink, table);
}

}  // namespace pipehost::csv::test
