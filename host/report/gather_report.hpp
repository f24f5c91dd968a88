// Gathers what a run report shows from the ledger (read-only, streamed) and summary.json.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "report/report_data.hpp"

namespace pipehost::report {

/// Everything the report needs besides the ledger and summary.json: what the pipeline knows.
struct ReportInputs {
  std::filesystem::path ledger_file;
  /// May not exist yet (a run that has not finished once).
  std::filesystem::path summary_file;
  std::string config_file;
  /// The source's columns and the parser's output columns.
  std::vector<std::string> input_columns;
  std::vector<std::string> output_columns;
  /// The request's response schema (JSON text; empty when none).
  std::string response_schema_json;
  /// What the parser joins list elements with.
  std::string list_separator = "; ";
  /// Provider plugin, model and mode as configured.
  std::string provider;
  std::string model;
  std::string mode;
  /// The model's prices as configured: (name, US$ per million tokens, or a multiplier).
  std::vector<Figure> prices;
};

/// How much of each part the report shows.
struct ReportLimits {
  std::size_t top_values = 20;
  std::size_t failure_groups = 20;
  std::size_t examples_per_group = 3;
  std::size_t example_inputs = 3;
  std::size_t answer_chars = 300;
  std::size_t timeline_jobs = 200;
};

/// Reads the ledger (read-only; a live run may be writing it) and summary.json. Throws
/// ledger::LedgerError when the ledger cannot be read.
ReportData gather_report(const ReportInputs& inputs, const ReportLimits& limits = {});

/// The pipehost version this report module was built with.
std::string pipehost_version();

}  // namespace pipehost::report
