// braintrust-log and jsonl-log inside real runs of the pipehost executable (engine test plugins as the
// model, the emulator as BrainTrust): every call of a run is logged once to both, with the same
// events; a missing key stops the run before the provider is sent anything; the key is in no output.
#include <fstream>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "logger_harness.hpp"
#include "process.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using pipehost::test::kBraintrustKey;
using pipehost::test::kBraintrustKeyEnv;

class PipehostRunTest : public ::testing::Test {
 protected:
  std::string write_config(int rows) {
    json::object braintrust{{"plugin", "braintrust-log"},       {"project", "songs-run"},
                            {"api_key_env", kBraintrustKeyEnv}, {"api_url", emulator_.base_url()},
                            {"app_url", emulator_.base_url()},  {"ca_file", emulator_.ca_file()},
                            {"flush_interval_ms", 20},          {"system_instruction", "hash"}};
    json::object jsonl{{"plugin", "jsonl-log"}, {"path", "out/calls.jsonl"}, {"system_instruction", "hash"}};
    json::object config{
        {"source", {{"plugin", "test-rows"}, {"rows", rows}}},
        {"request", {{"plugin", "test-model"}, {"column", "text"}, {"system", "be brief"}}},
        {"provider",
         {{"plugin", "test-model"},
          {"model", "gemini-flash-latest"},
          {"batch_size", 300},
          {"max_jobs_in_flight", 3},
          {"poll_interval_s", 0.05},
          {"prose_mod", 25}}},
        {"parser", {{"plugin", "test-model"}, {"version", 1}}},
        {"sinks", json::array{json::object{{"plugin", "test-rows"}, {"path", "out/result.tsv"}}}},
        {"loggers", json::array{braintrust, jsonl}},
        {"run", {{"state_dir", "state"}}}};
    auto path = dir_.file("run.json");
    pipehost::test::write_file(path, json::serialize(config));
    return path;
  }

  pipehost::test::ProcessResult pipehost(std::vector<std::string> args, bool with_key = true) {
    args.insert(args.begin(), {pipehost::test::bin_path("pipehost"), "--plugins", TEST_ENGINE_PLUGINS,
                               "--plugins", PIPEHOST_PLUGIN_DIR, "--no-progress"});
    pipehost::test::ProcessOptions options;
    options.timeout = std::chrono::seconds(120);
    if (with_key)
      options.env[kBraintrustKeyEnv] = kBraintrustKey;
    else
      options.unset_env.push_back(kBraintrustKeyEnv);
    return pipehost::test::run_process(args, options);
  }

  std::vector<json::object> jsonl_events() const {
    std::vector<json::object> events;
    std::ifstream in(dir_.path() / "out/calls.jsonl");
    for (std::string line; std::getline(in, line);) events.push_back(json::parse(line).as_object());
    return events;
  }

  json::object stats() const { return json::parse(emulator_.stats_json()).as_object(); }

  pipehost::test::EmulatorProcess emulator_{pipehost::test::emulator_with_braintrust_key()};
  pipehost::test::TempDir dir_;
};

TEST_F(PipehostRunTest, EveryCallOfARunIsLoggedOnceToBraintrustAndToJsonl) {
  auto result = pipehost({"run", write_config(600)});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  // 600 first attempts, and a second attempt for each multiple of 25 (a prose answer the first time).
  auto events = jsonl_events();
  ASSERT_EQ(events.size(), 624u);
  auto rows = pipehost::test::fetch_project_logs(emulator_,
                                                 pipehost::test::emulator_project_id(emulator_, "songs-run"));
  ASSERT_EQ(rows.size(), 624u);
  std::set<std::string> keys_with_retry;
  for (const auto& event : events) {
    std::string id(event.at("id").as_string());
    ASSERT_TRUE(rows.count(id)) << id;
    EXPECT_EQ(pipehost::test::as_sent(rows.at(id)), event);
    if (event.at("metadata").at("attempt").as_int64() == 2)
      keys_with_retry.insert(std::string(event.at("metadata").at("row_key").as_string()));
  }
  EXPECT_EQ(keys_with_retry.size(), 24u);
  EXPECT_TRUE(
      events.front().at("input").at("messages").at(0).at("content").as_string().starts_with("sha256:"));

  // Nothing left to do: a second run logs nothing more.
  auto writes = stats().at("braintrust_rows_written").as_int64();
  ASSERT_EQ(pipehost({"run", write_config(600)}).exit_code, 0);
  EXPECT_EQ(stats().at("braintrust_rows_written").as_int64(), writes);

  EXPECT_EQ(result.out.find(kBraintrustKey), std::string::npos);
  EXPECT_EQ(result.err.find(kBraintrustKey), std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(pipehost::test::read_file(entry.path()).find(kBraintrustKey), std::string::npos)
        << entry.path();
  }
}

TEST_F(PipehostRunTest, MissingKeyStopsTheRunBeforeTheProviderIsSentAnything) {
  auto result = pipehost({"run", write_config(50)}, /*with_key=*/false);
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find(kBraintrustKeyEnv), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "state/test-model-stats.json"));  // no job was created
  EXPECT_TRUE(stats().at("requests_by_route").as_object().empty());
}

}  // namespace
