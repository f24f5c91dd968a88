// The run report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched, so
// it works opened from disk. Every value from the run (answers, inputs, reasons, keys) is escaped.
#pragma once

#include <filesystem>
#include <ostream>

#include "report/gather_report.hpp"
#include "report/report_data.hpp"

namespace pipehost::report {

void render_html(const ReportData& data, std::ostream& out);

/// Gathers and renders the report of `inputs` into `file`, written whole or not at all (a temporary
/// file renamed at the end). Throws ledger::LedgerError or std::runtime_error.
void write_report(const ReportInputs& inputs, const std::filesystem::path& file);

}  // namespace pipehost::report
