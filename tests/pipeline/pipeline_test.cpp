// The engine's promises through the real pipeline (csv-io → prompt-template → gemini-batch over
// verified TLS to the emulator → markdown-json-parser → csv-io): faults absorbed, retries bounded,
// --limit runs covering disjoint rows, --dry-run sending nothing, changed prompts refused.
#include <fstream>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>

#include <boost/json.hpp>

#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

namespace json = boost::json;

TEST_F(PipelineTest, SongsShapeWithFaultsEveryRowOnceInOrder) {
  start(2000, "prose=0.04,fenced=0.04,line_error=0.02,create_429=2,retry_delay_s=0");
  auto r = pipehost({"run"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto ok = expect_complete_output();
  // A row fails for good only if all 3 attempts fail (about 6% each): a handful at most.
  EXPECT_GE(ok, 1990u);
  expect_no_double_creates();
  auto s = stats();
  EXPECT_GE(s.at("batch_create_attempts").as_int64(), s.at("batches_created").as_int64() + 2)
      << "two 429s absorbed";
  EXPECT_EQ(s.at("key_in_query").as_int64(), 0);
  if (ok < 2000u) {
    auto failures = read_csv(dir_.file("state/failures.csv"));
    EXPECT_EQ(failures.rows.size(), 2000u - ok);
    for (std::size_t i = 0; i < failures.rows.size(); ++i) EXPECT_EQ(failures.at(i, "attempts"), "3");
  }
}

TEST_F(PipelineTest, LimitRunsCoverDisjointRowsAndEndLikeOneFullRun) {
  start(900, "");
  ASSERT_EQ(pipehost({"run", "--limit", "100"}).exit_code, 0);
  ASSERT_EQ(pipehost({"run", "--limit", "500"}).exit_code, 0);
  auto last = pipehost({"run"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(expect_complete_output(), 900u);

  std::map<std::string, std::string> batch_of;
  for (const auto& [name, keys] : keys_by_batch())
    for (const auto& key : keys)
      EXPECT_TRUE(batch_of.emplace(key, name).second) << "row " << key << " sent twice";
  EXPECT_EQ(batch_of.size(), 900u);
  expect_no_double_creates();

  auto reference = pipehost({"run"}, "reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(read_file(output_path()), read_file(output_path("reference")));
}

TEST_F(PipelineTest, DryRunSendsNothing) {
  start(300, "");
  auto r = pipehost({"run", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: 300 requests in 1 batch job(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing was sent"), std::string::npos);
  auto s = stats();
  EXPECT_EQ(s.at("uploaded_bytes").as_int64(), 0);
  for (const auto& [route, n] : s.at("requests_by_route").as_object())
    EXPECT_TRUE(route.starts_with("/_emulator")) << route << " was called " << n.as_int64() << " times";
  EXPECT_FALSE(std::filesystem::exists(output_path()));
}

TEST_F(PipelineTest, ChangedPromptAfterAPartialRunIsRefused) {
  start(200, "");
  ASSERT_EQ(pipehost({"run", "--limit", "50"}).exit_code, 0);
  std::string prompt = read_file(std::string(PIPEHOST_SOURCE_DIR) + "/examples/songs/prompt.md");
  write_file(dir_.file("prompt-v2.md"), prompt + "\nAlways answer in lowercase.\n");
  write_config("", "", dir_.file("prompt-v2.md"));
  auto refused = pipehost({"run"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("50 rows in"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("were done under a different prompt, schema, model or template"),
            std::string::npos);
  auto before = stats().at("batches_created").as_int64();
  EXPECT_EQ(before, 1) << "the refused run sent nothing";
  auto rerun = pipehost({"run", "--rerun-changed"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(expect_complete_output(), 200u);
}

TEST_F(PipelineTest, ExpiredAndFailedBatchesAreRetriedInNewJobs) {
  start(600, "batch_fail=0.3,batch_expire=0.2");
  auto r = pipehost({"run"}, "state");
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  expect_complete_output();
  expect_no_double_creates();
}

class InterruptedRunTest : public PipelineTest {
 protected:
  /// Waits until the emulator has created `n` batches (or gives up after `timeout`).
  bool wait_for_batches(std::int64_t n, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (stats().at("batches_created").as_int64() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
};

TEST_F(InterruptedRunTest, CtrlCStopsCleanlyAndTheNextRunCollectsTheJobs) {
  start(600, "batch_ms=1500", R"(, "batch_size": 200)");
  pid_t pid = spawn_run();
  ASSERT_TRUE(wait_for_batches(3, std::chrono::seconds(60)));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << "cancelled";
  auto resumed = pipehost({"run"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(expect_complete_output(), 600u);
  EXPECT_EQ(stats().at("batches_created").as_int64(), 3)
      << "the running jobs were collected, not created again";
}

TEST_F(InterruptedRunTest, CancelStopsTheLiveJobsAndTheirRowsAreSentAgain) {
  start(400, "batch_ms=60000", R"(, "batch_size": 200)");
  pid_t pid = spawn_run();
  ASSERT_TRUE(wait_for_batches(2, std::chrono::seconds(60)));
  ::kill(pid, SIGINT);
  ::waitpid(pid, nullptr, 0);

  auto cancelled = pipehost({"cancel"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("cancelled 2 running job(s) at the provider; 0 had already finished"),
            std::string::npos)
      << cancelled.out;
  EXPECT_EQ(stats().at("batches_by_state").at("BATCH_STATE_CANCELLED").as_int64(), 2);
  auto status = pipehost({"status", "--json"});
  EXPECT_EQ(boost::json::parse(status.out).at("rows").at("pending").as_int64(), 400) << status.out;

  emulator_->set_faults("batch_ms=50");
  auto rerun = pipehost({"run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(expect_complete_output(), 400u);
  EXPECT_EQ(stats().at("batches_created").as_int64(), 4);
}

TEST_F(InterruptedRunTest, ASecondRunOnTheSameStateIsRefusedWhileTheFirstIsAlive) {
  start(400, "batch_ms=1500", R"(, "batch_size": 200)");
  pid_t pid = spawn_run();
  ASSERT_TRUE(wait_for_batches(1, std::chrono::seconds(60)));
  auto second = pipehost({"run"});
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("in use by another pipehost (pid " + std::to_string(pid) + ")"),
            std::string::npos)
      << second.err;
  auto cancel = pipehost({"cancel"});
  EXPECT_EQ(cancel.exit_code, 3) << "cancel changes the state too: " << cancel.err;
  auto status = pipehost({"status"});
  EXPECT_EQ(status.exit_code, 0) << "status only reads: " << status.err;

  int wait_status = 0;
  ::waitpid(pid, &wait_status, 0);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  EXPECT_EQ(expect_complete_output(), 400u);
  EXPECT_EQ(stats().at("batches_created").as_int64(), 2) << "the refused run sent nothing";
}

TEST_F(PipelineTest, OnlineModeRespectsTheRateLimit) {
  start(20, "", R"(, "mode": "online", "online_concurrency": 4, "requests_per_minute": 600)");
  auto begin = std::chrono::steady_clock::now();
  auto r = pipehost({"run"});
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_complete_output(), 20u);
  // 20 calls at 10 per second cannot finish in less than 1.9 s, whatever the concurrency.
  EXPECT_GE(took, std::chrono::milliseconds(1900));
}

// Google bills search grounding per use and gives it its own daily quota; a 429 for that quota is
// waited out like any other, in batch lines and in online calls, and every row ends up answered.
TEST_F(PipelineTest, TheSearchQuotaIsWaitedOutAndSearchesArePaidFor) {
  start(100, "grounding_429=5,retry_delay_s=0");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_complete_output(), 100u);
  auto emulated = stats();
  EXPECT_EQ(emulated.at("faults_injected").at("grounding_429").as_int64(), 5);
  EXPECT_EQ(emulated.at("gemini").at("grounded_requests").as_int64(), 100);
  auto summary = json::parse(read_file(dir_.file("state/summary.json")));
  EXPECT_EQ(summary.at("tokens").at("tool_units").as_int64(), 100) << "refused searches are not billed";
  EXPECT_GT(summary.at("cost").at("tools").to_number<double>(), 0);
  EXPECT_NE(r.out.find(" tool fees)"), std::string::npos) << r.out;
}

TEST_F(PipelineTest, TheSearchQuotaIsWaitedOutOnline) {
  start(20, "grounding_429=3,retry_delay_s=1", R"(, "mode": "online", "online_concurrency": 2)");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_complete_output(), 20u);
  EXPECT_EQ(stats().at("gemini").at("grounded_requests").as_int64(), 20);
}

TEST_F(PipelineTest, DryRunCountsOneToolUsePerRowAndSaysSo) {
  start(50, "");
  auto dry = pipehost({"run", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("assuming one grounded prompt of web_search per row"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find(" tool fees)"), std::string::npos) << dry.out;
  EXPECT_EQ(stats().at("batches_created").as_int64(), 0);
}

TEST_F(PipelineTest, RunPricesOverrideTheProvidersPricesInTheBill) {
  start(20, "", "", R"(, "prices": {"gemini-flash-latest": {"input": 1000, "output": 0}})");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = json::parse(read_file(dir_.file("state/summary.json")));
  const auto& tokens = summary.at("tokens");
  const auto& cost = summary.at("cost");
  auto uncached = tokens.at("input").as_int64() - tokens.at("cached_input").as_int64();
  EXPECT_NEAR(cost.at("input").to_number<double>(), static_cast<double>(uncached) * 1000 / 1e6 * 0.5, 1e-9)
      << "the overridden input price, at the provider's batch discount";
  EXPECT_EQ(cost.at("output").to_number<double>(), 0);
  EXPECT_NEAR(cost.at("cached_input").to_number<double>(),
              static_cast<double>(tokens.at("cached_input").as_int64()) * 0.03 / 1e6, 1e-12)
      << "not overridden: the provider's cached price, which Gemini does not discount in a batch";
}

TEST_F(PipelineTest, SummaryAndReportSayWhereTheJobsTimeWent) {
  start(100, "batch_ms=600", R"(, "batch_size": 50)");
  auto r = pipehost({"run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = json::parse(read_file(dir_.file("state/summary.json")));
  const auto& stages = summary.at("job_seconds");
  EXPECT_GT(stages.at("submit").to_number<double>(), 0);
  EXPECT_GE(stages.at("wait").to_number<double>(), 2 * 0.6 * 0.9)
      << "two jobs, each running 0.6 s: " << stages;
  EXPECT_GT(stages.at("fetch").to_number<double>(), 0);
  auto report = read_file(dir_.file("state/report.html"));
  EXPECT_NE(report.find("id=\"job-stages\""), std::string::npos);
  EXPECT_NE(report.find("<tr><td>wait</td>"), std::string::npos);
}

}  // namespace
}  // namespace pipehost::test
