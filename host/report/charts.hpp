// The report's charts as inline SVG (no script, no network): each function returns one <svg> element
// with a fixed width and height. Every text in them is escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/report_data.hpp"

namespace pipehost::report {

/// A colour of the categorical palette (cycles).
const char* palette_color(std::size_t index);

/// One horizontal bar per value with its count and share of `total`; `color` for every bar, or the
/// palette (one colour per value) when empty.
std::string bar_chart(const std::vector<Count>& counts, std::uint64_t total, const std::string& color = "");

/// One bar split into the values' shares, with a legend (booleans; row states). `colors` are used in
/// order (the palette when empty).
std::string split_bar(const std::vector<Count>& counts, const std::vector<std::string>& colors = {},
                      double width = 560);

/// Vertical bars over the bins' ranges.
std::string histogram_chart(const std::vector<HistogramBin>& bins);

/// The phases of a run (seconds) as one split bar with a legend.
std::string phase_bar(const std::vector<Figure>& phases, double width = 560);

/// Each batch job as a bar on a common time axis: planned → created at the provider (light), created →
/// ended (coloured by how it ended), or → the last update for jobs still running.
std::string job_timeline(const std::vector<JobBar>& jobs, double width = 1000);

}  // namespace pipehost::report
