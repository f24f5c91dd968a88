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
  /// run.json for `rows` rows; `braintrust_extra` is merged into the braintrust-log section.
  std::string write_config(int rows, const json::object& braintrust_extra = {}) {
    json::object braintrust{{"plugin", "braintrust-log"},       {"project", "songs-run"},
                            {"api_key_env", kBraintrustKeyEnv}, {"api_url", emulator_.base_url()},
                            {"app_url", emulator_.base_url()},  {"ca_file", emulator_.ca_file()},
                            {"flush_interval_ms", 20},          {"system_instruction", "hash"}};
    for (const auto& [key, value] : braintrust_extra) braintrust[key] = value;
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

/// Short retries, so an outage at start is recognised in a fraction of a second.
json::object quick_retries() {
  return {{"max_retry_s", 0.3}, {"retry_initial_ms", 20}, {"retry_max_ms", 50}};
}

TEST_F(PipehostRunTest, BraintrustDownAtStartIsExit3NotABadConfig) {
  // An outage is not bad config (exit 2): the run stops before the provider is sent anything, and
  // running again later works. Both a service answering 503 and a closed port.
  emulator_.set_faults("bt_5xx=1");
  auto unavailable = pipehost({"run", write_config(50, quick_retries())});
  EXPECT_EQ(unavailable.exit_code, 3) << unavailable.err;
  EXPECT_NE(unavailable.err.find("/loggers/0 (braintrust-log): resolving BrainTrust project"),
            std::string::npos)
      << unavailable.err;
  EXPECT_NE(unavailable.err.find("HTTP 503"), std::string::npos) << unavailable.err;
  EXPECT_NE(unavailable.err.find("run again to resume"), std::string::npos) << unavailable.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "state/test-model-stats.json")) << "the provider was sent something";

  json::object closed = quick_retries();
  closed["api_url"] = "https://127.0.0.1:1";
  auto unreachable = pipehost({"run", write_config(50, closed)});
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.err;
  EXPECT_NE(unreachable.err.find("cannot reach https://127.0.0.1:1"), std::string::npos) << unreachable.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "state/test-model-stats.json"));

  emulator_.set_faults("");
  auto later = pipehost({"run", write_config(50, quick_retries())});
  EXPECT_EQ(later.exit_code, 0) << later.err;
}

TEST_F(PipehostRunTest, OptionalBraintrustDownAtStartKeepsItsEventsForTheNextRun) {
  // "required": false: the run goes on with a warning; the logger journals every event, and the next
  // run that reaches BrainTrust delivers them all (the same events jsonl-log wrote).
  json::object optional = quick_retries();
  optional["required"] = false;
  emulator_.set_faults("bt_5xx=1");
  auto run = pipehost({"run", write_config(50, optional)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("/loggers/0 (braintrust-log): "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("going on without it"), std::string::npos) << run.err;
  auto events = jsonl_events();
  ASSERT_EQ(events.size(), 52u);  // 50 rows, rows 25 and 50 twice (a prose answer the first time)
  auto journal = dir_.path() / "state/scratch/logger0-braintrust-log/pending-events";
  ASSERT_TRUE(fs::is_directory(journal));
  EXPECT_FALSE(fs::is_empty(journal));
  EXPECT_EQ(stats().at("braintrust_events").as_int64(), 0);

  emulator_.set_faults("");
  auto next = pipehost({"run", write_config(50, optional)});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  auto rows = pipehost::test::fetch_project_logs(emulator_,
                                                 pipehost::test::emulator_project_id(emulator_, "songs-run"));
  ASSERT_EQ(rows.size(), 52u);
  for (const auto& event : events) {
    std::string id(event.at("id").as_string());
    ASSERT_TRUE(rows.count(id)) << id;
    EXPECT_EQ(pipehost::test::as_sent(rows.at(id)), event);
  }
  EXPECT_TRUE(fs::is_empty(journal));
}

}  // namespace
