// csv-spectrum conformance: every shared/data/csv-spectrum/csvs/*.csv reads to exactly the records of
// its json/*.json (all values strings, keyed by header name). Run through the real plugin library
// (dlopen + pipehost_plugin_entry + describe + the registered factory), and through the core with tiny
// read buffers so every record and field boundary also falls on a buffer refill.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "csv_test_util.hpp"
#include "plugin_library.hpp"

namespace pipehost::csv::test {
namespace {

namespace fs = std::filesystem;
using pipehost::test::read_file;

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

/// The table as csv-spectrum's JSON: an array of objects, column -> string value.
boost::json::array as_json(const Table& table) {
  boost::json::array rows;
  for (const Row& row : table.rows) {
    boost::json::object object;
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      object[table.columns[i]] = row.values.at(i).as_string();
    rows.push_back(std::move(object));
  }
  return rows;
}

class CsvSpectrum : public ::testing::TestWithParam<std::string> {
 protected:
  std::string csv_path() const { return (spectrum_dir() / "csvs" / (GetParam() + ".csv")).string(); }
  boost::json::array expected() const {
    return boost::json::parse(read_file(spectrum_dir() / "json" / (GetParam() + ".json"))).as_array();
  }
  /// Expected column order: the keys of the first expected object, in file order.
  std::vector<std::string> expected_columns() const {
    std::vector<std::string> columns;
    boost::json::array rows = expected();
    for (const auto& entry : rows.at(0).as_object()) columns.emplace_back(entry.key());
    return columns;
  }
};

TEST_P(CsvSpectrum, ReadsExpectedRecordsThroughPluginLibrary) {
  pipehost::test::PluginLibrary plugin("csv-io");
  EXPECT_EQ(plugin.descriptor().name, "csv-io");
  pipehost::test::TestHost host;
  boost::json::object config{{"path", csv_path()}};
  auto source = plugin.create<Source>(context(host, config));
  Table table = read_all(*source);
  EXPECT_EQ(table.columns, expected_columns());
  EXPECT_EQ(as_json(table), expected());
  for (std::size_t i = 0; i < table.rows.size(); ++i) EXPECT_EQ(table.rows[i].key, std::to_string(i + 1));
}

TEST_P(CsvSpectrum, ReadsExpectedRecordsWithTinyBuffers) {
  std::string bytes = read_file(csv_path());
  for (std::size_t buffer_bytes : {4, 5, 6, 7, 8, 13, 64}) {
    CsvReadOptions options;
    options.buffer_bytes = buffer_bytes;
    for (std::size_t batch_rows : {1, 2, 100}) {
      Table table = read_bytes(bytes, options, batch_rows);
      EXPECT_EQ(as_json(table), expected()) << "buffer " << buffer_bytes << ", batch " << batch_rows;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, CsvSpectrum, ::testing::ValuesIn(spectrum_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(CsvSpectrumData, IsPresent) {
  // Guards against the parameterized suite silently running zero cases.
  EXPECT_EQ(spectrum_cases().size(), 11u) << "csv-spectrum cases in " << spectrum_dir();
}

TEST(CsvPluginLibrary, DescribesSourceAndSinkWithStrictSchemas) {
  pipehost::test::PluginLibrary plugin("csv-io");
  for (StageKind kind : {StageKind::source, StageKind::sink}) {
    const StageDescriptor& stage = plugin.stage(kind);
    boost::json::object schema = boost::json::parse(stage.config_schema).as_object();
    EXPECT_EQ(schema.at("additionalProperties"), false);
    EXPECT_EQ(schema.at("properties").at("path").at("format"), "path");
    EXPECT_EQ(schema.at("required"), boost::json::array{"path"});
  }
}

TEST(CsvPluginLibrary, BadConfigBecomesFatalStatusWithPointer) {
  pipehost::test::PluginLibrary plugin("csv-io");
  pipehost::test::TestHost host;
  boost::json::object config{{"path", "x.csv"}, {"delimiter", ";;"}};
  try {
    plugin.create<Source>(context(host, config));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "csv-io source config /source/delimiter: must be exactly one ASCII character, not \";;\"");
  }
}

}  // namespace
}  // namespace pipehost::csv::test
