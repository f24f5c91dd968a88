// The engine through the pipehost executable: every row once and in order, retries up to
// max_attempts, quota waits, --limit, --dry-run, config changes, online mode, export and status.
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "process.hpp"
#include "test_host.hpp"

namespace {

namespace json = boost::json;
using pipehost::test::read_file;
using pipehost::test::write_file;

class EngineTest : public ::testing::Test {
 protected:
  std::string write_config(int rows, const std::string& provider_extra, const std::string& run_extra = "",
                           const std::string& system = "be brief", const std::string& parser_extra = "") {
    auto path = dir_.file("run.json");
    write_file(path, R"({
      "source": {"plugin": "test-rows", "rows": )" +
                         std::to_string(rows) + R"(},
      "request": {"plugin": "test-model", "column": "text", "system": ")" +
                         system + R"("},
      "provider": {"plugin": "test-model", "model": "gemini-flash-latest", "batch_size": 300,
                   "max_jobs_in_flight": 3, "poll_interval_s": 0.05)" +
                         provider_extra + R"(},
      "parser": {"plugin": "test-model", "version": 1)" +
                         parser_extra + R"(},
      "sinks": [{"plugin": "test-rows", "path": "out/result.tsv"}],
      "run": {"state_dir": "state")" +
                         run_extra + R"(}
    })");
    return path;
  }

  pipehost::test::ProcessResult pipehost(std::vector<std::string> args,
                                         std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(),
                {pipehost::test::bin_path("pipehost"), "--plugins", TEST_ENGINE_PLUGINS, "--no-progress"});
    pipehost::test::ProcessOptions options;
    options.env = std::move(env);
    options.timeout = std::chrono::seconds(120);
    return pipehost::test::run_process(args, options);
  }

  std::vector<std::string> output_lines() {
    auto text = read_file(dir_.path() / "out/result.tsv");
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  json::object provider_stats() {
    return json::parse(read_file(dir_.path() / "state/test-model-stats.json")).as_object();
  }

  pipehost::test::TempDir dir_;
};

std::string ok_line(int i) {
  return std::to_string(i) + "\trow " + std::to_string(i) + "\techo row " + std::to_string(i) + "\tok\t";
}

TEST_F(EngineTest, EveryRowOnceInInputOrderDespiteFaults) {
  auto config = write_config(1000, R"(, "prose_mod": 25, "line_error_mod": 50, "create_429": 2)");
  auto r = pipehost({"run", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 1001u);
  EXPECT_EQ(lines[0], "id\ttext\tanswer\t_status\t_error");
  for (int i = 1; i <= 1000; ++i) ASSERT_EQ(lines[i], ok_line(i));
  // 4 first-pass jobs of at most 300 rows, then one job for the 40 rows that failed once (multiples
  // of 50 got a line error, other multiples of 25 a prose answer).
  auto creates = provider_stats().at("creates").as_object();
  EXPECT_EQ(creates.size(), 5u);
  for (const auto& [name, n] : creates) EXPECT_EQ(n.as_int64(), 1) << name;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 1040);
  EXPECT_NE(r.out.find("rows: 1000 total, 1000 ok, 0 failed, 0 pending"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state/failures.csv"));
}

TEST_F(EngineTest, RowsThatKeepFailingStopAtMaxAttemptsWithTheirReason) {
  auto config = write_config(500, R"(, "always_fail_mod": 100)", R"(, "max_attempts": 3)");
  auto r = pipehost({"run", config});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 501u);
  EXPECT_EQ(lines[100], "100\trow 100\t\tfailed\tparse error: no JSON found");
  EXPECT_EQ(lines[101], ok_line(101));
  EXPECT_EQ(read_file(dir_.path() / "state/failures.csv"),
            "key,attempts,reason\n100,3,parse error: no JSON found\n200,3,parse error: no JSON found\n"
            "300,3,parse error: no JSON found\n400,3,parse error: no JSON found\n500,3,parse error: no JSON "
            "found\n");
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 500 + 5 + 5);
  auto summary = json::parse(read_file(dir_.path() / "state/summary.json")).as_object();
  EXPECT_EQ(summary.at("rows").at("failed").as_int64(), 5);
  EXPECT_EQ(summary.at("failures_by_reason").at("parse error: no JSON found").as_int64(), 5);
  for (const char* phase : {"scan", "model_calls", "logger_flush", "export"})
    EXPECT_TRUE(summary.at("phase_seconds").as_object().contains(phase)) << phase;
}

TEST_F(EngineTest, FailedBatchJobIsRetried) {
  auto config = write_config(400, R"(, "fail_jobs": 1)");
  auto r = pipehost({"run", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = output_lines();
  for (int i = 1; i <= 400; ++i) ASSERT_EQ(lines[i], ok_line(i));
  EXPECT_EQ(provider_stats().at("creates").as_object().size(), 3u);
}

TEST_F(EngineTest, LimitProcessesTheNextRowsNotDone) {
  auto config = write_config(1000, "");
  auto first = pipehost({"run", "--limit", "100", config});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("rows: 1000 total, 100 ok, 0 failed, 900 pending"), std::string::npos)
      << first.out;
  auto lines = output_lines();
  EXPECT_EQ(lines[100], ok_line(100));
  EXPECT_EQ(lines[101], "101\trow 101\t\tpending\t");
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 100);

  auto second = pipehost({"run", "--limit", "500", config});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("rows: 1000 total, 600 ok"), std::string::npos) << second.out;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 500);

  auto rest = pipehost({"run", config});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 400);
  lines = output_lines();
  for (int i = 1; i <= 1000; ++i) ASSERT_EQ(lines[i], ok_line(i));

  auto again = pipehost({"run", config});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 400) << "a finished run sends nothing";
}

TEST_F(EngineTest, DryRunSendsNothingAndEstimates) {
  auto config = write_config(1000, "");
  auto r = pipehost({"run", "--dry-run", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: 1000 requests in 4 batch job(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated cost: $"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state/test-model-stats.json"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out/result.tsv"));
}

TEST_F(EngineTest, ChangedConfigIsRefusedUnlessAFlagSaysWhatToDo) {
  ASSERT_EQ(pipehost({"run", "--limit", "50", write_config(200, "")}).exit_code, 0);
  auto changed = write_config(200, "", "", "be very brief");
  auto refused = pipehost({"run", changed});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("50 rows in"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--rerun-changed"), std::string::npos) << refused.err;

  auto rerun = pipehost({"run", "--rerun-changed", changed});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 200);

  auto accept = pipehost({"run", "--accept-changed", write_config(200, "", "", "be brief, please")});
  ASSERT_EQ(accept.exit_code, 0) << accept.err;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 200) << "accepted answers are not paid for again";
}

TEST_F(EngineTest, ChangedParserReparsesTheKeptAnswersAndSendsNothing) {
  ASSERT_EQ(pipehost({"run", "--limit", "50", write_config(200, "")}).exit_code, 0);
  auto r = pipehost({"run", write_config(200, "", "", "be brief", R"(, "prefix": "v2: ")")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 150) << "only the 150 rows not done were sent";
  auto lines = output_lines();
  for (int i = 1; i <= 200; ++i)
    ASSERT_EQ(lines[i], std::to_string(i) + "\trow " + std::to_string(i) + "\tv2: echo row " +
                            std::to_string(i) + "\tok\t");
  auto exported = pipehost({"export", write_config(200, "", "", "be brief", R"(, "prefix": "v3: ")")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(output_lines()[7], "7\trow 7\tv3: echo row 7\tok\t")
      << "export parses with the parser as configured now";
}

TEST_F(EngineTest, OnlineModeGivesTheSameOutput) {
  auto config = write_config(300, R"(, "mode": "online", "online_concurrency": 4, "prose_mod": 25)");
  auto r = pipehost({"run", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = output_lines();
  ASSERT_EQ(lines.size(), 301u);
  for (int i = 1; i <= 300; ++i) ASSERT_EQ(lines[i], ok_line(i));
  EXPECT_EQ(provider_stats().at("requests").as_int64(), 312);
}

TEST_F(EngineTest, StatusAndExportReadTheLedger) {
  auto config = write_config(100, "");
  ASSERT_EQ(pipehost({"run", "--limit", "30", config}).exit_code, 0);
  auto status = pipehost({"status", "--json", config});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto doc = json::parse(status.out).as_object();
  EXPECT_EQ(doc.at("rows").at("done").as_int64(), 30);
  EXPECT_EQ(doc.at("rows").at("pending").as_int64(), 70);
  std::filesystem::remove(dir_.path() / "out/result.tsv");
  auto exported = pipehost({"export", config});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(output_lines()[30], ok_line(30));
}

TEST_F(EngineTest, SecretsAreCutFromEveryLogLine) {
  auto config = write_config(10, R"(, "log_secret_env": "TEST_MODEL_KEY")");
  auto r = pipehost({"run", config}, {{"TEST_MODEL_KEY", "sk-very-secret-4242"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("using key [REDACTED]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("sk-very-secret-4242"), std::string::npos) << r.err;
}

TEST_F(EngineTest, ProviderThatCannotWorkInTheConfiguredModeIsRefusedBeforeTheScan) {
  auto config = write_config(20, R"(, "online_only": true)");
  for (const char* command : {"validate", "run"}) {
    auto r = pipehost({command, config});
    EXPECT_EQ(r.exit_code, 2) << command << ":\n" << r.err;
    EXPECT_NE(r.err.find(config + ": /provider/mode: \"batch\" needs a provider that runs batch jobs, and "
                                  "plugin \"test-model\" does not; set \"mode\": \"online\""),
              std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state/test-model-stats.json")) << "nothing was sent";
  auto online = pipehost({"run", write_config(20, R"(, "online_only": true, "mode": "online")")});
  EXPECT_EQ(online.exit_code, 0) << online.err;
}

}  // namespace

namespace {

/// Runs the test-model request builder and parser with the nameless-batch provider, whose jobs carry no
/// name: an in-doubt create is found again by listing the provider's jobs.
class NamelessJobsTest : public EngineTest {
 protected:
  std::string nameless_config(int rows, const std::string& provider_extra, int jobs_in_flight = 2) {
    auto path = dir_.file("nameless.json");
    write_file(path, R"({
      "source": {"plugin": "test-rows", "rows": )" +
                         std::to_string(rows) + R"(},
      "request": {"plugin": "test-model", "column": "text", "system": "be brief"},
      "provider": {"plugin": "nameless-batch", "batch_size": 100, "max_jobs_in_flight": )" +
                         std::to_string(jobs_in_flight) + R"(, "poll_interval_s": 0.05)" + provider_extra +
                         R"(},
      "parser": {"plugin": "test-model", "version": 1},
      "sinks": [{"plugin": "test-rows", "path": "out/result.tsv"}],
      "run": {"state_dir": "state"}
    })");
    return path;
  }
  /// The provider's jobs: handle -> the row keys it holds.
  std::map<std::string, std::vector<std::string>> provider_jobs() {
    std::map<std::string, std::vector<std::string>> out;
    auto state = json::parse(read_file(dir_.path() / "state/nameless-jobs.json")).as_object();
    for (const auto& [handle, job] : state.at("jobs").as_object())
      for (const auto& key : job.at("keys").as_array()) out[handle].emplace_back(key.as_string());
    return out;
  }
  /// Checks every row was created in exactly one of our jobs and the output is complete.
  void expect_each_row_created_once(int rows) {
    std::map<std::string, int> creates;
    for (const auto& [handle, keys] : provider_jobs())
      for (const auto& key : keys)
        if (!key.starts_with("stranger")) ++creates[key];
    EXPECT_EQ(creates.size(), static_cast<std::size_t>(rows));
    for (const auto& [key, n] : creates) EXPECT_EQ(n, 1) << "row " << key << " was sent " << n << " times";
    auto lines = output_lines();
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(rows) + 1);
    for (int i = 1; i <= rows; ++i) EXPECT_EQ(lines[i], ok_line(i));
  }
};

TEST_F(NamelessJobsTest, ALostCreateAnswerIsFoundByListingNotCreatedAgain) {
  auto r = pipehost({"run", nameless_config(300, R"(, "lose_create_answer": 2)")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(provider_jobs().size(), 3u) << "three jobs of 100 rows, none created twice";
  expect_each_row_created_once(300);
}

TEST_F(NamelessJobsTest, JobsWhoseCreatesAreInDoubtTogetherEachFindTheirOwn) {
  // Six jobs of the same size in flight, every create answer lost: were they created side by side,
  // one job's lookup could adopt a sibling's job (same size, unclaimed) and its answers would match
  // none of its rows. Creates take turns in planning order, so each finds its own.
  auto r = pipehost({"run", nameless_config(600, R"(, "lose_create_answer": 6)", 6)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("it is not this run's job"), std::string::npos) << r.err;
  EXPECT_EQ(provider_jobs().size(), 6u);
  expect_each_row_created_once(600);
}

TEST_F(NamelessJobsTest, ACrashBetweenCreateAndLedgerWriteIsReconciledByListing) {
  auto config = nameless_config(200, R"(, "crash_after_create": 1)");
  auto crashed = pipehost({"run", config});
  EXPECT_NE(crashed.exit_code, 0) << "the process died inside the create call";
  ASSERT_EQ(provider_jobs().size(), 1u) << "the job was created before the crash";
  auto resumed = pipehost({"run", config});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(provider_jobs().size(), 2u) << "the crashed create was adopted, not repeated";
  expect_each_row_created_once(200);
}

TEST_F(NamelessJobsTest, AStrangersJobOfTheSameSizeIsNotTakenForOurs) {
  // The first create fails; meanwhile someone else creates a job of the same size. The engine looks
  // before creating again, takes the stranger's job for its own, and finds out from its answers.
  auto r =
      pipehost({"run", nameless_config(100, R"(, "fail_creates": 1, "stranger_on_failed_create": true)")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("answered none of its rows: it is not this run's job"), std::string::npos) << r.err;
  expect_each_row_created_once(100);
}

}  // namespace

namespace {

// Without --plugins, pipehost uses its own plugins folder (build/plugins here), then every folder of
// PIPEHOST_PLUGIN_PATH; a folder there without plugin libraries is a warning, not an error.
TEST(PluginPath, WithoutPluginsTheOwnFolderAndPipehostPluginPathAreSearched) {
  pipehost::test::ProcessOptions options;
  options.env = {
      {"PIPEHOST_PLUGIN_PATH", "/nonexistent-pipehost-plugins::" + std::string(TEST_ENGINE_PLUGINS)}};
  auto r = pipehost::test::run_process({pipehost::test::bin_path("pipehost"), "plugins"}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\ncsv-io "), std::string::npos) << "its own folder: " << r.out;
  EXPECT_NE(r.out.find("\ntest-model "), std::string::npos) << "from PIPEHOST_PLUGIN_PATH: " << r.out;
  EXPECT_NE(r.err.find("/nonexistent-pipehost-plugins: plugin folder does not exist"), std::string::npos)
      << r.err;

  auto explicit_only = pipehost::test::run_process(
      {pipehost::test::bin_path("pipehost"), "plugins", "--plugins", TEST_ENGINE_PLUGINS}, options);
  ASSERT_EQ(explicit_only.exit_code, 0) << explicit_only.err;
  EXPECT_EQ(explicit_only.out.find("\ncsv-io "), std::string::npos) << "--plugins replaces the search";
}

}  // namespace
