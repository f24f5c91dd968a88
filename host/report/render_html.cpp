#include "report/render_html.hpp"

#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include "report/charts.hpp"
#include "report/html_text.hpp"

namespace pipehost::report {

namespace {

constexpr const char* kStyle = R"css(
:root { --ink: #1f2328; --muted: #656d76; --line: #d8dee4; --card: #ffffff; --page: #f6f8fa;
        --ok: #59a14f; --failed: #e15759; --pending: #bab0ac; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 17px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
code, pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; background: #f3f4f6; padding: 6px 8px;
      border-radius: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 14px; margin-top: 18px; }
.card, .property { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.card .big { font-size: 26px; font-weight: 600; margin: 2px 0 6px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card table td { padding: 1px 10px 1px 0; }
.card table td.n { text-align: right; font-variant-numeric: tabular-nums; }
.wide { grid-column: 1 / -1; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 14px; }
.property .meta, .muted { color: var(--muted); font-size: 12.5px; margin: 0 0 8px; }
.type { font-weight: normal; color: var(--muted); font-size: 12px; border: 1px solid var(--line);
        border-radius: 10px; padding: 0 7px; margin-left: 6px; }
svg.chart { display: block; max-width: 100%; height: auto; overflow: visible; }
svg.chart text { font-size: 12px; fill: var(--ink); }
svg.chart text.value, svg.chart text.legend { fill: var(--muted); font-size: 11.5px; }
svg.chart .axis { stroke: #8c959f; }
svg.chart .grid { stroke: #eaeef2; }
table.list { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
table.list th, table.list td { text-align: left; vertical-align: top; padding: 7px 10px;
                                border-bottom: 1px solid var(--line); }
table.list th { background: #f0f3f6; font-weight: 600; }
table.list td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: #0969da; margin: 4px 0; }
table.examples { border-collapse: collapse; width: 100%; margin: 4px 0 8px; table-layout: fixed; }
table.examples th:nth-child(1) { width: 12%; }
table.examples th:nth-child(2) { width: 30%; }
table.examples td, table.examples th { border-top: 1px solid #eaeef2; padding: 5px 8px 5px 0; vertical-align: top;
                                        text-align: left; font-size: 13px; }
table.examples td.key { word-break: break-all; }
.inputs span { display: block; }
.inputs b { font-weight: 600; color: var(--muted); }
.notes { color: var(--muted); font-size: 12.5px; margin-top: 28px; }
.empty { color: var(--muted); font-style: italic; }
)css";

void write_header(const ReportData& d, std::ostream& out) {
  out << "<header><h1>" << escape(d.title) << "</h1><p>run <code>" << escape(d.run_id) << "</code>";
  for (const auto& part : {d.provider, d.model, d.mode.empty() ? "" : d.mode + " mode"})
    if (!part.empty()) out << " · " << escape(part);
  out << " · report written " << escape(d.generated_at) << "</p></header>\n";
}

enum class Unit { count, usd, seconds };

void write_figures_table(const std::vector<Figure>& figures, Unit unit, std::ostream& out) {
  out << "<table>";
  for (const auto& f : figures)
    out << "<tr><td>" << escape(humanize(f.name)) << "</td><td class=\"n\">"
        << escape(f.name.ends_with("_share") ? format_percent(f.value)
                  : unit == Unit::usd        ? format_usd(f.value)
                  : unit == Unit::seconds    ? format_seconds(f.value)
                                             : format_number(f.value))
        << "</td></tr>";
  out << "</table>";
}

void write_headline(const ReportData& d, std::ostream& out) {
  out << "<section class=\"cards\" id=\"headline\">\n";
  // Rows
  out << "<div class=\"card\"><div class=\"label\">Rows</div><div class=\"big\">"
      << format_count(d.rows_total) << "</div>"
      << split_bar({{"ok", d.rows_ok, 0}, {"failed", d.rows_failed, 0}, {"pending", d.rows_pending, 0}},
                   {"#59a14f", "#e15759", "#bab0ac"}, 240)
      << "</div>\n";
  // Cost
  out << "<div class=\"card\"><div class=\"label\">Cost</div><div class=\"big\">"
      << (d.cost_usd ? escape(format_usd(*d.cost_usd)) : "unknown") << "</div>";
  if (!d.cost.empty()) write_figures_table(d.cost, Unit::usd, out);
  if (!d.prices.empty()) {
    out << "<p class=\"muted\">" << escape(d.model) << " prices, US$ per 1M tokens";
    if (d.mode == "batch") out << " (batch jobs at the batch multiplier)";
    out << ":</p>";
    write_figures_table(d.prices, Unit::count, out);
  }
  out << "</div>\n";
  // Tokens
  // Input counts its cached and cache-write tokens already; tool uses and shares are not tokens.
  double all_tokens = 0;
  for (const auto& t : d.tokens)
    if (t.name == "input" || t.name == "output" || t.name == "thinking") all_tokens += t.value;
  out << "<div class=\"card\"><div class=\"label\">Tokens</div><div class=\"big\">"
      << escape(format_number(all_tokens)) << "</div>";
  write_figures_table(d.tokens, Unit::count, out);
  out << "</div>\n";
  // Time
  out << "<div class=\"card\"><div class=\"label\">Wall time (last run)</div><div class=\"big\">"
      << (d.wall_seconds ? escape(format_seconds(*d.wall_seconds)) : "unknown") << "</div>";
  if (!d.phases.empty()) write_figures_table(d.phases, Unit::seconds, out);
  out << "<p class=\"muted\">" << format_count(d.jobs_total) << " batch job(s) in the ledger</p></div>\n";
  out << "</section>\n";
}

void write_property(const PropertySummary& p, std::uint64_t rows_ok, std::ostream& out) {
  out << "<article class=\"property\" data-property=\"" << escape(p.name) << "\" data-kind=\""
      << (p.kind == ChartKind::categories   ? "categories"
          : p.kind == ChartKind::split      ? "split"
          : p.kind == ChartKind::histogram  ? "histogram"
          : p.kind == ChartKind::top_values ? "top_values"
                                            : "none")
      << "\"><h3>" << escape(p.name) << "<span class=\"type\">" << escape(p.type) << "</span></h3>";
  out << "<p class=\"meta\">" << format_count(p.answered) << " of " << format_count(rows_ok)
      << " ok rows answered";
  if (p.empty) out << " · " << format_count(p.empty) << " empty";
  if (p.kind == ChartKind::histogram && p.bins.size())
    out << " · min " << escape(format_number(p.min)) << ", mean " << escape(format_number(p.mean)) << ", max "
        << escape(format_number(p.max));
  if (p.not_numbers) out << " · " << format_count(p.not_numbers) << " not numbers";
  if (p.kind == ChartKind::top_values && p.distinct)
    out << " · " << (p.approximate ? "more than " : "") << format_count(p.distinct) << " different values";
  out << "</p>";
  bool nothing = p.answered == 0;
  switch (p.kind) {
    case ChartKind::categories: {
      std::uint64_t total = 0;
      for (const auto& c : p.counts) total += c.n;
      if (!nothing) out << bar_chart(p.counts, total);
      break;
    }
    case ChartKind::split:
      if (!nothing) out << split_bar(p.counts);
      break;
    case ChartKind::histogram:
      if (!p.bins.empty()) out << histogram_chart(p.bins);
      break;
    case ChartKind::top_values: {
      if (nothing) break;
      bool repeated = !p.counts.empty() && p.counts.front().n - p.counts.front().overcount > 1;
      if (!repeated) {
        out << "<p class=\"empty\">" << (p.approximate ? "Almost every" : "Every")
            << " value is different; for example:</p>";
        for (std::size_t i = 0; i < p.counts.size() && i < 2; ++i)
          out << "<pre>" << escape(cut_chars(p.counts[i].label, 300)) << "</pre>";
        break;
      }
      std::uint64_t total = 0;
      for (const auto& c : p.counts) total = std::max(total, c.n);
      out << "<p class=\"muted\">The " << p.counts.size() << " most frequent"
          << (p.approximate ? " (≈: estimated, too many different values to count each)" : "") << ":</p>";
      out << bar_chart(p.counts, p.answered ? p.answered : total, palette_color(0));
      break;
    }
    case ChartKind::none:
      out << "<p class=\"empty\">Not charted (" << escape(p.type) << ").</p>";
      break;
  }
  if (nothing) out << "<p class=\"empty\">No answers yet.</p>";
  out << "</article>\n";
}

void write_failures(const ReportData& d, std::ostream& out) {
  out << "<section id=\"failures\"><h2>Failures</h2>\n";
  if (d.rows_failed == 0) {
    out << "<p class=\"empty\">No row failed.</p></section>\n";
    return;
  }
  out << "<p class=\"muted\">" << format_count(d.rows_failed) << " failed row(s) in "
      << format_count(d.failure_groups_total) << " group(s) by reason";
  if (d.failures.size() < d.failure_groups_total)
    out << "; the " << d.failures.size() << " largest are shown";
  out << ". Failed rows are sent again by the next run while they have attempts left.</p>\n";
  out << "<table class=\"list\"><tr><th>reason</th><th class=\"n\">rows</th></tr>\n";
  for (std::size_t g = 0; g < d.failures.size(); ++g) {
    const auto& group = d.failures[g];
    out << "<tr class=\"failure\"><td><pre>" << escape(group.reason) << "</pre>";
    out << "<details" << (g < 3 ? " open" : "") << "><summary>" << group.examples.size()
        << " example row(s)</summary>";
    out << "<table class=\"examples\"><tr><th>key</th><th>input</th><th>last answer</th></tr>";
    for (const auto& e : group.examples) {
      out << "<tr><td class=\"key\"><code>" << escape(e.key) << "</code></td><td class=\"inputs\">";
      if (e.inputs.empty()) out << "<span class=\"empty\">not recorded</span>";
      for (const auto& [column, value] : e.inputs)
        out << "<span><b>" << escape(column) << ":</b> " << escape(cut_chars(value, 120)) << "</span>";
      out << "</td><td>";
      if (e.answer)
        out << "<pre>" << escape(e.answer->empty() ? "(empty answer)" : *e.answer) << "</pre>";
      else
        out << "<span class=\"empty\">no answer received</span>";
      out << "</td></tr>";
    }
    out << "</table></details></td><td class=\"n\">" << format_count(group.count) << "</td></tr>\n";
  }
  out << "</table></section>\n";
}

void write_timeline(const ReportData& d, std::ostream& out) {
  out << "<section id=\"timeline\"><h2>Timeline</h2>\n";
  if (!d.phases.empty()) {
    out << "<div class=\"card wide\"><h3>Phases of the last run</h3><p class=\"meta\">"
        << (d.wall_seconds ? escape(format_seconds(*d.wall_seconds)) : "") << " in all</p>"
        << phase_bar(d.phases, 1000) << "</div>\n";
  }
  out << "<div class=\"card wide\" style=\"margin-top:14px\"><h3>Batch jobs</h3>";
  if (d.jobs.empty()) {
    out << "<p class=\"empty\">No batch jobs (online mode, or nothing sent yet).</p>";
  } else {
    out << "<p class=\"meta\">" << format_count(d.jobs_total) << " job(s)";
    if (d.jobs.size() < d.jobs_total) out << "; the latest " << d.jobs.size() << " are shown";
    out << ". Hover a bar for its name, state and counts.</p>" << job_timeline(d.jobs);
  }
  if (!d.job_stages.empty()) {
    out << "<h3 id=\"job-stages\">Time in each stage</h3><p class=\"meta\">The last run's jobs: submit "
           "(upload and create), wait (until the job ended), fetch (download, parse, record), summed over "
           "the jobs, which overlap.</p>";
    write_figures_table(d.job_stages, Unit::seconds, out);
  }
  out << "</div></section>\n";
}

void write_details(const ReportData& d, std::ostream& out) {
  out << "<section id=\"details\"><h2>Run details</h2><table class=\"list\">\n";
  for (const auto& [name, value] : d.details)
    out << "<tr><th>" << escape(name) << "</th><td><code>" << escape(value.empty() ? "-" : value)
        << "</code></td></tr>\n";
  out << "</table></section>\n";
}

}  // namespace

void render_html(const ReportData& d, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>pipehost report: "
      << escape(d.title) << "</title><style>" << kStyle << "</style></head>\n<body><main>\n";
  write_header(d, out);
  write_headline(d, out);
  out << "<section id=\"answers\"><h2>Answers</h2>\n";
  if (d.properties.empty()) out << "<p class=\"empty\">The parser has no output columns.</p>";
  out << "<div class=\"grid\">\n";
  for (const auto& p : d.properties) write_property(p, d.rows_ok, out);
  out << "</div></section>\n";
  write_failures(d, out);
  write_timeline(d, out);
  write_details(d, out);
  if (!d.notes.empty()) {
    out << "<div class=\"notes\">";
    for (const auto& note : d.notes) out << "<p>" << escape(note) << "</p>";
    out << "</div>";
  }
  out << "</main></body></html>\n";
}

void write_report(const ReportInputs& inputs, const std::filesystem::path& file) {
  auto data = gather_report(inputs);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  auto temporary = file;
  temporary += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(temporary.string() + ": cannot write the report");
    render_html(data, out);
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary);
      throw std::runtime_error(temporary.string() + ": cannot write the report");
    }
  }
  std::filesystem::rename(temporary, file);
}

}  // namespace pipehost::report
