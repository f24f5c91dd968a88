// CSV -> JSON through the real CLI (build/bin/pipehost --plugins build/plugins --config FILE): a
// config with a csv-io source and a json-io sink and no model sections copies the rows. Every
// csv-spectrum case must come out as its expected JSON; the songs file as 5,946 objects; a bad CSV
// must stop the run with file:line:column and leave no output file.
#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_host.hpp"

namespace {

namespace fs = std::filesystem;
using pipehost::test::read_file;
using pipehost::test::TempDir;
using pipehost::test::write_file;

fs::path spectrum_dir() {
  return fs::path(PIPEHOST_SHARED_DIR) / "data" / "csv-spectrum";
}

std::vector<std::string> spectrum_cases() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(spectrum_dir() / "csvs", error)) {
    if (entry.path().extension() == ".csv") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// Runs pipehost on `config` (written as run.json into `dir`).
pipehost::test::ProcessResult run_pipehost(const TempDir& dir, const std::string& config) {
  write_file(dir.file("run.json"), config);
  std::string binary = pipehost::test::bin_path("pipehost");
  if (!fs::exists(binary)) return {};
  pipehost::test::ProcessOptions options;
  options.timeout = std::chrono::seconds(120);
  return pipehost::test::run_process(
      {binary, "--plugins", PIPEHOST_PLUGIN_DIR, "--config", dir.file("run.json")}, options);
}

/// A pass-through config: csv-io source `csv` (relative to the config's folder), one json-io sink.
std::string copy_config(const std::string& csv, const std::string& sink_settings = "") {
  return R"({"source": {"plugin": "csv-io", "path": ")" + csv + R"("},
             "sinks": [{"plugin": "json-io", "path": "out/rows.json")" +
         sink_settings + R"(}],
             "run": {"state_dir": "state"}})";
}

/// Key order of each object, which boost::json::value equality ignores.
std::vector<std::vector<std::string>> key_orders(const boost::json::array& rows) {
  std::vector<std::vector<std::string>> orders;
  for (const auto& row : rows) {
    orders.emplace_back();
    for (const auto& entry : row.as_object()) orders.back().emplace_back(entry.key());
  }
  return orders;
}

class CsvToJsonCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!fs::exists(pipehost::test::bin_path("pipehost"))) GTEST_SKIP() << "build/bin/pipehost is not built";
  }
};

TEST_P(CsvToJsonCli, CsvSpectrumCaseBecomesItsExpectedJson) {
  TempDir dir;
  fs::copy_file(spectrum_dir() / "csvs" / (GetParam() + ".csv"), dir.path() / "input.csv");
  auto result = run_pipehost(dir, copy_config("input.csv"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  boost::json::array actual = boost::json::parse(read_file(dir.path() / "out" / "rows.json")).as_array();
  boost::json::array expected =
      boost::json::parse(read_file(spectrum_dir() / "json" / (GetParam() + ".json"))).as_array();
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(key_orders(actual), key_orders(expected));
}

INSTANTIATE_TEST_SUITE_P(AllCases, CsvToJsonCli, ::testing::ValuesIn(spectrum_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

class CsvToJsonCliRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(pipehost::test::bin_path("pipehost"))) GTEST_SKIP() << "build/bin/pipehost is not built";
  }
};

TEST_F(CsvToJsonCliRun, SongsAsArrayAndAsJsonLines) {
  TempDir dir;
  fs::path songs = fs::path(PIPEHOST_SHARED_DIR) / "data" / "songs" / "pudding_names_in_songs_repeats.csv";
  auto array_run = run_pipehost(dir, copy_config(songs.string()));
  ASSERT_EQ(array_run.exit_code, 0) << array_run.err;
  boost::json::array rows = boost::json::parse(read_file(dir.path() / "out" / "rows.json")).as_array();
  ASSERT_EQ(rows.size(), 5946u);
  EXPECT_EQ(rows[0],
            boost::json::parse(R"({"artist": "Tyga Featuring Cedric Gervais, Wiz Khalifa & Mally Mall",
                                            "song": "Molly", "person": "FALSE", "name": "Molly", "n": "113"})"));

  // The one-line swap: the same rows as JSON Lines.
  auto jsonl_run = run_pipehost(dir, copy_config(songs.string(), R"(, "format": "jsonl")"));
  ASSERT_EQ(jsonl_run.exit_code, 0) << jsonl_run.err;
  std::string text = read_file(dir.path() / "out" / "rows.json");
  boost::json::array lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(boost::json::parse(text.substr(start, end - start)));
  }
  EXPECT_EQ(lines, rows);
}

TEST_F(CsvToJsonCliRun, BadCsvStopsTheRunWithItsPositionAndLeavesNoOutput) {
  TempDir dir;
  write_file(dir.file("bad.csv"), "a,b\n1,2\n3,x\"y\n");
  auto result = run_pipehost(dir, copy_config("bad.csv"));
  EXPECT_EQ(result.exit_code, 2) << "bad input is a usage error (nothing was written)";
  EXPECT_NE(result.err.find(dir.file("bad.csv") + ":3:4: stray quote in an unquoted field"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "rows.json"));
  if (fs::exists(dir.path() / "out")) {
    EXPECT_TRUE(fs::is_empty(dir.path() / "out")) << "a temporary file was left behind";
  }
}

}  // namespace
