// Helpers for json-io tests: run the JSON sink and the JSONL source on a config.
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "json_sink.hpp"
#include "jsonl_row_reader.hpp"
#include "jsonl_source.hpp"
#include "pipehost/sdk.hpp"
#include "stage_from_config.hpp"
#include "stage_io.hpp"
#include "test_host.hpp"

namespace pipehost::json_io::test {

using pipehost::test::read_all;
using pipehost::test::Table;

inline Table make_table(std::vector<std::string> columns, std::vector<std::vector<std::string>> values) {
  Table t;
  t.columns = std::move(columns);
  for (auto& row : values) {
    t.rows.emplace_back();
    t.rows.back().key = std::to_string(t.rows.size());
    for (auto& text : row) t.rows.back().values.emplace_back(std::move(text));
  }
  return t;
}

inline StageContext context(pipehost::test::TestHost& host, const boost::json::object& config,
                            std::string pointer) {
  return StageContext{host, boost::json::serialize(config), "", std::move(pointer)};
}

/// A JsonSink on `config`, made as the plugin's factory makes it (config read by sink_spec()).
inline JsonSink make_sink(pipehost::test::TestHost& host, const boost::json::object& config,
                          std::string pointer = "/sinks/0") {
  return pipehost::test::make_stage<JsonSink>(sink_spec(), context(host, config, std::move(pointer)));
}

/// A JsonlSource on `config`, made as the plugin's factory makes it (config read by source_spec()).
inline JsonlSource make_source(pipehost::test::TestHost& host, const boost::json::object& config,
                               std::string pointer = "/source") {
  return pipehost::test::make_stage<JsonlSource>(source_spec(), context(host, config, std::move(pointer)));
}

/// Writes `table` through a JsonSink to `path` with extra `config` settings, and commits.
inline void write_with_sink(const std::string& path, const Table& table, boost::json::object config = {}) {
  pipehost::test::TestHost host;
  config["path"] = path;
  JsonSink sink = make_sink(host, config);
  pipehost::test::write_all(sink, table);
}

/// Reads the JSON Lines file at `path` through a JsonlSource with extra `config` settings.
inline Table read_with_source(const std::string& path, boost::json::object config = {}) {
  pipehost::test::TestHost host;
  config["path"] = path;
  JsonlSource source = make_source(host, config);
  return read_all(source);
}

/// Reads JSON Lines `bytes` through JsonlRowReader (named "in.jsonl" in messages).
inline Table read_bytes(std::string_view bytes, const JsonlReadOptions& options = {}) {
  JsonlRowReader reader(options);
  Table table;
  table.columns = reader.open(std::make_unique<io::MemoryInput>(bytes), "in.jsonl");
  std::vector<Row> batch;
  for (;;) {
    reader.read(batch, 2);
    if (batch.empty()) return table;
    for (Row& row : batch) table.rows.push_back(row);
  }
}

inline std::string read_error(std::string_view bytes, const JsonlReadOptions& options = {}) {
  try {
    read_bytes(bytes, options);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace pipehost::json_io::test
