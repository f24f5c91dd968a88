#include "report/charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/html_text.hpp"

namespace pipehost::report {

namespace {

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

/// A coordinate with one decimal, as SVG wants it.
std::string px(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  std::string out = text;
  if (out.size() > 2 && out.ends_with(".0")) out.resize(out.size() - 2);
  return out;
}

std::string svg_open(double width, double height, const std::string& label) {
  return "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(width) + "\" height=\"" +
         px(height) + "\" viewBox=\"0 0 " + px(width) + " " + px(height) + "\" role=\"img\" aria-label=\"" +
         escape(label) + "\">";
}

std::string rect(double x, double y, double w, double h, const std::string& fill, const std::string& title,
                 const std::string& extra = "") {
  return "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(std::max(w, 0.0)) + "\" height=\"" +
         px(h) + "\" fill=\"" + fill + "\"" + extra + "><title>" + escape(title) + "</title></rect>";
}

std::string text(double x, double y, const std::string& content, const std::string& attributes = "") {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + attributes + ">" + escape(content) + "</text>";
}

std::string percent(std::uint64_t n, std::uint64_t total) {
  if (total == 0) return "";
  char out[32];
  double share = 100.0 * static_cast<double>(n) / static_cast<double>(total);
  std::snprintf(out, sizeof out, share > 0 && share < 0.1 ? "<0.1%%" : "%.1f%%", share);
  return out;
}

std::string count_text(const Count& c) {
  return (c.overcount ? "≈" : "") + format_count(c.n);
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& items, double y, double width) {
  std::string out;
  double x = 0;
  for (const auto& [label, color] : items) {
    auto shown = cut_chars(label, 40);
    double w = 18 + 7.0 * static_cast<double>(shown.size());
    if (x > 0 && x + w > width) {
      x = 0;
      y += 18;
    }
    out += rect(x, y - 10, 10, 10, color, label);
    out += text(x + 14, y, shown, " class=\"legend\"");
    x += w + 12;
  }
  return out;
}

}  // namespace

const char* palette_color(std::size_t index) {
  return kPalette[index % std::size(kPalette)];
}

std::string bar_chart(const std::vector<Count>& counts, std::uint64_t total, const std::string& color) {
  constexpr double kWidth = 560, kLabel = 170, kBars = 270, kRow = 24;
  std::uint64_t largest = 1;
  for (const auto& c : counts) largest = std::max(largest, c.n);
  double height = kRow * static_cast<double>(counts.size()) + 6;
  std::string svg = svg_open(kWidth, height, "bar chart");
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto& c = counts[i];
    double y = 3 + kRow * static_cast<double>(i);
    double w = kBars * static_cast<double>(c.n) / static_cast<double>(largest);
    std::string label = cut_chars(c.label.empty() ? "(empty)" : c.label, 24);
    // data-label / data-count let scripts and tests read the chart without parsing its text.
    svg += "<g data-label=\"" + escape(c.label) + "\" data-count=\"" + std::to_string(c.n) + "\">" +
           text(kLabel - 8, y + 15, label, " text-anchor=\"end\"");
    svg +=
        rect(kLabel, y + 3, std::max(w, c.n ? 1.5 : 0.0), kRow - 8, color.empty() ? palette_color(i) : color,
             c.label + ": " + count_text(c) + " (" + percent(c.n, total) + ")");
    svg += text(kLabel + w + 6, y + 15, count_text(c) + " · " + percent(c.n, total), " class=\"value\"") +
           "</g>";
  }
  return svg + "</svg>";
}

std::string split_bar(const std::vector<Count>& counts, const std::vector<std::string>& colors,
                      double kWidth) {
  constexpr double kBar = 26;
  std::uint64_t total = 0;
  for (const auto& c : counts) total += c.n;
  std::string svg = svg_open(kWidth, kBar + 34, "split bar");
  double x = 0;
  std::vector<std::pair<std::string, std::string>> items;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto& c = counts[i];
    std::string color = i < colors.size() ? colors[i] : palette_color(i);
    items.emplace_back(c.label + " " + count_text(c) + " (" + percent(c.n, total) + ")", color);
    if (total == 0 || c.n == 0) continue;
    double w = kWidth * static_cast<double>(c.n) / static_cast<double>(total);
    svg += rect(x, 0, w, kBar, color, c.label + ": " + count_text(c) + " (" + percent(c.n, total) + ")");
    x += w;
  }
  if (total == 0) svg += rect(0, 0, kWidth, kBar, "#e8e8e8", "nothing yet");
  svg += legend(items, kBar + 22, kWidth);
  return svg + "</svg>";
}

std::string histogram_chart(const std::vector<HistogramBin>& bins) {
  constexpr double kWidth = 560, kPlot = 150, kLeft = 50, kBottom = 22;
  std::uint64_t largest = 1;
  for (const auto& b : bins) largest = std::max(largest, b.n);
  std::string svg = svg_open(kWidth, kPlot + kBottom + 8, "histogram");
  double plot_width = kWidth - kLeft - 10;
  double bar = bins.empty() ? 0 : plot_width / static_cast<double>(bins.size());
  svg += "<line x1=\"" + px(kLeft) + "\" y1=\"" + px(kPlot + 4) + "\" x2=\"" + px(kWidth - 10) + "\" y2=\"" +
         px(kPlot + 4) + "\" class=\"axis\"/>";
  svg += text(kLeft - 6, 14, format_count(largest), " text-anchor=\"end\" class=\"value\"");
  svg += text(kLeft - 6, kPlot + 4, "0", " text-anchor=\"end\" class=\"value\"");
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const auto& b = bins[i];
    double h = (kPlot - 6) * static_cast<double>(b.n) / static_cast<double>(largest);
    svg += rect(kLeft + bar * static_cast<double>(i) + 1, kPlot + 4 - h, std::max(bar - 2, 1.0), h,
                palette_color(0),
                format_number(b.low) + " to " + format_number(b.high) + ": " + format_count(b.n));
  }
  if (!bins.empty()) {
    svg += text(kLeft, kPlot + kBottom, format_number(bins.front().low), " class=\"value\"");
    svg += text(kWidth - 10, kPlot + kBottom, format_number(bins.back().high),
                " text-anchor=\"end\" class=\"value\"");
    if (bins.size() > 2) {
      const auto& mid = bins[bins.size() / 2];
      svg += text(kLeft + bar * static_cast<double>(bins.size() / 2), kPlot + kBottom, format_number(mid.low),
                  " text-anchor=\"middle\" class=\"value\"");
    }
  }
  return svg + "</svg>";
}

std::string phase_bar(const std::vector<Figure>& phases, double kWidth) {
  constexpr double kBar = 26;
  double total = 0;
  for (const auto& p : phases) total += std::max(p.value, 0.0);
  std::string svg = svg_open(kWidth, kBar + 34, "phases");
  double x = 0;
  std::vector<std::pair<std::string, std::string>> items;
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const auto& p = phases[i];
    std::string label = humanize(p.name) + " " + format_seconds(p.value);
    items.emplace_back(label, palette_color(i));
    if (total <= 0 || p.value <= 0) continue;
    double w = kWidth * p.value / total;
    svg += rect(x, 0, w, kBar, palette_color(i), label);
    x += w;
  }
  svg += legend(items, kBar + 22, kWidth);
  return svg + "</svg>";
}

namespace {

/// How a job ended, as a colour: green for collected, red for failed or expired, grey otherwise.
std::string job_color(const JobBar& job) {
  if (job.state == "fetched" || job.state == "succeeded") return "#59a14f";
  if (job.state == "failed" || job.state == "expired") return "#e15759";
  if (job.state == "cancelled" || job.state == "discarded") return "#9c9c9c";
  return "#4e79a7";  // still running at the provider
}

/// "pipehost-ab12cd34-00007" → "#7".
std::string job_label(const std::string& name) {
  auto dash = name.rfind('-');
  if (dash == std::string::npos) return name;
  auto number = name.substr(dash + 1);
  auto first = number.find_first_not_of('0');
  return first == std::string::npos ? name : std::string("#").append(number, first);
}

}  // namespace

std::string job_timeline(const std::vector<JobBar>& jobs, double kWidth) {
  constexpr double kLeft = 60, kRow = 16, kAxis = 26;
  double start = 0, end = 0;
  for (const auto& j : jobs) {
    if (j.planned_at <= 0) continue;
    start = start == 0 ? j.planned_at : std::min(start, j.planned_at);
    end = std::max({end, j.updated_at, j.submitted_at, j.planned_at});
  }
  double span = std::max(end - start, 1e-3);
  double plot = kWidth - kLeft - 10;
  auto at = [&](double t) { return kLeft + plot * std::clamp((t - start) / span, 0.0, 1.0); };
  double height = kRow * static_cast<double>(jobs.size()) + kAxis + 30;
  std::string svg = svg_open(kWidth, height, "batch job timeline");
  for (int tick = 0; tick <= 4; ++tick) {
    double t = span * tick / 4;
    double x = kLeft + plot * tick / 4;
    svg += "<line x1=\"" + px(x) + "\" y1=\"0\" x2=\"" + px(x) + "\" y2=\"" +
           px(kRow * static_cast<double>(jobs.size())) + "\" class=\"grid\"/>";
    svg += text(x, kRow * static_cast<double>(jobs.size()) + 16, std::string("+").append(format_seconds(t)),
                std::string(" class=\"value\" text-anchor=\"") +
                    (tick == 0   ? "start"
                     : tick == 4 ? "end"
                                 : "middle") +
                    "\"");
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    double y = kRow * static_cast<double>(i);
    std::string about = j.name + " (" + j.state + ", " + format_count(j.rows) + " rows";
    if (j.succeeded || j.failed)
      about += ", " + format_count(j.succeeded) + " answered, " + format_count(j.failed) + " failed";
    about += ")";
    svg += text(kLeft - 6, y + 12, job_label(j.name), " text-anchor=\"end\" class=\"value\"");
    double created = j.submitted_at > 0 ? j.submitted_at : j.updated_at;
    svg += rect(at(j.planned_at), y + 3, std::max(at(created) - at(j.planned_at), 1.0), kRow - 6, "#c9d6e8",
                about + ": planned " + format_seconds(std::max(j.planned_at - start, 0.0)) +
                    " in; created after " + format_seconds(std::max(created - j.planned_at, 0.0)));
    if (j.submitted_at > 0)
      svg += rect(
          at(j.submitted_at), y + 3, std::max(at(j.updated_at) - at(j.submitted_at), 1.5), kRow - 6,
          job_color(j),
          about + ": at the provider for " + format_seconds(std::max(j.updated_at - j.submitted_at, 0.0)));
  }
  double legend_y = kRow * static_cast<double>(jobs.size()) + kAxis + 18;
  svg += legend({{"planned → created", "#c9d6e8"},
                 {"collected", "#59a14f"},
                 {"failed or expired", "#e15759"},
                 {"cancelled", "#9c9c9c"},
                 {"still running", "#4e79a7"}},
                legend_y, kWidth);
  return svg + "</svg>";
}

}  // namespace pipehost::report
