// BrainTrust events survive a kill: braintrust-log journals every event before it is sent (in its
// scratch folder, <state>/scratch/<instance>/pending-events). A run killed while BrainTrust is down
// leaves them there; the next run must send them, since the rows they describe are done and will
// never be sent to the model, or logged, again.
#include <signal.h>
#include <sys/wait.h>
#include <thread>

#include <boost/json.hpp>

#include "pipeline_fixture.hpp"

namespace pipehost::test {
namespace {

constexpr const char* kBraintrustKey = "logger-kill-braintrust-key-3e9a";

class LoggerKillTest : public PipelineTest {
 protected:
  std::int64_t rows_done(const std::string& state) {
    auto status = pipehost({"status", "--json"}, state);
    if (status.exit_code != 0) return 0;
    auto parsed = boost::json::parse(status.out).as_object();
    const auto* rows = parsed.if_contains("rows");  // none before the ledger exists
    const auto* done = rows ? rows->as_object().if_contains("done") : nullptr;
    return done ? done->as_int64() : 0;
  }
};

TEST_F(LoggerKillTest, EventsJournaledBeforeAKillAreDeliveredByTheNextRun) {
  emulator_options_.braintrust_key = kBraintrustKey;
  env_["BRAINTRUST_API_KEY"] = kBraintrustKey;
  const int rows = 200;
  const std::string provider = R"(, "batch_size": 50, "max_jobs_in_flight": 2)";
  start(rows, "batch_ms=200", provider);
  // Retries for far longer than the test: events stay queued (journaled), never set aside.
  loggers_json_ = R"({"plugin": "braintrust-log", "project": "Logger Kill", "api_url": ")" +
                  emulator_->base_url() + R"(", "ca_file": ")" + emulator_->ca_file() +
                  R"(", "batch_size": 10, "flush_interval_ms": 50, "retry_initial_ms": 50,
                      "retry_max_ms": 200, "max_retry_s": 600})";
  write_config(provider, "");

  pid_t pid = spawn_run();
  // BrainTrust goes down once the run has started (its logger resolved the project) and created jobs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (stats().at("batches_created").as_int64() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  emulator_->set_faults("batch_ms=200,bt_5xx=1");
  const auto delivered_before_outage = stats().at("braintrust_events").as_int64();
  while (rows_done("state") < 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_GE(rows_done("state"), 100) << "the run did not get far enough";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_LT(stats().at("braintrust_events").as_int64(), rows_done("state"))
      << "some done rows' events must still be undelivered at the kill, or this test tests nothing"
      << " (delivered before the outage: " << delivered_before_outage << ")";

  emulator_->set_faults("batch_ms=50");
  auto resumed = pipehost({"run"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(expect_complete_output(), static_cast<std::size_t>(rows));
  EXPECT_EQ(stats().at("braintrust_events").as_int64(), rows)
      << "every call is logged to BrainTrust once, including those of rows done before the kill";
}

}  // namespace
}  // namespace pipehost::test
