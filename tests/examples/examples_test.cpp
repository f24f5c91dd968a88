// The examples as a newcomer meets them: the demo script end to end, and the songs job with its
// sink swapped for JSON giving the same records.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "emulator_process.hpp"
#include "plugin_library.hpp"
#include "process.hpp"
#include "test_host.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

Table read_csv(const std::string& path) {
  static PluginLibrary csv("csv-io");
  TestHost host;
  auto source = csv.create<Source>({host, json::serialize(json::object{{"path", path}}), "", "/source"});
  Table table;
  if (auto s = source->open(table.columns); !s) throw std::runtime_error(s.message());
  std::vector<Row> batch;
  while (source->read(batch, 512) && !batch.empty())
    for (auto& row : batch) {
      table.rows.emplace_back();
      for (auto& value : row.values) table.rows.back().push_back(value.to_text());
    }
  return table;
}

TEST(Examples, DemoScriptClassifiesEverySong) {
  TempDir dir;
  ProcessOptions options;
  options.timeout = std::chrono::minutes(3);
  options.unset_env = {"GEMINI_API_KEY", "BRAINTRUST_API_KEY"};
  auto r = run_process(
      {std::string(PIPEHOST_SOURCE_DIR) + "/scripts/demo.sh", PIPEHOST_BINARY_DIR, dir.file("demo")},
      options);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rows: 200 total"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("First rows of"), std::string::npos);
  EXPECT_NE(r.out.find("GEMINI_API_KEY=... "), std::string::npos)
      << "tells how to run against the real service";

  auto input = read_csv(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/songs.csv");
  auto output = read_csv(dir.file("demo/songs-classified.csv"));
  ASSERT_EQ(output.rows.size(), input.rows.size());
  ASSERT_EQ(output.columns.size(), input.columns.size() + 8 + 2);
  EXPECT_EQ(output.columns.back(), "_error");
  for (std::size_t i = 0; i < input.rows.size(); ++i) {
    for (std::size_t c = 0; c < input.columns.size(); ++c) ASSERT_EQ(output.rows[i][c], input.rows[i][c]);
    EXPECT_TRUE(output.rows[i][13] == "ok" || output.rows[i][13] == "failed") << output.rows[i][13];
  }

  // Every call was logged once, timed from the job's submission to its answer.
  auto calls = read_file(dir.file("demo/calls.jsonl"));
  std::size_t lines = 0;
  for (std::size_t start = 0; start < calls.size();) {
    auto end = calls.find('\n', start);
    auto event = json::parse(calls.substr(start, end - start)).as_object();
    const auto& metrics = event.at("metrics").as_object();
    EXPECT_LT(metrics.at("start").to_number<double>(), metrics.at("end").to_number<double>());
    ++lines;
    start = end + 1;
  }
  EXPECT_EQ(lines, input.rows.size());

  // The cost is realistic: the songs job turns on web_search, whose per-prompt fee dwarfs the tokens,
  // and every song after the first reads the 17 KB instruction from Gemini's implicit cache.
  EXPECT_NE(r.out.find(" tool fees)"), std::string::npos) << r.out;
  auto summary = json::parse(read_file(dir.file("demo/state/summary.json")));
  const auto& cost = summary.at("cost");
  EXPECT_GT(cost.at("tools").to_number<double>(), 10 * cost.at("tokens").to_number<double>()) << cost;
  EXPECT_NEAR(cost.at("total").to_number<double>(),
              cost.at("tokens").to_number<double>() + cost.at("tools").to_number<double>(), 1e-9);
  const auto& tokens = summary.at("tokens");
  EXPECT_GT(tokens.at("cached_input").as_int64(), tokens.at("input").as_int64() / 2)
      << "the shared instruction is read from the cache: " << tokens;
  EXPECT_GT(tokens.at("tool_units").as_int64(), 0);
  EXPECT_NEAR(tokens.at("cached_share").to_number<double>(),
              static_cast<double>(tokens.at("cached_input").as_int64()) /
                  static_cast<double>(tokens.at("input").as_int64()),
              1e-9);
  // The run's report splits the cost the same way.
  auto report = read_file(dir.file("demo/state/report.html"));
  for (const char* figure : {"<tr><td>tools</td>", "<tr><td>cached input</td>", "<tr><td>tokens</td>"})
    EXPECT_NE(report.find(figure), std::string::npos) << figure;
}

TEST(Examples, JsonSinkSharesTheRunAndWritesTypedRecords) {
  TempDir dir;
  EmulatorProcess emulator;
  ProcessOptions options;
  options.timeout = std::chrono::minutes(2);
  options.env = {{"GEMINI_API_KEY", emulator.options().gemini_key},
                 {"BRAINTRUST_API_KEY", emulator.options().braintrust_key}};
  // Both examples as configured keep their run in one state dir; here it is moved to a temp dir, the same
  // for both.
  auto run = [&](const std::string& example, const std::string& output) {
    auto r = run_process({bin_path("pipehost"),
                          "run",
                          "--no-progress",
                          "--plugins",
                          PIPEHOST_PLUGIN_DIR,
                          "--config",
                          std::string(PIPEHOST_SOURCE_DIR) + "/examples/" + example + "/run.json",
                          "--set",
                          "provider.base_url=" + emulator.base_url(),
                          "--set",
                          "provider.ca_file=" + emulator.ca_file(),
                          "--set",
                          "provider.poll_interval_s=0.1",
                          "--set",
                          "loggers.0.api_url=" + emulator.base_url(),
                          "--set",
                          "loggers.0.app_url=" + emulator.base_url(),
                          "--set",
                          "loggers.0.ca_file=" + emulator.ca_file(),
                          "--set",
                          "loggers.1.path=" + dir.file("calls.jsonl"),
                          "--set",
                          "sinks.0.path=" + output,
                          "--set",
                          "run.state_dir=" + dir.file("state")},
                         options);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  run("songs", dir.file("songs.csv"));
  auto batches = json::parse(emulator.stats_json()).at("batches_created").as_int64();
  run("json-sink", dir.file("songs.json"));
  EXPECT_EQ(json::parse(emulator.stats_json()).at("batches_created").as_int64(), batches)
      << "switching the sink sent nothing";

  auto csv = read_csv(dir.file("songs.csv"));
  auto doc = json::parse(read_file(dir.file("songs.json")));
  const auto& records = doc.as_array();
  ASSERT_EQ(records.size(), csv.rows.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& object = records[i].as_object();
    ASSERT_EQ(object.size(), csv.columns.size());
    std::size_t c = 0;
    for (const auto& [key, value] : object) {
      EXPECT_EQ(std::string(key), csv.columns[c]) << "column order";
      if (key == "subgenres") {
        // Typed: an array in JSON, the same items joined by the list separator in the CSV.
        ASSERT_TRUE(value.is_array()) << "row " << i + 1;
        std::string joined;
        for (const auto& item : value.as_array())
          joined += (joined.empty() ? "" : "; ") + std::string(item.as_string());
        EXPECT_EQ(joined, csv.rows[i][c]) << "row " << i + 1;
      } else {
        ASSERT_TRUE(value.is_string()) << "row " << i + 1 << " column " << key;
        EXPECT_EQ(std::string(value.as_string()), csv.rows[i][c]) << "row " << i + 1 << " column " << key;
      }
      ++c;
    }
  }
}

/// Runs examples/`example` against `emulator` with its API key in `key_env`, the provider at
/// `base_url`, no loggers, and its output and state under `dir`. Checks that all 200 songs came out ok.
ProcessResult run_songs_example(const EmulatorProcess& emulator, const TempDir& dir,
                                const std::string& example, const std::string& key_env,
                                const std::string& key, const std::string& base_url) {
  ProcessOptions options;
  options.timeout = std::chrono::minutes(2);
  options.env = {{key_env, key}};
  auto r =
      run_process({bin_path("pipehost"), "run", "--no-progress", "--plugins", PIPEHOST_PLUGIN_DIR, "--config",
                   std::string(PIPEHOST_SOURCE_DIR) + "/examples/" + example + "/run.json", "--set",
                   "provider.base_url=" + base_url, "--set", "provider.ca_file=" + emulator.ca_file(),
                   "--set", "provider.poll_interval_s=0.1", "--set", "loggers=[]", "--set",
                   "sinks.0.path=" + dir.file("songs.csv"), "--set", "run.state_dir=" + dir.file("state")},
                  options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rows: 200 total, 200 ok"), std::string::npos) << r.out;
  auto input = read_csv(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/songs.csv");
  EXPECT_EQ(read_csv(dir.file("songs.csv")).rows.size(), input.rows.size());
  return r;
}

TEST(Examples, SongsOnOpenAIClassifiesEverySongOnce) {
  TempDir dir;
  EmulatorProcess emulator;
  auto r = run_songs_example(emulator, dir, "songs-openai", "OPENAI_API_KEY", emulator.options().openai_key,
                             emulator.base_url() + "/v1");
  EXPECT_NE(r.out.find("(gpt-4.1-mini, batch pricing)"), std::string::npos) << r.out;
  auto openai = json::parse(emulator.stats_json()).at("openai");
  EXPECT_EQ(openai.at("batch_lines_answered").as_int64(), 200);
  EXPECT_EQ(openai.at("answered_more_than_once").as_int64(), 0);
}

TEST(Examples, SongsOnAnthropicClassifiesEverySongOnceReadingTheCachedInstruction) {
  TempDir dir;
  EmulatorProcess emulator;
  auto r = run_songs_example(emulator, dir, "songs-anthropic", "ANTHROPIC_API_KEY",
                             emulator.options().anthropic_key, emulator.base_url());
  EXPECT_NE(r.out.find("(claude-sonnet-4-5, batch pricing)"), std::string::npos) << r.out;
  auto anthropic = json::parse(emulator.stats_json()).at("anthropic");
  EXPECT_EQ(anthropic.at("batch_creates").as_int64(), 4) << "200 songs in batches of 50";
  EXPECT_EQ(anthropic.at("answered_more_than_once").as_int64(), 0);
  auto tokens = json::parse(read_file(dir.file("state/summary.json"))).at("tokens");
  EXPECT_GT(tokens.at("cached_input").as_int64(), tokens.at("input").as_int64() * 9 / 10)
      << "every song after the first reads the instruction from the cache";
}

}  // namespace
}  // namespace pipehost::test
