#include "engine/copy_run.hpp"

#include "engine/run_error.hpp"

namespace pipehost::engine {

namespace {
constexpr std::size_t kRowsPerRead = 1024;
}  // namespace

std::uint64_t copy_rows(Pipeline& pipeline, services::RunServices& run) {
  std::vector<std::string> columns;
  check_input(pipeline.source->open(columns), pipeline.source.label());
  std::vector<Column> out_columns;
  for (const auto& name : columns) out_columns.push_back({name});
  for (auto& sink : pipeline.sinks) check(sink->open(out_columns), sink.label());

  std::uint64_t rows = 0;
  std::vector<Row> batch;
  while (true) {
    if (run.cancelled()) throw RunCancelled();
    check_input(pipeline.source->read(batch, kRowsPerRead), pipeline.source.label());
    if (batch.empty()) break;
    for (const auto& row : batch) {
      if (row.values.size() != columns.size())
        throw InputError(pipeline.source.pointer + ": row " + row.key + " has " +
                         std::to_string(row.values.size()) + " values for " + std::to_string(columns.size()) +
                         " columns");
    }
    for (auto& sink : pipeline.sinks) check(sink->write(batch), sink.label());
    rows += batch.size();
    run.counters().set("rows_written", static_cast<std::int64_t>(rows));
  }
  for (auto& sink : pipeline.sinks) check(sink->commit(), sink.label());
  return rows;
}

}  // namespace pipehost::engine
