// The songs example's report opened in a real browser: the songs example runs against the emulator
// (as scripts/demo.sh does, with a few answers broken so failures show too), then headless Chromium
// loads the report from disk. The page must load with no console error and no request leaving the
// file, draw its charts with a real size, and show for `energy` the counts of the output CSV.
// A screenshot goes to build/report-screenshot.png for people to look at.
//
// Needs Debian's chromium (scripts/deps.sh installs it; the test skips with a message when
// /usr/bin/chromium is missing) and playwright-core from npm, installed once into the build tree.
#include <cstdio>
#include <map>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "npm_packages.hpp"
#include "pipeline_fixture.hpp"
#include "process.hpp"
#include "required_tools.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kChromium = "/usr/bin/chromium";
const fs::path kInstallDir = fs::path(PIPEHOST_BINARY_DIR) / "report-browser";
const fs::path kScreenshot = fs::path(PIPEHOST_BINARY_DIR) / "report-screenshot.png";

/// Installs playwright-core once into the build tree. Returns an error, or "".
std::string ensure_playwright_installed() {
  // The browser is Debian's: playwright must never try to download its own.
  return ensure_npm_packages(kInstallDir,
                             R"({"name":"pipehost-report-browser","private":true,"type":"module",)"
                             R"("dependencies":{"playwright-core":"^1.65.0"}})",
                             {"playwright-core"}, {{"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"}});
}

TEST(ReportInBrowser, SongsReportLoadsDrawsItsChartsAndShowsTheOutputsCounts) {
  if (!fs::exists(kChromium))
    PIPEHOST_SKIP_WITHOUT_TOOL(kChromium.string()
                               << " is missing: the browser test needs Debian's chromium (scripts/deps.sh "
                                  "installs it)");
  auto error = ensure_playwright_installed();
  ASSERT_TRUE(error.empty()) << error;

  TempDir dir;
  EmulatorOptions emulator_options;
  emulator_options.faults = "prose=0.06,line_error=0.03";
  emulator_options.gemini_key = kGeminiKey;
  EmulatorProcess emulator(emulator_options);
  std::string state = dir.file("state"), output = dir.file("songs-classified.csv");
  ProcessOptions run_options;
  run_options.env["GEMINI_API_KEY"] = kGeminiKey;
  run_options.timeout = std::chrono::minutes(3);
  auto run = run_process({bin_path("pipehost"),
                          "run",
                          "--plugins",
                          PIPEHOST_PLUGIN_DIR,
                          "--no-progress",
                          "--log-level",
                          "warn",
                          "--config",
                          std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/run.json",
                          "--set",
                          "provider.base_url=" + emulator.base_url(),
                          "--set",
                          "provider.ca_file=" + emulator.ca_file(),
                          "--set",
                          "provider.poll_interval_s=0.05",
                          "--set",
                          "loggers=[]",
                          "--set",
                          "sinks.0.path=" + output,
                          "--set",
                          "run.state_dir=" + state,
                          "--set",
                          "run.max_attempts=1"},
                         run_options);
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
  fs::path report = fs::path(state) / "report.html";
  ASSERT_TRUE(fs::exists(report)) << run.out << run.err;

  fs::copy_file(fs::path(PIPEHOST_SOURCE_DIR) / "tests/report/browser/check_report.mjs",
                kInstallDir / "check_report.mjs", fs::copy_options::overwrite_existing);
  fs::remove(kScreenshot);
  ProcessOptions node_options;
  node_options.working_dir = kInstallDir.string();
  node_options.timeout = std::chrono::minutes(2);
  auto browser = run_process({"node", "check_report.mjs", report.string(), kScreenshot.string(),
                              dir.file("chromium-profile"), "energy"},
                             node_options);
  ASSERT_EQ(browser.exit_code, 0) << browser.err << browser.out;
  auto seen = json::parse(browser.out).as_object();

  EXPECT_TRUE(seen.at("console_errors").as_array().empty()) << json::serialize(seen.at("console_errors"));
  EXPECT_TRUE(seen.at("page_errors").as_array().empty()) << json::serialize(seen.at("page_errors"));
  EXPECT_TRUE(seen.at("requests").as_array().empty())
      << "the page fetched " << json::serialize(seen.at("requests"));
  EXPECT_EQ(seen.at("title").as_string(), "pipehost report: songs/run.json");

  // Rows, the 8 properties of the songs schema, phases, jobs.
  const auto& charts = seen.at("charts").as_array();
  EXPECT_GE(charts.size(), 11u) << json::serialize(charts);
  for (const auto& chart : charts) {
    EXPECT_GT(chart.at("width").to_number<double>(), 0) << json::serialize(chart);
    EXPECT_GT(chart.at("height").to_number<double>(), 0) << json::serialize(chart);
    EXPECT_GT(chart.at("shapes").as_int64(), 0) << json::serialize(chart);
  }

  auto table = read_csv(output);
  std::map<std::string, std::int64_t> expected;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    if (table.at(i, "_status") == "ok") ++expected[table.at(i, "energy")];
    if (table.at(i, "_status") == "failed") ++failed;
  }
  EXPECT_GT(failed, 0u) << "the faults should have failed a few rows, so the failures section shows";
  const auto& counts = seen.at("counts").as_object();
  ASSERT_EQ(counts.size(), 3u) << json::serialize(counts);
  for (const char* value : {"High", "Medium", "Low"}) {
    ASSERT_TRUE(counts.contains(value)) << value;
    EXPECT_EQ(counts.at(value).as_int64(), expected[value]) << value;
    // And the same number as text on the page.
    EXPECT_NE(std::string(seen.at("visible_text").as_string()).find(std::to_string(expected[value])),
              std::string::npos);
  }
  EXPECT_TRUE(fs::exists(kScreenshot));
  EXPECT_GT(fs::file_size(kScreenshot), 10000u);
}

}  // namespace
}  // namespace pipehost::test
