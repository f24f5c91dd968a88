// The bridge between a run's pipeline and its HTML report (host/report): which columns, schema,
// provider and prices the report describes, and where it is written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/run_config.hpp"
#include "engine/cost.hpp"
#include "engine/pipeline.hpp"
#include "report/gather_report.hpp"

namespace pipehost::engine {

/// <state_dir>/report.html, next to summary.json.
std::filesystem::path report_path(const config::RunConfig& config);

/// The report's inputs from what a run already knows: the source's columns, the parser's output
/// columns and a request built for the run (for its response schema).
report::ReportInputs report_inputs(const config::RunConfig& config, const Pipeline& pipeline,
                                   const std::vector<std::string>& columns,
                                   const std::vector<Column>& output_columns, const Request& request,
                                   const Pricing& pricing);

/// The same for a command that did not run: opens the source (reading its first row), binds the
/// request builder and asks the parser for its columns. Sends nothing and writes nothing.
report::ReportInputs report_inputs(const config::RunConfig& config, Pipeline& pipeline);

/// Writes the report at the end of a run; a report that cannot be written is a warning, never a
/// reason to fail the run. Returns the file, or an empty path when it was not written.
std::filesystem::path write_run_report(const report::ReportInputs& inputs, const std::filesystem::path& file);

}  // namespace pipehost::engine
