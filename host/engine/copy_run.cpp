#include "engine/copy_run.hpp"

#include "engine/run_error.hpp"

namespace pipehost::engine {

namespace {
constexpr std::size_t kRowsPerRead = 1024;

void check(const Status& status, const std::string& what) {
  if (!status) throw RunError(what + ": " + status.message());
}

/// A source that cannot be opened or read is bad input (exit 2), not a failed run.
void check_input(const Status& status, const std::string& what) {
  if (!status) throw InputError(what + ": " + status.message());
}
}  // namespace

std::uint64_t copy_rows(Pipeline& pipeline, services::RunServices& run) {
  std::vector<std::string> columns;
  check_input(pipeline.source->open(columns), pipeline.source.pointer + " (" + pipeline.source.plugin->name() + ")");
  for (auto& sink : pipeline.sinks) check(sink->open(columns), sink.pointer + " (" + sink.plugin->name() + ")");

  std::uint64_t rows = 0;
  std::vector<Row> batch;
  while (true) {
    if (run.cancelled()) throw RunCancelled();
    check_input(pipeline.source->read(batch, kRowsPerRead), pipeline.source.pointer + " (" + pipeline.source.plugin->name() + ")");
    if (batch.empty()) break;
    for (const auto& row : batch) {
      if (row.values.size() != columns.size())
        throw InputError(pipeline.source.pointer + ": row " + row.key + " has " + std::to_string(row.values.size()) +
                       " values for " + std::to_string(columns.size()) + " columns");
    }
    for (auto& sink : pipeline.sinks) check(sink->write(batch), sink.pointer + " (" + sink.plugin->name() + ")");
    rows += batch.size();
    run.counters().set("rows_written", static_cast<std::int64_t>(rows));
  }
  for (auto& sink : pipeline.sinks) check(sink->commit(), sink.pointer + " (" + sink.plugin->name() + ")");
  return rows;
}

}  // namespace pipehost::engine
