// The run ledger's promises: durable job intent, results applied at most once per submission,
// retries counted, released jobs costing no attempt, config fingerprints, reopening after a crash.
#include <gtest/gtest.h>

#include "ledger/run_ledger.hpp"
#include "test_host.hpp"

namespace {

using namespace pipehost::ledger;

class LedgerTest : public ::testing::Test {
 protected:
  void register_rows(RunLedger& ledger, int n) {
    auto scan = ledger.begin_scan();
    for (int i = 1; i <= n; ++i) ASSERT_EQ(ledger.register_row(scan, "k" + std::to_string(i), i, i + 1), 0u);
    ledger.finish_scan(scan);
  }
  std::vector<JobRow> job_rows(std::initializer_list<const char*> keys, int attempt = 1) {
    std::vector<JobRow> rows;
    for (const char* k : keys) rows.push_back({k, attempt, {"user text"}, {"v1", "v2"}});
    return rows;
  }
  RowOutcome ok(const std::string& key, int attempt = 1) {
    RowOutcome o;
    o.key = key, o.attempt = attempt, o.ok = true, o.fields = {"a", "b"};
    o.usage.prompt_tokens = 10, o.usage.output_tokens = 3;
    return o;
  }
  RowOutcome failed(const std::string& key, int attempt, bool retryable = true) {
    RowOutcome o;
    o.key = key, o.attempt = attempt, o.ok = false, o.retryable = retryable, o.error = "parse error: no JSON found";
    return o;
  }
  std::filesystem::path file() { return dir_.path() / "ledger.sqlite"; }
  pipehost::test::TempDir dir_;
};

TEST_F(LedgerTest, RegistrationFindsDuplicatesWithinAScanOnly) {
  RunLedger ledger(file());
  auto scan = ledger.begin_scan();
  EXPECT_EQ(ledger.register_row(scan, "a", 1, 2), 0u);
  EXPECT_EQ(ledger.register_row(scan, "b", 2, 3), 0u);
  EXPECT_EQ(ledger.register_row(scan, "a", 3, 7), 2u) << "the duplicate names the earlier line";
  ledger.finish_scan(scan);
  auto next = ledger.begin_scan();
  EXPECT_EQ(ledger.register_row(next, "a", 1, 2), 0u) << "a new scan sees every key afresh";
  ledger.finish_scan(next);
}

TEST_F(LedgerTest, JobLifecycleAppliesEachResultOnce) {
  RunLedger ledger(file());
  register_rows(ledger, 3);
  EXPECT_EQ(ledger.eligible_rows(3).size(), 3u);
  auto job = ledger.plan_job(job_rows({"k1", "k2", "k3"}), 300);
  EXPECT_EQ(job.display_name, "pipehost-" + ledger.run_id() + "-00001");
  EXPECT_TRUE(ledger.eligible_rows(3).empty()) << "submitted rows are not eligible";
  ledger.set_job_handle(job.id, "batches/1");

  ledger.record_outcomes(job.id, {ok("k1"), failed("k2", 1)}, "fp");
  ledger.record_outcomes(job.id, {failed("k1", 1)}, "fp");  // a re-fetch must not undo k1
  ledger.close_job(job.id, job_state::fetched, "no answer", "fp");

  EXPECT_EQ(ledger.row_result("k1")->state, RowState::done);
  EXPECT_EQ(ledger.row_result("k1")->fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ledger.row_result("k2")->state, RowState::failed);
  EXPECT_EQ(ledger.row_result("k2")->error, "parse error: no JSON found");
  EXPECT_EQ(ledger.row_result("k3")->error, "no answer");
  EXPECT_EQ(ledger.row_result("k3")->attempts, 1) << "a row without an answer used its attempt";
  auto eligible = ledger.eligible_rows(3);
  ASSERT_EQ(eligible.size(), 2u);
  EXPECT_EQ(eligible[0].ordinal, 2u);
  EXPECT_EQ(eligible[0].attempts, 1);
  EXPECT_TRUE(ledger.eligible_rows(1).empty()) << "max_attempts reached";
  ledger.reset_failures_with_other_fingerprint("fp");
  EXPECT_TRUE(ledger.eligible_rows(1).empty()) << "failures under the same config keep their attempts";
  EXPECT_EQ(ledger.counts().tokens.prompt, 10);
}

TEST_F(LedgerTest, NonRetryableFailuresAreNotEligible) {
  RunLedger ledger(file());
  register_rows(ledger, 1);
  auto job = ledger.plan_job(job_rows({"k1"}), 1);
  ledger.record_outcomes(job.id, {failed("k1", 1, false)}, "fp");
  EXPECT_TRUE(ledger.eligible_rows(5).empty());
}

TEST_F(LedgerTest, ReleasedJobsCostNoAttempt) {
  RunLedger ledger(file());
  register_rows(ledger, 2);
  auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
  ledger.release_job(job.id);
  auto eligible = ledger.eligible_rows(1);
  ASSERT_EQ(eligible.size(), 2u);
  EXPECT_EQ(eligible[0].attempts, 0);
  EXPECT_EQ(ledger.jobs()[0].state, job_state::discarded);
}

TEST_F(LedgerTest, PlannedJobsSurviveReopening) {
  std::string name, run_id;
  {
    RunLedger ledger(file());
    register_rows(ledger, 2);
    auto job = ledger.plan_job(job_rows({"k1", "k2"}), 1);
    name = job.display_name;
    run_id = ledger.run_id();
  }  // "crash" after recording the intent
  RunLedger reopened(file());
  EXPECT_EQ(reopened.run_id(), run_id);
  auto unfinished = reopened.unfinished_jobs();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].display_name, name);
  EXPECT_EQ(unfinished[0].state, job_state::planned);
  auto rows = reopened.job_rows(unfinished[0].id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].user_parts, std::vector<std::string>{"user text"});
  EXPECT_EQ(rows[0].values, (std::vector<std::string>{"v1", "v2"}));
}

TEST_F(LedgerTest, OnlineOutcomesApplyToRowsNotDone) {
  RunLedger ledger(file());
  register_rows(ledger, 1);
  ledger.record_outcomes(0, {failed("k1", 1)}, "fp");
  ledger.record_outcomes(0, {ok("k1", 2)}, "fp");
  ledger.record_outcomes(0, {failed("k1", 3)}, "fp");
  EXPECT_EQ(ledger.row_result("k1")->state, RowState::done);
}

TEST_F(LedgerTest, FingerprintChangesAreCountedRerunOrAccepted) {
  RunLedger ledger(file());
  register_rows(ledger, 3);
  auto job = ledger.plan_job(job_rows({"k1", "k2", "k3"}), 1);
  ledger.record_outcomes(job.id, {ok("k1"), ok("k2"), failed("k3", 1)}, "old");
  EXPECT_EQ(ledger.count_done_with_other_fingerprint("new"), 2u);
  EXPECT_EQ(ledger.count_done_with_other_fingerprint("old"), 0u);
  ledger.reset_failures_with_other_fingerprint("new");
  EXPECT_EQ(ledger.eligible_rows(1).size(), 1u) << "a failure under an old config gets a new chance";
  ledger.accept_other_fingerprint("new");
  EXPECT_EQ(ledger.count_done_with_other_fingerprint("new"), 0u);
  EXPECT_EQ(ledger.rerun_other_fingerprint("newer"), 2u);
  EXPECT_EQ(ledger.row_result("k1")->state, RowState::pending);
}

TEST_F(LedgerTest, RefusesANewerSchema) {
  { RunLedger ledger(file()); ledger.set_meta("schema_version", "99"); }
  try {
    RunLedger reopened(file());
    FAIL() << "a ledger from a newer pipehost must be refused";
  } catch (const LedgerError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99, newer than this pipehost understands"), std::string::npos);
  }
}

}  // namespace
