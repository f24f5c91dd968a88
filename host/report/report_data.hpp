// What a run report shows, as plain values: gathered from the ledger and summary.json
// (gather_report.hpp), drawn as HTML (render_html.hpp). Keeping the two apart lets the renderer be
// tested with a small fixed data set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipehost::report {

/// A value and how often it occurred.
struct Count {
  std::string label;
  std::uint64_t n = 0;
  /// For estimated counts (many distinct values): the count may be up to this much too high.
  std::uint64_t overcount = 0;
};

/// A named number, e.g. {"prompt", 1234} from summary.json's tokens object.
struct Figure {
  std::string name;
  double value = 0;
};

struct HistogramBin {
  double low = 0;
  double high = 0;
  std::uint64_t n = 0;
};

/// How a response property is charted.
enum class ChartKind {
  /// enum and array-of-enum properties: a bar per allowed value, in the schema's order.
  categories,
  /// booleans: one bar split into true / false.
  split,
  /// numbers and integers: a histogram.
  histogram,
  /// free text (and arrays of it): the most frequent values.
  top_values,
  /// objects and arrays of objects: not charted.
  none,
};

/// The answers of one response property (one output column) over the done rows.
struct PropertySummary {
  std::string name;
  /// "enum", "array of enum", "boolean", "number", "integer", "text", "array of text", "object".
  std::string type;
  ChartKind kind = ChartKind::none;
  /// categories / split: every value in order; top_values: the most frequent first.
  std::vector<Count> counts;
  std::vector<HistogramBin> bins;
  /// Done rows with a value, and without one (null or absent).
  std::uint64_t answered = 0;
  std::uint64_t empty = 0;
  /// top_values: how many different values were seen (a lower bound when `approximate`).
  std::uint64_t distinct = 0;
  /// top_values: too many different values to count each exactly; counts are estimates.
  bool approximate = false;
  /// histogram: values that are not finite numbers, and the range and mean of the others.
  std::uint64_t not_numbers = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
};

struct FailureExample {
  std::string key;
  /// The first input columns as sent: (column, value).
  std::vector<std::pair<std::string, std::string>> inputs;
  /// The raw answer of the row's last call, cut short; nullopt when no answer was received.
  std::optional<std::string> answer;
};

struct FailureGroup {
  std::string reason;
  std::uint64_t count = 0;
  std::vector<FailureExample> examples;
};

/// A batch job on the timeline. Times are Unix seconds; 0 when unknown.
struct JobBar {
  std::string name;
  std::string state;
  std::uint64_t rows = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  /// Planned (name recorded), created at the provider, last state change.
  double planned_at = 0;
  double submitted_at = 0;
  double updated_at = 0;
  /// The job reached an end state (its updated_at is when it ended).
  bool ended = false;
};

struct ReportData {
  std::string title;
  std::string run_id;
  std::string config_file;
  std::string generated_at;
  std::string provider;
  std::string model;
  std::string mode;

  std::uint64_t rows_total = 0;
  std::uint64_t rows_ok = 0;
  std::uint64_t rows_failed = 0;
  std::uint64_t rows_pending = 0;

  /// Total cost in US$, when known.
  std::optional<double> cost_usd;
  /// Every numeric member of summary.json's cost object (US$), and of its tokens object.
  std::vector<Figure> cost;
  std::vector<Figure> tokens;
  /// The model's prices (US$ per million tokens) and the batch multiplier.
  std::vector<Figure> prices;
  /// Sum of the phases of the last run, and each phase (seconds).
  std::optional<double> wall_seconds;
  std::vector<Figure> phases;
  /// Time the last run's batch jobs spent submitting, waiting and fetching, summed over jobs.
  std::vector<Figure> job_stages;

  std::vector<PropertySummary> properties;

  /// Failure groups, largest first; those beyond the shown ones are summed up in the totals.
  std::vector<FailureGroup> failures;
  std::uint64_t failure_groups_total = 0;

  std::vector<JobBar> jobs;
  /// Jobs in the ledger (the timeline may show only some of them).
  std::uint64_t jobs_total = 0;

  /// Config fingerprints, pipehost and plugin versions: (name, value).
  std::vector<std::pair<std::string, std::string>> details;
  /// Things the reader should know (e.g. "no summary.json yet").
  std::vector<std::string> notes;
};

}  // namespace pipehost::report
