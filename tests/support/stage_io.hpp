// Running source and sink stages in tests: read a source to the end, write a table through a sink.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "pipehost/sdk.hpp"
#include "value_compare.hpp"

namespace pipehost::test {

/// Rows from lists of texts (string values), for sinks in tests.
inline std::vector<Row> rows_of(const std::vector<std::vector<std::string>>& texts) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    Row row;
    row.key = std::to_string(i + 1);
    for (const auto& text : texts[i]) row.values.emplace_back(text);
    rows.push_back(std::move(row));
  }
  return rows;
}

/// What a source yields (or a sink is given): columns and rows.
struct Table {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  /// Every row's values as text (what a CSV cell would hold).
  std::vector<std::vector<std::string>> values() const {
    std::vector<std::vector<std::string>> out;
    for (const Row& row : rows) {
      out.emplace_back();
      for (const Value& value : row.values) out.back().push_back(value.to_text());
    }
    return out;
  }
  /// The columns as a sink's open() takes them.
  std::vector<Column> column_list() const { return {columns.begin(), columns.end()}; }
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
  Status status = sink.open(table.column_list());
  if (status) status = sink.write(table.rows);
  if (status) status = sink.commit();
  if (!status) throw std::runtime_error(status.message());
}

}  // namespace pipehost::test
