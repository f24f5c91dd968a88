// The report's pieces without a run: escaping of untrusted text, the counters, the schema shapes and
// the page rendered from a small fixed data set.
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "report/charts.hpp"
#include "report/html_text.hpp"
#include "report/render_html.hpp"
#include "report/response_shape.hpp"
#include "report/value_stats.hpp"

namespace pipehost::report {
namespace {

TEST(HtmlText, EscapesMarkupQuotesAndBadBytes) {
  EXPECT_EQ(escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escape("caf\xC3\xA9 \xF0\x9F\x8E\xB8"), "caf\xC3\xA9 \xF0\x9F\x8E\xB8") << "valid UTF-8 is kept";
  EXPECT_EQ(escape("a\xFF"
                   "b"),
            "a\xEF\xBF\xBD"
            "b")
      << "an invalid byte becomes U+FFFD";
  EXPECT_EQ(escape("\xC3"), "\xEF\xBF\xBD") << "a cut sequence too";
  EXPECT_EQ(escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "a surrogate is not UTF-8";
  EXPECT_EQ(escape(std::string("a\0b\x1b", 4)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(escape("line\n\ttab"), "line\n\ttab");
}

TEST(HtmlText, CutsByCharactersNotBytes) {
  EXPECT_EQ(cut_chars("héllo", 10), "héllo");
  EXPECT_EQ(cut_chars("héllo", 2), "hé…");
  EXPECT_EQ(cut_chars(std::string(400, 'x'), 300), std::string(300, 'x') + "…");
}

TEST(HtmlText, Formats) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_number(12.25), "12.25");
  EXPECT_EQ(format_number(-3000), "-3,000");
  EXPECT_EQ(format_usd(1.234), "$1.23");
  EXPECT_EQ(format_usd(0.00123), "$0.0012");
  EXPECT_EQ(format_percent(0.98834), "98.8 %");
  EXPECT_EQ(format_seconds(0.25), "250 ms");
  EXPECT_EQ(format_seconds(125), "2 min 05 s");
  EXPECT_EQ(format_time(0), "1970-01-01 00:00:00 UTC");
}

TEST(ValueStats, CategoriesKeepTheSchemaOrderAndCountOthers) {
  CategoryCounter counter({"High", "Medium", "Low"});
  for (const char* v : {"Low", "High", "Low", "Extreme"}) counter.add(v);
  auto counts = counter.counts();
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].label, "High");
  EXPECT_EQ(counts[0].n, 1u);
  EXPECT_EQ(counts[1].n, 0u);
  EXPECT_EQ(counts[2].n, 2u);
  EXPECT_EQ(counts[3].label, "(other)");
  EXPECT_EQ(counts[3].n, 1u);
}

TEST(ValueStats, HistogramCountsEveryValueExactlyAsItWidens) {
  NumberHistogram histogram(false);
  std::uint64_t n = 0;
  // Values far outside the first range, on both sides, after the range is fixed.
  for (int i = 0; i < 3000; ++i, ++n) histogram.add(i % 100);
  for (double v : {-5000.0, 1e6, 0.5, 42.0}) histogram.add(v), ++n;
  std::uint64_t total = 0;
  auto bins = histogram.bins();
  ASSERT_FALSE(bins.empty());
  EXPECT_LE(bins.size(), NumberHistogram::kBins);
  for (std::size_t i = 0; i < bins.size(); ++i) {
    total += bins[i].n;
    if (i) {
      EXPECT_DOUBLE_EQ(bins[i].low, bins[i - 1].high) << "bins are contiguous";
    }
  }
  EXPECT_EQ(total, n);
  EXPECT_LE(bins.front().low, -5000);
  EXPECT_GT(bins.back().high, 1e6);
  EXPECT_EQ(histogram.min(), -5000);
  EXPECT_EQ(histogram.max(), 1e6);
}

TEST(ValueStats, SmallIntegerRangesGetOneBinPerValue) {
  NumberHistogram histogram(true);
  for (int v : {1, 2, 2, 3, 3, 3, 5}) histogram.add(v);
  auto bins = histogram.bins();
  ASSERT_EQ(bins.size(), 5u);  // 1, 2, 3, 4, 5
  EXPECT_EQ(bins[0].low, 1);
  EXPECT_EQ(bins[2].n, 3u);
  EXPECT_EQ(bins[3].n, 0u);
  EXPECT_EQ(bins[4].n, 1u);
}

TEST(ValueStats, TopValuesAreExactUntilCapacityThenEstimated) {
  TopValues top(4);
  for (const char* v : {"a", "b", "a", "c", "a", "b"}) top.add(v);
  auto counts = top.top(2);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].label, "a");
  EXPECT_EQ(counts[0].n, 3u);
  EXPECT_EQ(counts[1].label, "b");
  EXPECT_FALSE(top.approximate());
  EXPECT_EQ(top.distinct(), 3u);
  // Many distinct values: the frequent one survives with an exact-enough count.
  for (int i = 0; i < 1000; ++i) {
    top.add("x" + std::to_string(i));
    top.add("a");
  }
  EXPECT_TRUE(top.approximate());
  counts = top.top(1);
  EXPECT_EQ(counts[0].label, "a");
  EXPECT_GE(counts[0].n, 1003u);
  EXPECT_LE(counts[0].n - counts[0].overcount, 1003u);
}

TEST(ResponseShape, ReadsOpenApiAndJsonSchemaTypes) {
  auto shapes = column_shapes(R"({"type": "OBJECT", "properties": {
      "energy": {"type": "STRING", "enum": ["High", "Low"]},
      "tags": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["a", "b"]}},
      "words": {"type": "array", "items": {"type": "string"}},
      "explicit": {"type": "BOOLEAN"},
      "year": {"type": ["integer", "null"]},
      "score": {"type": "number"},
      "label": {"type": "object"}}})",
                              {"energy", "tags", "words", "explicit", "year", "score", "label", "unknown"});
  ASSERT_EQ(shapes.size(), 8u);
  EXPECT_EQ(shapes[0].kind, ChartKind::categories);
  EXPECT_EQ(shapes[0].values, (std::vector<std::string>{"High", "Low"}));
  EXPECT_EQ(shapes[1].type, "array of enum");
  EXPECT_TRUE(shapes[1].list);
  EXPECT_EQ(shapes[2].kind, ChartKind::top_values);
  EXPECT_TRUE(shapes[2].list);
  EXPECT_EQ(shapes[3].kind, ChartKind::split);
  EXPECT_EQ(shapes[4].kind, ChartKind::histogram);
  EXPECT_TRUE(shapes[4].integers);
  EXPECT_FALSE(shapes[5].integers);
  EXPECT_EQ(shapes[6].kind, ChartKind::none);
  EXPECT_EQ(shapes[7].type, "text") << "a column the schema does not name is free text";
}

ReportData sample_report() {
  ReportData d;
  d.title = "songs/run.json";
  d.run_id = "abc123";
  d.model = "gemini-flash-latest";
  d.mode = "batch";
  d.rows_total = 10;
  d.rows_ok = 7;
  d.rows_failed = 2;
  d.rows_pending = 1;
  d.cost_usd = 0.5;
  d.cost = {{"input", 0.25}, {"output", 0.25}};
  d.tokens = {{"prompt", 1000}, {"output", 200}};
  d.phases = {{"scan", 0.1}, {"model_calls", 2}};
  d.wall_seconds = 2.1;
  PropertySummary energy;
  energy.name = "energy";
  energy.type = "enum";
  energy.kind = ChartKind::categories;
  energy.counts = {{"High", 4, 0}, {"Medium", 0, 0}, {"Low", 3, 0}};
  energy.answered = 7;
  PropertySummary explicit_;
  explicit_.name = "explicit";
  explicit_.type = "boolean";
  explicit_.kind = ChartKind::split;
  explicit_.counts = {{"true", 2, 0}, {"false", 5, 0}};
  explicit_.answered = 7;
  PropertySummary year;
  year.name = "year";
  year.type = "integer";
  year.kind = ChartKind::histogram;
  year.bins = {{1990, 2000, 3}, {2000, 2010, 4}};
  year.answered = 7;
  PropertySummary mood;
  mood.name = "mood";
  mood.type = "text";
  mood.kind = ChartKind::top_values;
  mood.counts = {{"wistful <b>", 3, 0}, {"<script>alert(1)</script>", 2, 0}};
  mood.answered = 7;
  mood.distinct = 4;
  d.properties = {energy, explicit_, year, mood};
  FailureGroup group;
  group.reason = "no JSON found <img src=x onerror=alert(1)>";
  group.count = 2;
  group.examples = {
      {"key<1>", {{"artist", "AC/DC & <Friends>"}}, std::string("</pre><script>evil()</script>")},
      {"k2", {}, std::nullopt}};
  d.failures = {group};
  d.failure_groups_total = 1;
  d.jobs = {{"pipehost-abc123-00001", "fetched", 10, 8, 2, 100, 101, 110, true}};
  d.jobs_total = 1;
  d.details = {{"plugins", "csv-io 1.0.0"}};
  return d;
}

TEST(RenderHtml, NoUntrustedTextBecomesMarkup) {
  std::ostringstream out;
  render_html(sample_report(), out);
  auto html = out.str();
  EXPECT_EQ(html.find("<script"), std::string::npos) << "no script element at all, escaped or not";
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("wistful <b>"), std::string::npos);
  EXPECT_NE(html.find("wistful &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;evil()&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("key&lt;1&gt;"), std::string::npos);
  EXPECT_NE(html.find("AC/DC &amp; &lt;Friends&gt;"), std::string::npos);
  EXPECT_NE(html.find("no answer received"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "nothing is fetched";
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(RenderHtml, DrawsAChartPerPropertyWithItsCounts) {
  std::ostringstream out;
  render_html(sample_report(), out);
  auto html = out.str();
  std::regex svg("<svg class=\"chart\"[^>]* width=\"([0-9.]+)\" height=\"([0-9.]+)\"");
  std::size_t charts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), svg); it != std::sregex_iterator(); ++it) {
    ++charts;
    EXPECT_GT(std::stod((*it)[1]), 0);
    EXPECT_GT(std::stod((*it)[2]), 0);
  }
  // Rows split, 4 properties, phases, job timeline.
  EXPECT_EQ(charts, 7u);
  EXPECT_NE(html.find("data-property=\"energy\""), std::string::npos);
  EXPECT_NE(html.find("data-label=\"High\" data-count=\"4\""), std::string::npos);
  EXPECT_NE(html.find("data-label=\"Medium\" data-count=\"0\""), std::string::npos);
  EXPECT_NE(html.find("data-label=\"Low\" data-count=\"3\""), std::string::npos);
  EXPECT_NE(html.find("$0.50"), std::string::npos);
  EXPECT_NE(html.find("pipehost-abc123-00001"), std::string::npos);
}

TEST(Charts, EmptyInputsStillDrawValidSvg) {
  EXPECT_NE(bar_chart({}, 0).find("</svg>"), std::string::npos);
  EXPECT_NE(split_bar({{"ok", 0, 0}}).find("nothing yet"), std::string::npos);
  EXPECT_NE(histogram_chart({}).find("</svg>"), std::string::npos);
  EXPECT_NE(job_timeline({}).find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace pipehost::report
