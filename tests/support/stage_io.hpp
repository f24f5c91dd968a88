// Running source and sink stages in tests: read a source to the end, write a table through a sink.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "pipehost/sdk.hpp"

namespace pipehost::test {

/// What a source yields (or a sink is given): columns and rows.
struct Table {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  std::vector<std::vector<std::string>> values() const {
    std::vector<std::vector<std::string>> out;
    for (const Row& row : rows) out.push_back(row.values);
    return out;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const Row& row : rows) out.push_back(row.key);
    return out;
  }
};

/// Opens `source` and reads it to the end in batches of `batch_rows` (small, so that batch
/// boundaries fall inside test files); throws the first error's message.
inline Table read_all(Source& source, std::size_t batch_rows = 3) {
  Table table;
  Status status = source.open(table.columns);
  if (!status) throw std::runtime_error(status.message());
  std::vector<Row> batch;
  for (;;) {
    status = source.read(batch, batch_rows);
    if (!status) throw std::runtime_error(status.message());
    if (batch.empty()) return table;
    for (Row& row : batch) table.rows.push_back(row);
  }
}

/// Opens `sink` with the table's columns, writes its rows and commits; throws the first error's message.
inline void write_all(Sink& sink, const Table& table) {
  Status status = sink.open(table.columns);
  if (status) status = sink.write(table.rows);
  if (status) status = sink.commit();
  if (!status) throw std::runtime_error(status.message());
}

}  // namespace pipehost::test
